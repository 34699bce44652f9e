/** data: URLs: what remote images become once fetched (render/images/remote-images.ts toDataUrl), read back. */
import { Buffer } from 'node:buffer';

/** The bytes of a base64 data: URL; undefined when it is not one. Whitespace in the payload is ignored. */
export function bytesOfDataUrl(url: string): { type: string; bytes: Uint8Array } | undefined {
  const m = /^data:([a-z]+\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/=\s]*)$/i.exec(url);
  if (!m) return undefined;
  try {
    return { type: (m[1] as string).toLowerCase(), bytes: new Uint8Array(Buffer.from((m[2] as string).replace(/\s+/g, ''), 'base64')) };
  } catch {
    return undefined;
  }
}
