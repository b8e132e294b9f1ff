/**
 * Reading ../shared/data/x-ui-error-strings.json for the generators: one place that says where it
 * is by default and stops the script with a clear message when it cannot be read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
/* global console */

/** The shared data file, beside the repository. */
export const defaultStringsDataPath = (repo) => join(repo, '..', 'shared', 'data', 'x-ui-error-strings.json');

/** Prints `<tool>: message` and exits 1. */
export function failWith(tool) {
  return (message) => {
    console.error(`${tool}: ${message}`);
    process.exit(1);
  };
}

/** The parsed data file, or the script stops with what went wrong. */
export function readStringsData(path, fail) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return fail(`cannot read ${path}: ${err.message}`);
  }
}
