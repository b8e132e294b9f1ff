/**
 * Watches the page's XMLHttpRequests to x.com's API. open() and send() keep their exact
 * arguments and return values; our part only records the endpoint and adds listeners, each in a
 * try/catch, so nothing of ours can change or break what the page sees.
 */
import type { EndpointMatch } from '../shared/x-endpoints.ts';
import { classifyApiAnswer, edgeSeen, type PageObservation } from './classify.ts';
import { isJson, parseErrorsBody } from './read-body.ts';

interface Watch {
  endpoint: EndpointMatch;
  aborted: boolean;
  timedOut: boolean;
}

function bodyOf(xhr: XMLHttpRequest, contentType: string | null): unknown {
  if (!isJson(contentType)) return undefined;
  // Already parsed by the browser for the page: reading it costs nothing.
  if (xhr.responseType === 'json') return xhr.response as unknown;
  if (xhr.responseType !== '' && xhr.responseType !== 'text') return undefined;
  return parseErrorsBody(xhr.responseText);
}

/** Which URLs are watched: returns the endpoint of an x.com API call, null for anything else. */
export type EndpointOf = (url: string) => EndpointMatch | null;

/** `seen` (optional) gets each answer classified ok, parsed (responseType json) or as text (for official posts, official.ts). */
export function wrapXhr(XHR: typeof XMLHttpRequest, endpointOf: EndpointOf, emit: (o: PageObservation) => void, seen: (body: unknown) => void = () => {}): void {
  const proto = XHR.prototype;
  const open = proto.open;
  const send = proto.send;
  const watches = new WeakMap<XMLHttpRequest, Watch>();
  const listening = new WeakSet<XMLHttpRequest>();

  const finish = (xhr: XMLHttpRequest) => {
    const w = watches.get(xhr);
    if (!w) return;
    watches.delete(xhr);
    const contentType = xhr.getResponseHeader('content-type');
    const observation = classifyApiAnswer({
      feature: w.endpoint.feature,
      ...(w.endpoint.op ? { op: w.endpoint.op } : {}),
      status: xhr.status,
      aborted: w.aborted,
      timedOut: w.timedOut,
      contentType,
      rateLimitRemaining: xhr.getResponseHeader('x-rate-limit-remaining'),
      edge: edgeSeen((name) => xhr.getResponseHeader(name)),
      body: xhr.status === 0 ? undefined : bodyOf(xhr, contentType),
    });
    if (observation) emit(observation);
    // The parsed object (responseType json) or the text; official.ts parses only JSON naming an official id.
    if (observation?.signal === 'ok') seen(xhr.response);
  };

  const listen = (xhr: XMLHttpRequest) => {
    if (listening.has(xhr)) return;
    listening.add(xhr);
    const guard = (fn: (w: Watch) => void) => () => {
      try {
        const w = watches.get(xhr);
        if (w) fn(w);
      } catch {
        /* ours only: the page never sees it */
      }
    };
    xhr.addEventListener('abort', guard((w) => (w.aborted = true)));
    xhr.addEventListener('timeout', guard((w) => (w.timedOut = true)));
    xhr.addEventListener('loadend', () => {
      try {
        finish(xhr);
      } catch {
        /* ours only */
      }
    });
  };

  proto.open = function (this: XMLHttpRequest, ...args: unknown[]) {
    try {
      watches.delete(this);
      const url = args[1];
      const endpoint = typeof url === 'string' ? endpointOf(url) : url instanceof URL ? endpointOf(url.href) : null;
      if (endpoint) watches.set(this, { endpoint, aborted: false, timedOut: false });
    } catch {
      /* ours only */
    }
    // The same arguments, count included: open(m, u) and open(m, u, undefined) differ.
    return Reflect.apply(open, this, args) as void;
  } as typeof proto.open;

  proto.send = function (this: XMLHttpRequest, ...args: unknown[]) {
    try {
      const w = watches.get(this);
      if (w) {
        w.aborted = false;
        w.timedOut = false;
        listen(this);
      }
    } catch {
      /* ours only */
    }
    return Reflect.apply(send, this, args) as void;
  } as typeof proto.send;
}
