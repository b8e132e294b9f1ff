/**
 * Daily salts for hashing client networks. A salt is random (never derived from the date), kept
 * in the database so every instance of the server uses the same one for a given UTC day, and
 * deleted 48 hours after it was made: after that, no stored hash can be linked to a network.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Storage } from '../storage/types.ts';

export const SALT_LIFETIME_MS = 48 * 3600_000;

const DAY_MS = 86_400_000;
/** The last day asked for: every request asks, and nearly always for the same day. */
let lastDay = { index: Number.NaN, text: '' };

export function utcDay(ms: number): string {
  const index = Math.floor(ms / DAY_MS);
  if (index !== lastDay.index) lastDay = { index, text: new Date(index * DAY_MS).toISOString().slice(0, 10) };
  return lastDay.text;
}

export class SaltKeeper {
  private readonly salts = new Map<string, Promise<string>>();

  constructor(private readonly storage: Storage) {}

  private saltFor(day: string, nowMs: number): Promise<string> {
    let salt = this.salts.get(day);
    if (!salt) {
      salt = this.storage.saltForDay(day, randomBytes(32).toString('base64url'), nowMs);
      // A failed lookup must not stick: the next request tries the database again.
      salt.catch(() => this.salts.delete(day));
      for (const other of this.salts.keys()) if (other !== day) this.salts.delete(other);
      this.salts.set(day, salt);
    }
    return salt;
  }

  /** A salted hash of `text` (a network prefix), 128 bits in base64url. */
  async hash(text: string, nowMs: number): Promise<string> {
    const salt = await this.saltFor(utcDay(nowMs), nowMs);
    return createHash('sha256').update(salt).update('\0').update(text).digest('base64url').slice(0, 22);
  }

  /** Deletes salts older than 48 hours; resolves with how many went. */
  expire(nowMs: number): Promise<number> {
    return this.storage.deleteSaltsCreatedBefore(nowMs - SALT_LIFETIME_MS);
  }
}
