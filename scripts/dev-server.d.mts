export function startDevServer(options?: {
  stateDir?: string;
  timeoutMs?: number;
  extraArgs?: string[];
  /** Variables for `npm run dev` on top of this process's (undefined removes one). */
  env?: Record<string, string | undefined>;
  /** Start on the state `stateDir` already holds (a restart). */
  keepState?: boolean;
}): Promise<{ origin: string; apiKey: string; testKey: string; stop: (signal?: NodeJS.Signals) => void; exited: Promise<void>; output: () => string }>;
