import { describe, expect, it } from 'vitest';
import { attributeTrace, type TraceEvent, type UrlClassifier } from '../../../bench/lib/trace-attribution.ts';

const EXT = 'chrome-extension://abc/src/content/index.iife.js';
const HOOK = 'chrome-extension://abc/src/page/hook.iife.js';
const PAGE = 'https://x.com/home';

const classify: UrlClassifier = (url) =>
  url.startsWith('chrome-extension://') ? (url.includes('/src/page/') ? 'hook' : 'content') : url.startsWith('https://x.com/') ? 'page' : null;

let ts = 1000;
/** A complete ('X') entry event. */
function call(url: string, dur: number, tdur: number | undefined, extra: Partial<TraceEvent> = {}, fn = 'cb', col = 1): TraceEvent {
  const e: TraceEvent = { name: 'FunctionCall', ph: 'X', ts, dur, pid: 1, tid: 1, args: { data: { url, functionName: fn, lineNumber: 1, columnNumber: col } }, ...extra };
  if (tdur !== undefined) e.tdur = tdur;
  ts += dur + 10;
  return e;
}

describe('attributeTrace', () => {
  it('charges thread time to the owner of each top-level call', () => {
    const events = [call(EXT, 100, 80), call(PAGE, 500, 450), call(HOOK, 40, 30), call(EXT, 60, 50), call('https://elsewhere.example/x.js', 999, 999)];
    const t = attributeTrace(events, classify);
    expect(Object.keys(t).sort()).toEqual(['content', 'hook', 'page']);
    expect(t.content).toMatchObject({ threadUs: 130, wallUs: 160, calls: 2, forcedLayoutUs: 0, urls: [EXT] });
    expect(t.hook).toMatchObject({ threadUs: 30, wallUs: 40, calls: 1 });
    expect(t.page).toMatchObject({ threadUs: 450, calls: 1 });
  });

  it('falls back to wall time when an event has no thread time', () => {
    expect(attributeTrace([call(EXT, 70, undefined)], classify).content).toMatchObject({ threadUs: 70, wallUs: 70 });
  });

  it('counts EvaluateScript like FunctionCall and ignores other events', () => {
    const events = [call(EXT, 20, 20, { name: 'EvaluateScript' }), call(EXT, 500, 500, { name: 'ParseHTML' })];
    expect(attributeTrace(events, classify).content).toMatchObject({ threadUs: 20, calls: 1 });
  });

  it('ranks entry functions by thread time', () => {
    const events = [call(EXT, 10, 10, {}, 'scan', 5), call(EXT, 50, 50, {}, 'observe', 9), call(EXT, 10, 10, {}, 'scan', 5)];
    expect(attributeTrace(events, classify).content!.functions).toEqual([
      { fn: `observe ${EXT}:1:9`, threadUs: 50, calls: 1 },
      { fn: `scan ${EXT}:1:5`, threadUs: 20, calls: 2 },
    ]);
  });

  it('matches begin/end pairs per thread, innermost first, and skips an end whose begin came before the trace', () => {
    const data = { data: { url: EXT, functionName: 'cb', lineNumber: 1, columnNumber: 1 } };
    const events: TraceEvent[] = [
      { name: 'FunctionCall', ph: 'E', ts: 5, tts: 5, pid: 1, tid: 1 }, // its begin is not in the trace
      { name: 'FunctionCall', ph: 'B', ts: 100, tts: 1000, pid: 1, tid: 1, args: data },
      { name: 'FunctionCall', ph: 'B', ts: 110, tts: 1008, pid: 1, tid: 2, args: { data: { url: PAGE } } },
      { name: 'FunctionCall', ph: 'E', ts: 150, tts: 1030, pid: 1, tid: 1 },
      { name: 'FunctionCall', ph: 'E', ts: 300, pid: 1, tid: 2 },
    ];
    const t = attributeTrace(events, classify);
    expect(t.content).toMatchObject({ threadUs: 30, wallUs: 50, calls: 1 });
    // No thread timestamps on the pair: wall time.
    expect(t.page).toMatchObject({ threadUs: 190, wallUs: 190, calls: 1 });
  });

  it('charges layout forced inside a call to that call\'s owner, on the same thread only', () => {
    const ext = call(EXT, 100, 100);
    const page = call(PAGE, 100, 100);
    const events: TraceEvent[] = [
      ext,
      page,
      { name: 'Layout', ph: 'X', ts: ext.ts + 10, dur: 30, tdur: 25, pid: 1, tid: 1 },
      { name: 'UpdateLayoutTree', ph: 'X', ts: ext.ts + 50, dur: 5, pid: 1, tid: 1 },
      { name: 'Layout', ph: 'X', ts: ext.ts + 20, dur: 40, tdur: 40, pid: 1, tid: 2 }, // another thread
      { name: 'Layout', ph: 'X', ts: page.ts + 1, dur: 7, tdur: 7, pid: 1, tid: 1 },
      { name: 'Layout', ph: 'X', ts: ext.ts + 100 + 2, dur: 9, tdur: 9, pid: 1, tid: 1 }, // between calls: nobody's
    ];
    const t = attributeTrace(events, classify);
    expect(t.content!.forcedLayoutUs).toBe(30);
    expect(t.page!.forcedLayoutUs).toBe(7);
    // Forced layout is part of the call's time, never added to it.
    expect(t.content!.threadUs).toBe(100);
  });

  it('rejects a complete event without a duration', () => {
    const broken: TraceEvent = { name: 'FunctionCall', ph: 'X', ts: 1, pid: 1, tid: 1, args: { data: { url: EXT } } };
    expect(() => attributeTrace([broken], classify)).toThrow(/complete FunctionCall event without dur/);
  });

  it('gives nothing for a trace without calls of known scripts', () => {
    expect(attributeTrace([], classify)).toEqual({});
    expect(attributeTrace([call('', 10, 10)], classify)).toEqual({});
  });
});
