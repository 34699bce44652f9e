export function findRedisServer(): string | null;
export function startLocalRedis(options?: { redisServer?: string | null }): Promise<{ url: string; token: string; redisPort: number; stop: () => void }>;
