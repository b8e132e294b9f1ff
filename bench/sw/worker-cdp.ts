/**
 * A DevTools Protocol session on the extension's service-worker target. playwright-core opens
 * CDP sessions on pages only, so this goes through the browser session and the (non-flat)
 * Target.attachToTarget / sendMessageToTarget pair, which reaches any target.
 */
import type { CDPSession } from 'playwright-core';
import { withTimeout } from '../../test/e2e/lib/wait.ts';

interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
}

interface Reply {
  id: number;
  result?: Record<string, unknown>;
  error?: { message: string };
}

export interface RemoteObject {
  type: string;
  value?: unknown;
  objectId?: string;
  description?: string;
}

export class WorkerCdp {
  private nextId = 0;
  private readonly waiting = new Map<number, (r: Reply) => void>();

  private constructor(
    private readonly browser: CDPSession,
    private readonly sessionId: string,
  ) {
    browser.on('Target.receivedMessageFromTarget', (e: { sessionId: string; message: string }) => {
      if (e.sessionId !== this.sessionId) return;
      const m = JSON.parse(e.message) as Partial<Reply>;
      if (typeof m.id !== 'number') return;
      this.waiting.get(m.id)?.(m as Reply);
      this.waiting.delete(m.id);
    });
  }

  static async attach(browser: CDPSession, workerUrlPrefix: string): Promise<WorkerCdp> {
    const { targetInfos } = (await browser.send('Target.getTargets')) as { targetInfos: TargetInfo[] };
    const target = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(workerUrlPrefix));
    if (!target) throw new Error(`no service-worker target at ${workerUrlPrefix}; targets: ${targetInfos.map((t) => `${t.type} ${t.url}`).join(', ')}`);
    const { sessionId } = (await browser.send('Target.attachToTarget', { targetId: target.targetId, flatten: false })) as { sessionId: string };
    return new WorkerCdp(browser, sessionId);
  }

  async send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = ++this.nextId;
    const reply = new Promise<Reply>((resolve) => this.waiting.set(id, resolve));
    await this.browser.send('Target.sendMessageToTarget', { sessionId: this.sessionId, message: JSON.stringify({ id, method, params }) });
    const r = await withTimeout(reply, 20_000, `the service worker did not answer ${method}`);
    if (r.error) throw new Error(`${method}: ${r.error.message}`);
    return r.result ?? {};
  }

  /** Evaluates an expression in the worker (promises awaited) and returns its JSON value. */
  async value<T>(expression: string): Promise<T> {
    const r = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    const ex = r.exceptionDetails as { exception?: { description?: string }; text?: string } | undefined;
    if (ex) throw new Error(`in the service worker: ${ex.exception?.description ?? ex.text ?? 'exception'}`);
    return (r.result as RemoteObject).value as T;
  }

  async handle(expression: string): Promise<string> {
    const r = await this.send('Runtime.evaluate', { expression });
    const id = (r.result as RemoteObject).objectId;
    if (!id) throw new Error(`${expression} is not an object in the service worker`);
    return id;
  }

  /** Calls `fn` (source text) with `this` = the object and returns its JSON value. */
  async callOn<T>(objectId: string, fn: string): Promise<T> {
    const r = await this.send('Runtime.callFunctionOn', { objectId, functionDeclaration: fn, returnByValue: true, awaitPromise: true });
    const ex = r.exceptionDetails as { exception?: { description?: string } } | undefined;
    if (ex) throw new Error(`in the service worker: ${ex.exception?.description ?? 'exception'}`);
    return (r.result as RemoteObject).value as T;
  }

  async detach(): Promise<void> {
    await this.browser.send('Target.detachFromTarget', { sessionId: this.sessionId }).catch(() => undefined);
  }
}
