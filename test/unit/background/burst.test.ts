/**
 * A burst of events handled concurrently, as a worker receives them: nothing lost, the
 * coalescing as designed, the stored evidence equal to a replay of every event in order, and
 * storage touched far less often than once per event.
 */
import { describe, expect, it } from 'vitest';
import { classifyCompleted, classifyError, evidenceOf } from '../../../src/background/classify.ts';
import { addEvidence } from '../../../src/background/diagnosis.ts';
import type { Evidence } from '../../../src/background/diagnosis.ts';
import { loadQueue } from '../../../src/background/queue-policy.ts';
import { KEYS, loadEvidence } from '../../../src/background/storage-keys.ts';
import type { RuntimeResponses } from '../../../src/shared/runtime-messages.ts';
import { FakeStorage, FROM_POPUP, makeBackground } from './fixtures-bg.ts';

class SlowStorage extends FakeStorage {
  override async get(keys: string[]) {
    await new Promise((r) => setTimeout(r, 1));
    return super.get(keys);
  }
  override async set(items: Record<string, unknown>) {
    await new Promise((r) => setTimeout(r, 1));
    return super.set(items);
  }
}

const HOME = 'https://x.com/i/api/graphql/q/HomeTimeline';
const DM = 'https://x.com/i/api/graphql/q/DMInboxTimeline';

describe('a burst of failures handled concurrently', () => {
  it('loses no event and coalesces as designed', async () => {
    // Storage that answers on a later timer tick, as the browser's does: calls pile up behind it.
    const storage = new SlowStorage();
    const { bg, clock } = makeBackground({ storage });
    await bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);
    const start = clock.now;
    const events = Array.from({ length: 600 }, (_, i) =>
      i % 3 === 0
        ? { kind: 'error' as const, req: { url: i % 2 ? HOME : DM, error: i % 5 ? 'net::ERR_CONNECTION_RESET' : 'net::ERR_BLOCKED_BY_CLIENT', type: 'xmlhttprequest' } }
        : { kind: 'completed' as const, req: { url: i % 2 ? DM : HOME, statusCode: i % 7 ? 503 : 200, type: 'xmlhttprequest' } },
    );
    const writesBefore = storage.writes;
    const pending: Promise<void>[] = [];
    let expected: Evidence[] = [];
    const reportable = new Set<string>();
    events.forEach((e, i) => {
      // Ninety seconds of clock across the burst: two minutes' worth of coalescing.
      clock.now = start + i * 150;
      pending.push(e.kind === 'error' ? bg.onErrorOccurred(e.req) : bg.onCompleted(e.req));
      const c = e.kind === 'error' ? classifyError(e.req, true) : classifyCompleted(e.req);
      if (c.kind === 'report') {
        reportable.add(`${c.observation.feature}|${c.observation.signal}|${Math.floor(clock.now / 60_000)}`);
        expected = addEvidence(expected, { at: clock.now, kind: evidenceOf(c.observation).kind, feature: c.observation.feature });
      } else if (c.kind === 'local') expected = addEvidence(expected, { at: clock.now, kind: c.evidence, feature: c.feature });
      else if (c.kind === 'reachable') expected = addEvidence(expected, { at: clock.now, kind: 'ok', feature: 'other' });
    });
    await Promise.all(pending);
    const queue = loadQueue(storage.data.get(KEYS.queue));
    expect(queue.items.map((i) => `${i.report.feature}|${i.report.signal}|${Math.floor(i.report.at / 60_000)}`).sort()).toEqual([...reportable].sort());
    expect(loadEvidence(storage.data.get(KEYS.evidence))).toEqual(expected);
    expect(storage.writes - writesBefore).toBeLessThan(events.length / 4);
  });

  it('after consent is withdrawn, the report button says so rather than "already reported"', async () => {
    const { bg } = makeBackground();
    await bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);
    const first = (await bg.handleMessage({ type: 'reportProblem', feature: 'dm' }, FROM_POPUP)) as RuntimeResponses['reportProblem'];
    expect(first.queued).toBe(true);
    await bg.handleMessage({ type: 'setConsent', granted: false }, FROM_POPUP);
    const again = (await bg.handleMessage({ type: 'reportProblem', feature: 'dm' }, FROM_POPUP)) as RuntimeResponses['reportProblem'];
    expect(again).toEqual({ ok: true, queued: false, reason: 'consent' });
  });
});
