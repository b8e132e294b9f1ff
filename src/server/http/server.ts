/**
 * Wires storage, aggregates, ingest, routes and sources into a running server, and takes it down
 * again without losing anything acknowledged.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { ServerConfig } from '../config.ts';
import { DEFAULT_STORE_OPTIONS, MinuteStore } from '../aggregation/minute-store.ts';
import { ReportTail } from '../aggregation/report-tail.ts';
import { StatusBuilder } from '../aggregation/status.ts';
import { DAY_MS } from '../detection/baseline.ts';
import { GroupCommitter } from '../ingest/group-commit.ts';
import { RateLimiter } from '../ingest/rate-limit.ts';
import { SALT_LIFETIME_MS, SaltKeeper } from '../ingest/salts.ts';
import { emptySightingStats } from '../ingest/sightings.ts';
import { createLogger, type Logger } from '../log.ts';
import { ServerMetrics, verdictCells, type PollResult } from '../metrics.ts';
import { startPoller, type PollerHandle } from '../sources/poller.ts';
import { FeedSource, feedName } from '../sources/feed.ts';
import { StatuspageSource } from '../sources/statuspage.ts';
import { XApiPoller } from '../sources/x-api.ts';
import { openStorage } from '../storage/open.ts';
import type { Storage, StoredReport } from '../storage/types.ts';
import { createApp, type AppDeps } from './app.ts';
import { TrustedProxies } from './ip.ts';
import { startLoadShedder, withLoadShedding } from './load-shedding.ts';

/** How long in-flight requests get to finish on shutdown before their connections are cut. */
export const SHUTDOWN_GRACE_MS = 10_000;

const COMPACT_EVERY_MS = 15 * 60_000;

export interface Services {
  deps: AppDeps;
  store: MinuteStore;
  /** Marks the services as shutting down (health 503, reports refused). */
  drain(): void;
  /** Writes the block summaries made since the last call; resolves with how many were new. */
  persistBlocks(): Promise<number>;
  logger: Logger;
  metrics: ServerMetrics;
  /**
   * On a database several instances share (PostgreSQL): the follower of the report log that
   * feeds `store`, started by startServer. Absent on SQLite, where local commits feed it.
   */
  tail?: ReportTail;
}

/**
 * Builds everything the routes need on an open, migrated storage, and rebuilds the in-memory
 * aggregates: the baseline's block summaries (weeks of them) from the blocks table, then the last
 * 24 hours of stored reports (one query each).
 */
export async function createServices(config: ServerConfig, storage: Storage, now: () => number = Date.now): Promise<Services> {
  const start = now();
  const store = new MinuteStore({ ...DEFAULT_STORE_OPTIONS, thresholds: config.thresholds, collectNewBlocks: true }, start - DAY_MS);
  // Blocks first: a block kept from before the restart was summarised from all its minutes,
  // while the replay below may start in the middle of one.
  store.loadBlocks(await storage.blocksSince(start - store.options.blocksMs));
  const status = new StatusBuilder(store, config.privacyK);
  // Reports come oldest first: compacting as the replay moves on keeps only about an hour of
  // reporter detail in memory, as in normal running, instead of a whole day of it.
  let compactedAt = start - DAY_MS;
  // With a shared log, the replay stops at a log position and the tail goes on from exactly there.
  const log = storage.log;
  const position = log ? await log.horizon() : null;
  const replayed = log && position !== null ? await log.replay(start - DAY_MS, position) : await storage.reportsSince(start - DAY_MS);
  for (const r of replayed) {
    if (r.at - compactedAt >= COMPACT_EVERY_MS) {
      store.compact(r.at);
      compactedAt = r.at;
    }
    store.add(r);
  }
  store.compact(start);
  const persistBlocks = async () => {
    const blocks = store.takeNewBlocks();
    if (blocks.length === 0) return 0;
    try {
      return await storage.insertBlocks(blocks);
    } catch (err) {
      // Keep them for the next try: losing them would only cost history, but nothing need be lost.
      store.requeueBlocks(blocks);
      throw err;
    }
  };
  await persistBlocks();
  const addAll = (rows: readonly StoredReport[]) => {
    for (const r of rows) store.add(r);
  };
  const tail = log && position !== null ? new ReportTail(log, position, addAll) : undefined;
  const logger = createLogger({ level: config.logLevel });
  const metrics = new ServerMetrics();
  // Sites taken from anyone (SITES=*) are the ones reports have arrived for.
  const sites = () => config.sites ?? new Set(Array.from(store.allCells(), (c) => c.site));
  metrics.watchVerdicts(() => verdictCells((site, region) => status.build(site, region, now()), sites()));
  const committer = new GroupCommitter(
    metrics.timeCommit((rows: readonly StoredReport[]) => storage.insertReports(rows)),
    // With a shared log this instance's reports come back through the tail like everyone
    // else's: adding them here too would count them twice.
    tail ? () => void tail.catchUp() : addAll,
    config.groupCommitMs,
  );
  let draining = false;
  const deps: AppDeps = {
    storage,
    committer,
    status,
    salts: new SaltKeeper(storage),
    limiter: new RateLimiter(config.rateLimit.burst, config.rateLimit.perMinute),
    trusted: new TrustedProxies(config.trustProxy),
    operatorToken: config.operatorToken,
    sites: config.sites,
    now,
    draining: () => draining,
    // A table near its limit, or many untracked reports, means the newcomer rule needs a bigger
    // DETECT_MAX_TRACKED_REPORTERS or someone is inventing names (docs/method.md, "Newcomers").
    detectionStats: () => ({ trackedReporters: store.trackedReporters, untrackedReports: store.untrackedReports }),
    sightingK: config.sightingK,
    sightingStats: emptySightingStats(),
    log: logger,
    metrics,
    metricsToken: config.metricsToken,
  };
  return {
    deps,
    store,
    logger,
    metrics,
    drain: () => {
      draining = true;
    },
    persistBlocks,
    ...(tail ? { tail } : {}),
  };
}

