/**
 * Runs one message source on a timer and stores what it finds. A failing source logs one line
 * and tries again next round; it never throws into the server.
 */
import type { Storage, StoredMessage } from '../storage/types.ts';

export interface PollerHandle {
  /** Resolves after the round in progress, if any, has finished. */
  stop(): Promise<void>;
  /** Runs one round now (used at start and by tests); never rejects. */
  runOnce(): Promise<number>;
}

export function startPoller(name: string, intervalMs: number, storage: Storage, poll: () => Promise<StoredMessage[]>): PollerHandle {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let running: Promise<number> = Promise.resolve(0);

  const round = async (): Promise<number> => {
    try {
      const messages = await poll();
      return await storage.insertMessages(messages);
    } catch (err) {
      console.error(`source ${name}: ${err instanceof Error ? err.message : String(err)}`);
      return 0;
    }
  };
  const runOnce = () => (running = running.then(round));
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runOnce().then(schedule);
    }, intervalMs);
    timer.unref();
  };
  void runOnce().then(schedule);
  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
