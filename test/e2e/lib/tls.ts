import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Cert {
  key: Buffer;
  cert: Buffer;
}

export const FIXTURE_HOSTS = ['x.com', 'api.x.com', 'twitter.com', 'mobile.x.com', 'mobile.twitter.com'];

/** A throwaway self-signed certificate for the fixture hosts, made fresh in `dir` for each run. */
export function makeCert(dir: string): Cert {
  const keyFile = join(dir, 'fixture.key');
  const certFile = join(dir, 'fixture.crt');
  const san = FIXTURE_HOSTS.map((h) => `DNS:${h}`).concat('IP:127.0.0.1').join(',');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=x.com', '-addext', `subjectAltName=${san}`],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 },
    );
  } catch (err) {
    throw new Error(`openssl could not make the fixture certificate (Debian package: openssl): ${(err as Error).message}`);
  }
  return { key: readFileSync(keyFile), cert: readFileSync(certFile) };
}
