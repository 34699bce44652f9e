export function startDevServer(options?: {
  stateDir?: string;
  timeoutMs?: number;
  extraArgs?: string[];
}): Promise<{ origin: string; apiKey: string; testKey: string; stop: () => void; output: () => string }>;
