import { env } from 'cloudflare:test';

/** One command to the same Redis the Worker uses, through the Upstash REST protocol. */
export async function redis(...command: (string | number)[]): Promise<unknown> {
  const res = await fetch(env.UPSTASH_REDIS_REST_URL as string, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.UPSTASH_REDIS_REST_TOKEN}` },
    body: JSON.stringify(command),
  });
  return (await res.json<{ result: unknown }>()).result;
}
