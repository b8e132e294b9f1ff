/**
 * Server configuration from environment variables. Every knob has a default that works on a
 * laptop; a value that cannot be understood is refused with a message naming the variable, so a
 * typo never silently falls back to a default.
 */
import { DEFAULT_THRESHOLDS, type DetectionThresholds } from './detection/thresholds.ts';
import { TrustedProxies } from './http/ip.ts';
import { LOG_LEVELS, type LogLevel } from './log.ts';
import { SITE_RE } from '../shared/protocol.ts';

export type DatabaseConfig =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string; schema?: string };

export interface RateLimitConfig {
  /** Requests a client network may send at once. */
  burst: number;
  /** Requests per minute the bucket refills. */
  perMinute: number;
}

export interface StatuspageConfig {
  urls: string[];
  intervalMs: number;
  site: string;
}

export interface FeedConfig {
  urls: string[];
  intervalMs: number;
  site: string;
}

export interface XApiConfig {
  bearerToken: string;
  accounts: string[];
  baseUrl: string;
  intervalMs: number;
  site: string;
}

export interface ServerConfig {
  host: string;
  port: number;
  database: DatabaseConfig;
  operatorToken: string | null;
  /** Addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed. */
  trustProxy: string[];
  privacyK: number;
  /** Distinct reporters and networks that must send the same official post before it is published (2 or more). */
  sightingK: number;
  retentionDays: number;
  rateLimit: RateLimitConfig;
  thresholds: DetectionThresholds;
  statuspage: StatuspageConfig | null;
  /** RSS/Atom feeds (FEED_URLS); null when none are configured. */
  feeds: FeedConfig | null;
  xApi: XApiConfig | null;
  /** How long a report batch may wait to share a transaction with others (group commit). */
  groupCommitMs: number;
  /** Sites whose reports are taken; null takes any. Anything else would only invite junk cells. */
  sites: string[] | null;
  /** Least severe log lines written (LOG_LEVEL). */
  logLevel: LogLevel;
  /** Bearer token GET /metrics asks for; null leaves it open (for a private network). */
  metricsToken: string | null;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function numVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function listVar(env: Env, name: string, fallback: string[]): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function parseDatabaseUrl(raw: string): DatabaseConfig {
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length);
    if (path === '') throw new ConfigError('DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:./data/outage-radar.db');
    return { kind: 'sqlite', path };
  }
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    try {
      new URL(raw);
    } catch {
      throw new ConfigError('DATABASE_URL is not a valid postgres:// URL');
    }
    return { kind: 'postgres', url: raw };
  }
  throw new ConfigError('DATABASE_URL must start with sqlite:, postgres:// or postgresql://');
}

function checkHttpUrl(name: string, s: string): string {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new ConfigError(`${name} holds "${s}", which is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`${name} URLs must be http(s)`);
  return s;
}

const MAX_FEEDS = 50;

/** A FEED_URLS entry: an absolute http(s) URL without user:password (it would end up in logs). */
function checkFeedUrl(s: string): string {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new ConfigError(`FEED_URLS holds "${s}", which is not a URL (separate several with commas)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`FEED_URLS holds "${s}": only http:// and https:// feeds can be read`);
  if (u.username || u.password) throw new ConfigError('FEED_URLS URLs must not carry a user name or password');
  return u.href;
}

