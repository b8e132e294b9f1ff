/**
 * The production endpoint baked into store packages. A package is installed by people who never
 * see this setting, so a typo or a plain-http address would ship to all of them: refuse it here.
 */

export const ENDPOINT_VAR = 'OUTAGE_RADAR_ENDPOINT';
/** Set to 1 to allow an http:// endpoint, for packages tried against a local server only. */
export const ALLOW_HTTP_VAR = 'OUTAGE_RADAR_ALLOW_HTTP';

export function resolveEndpoint(env: Record<string, string | undefined>): string {
  const raw = env[ENDPOINT_VAR]?.trim();
  if (!raw) {
    throw new Error(`${ENDPOINT_VAR} is not set: give the production server's address, e.g. ${ENDPOINT_VAR}=https://outage-radar.example.org npm run package`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${ENDPOINT_VAR}=${JSON.stringify(raw)} is not a URL`);
  }
  if (url.protocol === 'http:') {
    if (env[ALLOW_HTTP_VAR] !== '1') {
      throw new Error(`${ENDPOINT_VAR}=${raw} is plain http: store packages must use https (set ${ALLOW_HTTP_VAR}=1 only to try a package against a local server)`);
    }
  } else if (url.protocol !== 'https:') {
    throw new Error(`${ENDPOINT_VAR}=${raw}: only https:// addresses are accepted`);
  }
  if (url.username || url.password) throw new Error(`${ENDPOINT_VAR}=${raw} carries credentials: they would ship inside the package`);
  if (url.search || url.hash) throw new Error(`${ENDPOINT_VAR}=${raw} has a query or fragment: give the server's base address only`);
  // The extension appends "/v1/..." to this base, so a trailing slash would make "//v1".
  return url.href.replace(/\/+$/, '');
}
