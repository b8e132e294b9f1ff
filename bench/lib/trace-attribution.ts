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
  args?: { data?: { url?: string; functionName?: string; lineNumber?: number; columnNumber?: number } };
}

export interface BucketTotals {
  threadUs: number;
  wallUs: number;
  calls: number;
  /** Part of threadUs spent in style recalculation and layout the calls forced (synchronous reflow). */
  forcedLayoutUs: number;
  urls: string[];
  /** Thread time per entry function ("name url:line:column"), most expensive first: where to look when it is too much. */
  functions: { fn: string; threadUs: number; calls: number }[];
}

/** Returns a bucket name for a script URL, or null to ignore the call. */
export type UrlClassifier = (url: string) => string | null;

const ENTRY_EVENTS = new Set(['FunctionCall', 'EvaluateScript']);
const LAYOUT_EVENTS = new Set(['Layout', 'UpdateLayoutTree']);

interface Span { start: number; end: number; thread: string; bucket: string }

export function attributeTrace(events: readonly TraceEvent[], classify: UrlClassifier): Record<string, BucketTotals> {
  const totals: Record<string, { threadUs: number; wallUs: number; calls: number; forcedLayoutUs: number; urls: Set<string>; fns: Map<string, { threadUs: number; calls: number }> }> = {};
  const spans: Span[] = [];
  const charge = (entry: TraceEvent, threadUs: number, wallUs: number, start: number, thread: string): void => {
    const data = entry.args?.data ?? {};
    const url = data.url ?? '';
    const bucket = classify(url);
    if (bucket === null) return;
    const t = (totals[bucket] ??= { threadUs: 0, wallUs: 0, calls: 0, forcedLayoutUs: 0, urls: new Set(), fns: new Map() });
    t.threadUs += threadUs;
    t.wallUs += wallUs;
    t.calls++;
    t.urls.add(url);
    const fnKey = `${data.functionName || entry.name} ${url}:${data.lineNumber ?? '?'}:${data.columnNumber ?? '?'}`;
    const fn = t.fns.get(fnKey) ?? { threadUs: 0, calls: 0 };
    fn.threadUs += threadUs;
    fn.calls++;
    t.fns.set(fnKey, fn);
    spans.push({ start, end: start + wallUs, thread, bucket });
  };
  // Begin/end pairs (older trace writers) are matched per thread, innermost first.
  const open = new Map<string, TraceEvent[]>();
  const layouts: TraceEvent[] = [];
  for (const e of events) {
    const thread = `${e.pid}:${e.tid}`;
    if (LAYOUT_EVENTS.has(e.name) && e.ph === 'X') {
      layouts.push(e);
      continue;
    }
    if (!ENTRY_EVENTS.has(e.name)) continue;
    if (e.ph === 'X') {
      if (e.dur === undefined) throw new Error(`malformed trace: complete ${e.name} event without dur`);
      charge(e, e.tdur ?? e.dur, e.dur, e.ts, thread);
    } else if (e.ph === 'B') {
      const stack = open.get(thread) ?? [];
      stack.push(e);
      open.set(thread, stack);
    } else if (e.ph === 'E') {
      const begin = open.get(thread)?.pop();
      if (!begin) continue; // the begin fell before tracing started
      const wall = e.ts - begin.ts;
      const threadTime = begin.tts !== undefined && e.tts !== undefined ? e.tts - begin.tts : wall;
      charge(begin.args?.data?.url !== undefined ? begin : e, threadTime, wall, begin.ts, thread);
    }
  }

  // Entry calls never overlap on one thread (they start from an empty stack), so a layout event
  // belongs to the call whose span contains its start: binary search per thread.
  const byThread = new Map<string, Span[]>();
  for (const span of spans) (byThread.get(span.thread) ?? byThread.set(span.thread, []).get(span.thread) as Span[]).push(span);
  for (const list of byThread.values()) list.sort((a, b) => a.start - b.start);
  for (const e of layouts) {
    const list = byThread.get(`${e.pid}:${e.tid}`);
    if (!list) continue;
    let lo = 0;
    let hi = list.length - 1;
    let found: Span | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const span = list[mid] as Span;
      if (span.start <= e.ts) {
        found = span;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found && e.ts < found.end) (totals[found.bucket] as { forcedLayoutUs: number }).forcedLayoutUs += e.tdur ?? e.dur ?? 0;
  }

  return Object.fromEntries(Object.entries(totals).map(([bucket, t]) => [bucket, {
    threadUs: t.threadUs, wallUs: t.wallUs, calls: t.calls, forcedLayoutUs: t.forcedLayoutUs, urls: [...t.urls].sort(),
    functions: [...t.fns].map(([fn, v]) => ({ fn, ...v })).sort((x, y) => y.threadUs - x.threadUs),
  }]));
}
