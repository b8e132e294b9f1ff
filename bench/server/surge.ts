/**
 * The surge: N instances (default 2) on one PostgreSQL take a fixed arrival rate of report batches
 * for a fixed time, split evenly. Checks what the issue asks: no 5xx but 503 with Retry-After,
 * every acknowledged report stored (ids are counters, so a bitmap says which), how long a report
 * taken by one instance takes to show in another's status (probed every 5 s), and each
 * instance's memory.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { adminQuery, PG_URL } from '../../test/storage/pg-admin.ts';
import { startServerProcess, type ServerProcess } from '../../test/server/lib/server-process.ts';
import { quantile, round } from '../lib/stats.ts';
import { openLoad, type OpenLoadResult } from './open-load.ts';
import { counterOf, reportBatch, senderAddress } from './wire.ts';
import type { StatusResponse } from '../../src/shared/protocol.ts';

const BATCH = 10;
const PROBE_EVERY_MS = 5000;
const PROBE_REGION = 'IS';

export interface SurgeOptions {
  reports: number;
  seconds: number;
  instances: number;
  /** Connections the generator opens to each instance (many clients: many connections). */
  connections?: number;
  /** Node options for the server processes (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function regionReports(url: string): Promise<number> {
  const res = await fetch(`${url}/v1/status?site=x.com&region=${PROBE_REGION}`);
  const body = (await res.json()) as StatusResponse;
  return body.regions.find((r) => r.region === PROBE_REGION)?.reports15m ?? 0;
}

/**
 * Posts 5 reports from 5 new reporters to one instance, then polls another until its status
 * counts them: the time from the 202 to there is the status lag (privacy k = 5 hides fewer).
 */
