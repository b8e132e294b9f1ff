/**
 * Watches the page's fetch() calls to x.com's API. The wrapper returns the very promise the
 * original returned (same response, same rejection, same timing); it reads a clone of the body,
 * bounded, and only for JSON API answers, so the page's own body is never consumed.
 */
import { urlOf } from './api-url.ts';
import { classifyApiAnswer, edgeSeen, type ApiAnswer, type PageObservation } from './classify.ts';
import { isJson, parseErrorsBody, readBounded } from './read-body.ts';
import type { EndpointOf } from './wrap-xhr.ts';

type Fetch = typeof fetch;

async function observeResponse(res: Response, answer: Omit<ApiAnswer, 'status'>, seen: (body: unknown) => void): Promise<PageObservation | null> {
  // no-cors answers are opaque: their status says nothing.
  if (res.type === 'opaque' || res.type === 'opaqueredirect') return null;
  const contentType = res.headers.get('content-type');
  let body: unknown;
  if (isJson(contentType) && res.status !== 204 && !res.bodyUsed) {
    const text = await readBounded(res.clone());
    body = text === null ? undefined : parseErrorsBody(text);
    if (res.ok) seen(text);
  }
  return classifyApiAnswer({
    ...answer,
    status: res.status,
    contentType,
    rateLimitRemaining: res.headers.get('x-rate-limit-remaining'),
    edge: edgeSeen((name) => res.headers.get(name)),
    body,
  });
}

function errorAnswer(err: unknown, answer: Omit<ApiAnswer, 'status'>): PageObservation | null {
  const name = (err as { name?: unknown } | null)?.name;
  return classifyApiAnswer({ ...answer, status: 0, aborted: name === 'AbortError', timedOut: name === 'TimeoutError' });
}

/**
 * `settled` (optional) is told when the watch of one API call ends, whether it emitted or not;
 * `seen` (optional) gets the text of each 2xx JSON answer read (for official posts, official.ts).
 */
export function wrapFetch(
  target: { fetch: Fetch },
  endpointOf: EndpointOf,
  emit: (o: PageObservation) => void,
  settled: () => void = () => {},
  seen: (body: unknown) => void = () => {},
): void {
  const original = target.fetch;
  const wrapped = function (this: unknown, ...args: Parameters<Fetch>): ReturnType<Fetch> {
    let answer: Omit<ApiAnswer, 'status'> | null = null;
    try {
      const url = urlOf(args[0]);
      const endpoint = url === null ? null : endpointOf(url);
      if (endpoint) answer = { feature: endpoint.feature, ...(endpoint.op ? { op: endpoint.op } : {}) };
    } catch {
      /* ours only */
    }
    const result = Reflect.apply(original, this, args) as ReturnType<Fetch>;
    if (answer) {
      const a = answer;
      // Registered before the page's own handlers, so the clone is taken before the page reads the body.
      result.then(
        (res) => {
          observeResponse(res, a, seen)
            .then((o) => {
              if (o) emit(o);
            })
            .catch(() => {})
            .finally(settled);
        },
        (err: unknown) => {
          try {
            const o = errorAnswer(err, a);
            if (o) emit(o);
          } catch {
            /* ours only */
          }
          settled();
        },
      );
    }
    return result;
  };
  target.fetch = wrapped as Fetch;
}
