/**
 * Bounded reading of API answers: only JSON, only when it can hold `errors[]`, never more than
 * MAX_BODY_BYTES. X's error answers are small; a timeline too large to read is classified by its
 * status alone.
 */
export const MAX_BODY_BYTES = 256 * 1024;

export function isJson(contentType: string | null | undefined): boolean {
  return typeof contentType === 'string' && /\bjson\b/i.test(contentType);
}

/**
 * The body's `errors`, or undefined. Cheap scan first: a text that never says "errors" is not
 * parsed. X puts `errors` first (`{"errors":[...],"data":{...}}`), so when the text starts that
 * way only the array is parsed, not the (often large) data after it; otherwise the whole text,
 * when it is at most `max` long.
 */
export function parseErrorsBody(text: string, max = MAX_BODY_BYTES): unknown {
  if (!text.includes('"errors"')) return undefined;
  const leading = leadingErrors(text, max);
  if (leading !== undefined) return { errors: leading };
  if (text.length > max) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const LEADING_ERRORS_RE = /^\s*\{\s*"errors"\s*:\s*\[/;

/**
 * The top-level `errors` array of a JSON text that opens with it, parsed; undefined when the text
 * does not open that way, or the array is not closed within `max` characters, or is not JSON.
 * The bracket scan skips strings (with their escapes), so brackets inside messages don't count.
 */
export function leadingErrors(text: string, max = MAX_BODY_BYTES): unknown[] | undefined {
  const open = LEADING_ERRORS_RE.exec(text.slice(0, 64));
  if (!open) return undefined;
  const start = open[0].length - 1;
  const end = Math.min(text.length, max);
  let depth = 0;
  let inString = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      depth++;
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      depth--;
      if (depth === 0) {
        try {
          const errors = JSON.parse(text.slice(start, i + 1)) as unknown;
          return Array.isArray(errors) ? errors : undefined;
        } catch {
          return undefined;
        }
      }
    }
  }
  return undefined;
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