async function probeLag(from: ServerProcess, to: ServerProcess, probe: number, prefix: string): Promise<number | null> {
  const expected = (probe + 1) * 5;
  const body = JSON.stringify({
    reports: Array.from({ length: 5 }, (_, j) => ({
      ...(JSON.parse(reportBatch(probe * 5 + j, 1, Date.now(), { prefix, region: PROBE_REGION, reporters: 1e9 })) as { reports: object[] }).reports[0],
      reporter: `lag_probe_reporter_${probe}_${j}`,
    })),
  });
  for (let attempt = 0; attempt < 50; attempt++) {
    const res = await fetch(`${from.url}/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': senderAddress(90_000 + probe) }, body });
    await res.text();
    if (res.status === 202) break;
    if (attempt === 49) return null;
    await new Promise((r) => setTimeout(r, 200));
  }
  const acked = performance.now();
  while (performance.now() - acked < 60_000) {
    if ((await regionReports(to.url)) >= expected) return performance.now() - acked;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

export async function runSurge(o: SurgeOptions) {
  await adminQuery('SELECT 1');
  const schema = `or_surge_${randomBytes(4).toString('hex')}`;
  const prefix = `5e${randomBytes(3).toString('hex')}`;
  const probePrefix = `7b${randomBytes(3).toString('hex')}`;
  const env = {
    DATABASE_URL: PG_URL,
    DATABASE_SCHEMA: schema,
    TRUST_PROXY: '127.0.0.1',
    RATE_LIMIT_BURST: '1000000',
    RATE_LIMIT_PER_MINUTE: '1000000',
    LOG_LEVEL: 'warn',
  };
  const requestRate = o.reports / o.seconds / BATCH;
  console.log(`surge: ${o.reports} reports in ${o.seconds} s = ${requestRate.toFixed(1)} batches of ${BATCH}/s over ${o.instances} instances on PostgreSQL (schema ${schema})`);
  const servers: ServerProcess[] = [];
  for (let k = 0; k < o.instances; k++) servers.push(await startServerProcess(env, { nodeArgs: o.nodeArgs ?? [] }));
  const total = Math.floor(requestRate * o.seconds) * BATCH;
  const acked = new Uint8Array(total + BATCH * o.instances);
  const statuses: Record<string, number> = {};
  let badFiveXx = 0;
  const lags: number[] = [];
  let lostProbes = 0;
  const rss: number[][] = servers.map(() => []);
  let running = true;

  const prober = (async () => {
    for (let probe = 0; running; probe++) {
      const started = performance.now();
      const from = servers[probe % servers.length] as ServerProcess;
      const to = servers[(probe + 1) % servers.length] as ServerProcess;
      const lag = await probeLag(from, to, probe, probePrefix);
      if (lag === null) lostProbes++;
      else lags.push(lag);
      servers.forEach((s, k) => rss[k]?.push(rssMb(s.child.pid)));
      const wait = PROBE_EVERY_MS - (performance.now() - started);
      if (wait > 0 && running) await new Promise((r) => setTimeout(r, wait));
    }
  })();

  const t0 = performance.now();
  const loads: OpenLoadResult[] = await Promise.all(
    servers.map((s, k) =>
      openLoad({
        origin: s.url,
        rate: requestRate / o.instances,
        durationMs: o.seconds * 1000,
        connections: o.connections ?? 128,
        maxInFlight: 20_000,
        drainMs: 30_000,
        request: (i) => {
          const first = (i * o.instances + k) * BATCH;
          return {
            method: 'POST',
            path: '/v1/reports',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': senderAddress(first / BATCH) },
            body: reportBatch(first, BATCH, Date.now(), { prefix }),
          };
        },
        onAnswer: (i, status, _body, retryAfter) => {
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status >= 500 && !(status === 503 && retryAfter)) badFiveXx++;
          if (status === 202) {
            const first = (i * o.instances + k) * BATCH;
            acked.fill(1, first, first + BATCH);
          }
        },
      }),
    ),
  );
  const elapsedS = (performance.now() - t0) / 1000;
  running = false;
  await prober;

  // Which acknowledged reports are stored? Read the ids back (counters) into a second bitmap.
  const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await client.connect();
  const stored = new Uint8Array(acked.length);
  const res = await client.query<{ id: string }>(`SELECT id FROM reports WHERE id LIKE $1`, [`${prefix}-%`]);
  for (const r of res.rows) stored[counterOf(r.id)] = 1;
  await client.end();
  let ackedCount = 0;
  let lost = 0;
  let storedUnacked = 0;
  for (let n = 0; n < acked.length; n++) {
    if (acked[n]) ackedCount++;
    if (acked[n] && !stored[n]) lost++;
    if (!acked[n] && stored[n]) storedUnacked++;
  }
  const finalStatus = await Promise.all(servers.map(async (s) => (await (await fetch(`${s.url}/v1/status?site=x.com`)).json()) as StatusResponse));
  for (const s of servers) await s.kill('SIGTERM');
  await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);

  const sum = (f: (l: OpenLoadResult) => number) => loads.reduce((a, l) => a + f(l), 0);
  const result = {
    date: new Date().toISOString(),
    command: `npm run bench:server -- ${process.argv.slice(2).join(' ')}`,
    offered: { reports: total, seconds: o.seconds, reportsPerS: round(total / o.seconds, 0), batchesPerS: round(requestRate, 1), instances: o.instances, connectionsPerInstance: o.connections ?? 128 },
    elapsedS: round(elapsedS, 1),
    answers: statuses,
    acknowledgedReports: ackedCount,
    acknowledgedReportsPerS: round(ackedCount / o.seconds, 0),
    lostAcknowledged: lost,
    storedWithoutAcknowledgement: storedUnacked,
    fiveXxOtherThan503WithRetryAfter: badFiveXx,
    generator: { dropped: sum((l) => l.dropped), failed: sum((l) => l.failed), p50Ms: loads.map((l) => round(l.p50Ms, 1)), p99Ms: loads.map((l) => round(l.p99Ms, 1)) },
    statusLagMs: lags.length ? { probes: lags.length, lost: lostProbes, p50: round(quantile(lags, 0.5), 0), max: round(Math.max(...lags), 0) } : { probes: 0, lost: lostProbes },
    maxRssMb: rss.map((xs) => round(Math.max(...xs.filter((x) => Number.isFinite(x))), 0)),
    instancesAgreeAtEnd: finalStatus.every((s) => JSON.stringify({ ...s, generatedAt: 0 }) === JSON.stringify({ ...finalStatus[0], generatedAt: 0 })),
  };
  console.log(JSON.stringify(result, null, 2));
  return result;
}