export interface RunningServer {
  url: string;
  port: number;
  app: Hono;
  services: Services;
  /** Health turns 503, in-flight requests finish, pending reports commit, the database closes. */
  close(): Promise<void>;
}

function startMaintenance(config: ServerConfig, storage: Storage, services: Services, now: () => number): () => void {
  const { store, deps, logger: log } = services;
  const minutely = setInterval(() => {
    try {
      store.compact(now());
    } catch (err) {
      log.error({ err }, 'compaction failed');
    }
    services.persistBlocks().catch((err: unknown) => log.error({ err }, 'saving baseline blocks failed'));
  }, 60_000);
  const hourly = async () => {
    const t = now();
    try {
      const reports = await storage.deleteReportsBefore(t - config.retentionDays * DAY_MS);
      const salts = await deps.salts.expire(t);
      // Sightings hold a pseudonym and a network hash: gone with the salts, after 48 hours.
      await storage.deleteSightingsBefore(t - SALT_LIFETIME_MS);
      await storage.deleteBlocksBefore(t - store.options.blocksMs);
      deps.limiter.prune(t);
      if (reports || salts) log.info({ reports, salts }, `retention: deleted ${reports} reports, ${salts} salts`);
    } catch (err) {
      log.error({ err }, 'retention failed');
    }
  };
  void hourly();
  const hourlyTimer = setInterval(() => void hourly(), 3600_000);
  minutely.unref();
  hourlyTimer.unref();
  return () => {
    clearInterval(minutely);
    clearInterval(hourlyTimer);
  };
}

function startSources(config: ServerConfig, storage: Storage, services: Services): PollerHandle[] {
  const pollers: PollerHandle[] = [];
  // A source logs one line when its state changes (poller.ts); every round is counted.
  const watch = (name: string) => ({
    log: (line: string) => services.logger.warn({ source: name }, line.replace(/^outage-radar: /, '')),
    onRound: (result: PollResult) => services.metrics.sourcePolls.inc({ source: name, outcome: result }),
  });
  const sp = config.statuspage;
  if (sp) {
    for (const url of sp.urls) {
      const source = new StatuspageSource(url, sp.site);
      const name = `statuspage ${new URL(url).host}`;
      pollers.push(startPoller(name, sp.intervalMs, storage, () => source.poll(), watch(name)));
    }
  }
  // Each feed on its own timer and backoff: one failing feed never holds up the others.
  const feeds = config.feeds;
  if (feeds) {
    for (const url of feeds.urls) {
      const source = new FeedSource(url, feeds.site);
      pollers.push(startPoller(feedName(url), feeds.intervalMs, storage, () => source.poll(), watch(feedName(url))));
    }
  }
  const x = config.xApi;
  if (x) {
    const poller = new XApiPoller({ baseUrl: x.baseUrl, bearerToken: x.bearerToken, accounts: x.accounts, site: x.site });
    pollers.push(startPoller('x-api', x.intervalMs, storage, () => poller.poll(), watch('x-api')));
  }
  return pollers;
}

export async function startServer(config: ServerConfig, options: { now?: () => number } = {}): Promise<RunningServer> {
  const now = options.now ?? Date.now;
  const storage = await openStorage(config.database);
  let services: Services;
  try {
    services = await createServices(config, storage, now);
  } catch (err) {
    await storage.close().catch(() => undefined);
    throw err;
  }
  const app = createApp(services.deps) as unknown as Hono;
  const shedder = startLoadShedder();
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: withLoadShedding(app.fetch, shedder), port: config.port, hostname: config.host }) as Server;
    s.once('listening', () => resolve(s));
    s.once('error', reject);
  }).catch(async (err: unknown) => {
    await storage.close().catch(() => undefined);
    throw err;
  });
  services.tail?.start();
  const stopMaintenance = startMaintenance(config, storage, services, now);
  const pollers = startSources(config, storage, services);
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      services.drain();
      stopMaintenance();
      shedder.stop();
      // server.close() stops accepting, lets in-flight requests finish and closes idle keep-alives.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A client that never finishes its request must not hold the shutdown forever.
      const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await closed;
      clearTimeout(force);
      await Promise.all(pollers.map((p) => p.stop()));
      await services.deps.committer.flush();
      await services.tail?.stop();
      await services.persistBlocks().catch((err: unknown) => services.logger.error({ err }, 'saving baseline blocks failed'));
      await storage.close();
    })());

  return { url: `http://${host}:${port}`, port, app, services, close };
}
