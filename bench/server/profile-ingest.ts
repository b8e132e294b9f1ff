/**
 * Where a report batch's CPU time goes: the SQLite server under a fixed rate of batches of 10
 * (default 2,000/s for 10 s after 3 s at half), with V8 CPU profiles of every thread, summarised
 * by place and by function (cpu-profile.ts). A thread's profile counts time blocked inside a native
 * call (the writer thread's fsync) as that call's time, so read the writer's figures as wall time.
 * `npx tsx bench/server/profile-ingest.ts [--rate N] [--seconds N]`
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServerProcess } from '../../test/server/lib/server-process.ts';
import { openLoad, type LoadRequest } from './open-load.ts';
import { BENCH_ENV, reportBatch, senderAddress } from './wire.ts';
import { summarise } from './cpu-profile.ts';
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const rate = arg('rate', 2000);
const seconds = arg('seconds', 10);
const dir = mkdtempSync(join(tmpdir(), 'prof-'));
const db = mkdtempSync(join(tmpdir(), 'db-'));
const s = await startServerProcess({ ...BENCH_ENV, DATABASE_URL: `sqlite:${db}/b.db` }, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
const req = (prefix: string) => (i: number): LoadRequest => ({ method: 'POST', path: '/v1/reports', headers: { 'content-type': 'application/json', 'x-forwarded-for': senderAddress(i) }, body: reportBatch(i * 10, 10, Date.now(), { prefix }) });
await openLoad({ origin: s.url, rate: rate / 2, durationMs: 3000, request: req(randomBytes(4).toString('hex')) });
const r = await openLoad({ origin: s.url, rate, durationMs: seconds * 1000, request: req(randomBytes(4).toString('hex')) });
console.log(`${rate}/s for ${seconds} s:`, r.byStatus, `p99 ${Math.round(r.p99Ms)} ms`);
await s.kill('SIGTERM');
for (const f of readdirSync(dir).map((x) => join(dir, x)).sort((a, b) => statSync(b).size - statSync(a).size)) {
  const sum = summarise(JSON.parse(readFileSync(f, 'utf8')), 45);
  console.log(`== ${f} (${Math.round(sum.totalMs)} ms profiled)`);
  console.log(sum.byPlace.slice(0, 16).map(([k, v]) => `${k} ${Math.round(v)}`).join('\n'));
  console.log(sum.byFunction.slice(0, 45).map(([k, v]) => `${k} ${Math.round(v)}`).join('\n'));
}
