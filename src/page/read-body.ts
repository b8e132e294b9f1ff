/**
 * Bounded reading of API answers: only JSON, only when it can hold `errors[]`, never more than
 * MAX_BODY_BYTES. X's error answers are small; a timeline too large to read is classified by its
 * status alone.
 */
export const MAX_BODY_BYTES = 256 * 1024;

export function isJson(contentType: string | null | undefined): boolean {
  return typeof contentType === 'string' && /\bjson\b/i.test(contentType);
}

/** Parses a JSON text only when it mentions "errors" (cheap scan first); undefined otherwise. */
export function parseErrorsBody(text: string, max = MAX_BODY_BYTES): unknown {
  if (text.length > max || !text.includes('"errors"')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Reads at most `max` bytes of a (cloned) response; null when it is longer. */
export async function readBounded(res: Response, max = MAX_BODY_BYTES): Promise<string | null> {
  const length = Number(res.headers.get('content-length'));
  if (Number.isFinite(length) && length > max) {
    void res.body?.cancel().catch(() => {});
    return null;
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let bytes = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > max) {
      void reader.cancel().catch(() => {});
      return null;
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
