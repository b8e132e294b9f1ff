/**
 * The background's behaviour, independent of the browser: every entry point (webRequest events,
 * runtime messages, alarms, install) is a method here, all state lives in storage, and the
 * browser APIs come in as small dependencies so the unit tests run it against fakes and a real
 * HTTP server on loopback.
 */
import { FEATURES, isHttpUrl, REGION_RE, UNKNOWN_REGION, validateMessagesResponse, validateStatusResponse } from '../shared/protocol.ts';
import type { Feature, State, StatusResponse } from '../shared/protocol.ts';
import type { Observation, PopupState, RuntimeResponses, Settings } from '../shared/runtime-messages.ts';
import { admit } from './coalescer.ts';
import { classifyCompleted, classifyError, classifyRedirect, evidenceOf, localEvidenceOf } from './classify.ts';
import type { Classified, CompletedRequest, EvidenceKind, FailedRequest, RedirectedRequest } from './classify.ts';
import { addEvidence, diagnose } from './diagnosis.ts';
import type { Evidence } from './diagnosis.ts';
import { badgeFor, regionVerdict } from './badge.ts';
import { freshUntilOf, nextPollAt, POLL_POLICY } from '../shared/poll-policy.ts';
import type { Badge } from './badge.ts';
import { pseudonymFor } from './pseudonym.ts';
import { applyOutcome, canSend, enqueue, loadQueue, nextBatch, pruneExpired, queueStats } from './queue-policy.ts';
import type { SendOutcome } from './queue-policy.ts';
import { buildReport, SITE } from './report-builder.ts';
import { effectiveRegion } from './region.ts';
import { validateObservation } from './observation-validation.ts';
import { decideNotification, forgetSeen, loadNotifyMemory, NOTIFY_MEMORY_KEY } from './notify-policy.ts';
import { afterSend, loadSightings, mergeSightings, pendingSightings, seenPosts } from './sightings.ts';
import {
  emptyStatusCache,
  KEYS,
  loadCoalescer,
  loadConsent,
  loadEvidence,
  loadPollTimes,
  loadPseudonym,
  loadSettings,
  loadStatusCache,
} from './storage-keys.ts';
import type { KeyValueArea, PollTimes, StatusCache } from './storage-keys.ts';

export const ALARMS = { poll: 'poll-status', flush: 'flush-queue' } as const;
/** Delay between an enqueue and its send: gathers a burst into one request, well inside the 10 s promise. */
export const FLUSH_DELAY_MS = 1_000;
export const FETCH_TIMEOUT_MS = 10_000;
/**
 * Chrome fires no alarm sooner than 30 s ahead (and stops an idle worker after 30 s): a status
 * request due sooner is started by a timer, and the alarm, never less than this ahead, is the
 * safety net for a worker that dies first.
 */
export const ALARM_FLOOR_MS = 30_000;
/** Sends per flush before yielding to the next alarm, so a huge backlog cannot monopolise a wake-up. */
const MAX_BATCHES_PER_FLUSH = 10;

export interface AlarmsApi {
  create(name: string, info: { when?: number; periodInMinutes?: number; delayInMinutes?: number }): void | Promise<void>;
  get(name: string): Promise<{ scheduledTime: number; periodInMinutes?: number } | undefined>;
}

export interface BackgroundDeps {
  storage: KeyValueArea;
  alarms: AlarmsApi;
  fetch: typeof fetch;
  now: () => number;
  random: () => number;
  randomUUID: () => string;
  randomBytes: (n: number) => Uint8Array;
  timeZone: () => string | undefined;
  online: () => boolean;
  version: string;
  browser: string;
  defaultEndpoint: string;
  /** Origin of the extension's own pages (e.g. chrome-extension://id/); only they may change settings. */
  extensionOrigin: string;
  setBadge: (badge: Badge, region: string) => Promise<void>;
  /** A short timer for the prompt flush and polls; the alarm set alongside it covers a background that dies first. */
  schedule: (fn: () => void, ms: number) => void;
  openWelcome: () => Promise<void>;
  /** Shows a notification that the verdict for the user's region is now `state` (notify-policy.ts decides when). */
  notify?: (state: State, region: string) => Promise<void>;
  /** Whether a notification can be shown (the optional permission is granted); assumed yes if absent. */
  canNotify?: () => Promise<boolean>;
}

