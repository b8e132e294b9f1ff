import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Cert {
  key: string;
  cert: string;
}

/**
 * A throwaway certificate for the fixture hosts. x.com is HSTS-preloaded, so the browser only
 * talks https to it; the browser runs with --ignore-certificate-errors, this just has to exist.
 */
export function makeSelfSignedCert(hosts: readonly string[]): Cert {
  const dir = mkdtempSync(join(tmpdir(), 'outage-radar-bench-cert-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=${hosts[0] ?? 'localhost'}`,
      '-addext', `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  } catch (error) {
    throw new Error(`could not make a self-signed certificate with openssl (is it installed?): ${String(error)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