export function loadConfig(env: Env): ServerConfig {
  const host = env.HOST?.trim() || '127.0.0.1';
  const port = intVar(env, 'PORT', 8787, 0, 65535);
  const database = parseDatabaseUrl(env.DATABASE_URL?.trim() || 'sqlite:./data/outage-radar.db');
  const schema = env.DATABASE_SCHEMA?.trim();
  if (schema) {
    if (database.kind !== 'postgres') throw new ConfigError('DATABASE_SCHEMA only applies to a postgres:// DATABASE_URL');
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new ConfigError('DATABASE_SCHEMA must be a plain lower-case name such as outage_radar');
    database.schema = schema;
  }
  const operatorToken = env.OPERATOR_TOKEN?.trim() || null;
  if (operatorToken !== null && operatorToken.length < 16) {
    throw new ConfigError('OPERATOR_TOKEN must be at least 16 characters (it guards who may post messages)');
  }
  const metricsToken = env.METRICS_TOKEN?.trim() || null;
  if (metricsToken !== null && metricsToken.length < 16) throw new ConfigError('METRICS_TOKEN must be at least 16 characters');
  const logLevel = (env.LOG_LEVEL?.trim().toLowerCase() || 'info') as LogLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  const trustProxy = listVar(env, 'TRUST_PROXY', []);
  try {
    new TrustedProxies(trustProxy);
  } catch (err) {
    throw new ConfigError(`TRUST_PROXY: ${err instanceof Error ? err.message : String(err)}`);
  }

  const t = DEFAULT_THRESHOLDS;
  const thresholds: DetectionThresholds = {
    windowMinutes: intVar(env, 'DETECT_WINDOW_MINUTES', t.windowMinutes, 1, 60),
    networkCap: intVar(env, 'DETECT_NETWORK_CAP', t.networkCap, 1, 1000),
    outageMinReporters: intVar(env, 'DETECT_OUTAGE_MIN_REPORTERS', t.outageMinReporters, 1, 1_000_000),
    outageMinNetworks: intVar(env, 'DETECT_OUTAGE_MIN_NETWORKS', t.outageMinNetworks, 1, 10_000),
    outageMinShare: numVar(env, 'DETECT_OUTAGE_MIN_SHARE', t.outageMinShare, 0, 1),
    outageBaselineFactor: numVar(env, 'DETECT_OUTAGE_BASELINE_FACTOR', t.outageBaselineFactor, 1, 1000),
    degradedMinReporters: intVar(env, 'DETECT_DEGRADED_MIN_REPORTERS', t.degradedMinReporters, 1, 1_000_000),
    degradedMinNetworks: intVar(env, 'DETECT_DEGRADED_MIN_NETWORKS', t.degradedMinNetworks, 1, 10_000),
    degradedMinShare: numVar(env, 'DETECT_DEGRADED_MIN_SHARE', t.degradedMinShare, 0, 1),
    degradedBaselineFactor: numVar(env, 'DETECT_DEGRADED_BASELINE_FACTOR', t.degradedBaselineFactor, 1, 1000),
    minOkSamples: intVar(env, 'DETECT_MIN_OK_SAMPLES', t.minOkSamples, 0, 1_000_000),
    quietMinutes: intVar(env, 'DETECT_QUIET_MINUTES', t.quietMinutes, 0, 240),
    holdFraction: numVar(env, 'DETECT_HOLD_FRACTION', t.holdFraction, 0.05, 1),
    evidenceThreshold: numVar(env, 'DETECT_EVIDENCE_THRESHOLD', t.evidenceThreshold, 0.1, 1000),
    singleMinuteFactor: numVar(env, 'DETECT_SINGLE_MINUTE_FACTOR', t.singleMinuteFactor, 1, 100),
    loneMinuteRatio: numVar(env, 'DETECT_LONE_MINUTE_RATIO', t.loneMinuteRatio, 1, 1e9),
    confirmRatio: numVar(env, 'DETECT_CONFIRM_RATIO', t.confirmRatio, 1, 1000),
    confirmEvidence: numVar(env, 'DETECT_CONFIRM_EVIDENCE', t.confirmEvidence, 0, 1000),
    minExpectedPerMinute: numVar(env, 'DETECT_MIN_EXPECTED_PER_MINUTE', t.minExpectedPerMinute, 0.01, 1_000_000),
    leaveOutNetworks: intVar(env, 'DETECT_LEAVE_OUT_NETWORKS', t.leaveOutNetworks, 0, 100),
    newcomerMinutes: intVar(env, 'DETECT_NEWCOMER_MINUTES', t.newcomerMinutes, 0, 720),
    newcomerAllowance: numVar(env, 'DETECT_NEWCOMER_ALLOWANCE', t.newcomerAllowance, 0, 1000),
    maxTrackedReporters: intVar(env, 'DETECT_MAX_TRACKED_REPORTERS', t.maxTrackedReporters, 0, 100_000_000),
    maxNewReportersPerNetwork: intVar(env, 'DETECT_MAX_NEW_REPORTERS_PER_NETWORK', t.maxNewReportersPerNetwork, 0, 100_000_000),
  };
  if (thresholds.degradedMinReporters > thresholds.outageMinReporters) {
    throw new ConfigError('DETECT_DEGRADED_MIN_REPORTERS must not exceed DETECT_OUTAGE_MIN_REPORTERS');
  }

  const statuspageUrls = listVar(env, 'STATUSPAGE_URLS', []).map((u) => checkHttpUrl('STATUSPAGE_URLS', u));
  const watchedSite = env.WATCHED_SITE?.trim() || 'x.com';
  const sitesList = listVar(env, 'SITES', [watchedSite]);
  for (const site of sitesList) {
    if (site !== '*' && !SITE_RE.test(site)) throw new ConfigError(`SITES holds "${site}", which is not a lower-case host name`);
  }
  const sites = sitesList.includes('*') ? null : sitesList;
  const statuspage: StatuspageConfig | null = statuspageUrls.length
    ? { urls: statuspageUrls, intervalMs: intVar(env, 'STATUSPAGE_INTERVAL_S', 300, 30, 86_400) * 1000, site: watchedSite }
    : null;

  const feedUrls = [...new Set(listVar(env, 'FEED_URLS', []).map((u) => checkFeedUrl(u)))];
  if (feedUrls.length > MAX_FEEDS) throw new ConfigError(`FEED_URLS holds ${feedUrls.length} URLs; at most ${MAX_FEEDS} are polled`);
  const feedInterval = intVar(env, 'FEED_POLL_SECONDS', 300, 60, 86_400) * 1000;
  const feeds: FeedConfig | null = feedUrls.length ? { urls: feedUrls, intervalMs: feedInterval, site: watchedSite } : null;

  const bearer = env.X_BEARER_TOKEN?.trim() || '';
  const accounts = listVar(env, 'X_ACCOUNTS', ['Support', 'XDevelopers', 'API']);
  for (const a of accounts) {
    if (!/^[A-Za-z0-9_]{1,15}$/.test(a)) throw new ConfigError(`X_ACCOUNTS holds "${a}", which is not an X user name`);
  }
  const xApi: XApiConfig | null = bearer
    ? {
        bearerToken: bearer,
        accounts,
        baseUrl: checkHttpUrl('X_API_BASE', env.X_API_BASE?.trim() || 'https://api.x.com'),
        // Reads cost money and count against a 15-minute budget: never poll more than every 2 min.
        intervalMs: intVar(env, 'X_POLL_INTERVAL_S', 300, 120, 86_400) * 1000,
        site: watchedSite,
      }
    : null;

  return {
    host,
    port,
    database,
    operatorToken,
    trustProxy,
    privacyK: intVar(env, 'PRIVACY_K', 5, 1, 1000),
    sightingK: intVar(env, 'SIGHTING_K', 3, 2, 1000),
    retentionDays: intVar(env, 'RETENTION_DAYS', 30, 2, 3650),
    rateLimit: {
      burst: intVar(env, 'RATE_LIMIT_BURST', 600, 1, 1_000_000),
      perMinute: intVar(env, 'RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    },
    thresholds,
    statuspage,
    feeds,
    xApi,
    groupCommitMs: intVar(env, 'GROUP_COMMIT_MS', 2, 0, 1000),
    sites,
    logLevel,
    metricsToken,
  };
}
