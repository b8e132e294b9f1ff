/**
 * npm run simulate [-- --seed N | --seeds 100-109 (or 1,2,3) --weeks N | --days N --warmup-days N
 *                    --users N --targets N --minutes N --tick-seconds N --noise all|none|-class,+class,...
 *                    --no-scenarios --out path --threshold name=value ... --baseline name=value ...
 *                    --per-week trending=N|hawkes=N | --rescore a.json,b.json]
 * Runs the seeded crowd simulation through the server's detection engine, one seed after the
 * other (never in parallel), and writes one result (several seeds pooled) to
 * bench/results/detection.json. Seeds 100-109 are held out: never tune the engine on them.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_BASELINE } from '../../src/server/detection/baseline.ts';
import { NOISE_CLASSES, type NoiseClass } from './noise.ts';
import { DEFAULT_SIM, HELD_OUT_SEEDS, record, score, simulate, type RunRecord, type SimOptions } from './simulation.ts';

/** `settings` with one numeric field set from `name=value` (a number >= 0), or a clear error naming the fields. */
function withSetting<T extends object>(flag: string, value: string, settings: T): T {
  const [name, raw] = value.split('=');
  const fields = settings as unknown as Record<string, unknown>;
  if (!name || raw === undefined || typeof fields[name] !== 'number') {
    throw new Error(`${flag} needs name=value with a name of ${Object.keys(fields).filter((k) => typeof fields[k] === 'number').join(', ')}`);
  }
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < 0) throw new Error(`${flag} ${name} needs a number >= 0, got "${raw}"`);
  return { ...settings, [name]: v };
}

export function parseSeeds(value: string): number[] {
  const seeds: number[] = [];
  for (const part of value.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`--seeds needs numbers and ranges such as 100-109 or 1,2,3, got "${value}"`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo || hi - lo > 1000) throw new Error(`bad seed range "${part}"`);
    for (let s = lo; s <= hi; s++) seeds.push(s);
  }
  return seeds;
}

export function parseNoise(value: string, base: SimOptions['noise']): SimOptions['noise'] {
  const noise = { ...base };
  for (const raw of value.split(',')) {
    const part = raw.trim();
    if (part === 'all' || part === 'none') {
      for (const c of NOISE_CLASSES) noise[c] = part === 'all';
      continue;
    }
    const off = part.startsWith('-');
    const name = part.replace(/^[-+]/, '');
    if (!(NOISE_CLASSES as readonly string[]).includes(name)) throw new Error(`--noise: unknown class "${name}" (classes: ${NOISE_CLASSES.join(', ')})`);
    noise[name as NoiseClass] = !off;
  }
  return noise;
}

function parse(argv: string[]): { options: SimOptions; seeds: number[]; out: string; rescore: string[] } {
  const options: SimOptions = { ...DEFAULT_SIM };
  let seeds = [options.seed];
  let rescore: string[] = [];
  let out = 'bench/results/detection.json';
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--no-scenarios') {
      options.scenarios = false;
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    const n = Number(value);
    const int = () => {
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a whole number, got "${value}"`);
      return n;
    };
    if (flag === '--seed') seeds = [int()];
    else if (flag === '--seeds') seeds = parseSeeds(value);
    else if (flag === '--weeks') options.scoredDays = 7 * Math.max(1, int());
    else if (flag === '--days') options.scoredDays = Math.max(1, int());
    else if (flag === '--warmup-days') options.warmupDays = int();
    else if (flag === '--users') options.totalUsers = Math.max(100, int());
    else if (flag === '--targets') options.targetOutagesPerWeek = int();
    else if (flag === '--minutes') options.limitMinutes = Math.max(1, int());
    else if (flag === '--tick-seconds') options.tickSeconds = int();
    else if (flag === '--noise') options.noise = parseNoise(value, options.noise);
    else if (flag === '--out') out = value;
    // --rescore a.json,b.json: pool the runs of earlier results (their `runs`) without re-running.
    else if (flag === '--rescore') rescore = value.split(',');
    else if (flag === '--threshold') {
      // --threshold degradedMinNetworks=10: another setting of the engine on the same crowd.
      options.thresholds = withSetting(flag, value, options.thresholds);
    } else if (flag === '--baseline') {
      // --baseline maxTailSlope=0: another setting of the baseline on the same crowd.
      options.baseline = withSetting(flag, value, options.baseline ?? DEFAULT_BASELINE);
    } else if (flag === '--per-week') {
      // --per-week trending=7: a stress variant of the seed's world (more events of one class).
      const [name, raw] = value.split('=');
      if (name !== 'trending' && name !== 'hawkes') throw new Error(`--per-week needs trending=N or hawkes=N, got "${value}"`);
      const v = Number(raw);
      if (!Number.isFinite(v) || v < 0) throw new Error(`--per-week ${name} needs a number >= 0, got "${raw}"`);
      options.perWeek = { ...options.perWeek, [name]: v };
    } else throw new Error(`unknown argument ${flag}`);
    i++;
  }
  return { options, seeds, out, rescore };
}

const isMain = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/simulate/index.ts');
if (isMain) {
  try {
    const { options, seeds, out, rescore } = parse(process.argv.slice(2));
    if (!rescore.length && seeds.some((s) => HELD_OUT_SEEDS.includes(s))) console.error(`held-out seeds (${HELD_OUT_SEEDS[0]}-${HELD_OUT_SEEDS[HELD_OUT_SEEDS.length - 1]}): report, never tune on them`);
    const runs: RunRecord[] = rescore.length ? rescore.flatMap((f) => (JSON.parse(readFileSync(f, 'utf8')) as { runs: RunRecord[] }).runs) : seeds.map((seed) => {
      console.error(`seed ${seed}: ${options.warmupDays} warm-up + ${options.scoredDays} scored days, ${options.totalUsers} users`);
      return record(simulate({ ...options, seed, log: (line) => console.error(line) }));
    });
    const summary = score(runs);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(summary, null, 2) + '\n');
    const { falseAlarms, missed, runs: _runs, successfulAttacks, target, ...headline } = summary;
    const { byScope: _s, bySize: _b, ...targetHead } = target;
    console.log(JSON.stringify({ ...headline, target: targetHead, successfulAttacks: successfulAttacks.slice(0, 10), falseAlarms: falseAlarms.slice(0, 10), missed: missed.slice(0, 10) }, null, 2));
    console.log(`written to ${out}`);
  } catch (err) {
    console.error(`simulate: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
