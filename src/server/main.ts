/**
 * `npm run server`: reads the configuration from the environment, starts the server, prints the
 * one line the e2e tests wait for, and shuts down cleanly on SIGTERM or SIGINT.
 */
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from './config.ts';
import { startServer } from './http/server.ts';
import { defaultLogger } from './log.ts';

export { loadConfig, ConfigError } from './config.ts';
export { startServer, createServices } from './http/server.ts';
export { createApp } from './http/app.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      // LOG_LEVEL is not known yet: the default logger says why the server will not start.
      defaultLogger().fatal(`bad configuration: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  let server;
  try {
    server = await startServer(config);
  } catch (err) {
    defaultLogger().fatal({ err }, `could not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  // Exactly this line, on stdout: scripts and the e2e tests wait for it.
  console.log(`Outage Radar server listening on ${server.url}`);
  const log = server.services.logger;
  log.info({ url: server.url }, 'listening');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, `${signal} received, shutting down`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.fatal({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href) void main();
