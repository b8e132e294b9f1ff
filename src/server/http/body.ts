/**
 * Reads a request body with a hard byte limit enforced while reading, so an oversized or endless
 * body costs at most `limit` bytes of memory.
 */
export type BodyRead = { ok: true; text: string } | { ok: false; reason: 'too_large' | 'bad_encoding' | 'cut_off' };

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

/** UTF-8 text of a whole body, or a refusal when it is not valid UTF-8. */
function decodeUtf8(bytes: Uint8Array): BodyRead {
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, reason: 'bad_encoding' };
  }
}

/** What readIncomingLimited needs of Node's request (a stand-in in tests). */
export interface IncomingBody {
  headers: Record<string, string | string[] | undefined>;
  readableEnded: boolean;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  pause(): unknown;
}

/** Whether `x` is a readable Node request (not a test's stand-in that only carries a socket). */
export function isIncomingBody(x: unknown): x is IncomingBody {
  return typeof x === 'object' && x !== null && typeof (x as { on?: unknown }).on === 'function' && typeof (x as { readableEnded?: unknown }).readableEnded === 'boolean' && typeof (x as { headers?: unknown }).headers === 'object';
}

/**
 * The same limit read straight from Node's request stream. The server reads report bodies this
 * way rather than through the web Request @hono/node-server would build for it: that Request
 * (an AbortController, a ReadableStream over the Node stream, a reader) cost about a tenth of a
 * report batch's CPU time in a profile. Past the limit reading stops (the stream is paused, so an
 * endless body costs at most the limit and a socket buffer); the caller answers with
 * `Connection: close` so the rest is never read. A body whose connection fails or closes before it
 * ends is `cut_off` (the client went away; not a server error).
 */
export function readIncomingLimited(incoming: IncomingBody, limit: number): Promise<BodyRead> {
  const declared = incoming.headers['content-length'];
  if (typeof declared === 'string' && Number(declared) > limit) {
    incoming.pause();
    return Promise.resolve({ ok: false, reason: 'too_large' });
  }
  if (incoming.readableEnded) return Promise.resolve({ ok: true, text: '' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stop = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onCut);
      incoming.off('close', onCut);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > limit) {
        stop();
        chunks.length = 0;
        incoming.pause();
        resolve({ ok: false, reason: 'too_large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(decodeUtf8(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total)));
    };
    const onCut = () => {
      stop();
      chunks.length = 0;
      resolve({ ok: false, reason: 'cut_off' });
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onCut);
    incoming.on('close', onCut);
  });
}

export async function readBodyLimited(req: Request, limit: number): Promise<BodyRead> {
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) return { ok: false, reason: 'too_large' };
  if (!req.body) return { ok: true, text: '' };
  const bytes = await readStreamCapped(req.body, limit);
  if (bytes === null) return { ok: false, reason: 'too_large' };
  return decodeUtf8(bytes);
}

/** application/json, with or without parameters such as charset. */
export function isJsonContentType(value: string | null | undefined): boolean {
  if (!value) return false;
  const type = value.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}
