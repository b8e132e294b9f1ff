/**
 * Distinct counting with bounded memory: a HyperLogLog sketch (Flajolet et al. 2007, with the
 * small-range linear counting of Heule et al. 2013) that stays an exact set of 53-bit hashes
 * until it holds `EXACT_LIMIT` of them. Most cells see a handful of reporters a minute and stay
 * exact; a busy cell costs 2^precision bytes whatever the crowd. Sketches merge by register max,
 * so a window's distinct count is the merge of its minutes' sketches.
 */

/** 53-bit string hash (cyrb53): fast, well mixed, no dependency. */
export function hash53(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export const DEFAULT_PRECISION = 11;
/** 2^-r for every possible register value (0..64). */
const INVERSE_POWERS = Float64Array.from({ length: 65 }, (_, r) => 2 ** -r);
const EXACT_LIMIT = 256;

export class HyperLogLog {
  private exact: Set<number> | null = new Set();
  private registers: Uint8Array | null = null;
  /** Estimate of the dense registers, kept until a register changes (counting reads them all). */
  private cached = -1;

  constructor(readonly precision: number = DEFAULT_PRECISION) {
    if (!Number.isInteger(precision) || precision < 4 || precision > 16) throw new RangeError(`HyperLogLog precision must be an integer in 4..16, got ${precision}`);
  }

  /** Relative standard error of the estimate once the sketch is dense: 1.04 / sqrt(m). */
  get standardError(): number {
    return 1.04 / Math.sqrt(1 << this.precision);
  }

  add(value: string): void {
    this.addHash(hash53(value));
  }

  addHash(h: number): void {
    if (this.exact) {
      this.exact.add(h);
      if (this.exact.size > EXACT_LIMIT) this.densify();
      return;
    }
    this.setRegister(h);
  }

  private setRegister(h: number): void {
    const regs = this.registers as Uint8Array;
    const p = this.precision;
    // Low 32 bits pick the register, the high 21 bits (plus leftover low bits) give the rank.
    const low = h % 4294967296;
    const high = Math.floor(h / 4294967296);
    const index = low >>> (32 - p);
    // The 32 - p bits of `low` below the index, then the 21 bits of `high`: the rank is the
    // position of the first 1 among them.
    const below = (low << p) >>> 0;
    const rank = below !== 0 ? Math.clz32(below) + 1 : 32 - p + (high !== 0 ? Math.clz32(high) - 11 : 21) + 1;
    if (rank > (regs[index] as number)) {
      regs[index] = rank;
      this.cached = -1;
    }
  }

  private densify(): void {
    this.registers = new Uint8Array(1 << this.precision);
    const hashes = this.exact as Set<number>;
    this.exact = null;
    for (const h of hashes) this.setRegister(h);
  }

  get isExact(): boolean {
    return this.exact !== null;
  }

  /** Adds everything `other` counted (other is left unchanged). */
  merge(other: HyperLogLog): void {
    if (other.precision !== this.precision) throw new RangeError('cannot merge sketches of different precision');
    if (other.exact) {
      for (const h of other.exact) this.addHash(h);
      return;
    }
    if (this.exact) this.densify();
    const mine = this.registers as Uint8Array;
    const theirs = other.registers as Uint8Array;
    for (let i = 0; i < mine.length; i++) if ((theirs[i] as number) > (mine[i] as number)) mine[i] = theirs[i] as number;
    this.cached = -1;
  }

  count(): number {
    if (this.exact) return this.exact.size;
    if (this.cached < 0) this.cached = this.estimate();
    return this.cached;
  }

  private estimate(): number {
    const regs = this.registers as Uint8Array;
    const m = regs.length;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      const r = regs[i] as number;
      sum += INVERSE_POWERS[r] as number;
      if (r === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / m);
    const raw = (alpha * m * m) / sum;
    // Small range: linear counting is far more accurate while registers are still empty.
    if (zeros > 0 && raw <= 2.5 * m) return Math.round(m * Math.log(m / zeros));
    return Math.round(raw);
  }

  clone(): HyperLogLog {
    const c = new HyperLogLog(this.precision);
    c.merge(this);
    return c;
  }
}
