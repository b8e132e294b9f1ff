/**
 * What other users would send: the crowd-outage recipe (60 distinct reporters on 12 networks,
 * told apart by X-Forwarded-For, which the server trusts from loopback) and operator messages.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { floorToMinute, type Feature, type Report } from '../../../src/shared/protocol.ts';
import { OPERATOR_TOKEN } from './server.ts';

export const CROWD_NETWORKS: string[] = [
  '192.0.2.',
  '198.51.100.',
  '203.0.113.',
  ...Array.from({ length: 9 }, (_, i) => `2001:db8:${i + 1}::`),
];

export interface CrowdOptions {
  region?: string;
  feature?: Feature;
  reportersPerNetwork?: number;
  /** Address prefixes, one per network (default CROWD_NETWORKS). */
  networks?: readonly string[];
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
}

/** Posts the crowd outage; throws unless the server accepted every report. */
export async function postCrowdOutage(serverUrl: string, opts: CrowdOptions = {}): Promise<number> {
  const region = opts.region ?? 'FR';
  const feature = opts.feature ?? 'timeline';
  const perNetwork = opts.reportersPerNetwork ?? 5;
  const at = floorToMinute(Date.now());
  let accepted = 0;
  for (const network of opts.networks ?? CROWD_NETWORKS) {
    for (let host = 1; host <= perNetwork; host++) {
      const report: Report = {
        id: randomUUID(),
        site: 'x.com',
        feature,
        signal: 'http_5xx',
        region,
        at,
        reporter: `crowd_${randomBytes(12).toString('base64url')}`,
        client: { version: '0.1.0', browser: 'test' },
      };
      const res = await postJson(`${serverUrl}/v1/reports`, { reports: [report] }, { 'x-forwarded-for': `${network}${host}` });
      const text = await res.text();
      if (res.status !== 202) throw new Error(`crowd report from ${network}${host} got ${res.status}: ${text}`);
      accepted += (JSON.parse(text) as { accepted: number }).accepted;
    }
  }
  return accepted;
}

export interface OperatorMessage {
  site: string;
  author: string;
  text: string;
  url: string;
  lang: string;
}

export async function postOperatorMessage(serverUrl: string, message: OperatorMessage): Promise<unknown> {
  const res = await postJson(`${serverUrl}/v1/messages`, message, { authorization: `Bearer ${OPERATOR_TOKEN}` });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST /v1/messages answered ${res.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}
