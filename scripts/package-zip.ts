/**
 * A zip writer whose output depends only on the files given: entries sorted by path, one fixed
 * timestamp, fixed permissions, no extra fields. Stores review a package byte for byte against
 * one rebuilt from the sources zip, so nothing of the machine, the clock or the file system may
 * leak into it. Plus the small reader the checks and tests use to look inside our own zips.
 */
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

export interface ZipInput {
  /** Forward-slash path inside the archive, no leading slash. */
  path: string;
  data: Buffer;
}

/**
 * `store` keeps the bytes as they are: the only method whose output cannot change with the
 * zlib build or CPU features of the machine, which the store packages need to be reproducible.
 * `deflate` is for the sources zip, which nobody rebuilds.
 */
export type ZipMethod = 'store' | 'deflate';

/** 1980-01-01 00:00:00, the earliest time a zip (MS-DOS) date can hold. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const FLAG_UTF8 = 0x0800;
const MADE_BY_UNIX = (3 << 8) | 20;
const FILE_MODE = 0o100644;

function checkPath(path: string): void {
  if (!path || path.startsWith('/') || path.includes('\\') || path.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new Error(`bad path for a zip entry: ${JSON.stringify(path)}`);
  }
}

export function writeZip(entries: readonly ZipInput[], method: ZipMethod): Buffer {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  sorted.forEach((e, i) => {
    checkPath(e.path);
    if (i > 0 && e.path === sorted[i - 1]?.path) throw new Error(`duplicate zip entry: ${e.path}`);
  });
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { path, data } of sorted) {
    const name = Buffer.from(path, 'utf8');
    const crc = crc32(data) >>> 0;
    const deflated = method === 'deflate' ? deflateRawSync(data, { level: 9 }) : null;
    // Deflate only where it helps, so a tiny or already-compressed file is not made larger.
    const useDeflate = deflated !== null && deflated.length < data.length;
    const body = useDeflate ? deflated : data;
    const compression = useDeflate ? 8 : 0;
    if (offset > 0xffffffff || body.length > 0xffffffff) throw new Error('zip too large: zip64 is not supported');

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(FLAG_UTF8, 6);
    local.writeUInt16LE(compression, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(MADE_BY_UNIX, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(FLAG_UTF8, 8);
    central.writeUInt16LE(compression, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    // extra length, comment length, disk number, internal attributes: all 0
    central.writeUInt32LE((FILE_MODE << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);

    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  if (sorted.length > 0xffff) throw new Error('zip has too many entries: zip64 is not supported');
  const centralDir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(sorted.length, 8);
  end.writeUInt16LE(sorted.length, 10);
  end.writeUInt32LE(centralDir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralDir, end]);
}

export interface ZipEntry {
  path: string;
  data: Buffer;
  /** Unix mode from the external attributes (0 when the archive came from elsewhere). */
  mode: number;
  method: number;
  dosTime: number;
  dosDate: number;
}

/** Reads a zip without zip64, multi-disk or encryption, verifying every CRC. */
export function readZip(zip: Buffer): ZipEntry[] {
  const minEnd = Math.max(0, zip.length - 22 - 0xffff);
  let end = -1;
  for (let i = zip.length - 22; i >= minEnd; i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('not a zip: no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let p = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`broken zip: bad central directory entry ${i}`);
    const flags = zip.readUInt16LE(p + 8);
    const method = zip.readUInt16LE(p + 10);
    const dosTime = zip.readUInt16LE(p + 12);
    const dosDate = zip.readUInt16LE(p + 14);
    const crc = zip.readUInt32LE(p + 16);
    const compressedSize = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const external = zip.readUInt32LE(p + 38);
    const localOffset = zip.readUInt32LE(p + 42);
    const path = zip.subarray(p + 46, p + 46 + nameLen).toString(flags & FLAG_UTF8 ? 'utf8' : 'latin1');
    p += 46 + nameLen + extraLen + commentLen;

    if (flags & 1) throw new Error(`${path}: encrypted entries are not supported`);
    if (zip.readUInt32LE(localOffset) !== 0x04034b50) throw new Error(`${path}: bad local header`);
    const start = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(start, start + compressedSize);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = inflateRawSync(raw);
    else throw new Error(`${path}: compression method ${method} is not supported`);
    if (data.length !== size || crc32(data) >>> 0 !== crc) throw new Error(`${path}: CRC or size mismatch`);
    entries.push({ path, data, mode: external >>> 16, method, dosTime, dosDate });
  }
  return entries;
}
