/**
 * Sheds report submissions early when this process is past what its CPU can do. The group
 * committer's bounded queue covers a slow database; this covers a busy event loop, where requests
 * wait in sockets and callbacks before ever reaching that queue (seen in the overload run of
 * bench:server: no 503, 12 s medians). A late timer is the cheapest signal of that wait: while it
 * is late by more than the limit and many submissions are in progress, POST /v1/reports is
 * answered 503 with Retry-After before its body is read, which costs a fraction of taking it.
 */

/** How late the sampling timer may run (ms) before submissions are shed. */
export const DEFAULT_SHED_LAG_MS = 150;
/**
 * Submissions in progress below which nothing is shed: a late timer with few requests waiting is
 * a pause (a GC, the process descheduled on a busy machine), not more work than the CPU can do.
 */
export const MIN_IN_FLIGHT_TO_SHED = 100;
/** Retry-After of a shed submission: soon, since a busy spell is usually short. */
export const SHED_RETRY_AFTER_S = 10;
const SAMPLE_MS = 50;

export interface LoadShedder {
  /** True while submissions should be refused. */
  shedding(): boolean;
  /** Submissions refused since start. */
  readonly shed: number;
  stop(): void;
}

export function startLoadShedder(lagLimitMs = DEFAULT_SHED_LAG_MS): LoadShedder & { count(): void } {
  let last = performance.now();
  let lag = 0;
  let shed = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const late = Math.max(0, now - last - SAMPLE_MS);
    last = now;
    // Quick to rise, slower to fall: one on-time tick in a busy spell does not reopen the gate.
    lag = late > lag ? late : lag * 0.7 + late * 0.3;
  }, SAMPLE_MS);
  timer.unref();
  return {
    shedding: () => lag > lagLimitMs,
    get shed() {
      return shed;
    },
    count: () => {
      shed++;
    },
    stop: () => clearInterval(timer),
  };
}

type FetchHandler = (request: Request, env: unknown) => Response | Promise<Response>;

/** Wraps the app's fetch: report submissions get 503 + Retry-After while the shedder says so. */
export function withLoadShedding(fetch: FetchHandler, shedder: LoadShedder & { count(): void }, minInFlight = MIN_IN_FLIGHT_TO_SHED): FetchHandler {
  let inFlight = 0;
  return (request, env) => {
    const isReport = request.method === 'POST' && new URL(request.url).pathname === '/v1/reports';
    if (!isReport) return fetch(request, env);
    if (inFlight >= minInFlight && shedder.shedding()) {
      shedder.count();
      const headers: Record<string, string> = { 'content-type': 'application/json', 'retry-after': String(SHED_RETRY_AFTER_S) };
      // The extension must be able to read Retry-After, as on the app's own answers (cors.ts).
      const origin = request.headers.get('origin');
      if (origin && /^(chrome|moz)-extension:\/\//.test(origin)) {
        headers['access-control-allow-origin'] = origin;
        headers['access-control-expose-headers'] = 'Retry-After';
        headers.vary = 'Origin';
      }
      return new Response(JSON.stringify({ error: 'unavailable', message: 'the server is overloaded; retry later' }), { status: 503, headers });
    }
    inFlight++;
    let answer: Response | Promise<Response>;
    try {
      answer = fetch(request, env);
    } catch (err) {
      inFlight--;
      throw err;
    }
    return Promise.resolve(answer).finally(() => inFlight--);
  };
}
