/**
 * Reads listener-call durations out of a Chromium trace: the console.time/timeEnd pairs the
 * probe's wrappers write (category blink.console, async begin/end events), and the worker task
 * each webRequest event was dispatched in (ThreadControllerImpl::RunTask in the toplevel category,
 * which costs far less to record than devtools.timeline's RunTask).
 */
export interface TraceEvent {
  name: string;
  cat?: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time of a complete event, when the trace records it. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

export interface CallTimes {
  /** Duration of each bracketed call, in ms, in order. */
  extensionMs: number[];
  baselineMs: number[];
  /** Duration of each worker task that dispatched an event (holds a baseline bracket), in ms. */
  dispatchTaskMs: number[];
  /** CPU time of the same tasks: what the worker's thread actually ran, without time it was descheduled. */
  dispatchTaskCpuMs: number[];
  /** Brackets left open or unmatched (a trace that lost events). */
  unpaired: number;
}

/** A task on a Blink thread: devtools.timeline's name for it, and the toplevel category's. */
const TASK_EVENTS = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);

/** Begin/end pairs of the brackets "<label> <n>", in call order. */
function pairs(events: TraceEvent[], label: string): { spans: Array<[number, number]>; unpaired: number } {
  const begin = new Map<string, number>();
  const spans: Array<[number, number, number]> = [];
  let unpaired = 0;
  for (const e of events) {
    if (!e.name.startsWith(label + ' ')) continue;
    if (e.ph === 'b') begin.set(e.name, e.ts);
    else if (e.ph === 'e') {
      const b = begin.get(e.name);
      if (b === undefined) unpaired++;
      else spans.push([Number(e.name.slice(label.length + 1)), b, e.ts]);
      begin.delete(e.name);
    }
  }
  unpaired += begin.size;
  spans.sort((a, b) => a[0] - b[0]);
  return { spans: spans.map(([, b, e]) => [b, e]), unpaired };
}

export function callTimes(trace: { traceEvents?: TraceEvent[] } | TraceEvent[], extLabel: string, baseLabel: string): CallTimes {
  const all = Array.isArray(trace) ? trace : (trace.traceEvents ?? []);
  // The brackets are written on the worker's thread: take that thread only.
  const marker = all.find((e) => e.name.startsWith(baseLabel + ' ') && e.ph === 'b');
  if (!marker) return { extensionMs: [], baselineMs: [], dispatchTaskMs: [], dispatchTaskCpuMs: [], unpaired: 0 };
  const onThread = all.filter((e) => e.pid === marker.pid && e.tid === marker.tid).sort((a, b) => a.ts - b.ts);
  const ext = pairs(onThread, extLabel);
  const base = pairs(onThread, baseLabel);
  const tasks = onThread.filter((e) => TASK_EVENTS.has(e.name) && e.ph === 'X' && typeof e.dur === 'number');
  const dispatchTaskMs: number[] = [];
  const dispatchTaskCpuMs: number[] = [];
  let t = 0;
  for (const [start] of base.spans) {
    while (t < tasks.length && tasks[t]!.ts + tasks[t]!.dur! < start) t++;
    const task = tasks[t];
    if (task && task.ts <= start) {
      dispatchTaskMs.push(task.dur! / 1000);
      if (typeof task.tdur === 'number') dispatchTaskCpuMs.push(task.tdur / 1000);
    }
  }
  const ms = (spans: Array<[number, number]>) => spans.map(([a, b]) => (b - a) / 1000);
  return { extensionMs: ms(ext.spans), baselineMs: ms(base.spans), dispatchTaskMs, dispatchTaskCpuMs, unpaired: ext.unpaired + base.unpaired };
}
