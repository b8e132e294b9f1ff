/**
 * What the delay to the badge would be under another poll rule, from simulation results already
 * written (no engine run): each target outage's server times (the user's own cells, other
 * countries) are kept in the results, and the badge is a function of them, the rule and the
 * user's random phase. Both rules get the same draws, `--draws` per outage, so the difference
 * is the rule's alone.
 *
 * npx tsx bench/simulate/badge-whatif.ts --follow-up-s 5 FILE.json [FILE.json ...]
 */
import { readFileSync } from 'node:fs';
import { POLL_POLICY, type PollPolicy } from '../../src/shared/poll-policy.ts';
import { quantile } from '../lib/stats.ts';
import { badgeTime } from './badge.ts';
import { makeRng } from './random.ts';
import { AFTERMATH_MS, type ScoredOutage } from './simulation.ts';

/** What a result file keeps of each outage that the badge needs. */
type SavedOutage = Pick<ScoredOutage, 'target' | 'start' | 'minutes' | 'userCellDelaySeconds' | 'elsewhereDelaySeconds'>;

function parse(argv: string[]): { files: string[]; policy: PollPolicy; draws: number } {
  const policy = { ...POLL_POLICY };
  let draws = 200;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${a} needs a positive number`);
      return v;
    };
    if (a === '--follow-up-s') policy.followUpMs = value() * 1000;
    else if (a === '--troubled-s') policy.troubledMs = value() * 1000;
    else if (a === '--watch-s') policy.watchMs = value() * 1000;
    else if (a === '--draws') draws = Math.round(value());
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else files.push(a);
  }
  if (!files.length) throw new Error('give at least one simulation result (JSON)');
  return { files, policy, draws };
}

const { files, policy, draws } = parse(process.argv.slice(2));
const today: number[] = [];
const other: number[] = [];
let outages = 0;
for (const file of files) {
  const result = JSON.parse(readFileSync(file, 'utf8')) as { runs: { seed: number; outages: SavedOutage[] }[] };
  for (const run of result.runs) {
    run.outages.forEach((o, n) => {
      if (!o.target || o.userCellDelaySeconds == null) return;
      outages++;
      const start = Date.parse(o.start);
      const input = {
        start,
        end: start + o.minutes * 60_000,
        serverNonOperationalAt: start + o.userCellDelaySeconds * 1000,
        elsewhereNonOperationalAt: o.elsewhereDelaySeconds == null ? null : start + o.elsewhereDelaySeconds * 1000,
        horizon: start + o.minutes * 60_000 + AFTERMATH_MS,
      };
      for (let d = 0; d < draws; d++) {
        const seed = (run.seed * 7919 + n * 131 + d) >>> 0;
        const a = badgeTime({ ...input, rng: makeRng(seed) });
        const b = badgeTime({ ...input, rng: makeRng(seed), policy });
        if (a !== null) today.push((a - start) / 1000);
        if (b !== null) other.push((b - start) / 1000);
      }
    });
  }
}
const show = (xs: number[]) => `median ${quantile(xs, 0.5).toFixed(1)} s, p95 ${quantile(xs, 0.95).toFixed(1)} s (${xs.length} of ${outages * draws})`;
console.log(`${outages} target outages from ${files.length} file(s), ${draws} draws each`);
console.log(`today's rule ${JSON.stringify(POLL_POLICY)}: ${show(today)}`);
console.log(`other rule   ${JSON.stringify(policy)}: ${show(other)}`);
