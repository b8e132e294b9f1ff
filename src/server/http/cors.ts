/**
 * CORS for the extension only: its pages and background run at chrome-extension:// or
 * moz-extension:// origins, and answering them here means the extension needs no host
 * permission for the endpoint. Web pages get no CORS headers, so they cannot read answers.
 */
import type { MiddlewareHandler } from 'hono';

const EXTENSION_ORIGIN_RE = /^(?:chrome-extension|moz-extension):\/\/[A-Za-z0-9-]{1,64}$/;

export function isExtensionOrigin(origin: string | undefined | null): origin is string {
  return typeof origin === 'string' && EXTENSION_ORIGIN_RE.test(origin);
}

export function extensionCors(): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    const allowed = isExtensionOrigin(origin);
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      const headers = new Headers({ Vary: 'Origin' });
      if (allowed) {
        headers.set('Access-Control-Allow-Origin', origin);
        headers.set('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
        headers.set('Access-Control-Allow-Headers', 'Content-Type, Authorization');
        headers.set('Access-Control-Max-Age', '600');
      }
      return new Response(null, { status: 204, headers });
    }
    await next();
    c.res.headers.append('Vary', 'Origin');
    if (allowed) {
      c.res.headers.set('Access-Control-Allow-Origin', origin);
      // The extension must read Retry-After to back off.
      c.res.headers.set('Access-Control-Expose-Headers', 'Retry-After');
    }
  };
}
