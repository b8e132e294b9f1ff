/**
 * The group committer under load: rows arriving while a transaction runs all go into the next
 * one (not a line of small ones), and past its bound it refuses at once instead of queueing.
 */
import { describe, expect, it } from 'vitest';
import { GroupCommitter, OverloadedError } from '../../src/server/ingest/group-commit.ts';
import type { StoredReport } from '../../src/server/storage/types.ts';

function row(id: string): StoredReport {
  return {
    id,
    site: 'x.com',
    feature: 'timeline',
    signal: 'http_5xx',
    at: 0,
    region: 'FR',
    reporter: 'rep_000000000000',
    networkHash: 'n',
    clientBrowser: 'chrome',
    clientVersion: '0.1.0',
    status: null,
    op: null,
    code: null,
    receivedAt: 0,
  };
}

/** An insert whose transactions finish only when the test says so. */
function gatedInsert() {
  const calls: string[][] = [];
  const gates: (() => void)[] = [];
  const insert = (rows: readonly StoredReport[]) => {
    calls.push(rows.map((r) => r.id));
    return new Promise<Set<string>>((resolve) => gates.push(() => resolve(new Set(rows.map((r) => r.id)))));
  };
  const release = async () => {
    while (gates.length === 0) await new Promise((r) => setTimeout(r, 1));
    gates.shift()?.();
  };
  return { calls, insert, release };
}

describe('group commit under load', () => {
  it('gathers everything that arrives during a transaction into the next one', async () => {
    const g = gatedInsert();
    const c = new GroupCommitter(g.insert, () => undefined, 1);
    const first = c.submit([row('a')]);
    await new Promise((r) => setTimeout(r, 10));
    expect(g.calls).toEqual([['a']]);
    const later = ['b', 'c', 'd', 'e'].map((id) => c.submit([row(id)]));
    await new Promise((r) => setTimeout(r, 10));
    // Still one transaction: the four wait for it to end.
    expect(g.calls).toHaveLength(1);
    await g.release();
    await first;
    await g.release();
    const results = await Promise.all(later);
    expect(g.calls).toEqual([['a'], ['b', 'c', 'd', 'e']]);
    expect(results.every((r) => r.accepted === 1)).toBe(true);
  });

  it('refuses past its bound at once, and takes again once the queue has room', async () => {
    const g = gatedInsert();
    const c = new GroupCommitter(g.insert, () => undefined, 1, 5000, 3);
    const held = [c.submit([row('a'), row('b')]), c.submit([row('c')])];
    expect(c.queued).toBe(3);
    await expect(c.submit([row('d')])).rejects.toBeInstanceOf(OverloadedError);
    // The refused batch took no place in the queue and reached no transaction.
    expect(c.queued).toBe(3);
    await g.release();
    await Promise.all(held);
    expect(c.queued).toBe(0);
    expect(g.calls.flat()).not.toContain('d');
    const again = c.submit([row('d')]);
    await g.release();
    expect(await again).toEqual({ accepted: 1, duplicates: 0 });
  });
});
