/**
 * Accepts classifications from the MAIN-world page hook. Anything on the page can post messages
 * to the window, so each one is checked field by field against the protocol's own enums and
 * patterns, and rebuilt from the checked fields only: extra fields never travel on.
 */
import { CODE_RE, FEATURES, OP_RE, SIGNALS, type Feature, type Signal } from '../shared/protocol.ts';
import { PAGE_CHANNEL, type Observation } from '../shared/runtime-messages.ts';

export function parsePageMessage(data: unknown): Observation | null {
  if (typeof data !== 'object' || data === null) return null;
  const msg = data as { channel?: unknown; observation?: unknown };
  if (msg.channel !== PAGE_CHANNEL) return null;
  const o = msg.observation;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return null;
  const { feature, signal, status, op, code } = o as Record<string, unknown>;
  if (!(FEATURES as readonly unknown[]).includes(feature)) return null;
  if (!(SIGNALS as readonly unknown[]).includes(signal) || signal === 'manual') return null;
  const out: Observation = { feature: feature as Feature, signal: signal as Signal, source: 'page' };
  if (status !== undefined) {
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 0 || status > 999) return null;
    out.status = status;
  }
  if (op !== undefined) {
    if (typeof op !== 'string' || !OP_RE.test(op)) return null;
    out.op = op;
  }
  if (code !== undefined) {
    if (typeof code !== 'string' || !CODE_RE.test(code)) return null;
    out.code = code;
  }
  return out;
}

/** Listens on `win` for the hook's messages: same window, same origin, our channel. */
export function listenToPage(win: Window, forward: (o: Observation) => void): () => void {
  const onMessage = (event: MessageEvent) => {
    if (event.source !== win || event.origin !== win.location.origin) return;
    const observation = parsePageMessage(event.data);
    if (observation) forward(observation);
  };
  win.addEventListener('message', onMessage);
  return () => win.removeEventListener('message', onMessage);
}
