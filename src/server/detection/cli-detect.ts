/**
 * npm run detect -- --input series.csv --output scores.csv
 * Replays a count series through the engine (see series-detector.ts) so operators can tune.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { formatScoresCsv, parseSeriesCsv, scoreSeries, SeriesInputError } from './series-detector.ts';

const USAGE = 'usage: npm run detect -- --input series.csv --output scores.csv';

export function parseArgs(argv: readonly string[]): { input: string; output: string } {
  let input: string | undefined;
  let output: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    if ((a === '--input' || a === '--output') && (next === undefined || next.startsWith('--'))) throw new Error(`${a} needs a file name\n${USAGE}`);
    if (a === '--input') input = argv[++i];
    else if (a === '--output') output = argv[++i];
    else throw new Error(`unknown argument "${a}"\n${USAGE}`);
  }
  if (!input || !output) throw new Error(`both --input and --output are needed\n${USAGE}`);
  return { input, output };
}

export function runDetect(argv: readonly string[]): { rows: number; flagged: number; output: string } {
  const { input, output } = parseArgs(argv);
  let text: string;
  try {
    text = readFileSync(input, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${input}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let scored;
  try {
    scored = scoreSeries(parseSeriesCsv(text));
  } catch (err) {
    if (err instanceof SeriesInputError) throw new Error(`${input}: ${err.message}`);
    throw err;
  }
  writeFileSync(output, formatScoresCsv(scored));
  return { rows: scored.length, flagged: scored.filter((r) => r.score >= 0.5).length, output };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  try {
    const r = runDetect(process.argv.slice(2));
    console.log(`scored ${r.rows} rows, ${r.flagged} at or above 0.5, written to ${r.output}`);
  } catch (err) {
    console.error(`detect: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
