/**
 * Runs one message source on a timer and stores what it finds. A failing source never throws into
 * the server: it backs off (exponentially, with jitter, capped) and logs one line on stderr when
 * its state changes (it starts failing, fails differently, or recovers), not on every round.
 */
import type { PollResult } from '../metrics.ts';
import type { Storage, StoredMessage } from '../storage/types.ts';

/**
 * What one round found. `commit` runs after the messages are stored (a source remembers its
 * conditional-GET validators or cursor only then, so nothing is skipped after a failed insert).
 */
export type PollOutcome = StoredMessage[] | { messages: StoredMessage[]; commit?: () => void; notModified?: boolean };

export interface PollerOptions {
  /** Longest wait between rounds after failures; default max(interval, 1 hour). */
  maxBackoffMs?: number;
  /** For tests: the jitter's random source, [0, 1). */
  random?: () => number;
  /** Where the one-line notices go; default stderr. */
  log?: (line: string) => void;
  /** Told how each round ended (for the metrics). */
  onRound?: (result: PollResult) => void;
}

export interface PollerHandle {
  /** Resolves after the round in progress, if any, has finished. */
  stop(): Promise<void>;
  /** Runs one round now (used at start and by tests); never rejects. Resolves with how many messages were new. */
  runOnce(): Promise<number>;
  /** Rounds failed in a row (0 while healthy). */
  readonly failures: number;
  /** The wait before the next scheduled round, as decided after the last round. */
  readonly nextDelayMs: number;
}

/**
 * The wait after `failures` failed rounds in a row: the interval while healthy; then twice the
 * previous wait, capped, drawn from its upper half (jitter, so many servers do not retry in step),
 * and never less than the interval or than what the source asked for (Retry-After).
 */
export function backoffDelay(intervalMs: number, failures: number, maxMs: number, random: () => number, atLeastMs = 0): number {
  if (failures <= 0) return Math.max(intervalMs, atLeastMs);
  const ceiling = Math.min(maxMs, intervalMs * 2 ** Math.min(failures, 30));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.round(Math.max(intervalMs, jittered, Math.min(atLeastMs, 24 * 3600_000)));
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function startPoller(
  name: string,
  intervalMs: number,
  storage: Storage,
  poll: () => Promise<PollOutcome>,
  options: PollerOptions = {},
): PollerHandle {
  const maxMs = options.maxBackoffMs ?? Math.max(intervalMs, 3600_000);
  const random = options.random ?? Math.random;
  // The server passes its structured log (http/server.ts); plain stderr is for library use.
  const log = options.log ?? ((line: string) => console.error(line));
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let running: Promise<number> = Promise.resolve(0);
  let failures = 0;
  let lastLogged: string | null = null;
  let nextDelayMs = intervalMs;

  const round = async (): Promise<number> => {
    try {
      const outcome = await poll();
      const { messages, commit, notModified } = Array.isArray(outcome) ? { messages: outcome, commit: undefined, notModified: false } : outcome;
      const added = messages.length ? await storage.insertMessages(messages) : 0;
      commit?.();
      options.onRound?.(notModified ? 'not_modified' : 'ok');
      if (failures > 0) log(`outage-radar: source ${name}: recovered after ${failures} failed round${failures === 1 ? '' : 's'}`);
      failures = 0;
      lastLogged = null;
      nextDelayMs = intervalMs;
      return added;
    } catch (err) {
      failures += 1;
      options.onRound?.('error');
      const wanted = (err as { retryAfterMs?: unknown }).retryAfterMs;
      nextDelayMs = backoffDelay(intervalMs, failures, maxMs, random, typeof wanted === 'number' ? wanted : 0);
      const message = describe(err);
      if (message !== lastLogged) {
        lastLogged = message;
        log(`outage-radar: source ${name}: ${message} (next try in ${Math.round(nextDelayMs / 1000)} s)`);
      }
      return 0;
    }
  };
  const runOnce = () => (running = running.then(round));
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runOnce().then(schedule);
    }, nextDelayMs);
    timer.unref();
  };
  void runOnce().then(schedule);
  return {
    runOnce,
    get failures() {
      return failures;
    },
    get nextDelayMs() {
      return nextDelayMs;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
