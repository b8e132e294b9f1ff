import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readZip, writeZip, type ZipInput } from '../../../scripts/package-zip.ts';

const files: ZipInput[] = [
  { path: 'manifest.json', data: Buffer.from('{"manifest_version":3}\n') },
  { path: 'src/popup/index.html', data: Buffer.from('<!doctype html><title>é</title>'.repeat(20)) },
  { path: 'icons/icon-16.png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]) },
  { path: '_locales/ar/messages.json', data: Buffer.from('{"extName":{"message":"رادار"}}') },
];

describe('writeZip', () => {
  it('gives the same bytes whatever order the files come in', () => {
    const a = writeZip(files, 'store');
    const b = writeZip([...files].reverse(), 'store');
    expect(a.equals(b)).toBe(true);
    expect(writeZip(files, 'deflate').equals(writeZip([...files].reverse(), 'deflate'))).toBe(true);
  });

  it('round-trips through its reader with sorted paths, one fixed time and mode 0644', () => {
    for (const method of ['store', 'deflate'] as const) {
      const entries = readZip(writeZip(files, method));
      expect(entries.map((e) => e.path)).toEqual(['_locales/ar/messages.json', 'icons/icon-16.png', 'manifest.json', 'src/popup/index.html']);
      for (const e of entries) {
        expect(e.data.equals(files.find((f) => f.path === e.path)!.data)).toBe(true);
        expect(e.mode).toBe(0o100644);
        expect([e.dosDate, e.dosTime]).toEqual([33, 0]);
        if (method === 'store') expect(e.method).toBe(0);
      }
    }
    // The repetitive page compresses, the 8-byte icon is kept as it is.
    const deflated = readZip(writeZip(files, 'deflate'));
    expect(deflated.find((e) => e.path === 'src/popup/index.html')!.method).toBe(8);
    expect(deflated.find((e) => e.path === 'icons/icon-16.png')!.method).toBe(0);
  });

  it('is read by the system unzip with the same contents', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outage-radar-zip-'));
    try {
      writeFileSync(join(dir, 'a.zip'), writeZip(files, 'deflate'));
      execFileSync('unzip', ['-q', '-t', join(dir, 'a.zip')]);
      execFileSync('unzip', ['-q', join(dir, 'a.zip'), '-d', join(dir, 'out')]);
      for (const f of files) expect(readFileSync(join(dir, 'out', f.path)).equals(f.data)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses paths that would escape or collide', () => {
    for (const path of ['/etc/passwd', '../x', 'a//b', 'a\\b', 'a/./b', '']) {
      expect(() => writeZip([{ path, data: Buffer.alloc(1) }], 'store'), path).toThrow(/bad path/);
    }
    expect(() => writeZip([files[0]!, files[0]!], 'store')).toThrow(/duplicate/);
  });
});

describe('readZip', () => {
  it('notices a corrupted entry and a file that is not a zip', () => {
    const zip = writeZip([{ path: 'a.txt', data: Buffer.from('hello world') }], 'store');
    const broken = Buffer.from(zip);
    const at = 30 + 'a.txt'.length;
    broken[at] = (broken[at] ?? 0) ^ 0xff;
    expect(() => readZip(broken)).toThrow(/CRC/);
    expect(() => readZip(Buffer.from('not a zip at all, just some text here'))).toThrow(/not a zip/);
  });
});
