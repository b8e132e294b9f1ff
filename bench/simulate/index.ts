/**
 * npm run simulate [-- --seed N --weeks N --warmup-days N --users N --targets N --minutes N --out path
 *                    --threshold name=value ...]
 * Runs the seeded crowd simulation through the server's detection engine and writes
 * bench/results/detection.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_SIM, simulate, summarise, type SimOptions } from './simulation.ts';

function parse(argv: string[]): { options: SimOptions; out: string } {
  const options: SimOptions = { ...DEFAULT_SIM };
  let out = 'bench/results/detection.json';
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    const n = Number(value);
    const int = () => {
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a whole number, got "${value}"`);
      return n;
    };
    if (flag === '--seed') options.seed = int();
    else if (flag === '--weeks') options.weeks = Math.max(1, int());
    else if (flag === '--warmup-days') options.warmupDays = int();
    else if (flag === '--users') options.totalUsers = Math.max(100, int());
    else if (flag === '--targets') options.targetOutagesPerWeek = int();
    else if (flag === '--minutes') options.limitMinutes = Math.max(1, int());
    else if (flag === '--out') out = value;
    else if (flag === '--threshold') {
      // --threshold degradedMinNetworks=10: try another setting of the engine on the same crowd.
      const [name, raw] = value.split('=');
      const thresholds = options.thresholds as unknown as Record<string, number>;
      if (!name || raw === undefined || !(name in thresholds)) throw new Error(`--threshold needs name=value with a name of ${Object.keys(thresholds).join(', ')}`);
      const v = Number(raw);
      if (!Number.isFinite(v) || v < 0) throw new Error(`--threshold ${name} needs a number >= 0, got "${raw}"`);
      options.thresholds = { ...options.thresholds, [name]: v };
    }
    else throw new Error(`unknown argument ${flag}`);
    i++;
  }
  return { options, out };
}

try {
  const { options, out } = parse(process.argv.slice(2));
  const result = simulate({ ...options, log: (line) => console.error(line) });
  const summary = summarise(result);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(summary, null, 2) + '\n');
  const { falseAlarms, missed, ...headline } = summary;
  console.log(JSON.stringify({ ...headline, falseAlarms: falseAlarms.slice(0, 10), missed: missed.slice(0, 10) }, null, 2));
  console.log(`written to ${out}`);
} catch (err) {
  console.error(`simulate: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
