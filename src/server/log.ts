/**
 * The server's structured log: one JSON object per line on stderr (pino), so a log shipper can
 * read it without parsing prose. stdout stays reserved for the one "listening on" line.
 *
 * What never goes in: client addresses, user agents, request bodies or headers. The call sites
 * simply never pass them; the redaction below is a second line of defence in case one someday
 * logs a whole object that carries them.
 */
import pino, { type DestinationStream, type Level, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = Level | 'silent';

/** Keys that would carry what a reporter sent or who they are; removed wherever they appear near the top. */
const PRIVATE_KEYS = ['ip', 'address', 'remoteAddress', 'userAgent', 'user-agent', 'headers', 'body', 'xForwardedFor', 'x-forwarded-for'];
const plainKey = (k: string) => /^[A-Za-z_]\w*$/.test(k);
const REDACT_PATHS = [...PRIVATE_KEYS.flatMap((k) => (plainKey(k) ? [k, `*.${k}`] : [`["${k}"]`, `*["${k}"]`])), 'req', 'res'];

let stderr: DestinationStream | null = null;

/** One synchronous stderr stream for every logger in the process: a line is out before process.exit. */
function stderrStream(): DestinationStream {
  stderr ??= pino.destination({ fd: 2, sync: true });
  return stderr;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where the lines go; default stderr. Tests pass a stream they read. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: 'outage-radar',
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, remove: true },
      // The error's message and type only: a stack says nothing an operator can act on here,
      // and a driver's error object may hold the values of the row it refused.
      serializers: { err: (err: unknown) => (err instanceof Error ? { type: err.name, message: err.message } : { message: String(err) }) },
    },
    options.destination ?? stderrStream(),
  );
}

let fallback: Logger | null = null;

/** For code that runs outside a configured server (library use, tests): info level on stderr. */
export function defaultLogger(): Logger {
  fallback ??= createLogger({ level: 'info' });
  return fallback;
}

/** The message of anything thrown, for a log field. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * An error that repeats per request (the database went away, every submission fails the same
 * way) logged at most once per `everyMs` for each message, with how many were held back since:
 * a thousand identical lines a second would bury the one that says when it started.
 */
export function throttledErrorLog(log: Logger, everyMs = 10_000, now: () => number = Date.now): (err: unknown, msg: string) => void {
  const last = new Map<string, { at: number; held: number }>();
  return (err, msg) => {
    const t = now();
    const seen = last.get(msg);
    if (seen && t - seen.at < everyMs) {
      seen.held++;
      return;
    }
    log.error({ err, ...(seen?.held ? { suppressed: seen.held } : {}) }, msg);
    last.set(msg, { at: t, held: 0 });
  };
}
