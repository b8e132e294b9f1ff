/**
 * Reads a request body with a hard byte limit enforced while reading, so an oversized or endless
 * body costs at most `limit` bytes of memory.
 */
export type BodyRead = { ok: true; text: string } | { ok: false; reason: 'too_large' | 'bad_encoding' };

/**
 * Reads a stream to its end, or stops and cancels it as soon as it passes `limit` bytes (then
 * null): the memory a hostile or endless body can take is the limit, whoever sent it.
 */
export async function readStreamCapped(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array | null> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return bytes;
}

export async function readBodyLimited(req: Request, limit: number): Promise<BodyRead> {
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) return { ok: false, reason: 'too_large' };
  if (!req.body) return { ok: true, text: '' };
  const bytes = await readStreamCapped(req.body, limit);
  if (bytes === null) return { ok: false, reason: 'too_large' };
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, reason: 'bad_encoding' };
  }
}

/** application/json, with or without parameters such as charset. */
export function isJsonContentType(value: string | null | undefined): boolean {
  if (!value) return false;
  const type = value.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}
