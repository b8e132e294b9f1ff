/**
 * Charges the top-level script calls in a Chromium trace (category devtools.timeline) to the
 * scripts that own them, in thread time.
 *
 * Blink emits a "FunctionCall" event each time native code enters JavaScript from an empty stack
 * (an event listener, a MutationObserver callback, a timer, a promise reaction) and an
 * "EvaluateScript" event for a classic script; args.data.url is the called function's script.
 * Everything that call does — including native work it triggers, such as a forced layout — lies
 * inside the event. Thread time (tdur) rather than wall time keeps other processes competing for
 * the CPU out of the number. Not seen: a script's code running inside another script's call
 * (a MAIN-world wrapper around XMLHttpRequest.send called by the page is charged to the page).
 */

export interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tts?: number;
  tdur?: number;
  pid: number;
  tid: number;
  args?: { data?: { url?: string; functionName?: string } };
}

export interface BucketTotals {
  threadUs: number;
  wallUs: number;
  calls: number;
  urls: string[];
}

/** Returns a bucket name for a script URL, or null to ignore the call. */
export type UrlClassifier = (url: string) => string | null;

const ENTRY_EVENTS = new Set(['FunctionCall', 'EvaluateScript']);

export function attributeTrace(events: readonly TraceEvent[], classify: UrlClassifier): Record<string, BucketTotals> {
  const totals: Record<string, { threadUs: number; wallUs: number; calls: number; urls: Set<string> }> = {};
  const charge = (url: string, threadUs: number, wallUs: number): void => {
    const bucket = classify(url);
    if (bucket === null) return;
    const t = (totals[bucket] ??= { threadUs: 0, wallUs: 0, calls: 0, urls: new Set() });
    t.threadUs += threadUs;
    t.wallUs += wallUs;
    t.calls++;
    t.urls.add(url);
  };
  // Begin/end pairs (older trace writers) are matched per thread, innermost first.
  const open = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (!ENTRY_EVENTS.has(e.name)) continue;
    if (e.ph === 'X') {
      if (e.dur === undefined) throw new Error(`malformed trace: complete ${e.name} event without dur`);
      charge(e.args?.data?.url ?? '', e.tdur ?? e.dur, e.dur);
    } else if (e.ph === 'B') {
      const key = `${e.pid}:${e.tid}`;
      const stack = open.get(key) ?? [];
      stack.push(e);
      open.set(key, stack);
    } else if (e.ph === 'E') {
      const begin = open.get(`${e.pid}:${e.tid}`)?.pop();
      if (!begin) continue; // the begin fell before tracing started
      const wall = e.ts - begin.ts;
      const thread = begin.tts !== undefined && e.tts !== undefined ? e.tts - begin.tts : wall;
      charge(begin.args?.data?.url ?? e.args?.data?.url ?? '', thread, wall);
    }
  }
  return Object.fromEntries(Object.entries(totals).map(([bucket, t]) => [bucket, { threadUs: t.threadUs, wallUs: t.wallUs, calls: t.calls, urls: [...t.urls].sort() }]));
}
