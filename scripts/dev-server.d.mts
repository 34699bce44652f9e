export function startDevServer(options?: { stateDir?: string; timeoutMs?: number }): Promise<{ origin: string; stop: () => void; output: () => string }>;