export interface MessageSender {
  url?: string;
  tab?: unknown;
}

export class BadRequestError extends Error {}

export function statusUrl(endpoint: string, region: string): string {
  const base = endpoint.replace(/\/+$/, '');
  const q = new URLSearchParams({ site: SITE });
  if (region !== UNKNOWN_REGION) q.set('region', region);
  return `${base}/v1/status?${q}`;
}

export function messagesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/messages?${new URLSearchParams({ site: SITE })}`;
}

export function reportsUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/reports`;
}

/** The server's page for humans, where a notification's click leads when the popup cannot open. */
export function statusPageUrl(endpoint: string, region: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return region === UNKNOWN_REGION ? `${base}/` : `${base}/?${new URLSearchParams({ region })}`;
}

export function sightingsUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/sightings`;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timeout' : e.message || e.name;
  return String(e);
}

/**
 * One run at a time: a call while a run is under way joins it and makes it go round once more
 * (what it was called for may have come after that round read its state); `after` runs once when
 * no more rounds are asked for.
 */
function coalesced(round: () => Promise<void>, after?: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await round();
        } while (again);
        if (after) await after();
      } finally {
        running = null;
      }
    })();
    return running;
  };
}

export function createBackground(deps: BackgroundDeps) {
  // Serialises read-modify-write cycles on storage within this background instance.
  let chain: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  }

  async function read(keys: string[]) {
    return deps.storage.get(keys);
  }

  async function settings(): Promise<Settings> {
    return loadSettings((await read([KEYS.settings]))[KEYS.settings], deps.defaultEndpoint);
  }

  async function region(s?: Settings): Promise<string> {
    return effectiveRegion((s ?? (await settings())).regionOverride, deps.timeZone());
  }

  // ---- observations -> reports ------------------------------------------------------------

  /*
   * Mirrors of what this instance last read or wrote, so a flood of events costs few storage
   * round trips: under a burst of 1,000 failures a second each event would otherwise wait behind
   * several storage calls. Only this background writes these keys, and the mirrors live and die
   * with the instance, so they never disagree with storage for longer than a pending write.
   */
  let evidenceMirror: Evidence[] | null = null;
  let coalescerMirror: ReturnType<typeof loadCoalescer> | null = null;

  async function currentEvidence(): Promise<Evidence[]> {
    evidenceMirror ??= loadEvidence((await read([KEYS.evidence]))[KEYS.evidence]);
    return evidenceMirror;
  }

  // One writer for the evidence list: a burst's changes are written together, newest last, and
  // each caller resumes once a write holding its entry has completed.
  let evidenceDirty = false;
  let evidenceWriting: Promise<void> | null = null;
  function persistEvidence(): Promise<void> {
    evidenceDirty = true;
    evidenceWriting ??= (async () => {
      try {
        while (evidenceDirty) {
          evidenceDirty = false;
          await deps.storage.set({ [KEYS.evidence]: evidenceMirror ?? [] });
        }
      } finally {
        evidenceWriting = null;
      }
    })();
    return evidenceWriting;
  }

  async function recordEvidence(e: Evidence): Promise<void> {
    const changed = await serial(async () => {
      const prev = await currentEvidence();
      const next = addEvidence(prev, e);
      // addEvidence merged it into the last entry: nothing to write.
      if (next.length === prev.length && next[next.length - 1] === prev[prev.length - 1]) return false;
      evidenceMirror = next;
      return true;
    });
    if (changed) await persistEvidence();
  }

  /** Records a trusted observation, and queues a report when consent allows and the coalescer admits it. */
  async function observe(o: Observation): Promise<{ queued: boolean; reason?: string }> {
    const now = deps.now();
    // While the browser says it is offline, every failure is the user's own connection.
    const { kind, reportable } = deps.online() ? evidenceOf(o) : { kind: 'offline' as const, reportable: false };
    await recordEvidence({ at: now, kind, feature: o.feature });
    // X failing here (not the user's connection, a blocker or an account limit): ask the crowd
    // soon. Awaited last, so it never delays the report's way into the queue.
    const noting = kind === 'failure' || kind === 'connection' ? noteLocalFailure(now) : null;
    try {
      return await queueReport(o, now, kind, reportable);
    } finally {
      await noting;
    }
  }

  async function queueReport(o: Observation, now: number, kind: EvidenceKind, reportable: boolean): Promise<{ queued: boolean; reason?: string }> {
    if (!reportable) return { queued: false, reason: kind === 'offline' ? 'offline' : 'local_only' };
    const queued = await serial(async () => {
      if (coalescerMirror && !admit(coalescerMirror, o.feature, o.signal, now).admitted) return { queued: false, reason: 'already_reported' };
      const got = await read([KEYS.consent, KEYS.coalescer, KEYS.pseudonym, KEYS.queue, KEYS.settings]);
      if (loadConsent(got[KEYS.consent]) !== 'granted') return { queued: false, reason: 'consent' };
      coalescerMirror = loadCoalescer(got[KEYS.coalescer]);
      const gate = admit(coalescerMirror, o.feature, o.signal, now);
      if (!gate.admitted) return { queued: false, reason: 'already_reported' };
      coalescerMirror = gate.state;
      const { pseudonym } = pseudonymFor(loadPseudonym(got[KEYS.pseudonym]), now, deps.randomBytes);
      const s = loadSettings(got[KEYS.settings], deps.defaultEndpoint);
      const built = buildReport(o, {
        id: deps.randomUUID(),
        now,
        region: effectiveRegion(s.regionOverride, deps.timeZone()),
        reporter: pseudonym.value,
        version: deps.version,
        browser: deps.browser,
      });
      let queue = loadQueue(got[KEYS.queue]);
      if (!built.ok) {
        queue = { ...queue, dropped: { ...queue.dropped, invalid: (queue.dropped.invalid ?? 0) + 1 } };
        await deps.storage.set({ [KEYS.queue]: queue, [KEYS.coalescer]: gate.state, [KEYS.pseudonym]: pseudonym });
        return { queued: false, reason: 'invalid' };
      }
      queue = enqueue(queue, built.report, now);
      // Persisted before any send is attempted: a background killed now loses nothing.
      await deps.storage.set({ [KEYS.queue]: queue, [KEYS.coalescer]: gate.state, [KEYS.pseudonym]: pseudonym });
      return { queued: true };
    });
    if (queued.queued) await scheduleFlush(FLUSH_DELAY_MS);
    return queued;
  }

  async function handleClassified(c: Classified): Promise<void> {
    if (c.kind === 'report') {
      await observe(c.observation);
      return;
    }
    const local = localEvidenceOf(c);
    if (local) await recordEvidence({ at: deps.now(), ...local });
  }

  // ---- sending ------------------------------------------------------------------------------

  async function scheduleFlush(delayMs: number): Promise<void> {
    deps.schedule(() => void flush(), delayMs);
    // The safety net: if the background dies before the timer fires, the alarm wakes it.
    await deps.alarms.create(ALARMS.flush, { when: deps.now() + Math.max(delayMs, 30_000) });
  }

  /** Sends what is due, one request at a time. Concurrent calls join the running flush. */
  const flush = coalesced(flushOnce, shareSightings);

  async function flushOnce(): Promise<void> {
    for (let i = 0; i < MAX_BATCHES_PER_FLUSH; i++) {
      const plan = await serial(async () => {
        const got = await read([KEYS.queue, KEYS.consent, KEYS.settings]);
        const now = deps.now();
        const stored = loadQueue(got[KEYS.queue]);
        let queue = pruneExpired(stored, now);
        if (loadConsent(got[KEYS.consent]) !== 'granted' && queue.items.length > 0) {
          // Consent withdrawn: what was waiting is dropped, never sent.
          queue = { ...queue, items: [], dropped: { ...queue.dropped, consent_withdrawn: (queue.dropped.consent_withdrawn ?? 0) + queue.items.length } };
        }
        if (queue !== stored) await deps.storage.set({ [KEYS.queue]: queue });
        if (!canSend(queue, now)) return { queue, batch: [] };
        return { queue, batch: nextBatch(queue), endpoint: loadSettings(got[KEYS.settings], deps.defaultEndpoint).endpoint };
      });
      if (plan.batch.length === 0 || !plan.endpoint) {
        if (plan.queue.items.length > 0 && plan.queue.nextAttemptAt !== null) {
          await deps.alarms.create(ALARMS.flush, { when: Math.max(plan.queue.nextAttemptAt, deps.now() + 1000) });
        }
        return;
      }
      const outcome = await send(plan.endpoint, plan.batch);
      const ids = plan.batch.map((r) => r.id);
      const after = await serial(async () => {
        const now = deps.now();
        const queue = applyOutcome(loadQueue((await read([KEYS.queue]))[KEYS.queue]), ids, outcome, now, deps.random);
        await deps.storage.set({ [KEYS.queue]: queue });
        return queue;
      });
      if (after.nextAttemptAt !== null) {
        await deps.alarms.create(ALARMS.flush, { when: after.nextAttemptAt });
        return;
      }
      if (after.items.length === 0) return;
    }
    await scheduleFlush(FLUSH_DELAY_MS);
  }

  async function send(endpoint: string, reports: unknown[]): Promise<SendOutcome> {
    try {
      const res = await deps.fetch(reportsUrl(endpoint), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ reports }),
        credentials: 'omit',
        cache: 'no-store',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      // Drain the body so the connection is released; its content is not needed.
      await res.text().catch(() => '');
      return { kind: 'http', status: res.status, retryAfter: res.headers.get('retry-after') };
    } catch (e) {
      return { kind: 'network', error: errorText(e) };
    }
  }

  // ---- official posts seen here (sightings.ts) ----------------------------------------------

  /** Keeps the official posts a content script passed (each checked again); shares them with consent. */
  async function addSightings(raw: unknown): Promise<number> {
    const added = await serial(async () => {
      const r = mergeSightings(loadSightings((await read([KEYS.sightings]))[KEYS.sightings]), raw, deps.now());
      if (r.added > 0) await deps.storage.set({ [KEYS.sightings]: r.state });
      return r.added;
    });
    if (added > 0) await shareSightings();
    return added;
  }

  let sharing: Promise<void> | null = null;
  /** Sends the kept posts not yet sent, with consent only; one request at a time. */
  function shareSightings(): Promise<void> {
    sharing ??= shareOnce().finally(() => (sharing = null));
    return sharing;
  }

  async function shareOnce(): Promise<void> {
    const plan = await serial(async () => {
      const got = await read([KEYS.sightings, KEYS.consent, KEYS.pseudonym, KEYS.settings]);
      if (loadConsent(got[KEYS.consent]) !== 'granted') return null;
      const now = deps.now();
      const { pseudonym, changed } = pseudonymFor(loadPseudonym(got[KEYS.pseudonym]), now, deps.randomBytes);
      const list = pendingSightings(loadSightings(got[KEYS.sightings]), {
        now,
        reporter: pseudonym.value,
        version: deps.version,
        browser: deps.browser,
        site: SITE,
        randomUUID: deps.randomUUID,
      });
      if (list.length === 0) return null;
      if (changed) await deps.storage.set({ [KEYS.pseudonym]: pseudonym });
      return { list, endpoint: loadSettings(got[KEYS.settings], deps.defaultEndpoint).endpoint };
    });
    if (!plan) return;
    let status: number | null = null;
    let retryAfter: number | null = null;
    try {
      const res = await deps.fetch(sightingsUrl(plan.endpoint), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sightings: plan.list }),
        credentials: 'omit',
        cache: 'no-store',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      await res.text().catch(() => '');
      status = res.status;
      retryAfter = Number(res.headers.get('retry-after')) || null;
    } catch {
      /* network: retried after SHARE_RETRY_MS */
    }
    await serial(async () => {
      const state = loadSightings((await read([KEYS.sightings]))[KEYS.sightings]);
      await deps.storage.set({ [KEYS.sightings]: afterSend(state, plan.list.map((x) => x.postId), status, retryAfter, deps.now()) });
    });
  }

  // ---- status -------------------------------------------------------------------------------

  interface Fetched {
    body: unknown;
    cacheControl: string | null;
    age: string | null;
  }

  async function fetchJson(url: string, cache: RequestCache): Promise<Fetched> {
    const res = await deps.fetch(url, { credentials: 'omit', cache, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!res.ok) {
      await res.text().catch(() => '');
      throw new Error(`HTTP ${res.status}`);
    }
    return { body: await res.json(), cacheControl: res.headers.get('cache-control'), age: res.headers.get('age') };
  }

  /*
   * When to ask for the status (src/shared/poll-policy.ts): the times live in storage; this
   * instance keeps a mirror so a burst of failures costs no storage round trip per event.
   */
  let pollTimesLoad: Promise<PollTimes> | null = null;
  function pollTimes(): Promise<PollTimes> {
    pollTimesLoad ??= read([KEYS.poll]).then(
      (got) => loadPollTimes(got[KEYS.poll], deps.now()),
      (e: unknown) => {
        pollTimesLoad = null;
        throw e;
      },
    );
    return pollTimesLoad;
  }

  /** Whether the verdict shown for the user's region is degraded or outage; mirrored after each answer. */
  let troubledMirror: boolean | null = null;
  async function troubled(): Promise<boolean> {
    if (troubledMirror === null) {
      const got = await read([KEYS.status, KEYS.settings]);
      const r = effectiveRegion(loadSettings(got[KEYS.settings], deps.defaultEndpoint).regionOverride, deps.timeZone());
      const v = regionVerdict(loadStatusCache(got[KEYS.status]).status, r);
      troubledMirror = v === 'degraded' || v === 'outage';
    }
    return troubledMirror;
  }

  async function pollDueAt(): Promise<number> {
    const t = await pollTimes();
    return nextPollAt({ ...t, troubled: await troubled() });
  }

  /** The time the pending poll timer fires, so a burst sets one timer, not one per event. */
  let timerAt: number | null = null;

  /** Arms a timer for the next poll and the alarm behind it. */
  async function schedulePoll(): Promise<void> {
    const due = await pollDueAt();
    const now = deps.now();
    const at = Math.max(due, now);
    if (timerAt === null || at < timerAt) {
      timerAt = at;
      deps.schedule(() => {
        if (timerAt === at) timerAt = null;
        pollIfDue().catch((e: unknown) => console.warn('outage-radar: poll', e));
      }, at - now);
    }
    // Fires once a minute after `when` too, should a worker die before it re-arms this.
    await deps.alarms.create(ALARMS.poll, { when: Math.max(due, now + ALARM_FLOOR_MS), periodInMinutes: 1 });
  }

  /** Records a failure of X seen here: the next poll comes sooner (nextPollAt decides how much). */
  async function noteLocalFailure(at: number): Promise<void> {
    const t = await pollTimes();
    const prev = t.lastLocalFailureAt;
    if (prev !== null && prev >= at) return;
    // Only the first failure since the last request can bring the next one forward; later ones
    // stay in the mirror until that request writes them, so a burst costs one write and one timer.
    t.lastLocalFailureAt = at;
    if (prev !== null && (t.lastPollAt === null || prev > t.lastPollAt)) return;
    // A status request timed by a failure tells whoever answers it (the server, a CDN) that X
    // just failed on this network: a report in all but name, so only for people who agreed to
    // report. Everyone else keeps the minute poll (and nothing of the failure is kept for it).
    if (loadConsent((await read([KEYS.consent]))[KEYS.consent]) !== 'granted') {
      if (t.lastLocalFailureAt === at) t.lastLocalFailureAt = prev;
      return;
    }
    await deps.storage.set({ [KEYS.poll]: { ...t } });
    await schedulePoll();
  }

  /** Polls if the rule says it is time, and arms the next one either way. Concurrent calls join. */
  const pollIfDue = coalesced(async () => {
    if ((await pollDueAt()) <= deps.now()) await poll({ force: false });
    else await schedulePoll();
  });

  /**
   * Fetches status and messages; on failure keeps the last good answer and marks it stale.
   * `force` (the popup's refresh, a new endpoint or region) asks past any cache; the timed polls
   * let the browser's HTTP cache answer, and are never sent before the last answer's max-age.
   */
  async function poll(opts: { force?: boolean } = {}): Promise<StatusCache> {
    const force = opts.force ?? true;
    const s = await settings();
    const r = await region(s);
    const times = await pollTimes();
    times.lastPollAt = deps.now();
    // Written before asking: a worker killed mid-request must not ask again at once when it restarts.
    await deps.storage.set({ [KEYS.poll]: { ...times } });
    const mode: RequestCache = force ? 'no-cache' : 'default';
    const [statusResult, messagesResult] = await Promise.allSettled([fetchJson(statusUrl(s.endpoint, r), mode), fetchJson(messagesUrl(s.endpoint), mode)]);
    const cache = await serial(async () => {
      const before = loadStatusCache((await read([KEYS.status]))[KEYS.status]);
      const cache: StatusCache = { ...before };
      const now = deps.now();
      times.freshUntil = null;
      if (statusResult.status === 'fulfilled') {
        const v = validateStatusResponse(statusResult.value.body);
        if (v.ok) {
          Object.assign(cache, { status: v.value, fetchedAt: now, region: r, stale: false, error: null });
          times.freshUntil = freshUntilOf(now, statusResult.value.cacheControl, statusResult.value.age);
        } else {
          Object.assign(cache, { stale: cache.status !== null, error: `invalid status answer: ${v.problems[0]?.path ?? ''} ${v.problems[0]?.message ?? ''}`.trim() });
        }
      } else {
        Object.assign(cache, { stale: cache.status !== null, error: errorText(statusResult.reason) });
      }
      if (messagesResult.status === 'fulfilled') {
        const m = validateMessagesResponse(messagesResult.value.body);
        if (m.ok) cache.messages = m.value.messages.slice(0, 20);
      }
      await deps.storage.set({ [KEYS.status]: cache, [KEYS.poll]: { ...times } });
      return cache;
    });
    // Failing here lately (the window in which failures time the polls): see failingElsewhereToo.
    const failingHere = times.lastLocalFailureAt !== null && deps.now() - times.lastLocalFailureAt <= POLL_POLICY.watchMs;
    const badge = badgeFor(cache.status, r, { failingHere });
    troubledMirror = badge.state === 'degraded' || badge.state === 'outage';
    await deps.setBadge(badge, r);
    // A stale answer is the old verdict again, not news.
    if (statusResult.status === 'fulfilled' && !cache.stale) await considerNotifying(regionVerdict(cache.status, r), r, s.notifyOnChange);
    await schedulePoll();
    return cache;
  }

  /**
   * Applies the notification rule (notify-policy.ts) to a fresh verdict. The memory is written
   * before the notification is shown: a worker stopped in between misses one rather than repeats.
   */
  async function considerNotifying(state: ReturnType<typeof regionVerdict>, r: string, optedIn: boolean): Promise<void> {
    const enabled = optedIn && deps.notify !== undefined && (deps.canNotify ? await deps.canNotify().catch(() => false) : true);
    const decision = await serial(async () => {
      const now = deps.now();
      const d = decideNotification(loadNotifyMemory((await read([NOTIFY_MEMORY_KEY]))[NOTIFY_MEMORY_KEY], now), { region: r, state, now, enabled });
      await deps.storage.set({ [NOTIFY_MEMORY_KEY]: d.memory });
      return d;
    });
    if (decision.notify && deps.notify) await deps.notify(decision.notify, r).catch((e: unknown) => console.warn('outage-radar: notification', e));
  }

  /** Install or browser start: the next verdict is a first look, not a change to announce. */
  async function forgetSeenVerdict(): Promise<void> {
    await serial(async () => {
      const now = deps.now();
      await deps.storage.set({ [NOTIFY_MEMORY_KEY]: forgetSeen(loadNotifyMemory((await read([NOTIFY_MEMORY_KEY]))[NOTIFY_MEMORY_KEY], now)) });
    });
  }

  /** Where a click on a notification leads when the popup cannot be opened. */
  async function statusPage(): Promise<string> {
    const s = await settings();
    return statusPageUrl(s.endpoint, await region(s));
  }

  /** Every start of the worker: a timer and an alarm for the next poll (at once if overdue). */
  async function ensureAlarms(): Promise<void> {
    await schedulePoll();
  }

  // ---- state for the popup and options -----------------------------------------------------

  async function getState(): Promise<PopupState> {
    const got = await read([KEYS.consent, KEYS.settings, KEYS.status, KEYS.evidence, KEYS.queue, KEYS.sightings]);
    const s = loadSettings(got[KEYS.settings], deps.defaultEndpoint);
    const r = effectiveRegion(s.regionOverride, deps.timeZone());
    const cache = got[KEYS.status] === undefined ? emptyStatusCache() : loadStatusCache(got[KEYS.status]);
    const now = deps.now();
    // The mirror may be one write ahead of storage during a burst.
    const evidence = evidenceMirror ?? loadEvidence(got[KEYS.evidence]);
    const local = !deps.online() ? 'offline' : diagnose(evidence, cache.status, r, now);
    return {
      consent: loadConsent(got[KEYS.consent]),
      settings: s,
      region: r,
      status: cache.status,
      statusFetchedAt: cache.fetchedAt,
      stale: cache.stale,
      statusError: cache.error,
      messages: cache.messages,
      local,
      queue: queueStats(pruneExpired(loadQueue(got[KEYS.queue]), now)),
      sightings: seenPosts(loadSightings(got[KEYS.sightings])),
    };
  }

  async function setConsent(granted: boolean): Promise<PopupState> {
    await serial(async () => {
      // After a change of mind the stored answer decides again, not a mirror of the old one.
      coalescerMirror = null;
      await deps.storage.set({ [KEYS.consent]: granted ? 'granted' : 'declined' });
    });
    // Declining drops anything still waiting (flush does it, counted).
    await flush();
    return getState();
  }

  async function setSettings(patch: unknown): Promise<PopupState> {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new BadRequestError('patch must be an object');
    const p = patch as Record<string, unknown>;
    for (const key of Object.keys(p)) {
      if (!['endpoint', 'regionOverride', 'notifyOnChange'].includes(key)) throw new BadRequestError(`unknown setting "${key}"`);
    }
    if ('endpoint' in p && (typeof p.endpoint !== 'string' || !isHttpUrl(p.endpoint))) {
      throw new BadRequestError('endpoint must be an http(s) URL');
    }
    if ('regionOverride' in p && p.regionOverride !== null && (typeof p.regionOverride !== 'string' || !REGION_RE.test(p.regionOverride))) {
      throw new BadRequestError('regionOverride must be two upper-case letters (ISO 3166-1) or null');
    }
    if ('notifyOnChange' in p && typeof p.notifyOnChange !== 'boolean') throw new BadRequestError('notifyOnChange must be true or false');
    const changed = await serial(async () => {
      const before = await settings();
      const next: Settings = { ...before, ...(p as Partial<Settings>) };
      await deps.storage.set({ [KEYS.settings]: next });
      return before.endpoint !== next.endpoint || before.regionOverride !== next.regionOverride;
    });
    if (changed) {
      await poll();
      await flush();
    }
    return getState();
  }

  async function reportProblem(feature: unknown): Promise<RuntimeResponses['reportProblem']> {
    if (!(FEATURES as readonly unknown[]).includes(feature)) throw new BadRequestError(`feature must be one of ${FEATURES.join(', ')}`);
    const result = await observe({ feature: feature as Feature, signal: 'manual', source: 'manual' });
    return result.queued ? { ok: true, queued: true } : { ok: true, queued: false, reason: result.reason ?? 'not_queued' };
  }

  const privileged = (sender: MessageSender) => typeof sender.url === 'string' && sender.url.startsWith(deps.extensionOrigin);

  /** The runtime message handler: RuntimeRequest in, RuntimeResponses out; bad input throws a clear error. */
  async function handleMessage(msg: unknown, sender: MessageSender): Promise<unknown> {
    if (typeof msg !== 'object' || msg === null) throw new BadRequestError('message must be an object');
    const m = msg as Record<string, unknown>;
    if (m.type === 'observe') {
      const check = validateObservation(m.observation);
      if (!check.ok) throw new BadRequestError(`invalid observation: ${check.error}`);
      await observe(check.observation);
      return { ok: true } satisfies RuntimeResponses['observe'];
    }
    if (m.type === 'sighting') {
      if (!Array.isArray(m.posts)) throw new BadRequestError('posts must be an array');
      return { ok: true, kept: await addSightings(m.posts) } satisfies RuntimeResponses['sighting'];
    }
    if (!privileged(sender)) throw new BadRequestError(`"${String(m.type)}" is only accepted from the extension's own pages`);
    switch (m.type) {
      case 'getState':
        return getState();
      case 'refresh':
        await poll();
        await flush();
        return getState();
      case 'reportProblem':
        return reportProblem(m.feature);
      case 'setConsent':
        if (typeof m.granted !== 'boolean') throw new BadRequestError('granted must be true or false');
        return setConsent(m.granted);
      case 'setSettings':
        return setSettings(m.patch);
      default:
        throw new BadRequestError(`unknown message type "${String(m.type)}"`);
    }
  }

  return {
    observe,
    onCompleted: (req: CompletedRequest) => handleClassified(classifyCompleted(req)),
    onErrorOccurred: (req: FailedRequest) => handleClassified(classifyError(req, deps.online())),
    onBeforeRedirect: (req: RedirectedRequest) => handleClassified(classifyRedirect(req)),
    handleMessage,
    flush,
    /** Asks for the status now, past any cache (the popup's refresh). */
    poll: () => poll({ force: true }),
    pollIfDue,
    getState,
    async onAlarm(name: string): Promise<void> {
      if (name === ALARMS.poll) await pollIfDue();
      // Every wake-up is a chance to send what is due.
      await flush();
    },
    async onInstalled(reason: string): Promise<void> {
      await forgetSeenVerdict();
      await ensureAlarms();
      if (reason === 'install') await deps.openWelcome();
      await pollIfDue();
    },
    async onStartup(): Promise<void> {
      await forgetSeenVerdict();
      await ensureAlarms();
      await pollIfDue();
      await flush();
    },
    ensureAlarms,
    statusPage,
    /** Re-applies the badge from the cache (a restarted browser starts with none). */
    async restoreBadge(): Promise<void> {
      const r = await region();
      const cache = loadStatusCache((await read([KEYS.status]))[KEYS.status]);
      await deps.setBadge(badgeFor(cache.status, r), r);
    },
  };
}

export type Background = ReturnType<typeof createBackground>;
export type { StatusResponse };
