/**
 * What GET /metrics shows, in the Prometheus text format (prom-client). Each server (each app in
 * tests) has its own registry, so counters start at zero per instance; the process metrics (CPU,
 * memory, event loop, GC) live in one registry per process, merged in when scraped, because they
 * describe the process, not an instance, and their collectors (an event-loop monitor, a GC
 * observer) should run once however many apps a process builds.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { State, StatusResponse } from '../shared/protocol.ts';

/** Gauge values of `outage_radar_verdict_state`: one series per cell, higher is worse. */
export const STATE_VALUE: Record<State, number> = { operational: 0, degraded: 1, outage: 2 };

/** How a source's round ended: new content, a 304 (nothing new), or a failure. */
export type PollResult = 'ok' | 'not_modified' | 'error';

/** One published verdict: `all` stands for every region or every feature. */
export interface VerdictCell {
  site: string;
  region: string;
  feature: string;
  state: State;
}

let processRegistry: Registry | null = null;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class ServerMetrics {
  readonly registry = new Registry();

  /** Reports newly stored (a 202's `accepted`). */
  readonly reportsAccepted = new Counter({
    name: 'outage_radar_reports_accepted_total',
    help: 'Reports newly stored (the accepted count of 202 answers).',
    registers: [this.registry],
  });

  /** Reports whose id was already stored or repeated in the batch (a 202's `duplicates`). */
  readonly reportsDuplicate = new Counter({
    name: 'outage_radar_reports_duplicates_total',
    help: 'Reports answered as duplicates (id already stored, or repeated in the batch).',
    registers: [this.registry],
  });

  readonly sightingsAccepted = new Counter({
    name: 'outage_radar_sightings_accepted_total',
    help: 'Sightings of official posts newly stored.',
    registers: [this.registry],
  });

  /** Refused submissions, labelled with the `error` code the API answered. */
  readonly rejected = new Counter({
    name: 'outage_radar_rejected_requests_total',
    help: 'Requests to the submission routes answered with an error, by route and by the error code in the answer.',
    labelNames: ['route', 'reason'] as const,
    registers: [this.registry],
  });

  /** Items per accepted request: a client batching less than it could shows here. */
  readonly batchSize = new Histogram({
    name: 'outage_radar_batch_size',
    help: 'Items (reports or sightings) per valid request body.',
    labelNames: ['route'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100],
    registers: [this.registry],
  });

  /** One group-commit transaction: how long the database took, and how many rows it held. */
  readonly commitSeconds = new Histogram({
    name: 'outage_radar_commit_duration_seconds',
    help: 'Duration of group-commit transactions of reports, by outcome.',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly commitRows = new Histogram({
    name: 'outage_radar_commit_rows',
    help: 'Reports per group-commit transaction.',
    buckets: [1, 5, 10, 50, 100, 500, 1000, 5000],
    registers: [this.registry],
  });

  readonly sourcePolls = new Counter({
    name: 'outage_radar_source_polls_total',
    help: 'Rounds of each message source, by outcome (ok, not_modified, error).',
    labelNames: ['source', 'outcome'] as const,
    registers: [this.registry],
  });

  private verdicts: () => Iterable<VerdictCell> = () => [];

  constructor() {
    // Read when scraped, from the same answers GET /v1/status gives (privacy threshold included).
    const read = () => this.verdicts();
    new Gauge({
      name: 'outage_radar_verdict_state',
      help: 'Published verdict per cell: 0 operational, 1 degraded, 2 outage. region/feature "all" is the whole site or every feature.',
      labelNames: ['site', 'region', 'feature'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const v of read()) this.set({ site: v.site, region: v.region, feature: v.feature }, STATE_VALUE[v.state]);
      },
    });
  }

  /** Where the verdict gauge reads its cells at scrape time. */
  watchVerdicts(read: () => Iterable<VerdictCell>): void {
    this.verdicts = read;
  }

  /** Wraps a transaction so its duration, size and outcome are recorded. */
  timeCommit<T, R>(insert: (rows: readonly T[]) => Promise<R>): (rows: readonly T[]) => Promise<R> {
    return async (rows) => {
      const end = this.commitSeconds.startTimer();
      try {
        const result = await insert(rows);
        end({ outcome: 'ok' });
        this.commitRows.observe(rows.length);
        return result;
      } catch (err) {
        end({ outcome: 'error' });
        throw err;
      }
    };
  }

  contentType(): string {
    return this.registry.contentType;
  }

  /** The text of a scrape: this instance's metrics and the process's. */
  async scrape(): Promise<string> {
    return Registry.merge([processMetrics(), this.registry]).metrics();
  }
}

/**
 * Every cell GET /v1/status publishes for these sites: the site, each feature, each region shown,
 * and each feature within each region shown. Regions under the privacy threshold are not in the
 * answers, so they are not here either, and the number of series stays bounded by real activity.
 */
export function* verdictCells(build: (site: string, region: string | null) => StatusResponse, sites: Iterable<string>): Generator<VerdictCell> {
  for (const site of sites) {
    const all = build(site, null);
    yield { site, region: 'all', feature: 'all', state: all.overall.state };
    for (const f of all.features) yield { site, region: 'all', feature: f.feature, state: f.state };
    for (const r of all.regions) {
      const one = build(site, r.region);
      yield { site, region: r.region, feature: 'all', state: one.overall.state };
      for (const f of one.features) yield { site, region: r.region, feature: f.feature, state: f.state };
    }
  }
}
