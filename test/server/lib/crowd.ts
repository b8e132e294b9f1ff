/** The e2e contract's crowd posted through a test harness: shared by the route, page and metrics tests. */
import type { Report } from '../../../src/shared/protocol.ts';
import type { Harness } from './harness.ts';
import { contractSenders, makeReport, reporterId } from './reports.ts';

/** How long before failing the crowd sent its ok samples: beyond the 10-minute active window and
 *  the newcomer rule's 10 minutes, so they count as known people. */
export const BROWSED_FINE_BEFORE_MS = 30 * 60_000;

/**
 * The e2e contract's crowd (60 reporters on 12 networks, by default) failing at `at` (default:
 * the harness clock's now), each having browsed fine `BROWSED_FINE_BEFORE_MS` earlier, as real
 * users do; the clock is left at `at`. Reports default to the timeline in FR. Each sender posts
 * from 127.0.0.1 with its address in X-Forwarded-For (`forwardedFor` shapes that header), so the
 * harness must trust that proxy. Returns the answers to the failure reports.
 *
 * Pseudonyms and network hashes are salted per UTC day: run such tests at a fixed midday
 * (MIDDAY_UTC), or the ok samples may belong to yesterday.
 */
export async function postKnownCrowd(
  h: Harness,
  overrides: Partial<Report> = {},
  senders = contractSenders(),
  at = h.clock.now,
  forwardedFor = (address: string) => address,
): Promise<Response[]> {
  const crowd = senders.map((s) => ({ ...s, reporter: reporterId() }));
  const send = (signal: 'ok' | 'http_5xx') =>
    Promise.all(crowd.map((s) => h.postReports([makeReport({ region: 'FR', feature: 'timeline', ...overrides, reporter: s.reporter, signal }, h.clock.now)], { from: '127.0.0.1', forwardedFor: forwardedFor(s.address) })));
  h.clock.now = at - BROWSED_FINE_BEFORE_MS;
  const fine = await send('ok');
  const refused = fine.find((r) => r.status !== 202);
  if (refused) throw new Error(`the crowd's ok samples were refused (${refused.status}): the failures would count as newcomers`);
  h.clock.now = at;
  return send('http_5xx');
}
