/**
 * npm run detect -- --input series.csv --output scores.csv
 * Replays a count series through the engine (see series-detector.ts) so operators can tune.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { formatScoresCsv, readSeriesCsv, scoreSeries, SeriesInputError, type DroppedRow } from './series-detector.ts';

const USAGE = 'usage: npm run detect -- --input series.csv --output scores.csv [--strict]';
/** Dropped lines named one by one on stderr; past these, only how many more. */
const NAMED_DROPS = 20;

export function parseArgs(argv: readonly string[]): { input: string; output: string; strict: boolean } {
  let input: string | undefined;
  let output: string | undefined;
  let strict = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    if ((a === '--input' || a === '--output') && (next === undefined || next.startsWith('--'))) throw new Error(`${a} needs a file name\n${USAGE}`);
    if (a === '--input') input = argv[++i];
    else if (a === '--output') output = argv[++i];
    else if (a === '--strict') strict = true;
    else throw new Error(`unknown argument "${a}"\n${USAGE}`);
  }
  if (!input || !output) throw new Error(`both --input and --output are needed\n${USAGE}`);
  return { input, output, strict };
}

/** What stderr says of the dropped lines. */
export function describeDropped(input: string, dropped: readonly DroppedRow[]): string[] {
  const named = dropped.slice(0, NAMED_DROPS).map((d) => `${input}: ${d.reason}; written with score 0 and the state before it`);
  if (dropped.length > NAMED_DROPS) named.push(`${input}: ${dropped.length - NAMED_DROPS} more lines dropped the same way`);
  return named;
}

export function runDetect(argv: readonly string[]): { rows: number; flagged: number; output: string; dropped: DroppedRow[]; input: string } {
  const { input, output, strict } = parseArgs(argv);
  let text: string;
  try {
    text = readFileSync(input, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${input}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let read;
  try {
    read = readSeriesCsv(text, { strict });
  } catch (err) {
    if (err instanceof SeriesInputError) throw new Error(`${input}: ${err.message}`);
    throw err;
  }
  const scored = scoreSeries(read.rows);
  writeFileSync(output, formatScoresCsv(scored, read.dropped));
  return { rows: scored.length + read.dropped.length, flagged: scored.filter((r) => r.score >= 0.5).length, output, dropped: read.dropped, input };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  try {
    const r = runDetect(process.argv.slice(2));
    for (const line of describeDropped(r.input, r.dropped)) console.error(`detect: ${line}`);
    console.log(`scored ${r.rows} rows${r.dropped.length > 0 ? ` (${r.dropped.length} of them unreadable, scored 0)` : ''}, ${r.flagged} at or above 0.5, written to ${r.output}`);
  } catch (err) {
    console.error(`detect: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
