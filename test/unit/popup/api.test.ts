import { describe, expect, it } from 'vitest';
import { createRuntimeApi } from '../../../src/popup/api.ts';
import type { RuntimeRequest } from '../../../src/shared/runtime-messages.ts';

describe('runtime façade', () => {
  it('sends exactly the RuntimeRequest messages the background handles', async () => {
    const sent: RuntimeRequest[] = [];
    let opened = 0;
    const api = createRuntimeApi(
      async (m) => {
        sent.push(m);
        return { echoed: m.type };
      },
      async () => void opened++,
    );
    expect(await api.getState()).toEqual({ echoed: 'getState' });
    await api.refresh();
    await api.reportProblem('dm');
    await api.setConsent(true);
    await api.setSettings({ regionOverride: 'ZZ' });
    await api.openOptions();
    expect(sent).toEqual([
      { type: 'getState' },
      { type: 'refresh' },
      { type: 'reportProblem', feature: 'dm' },
      { type: 'setConsent', granted: true },
      { type: 'setSettings', patch: { regionOverride: 'ZZ' } },
    ]);
    expect(opened).toBe(1);
  });

  it('passes the background errors through', async () => {
    const api = createRuntimeApi(async () => {
      throw new Error('endpoint must be an http(s) URL');
    }, async () => undefined);
    await expect(api.setSettings({ endpoint: 'ftp://x' })).rejects.toThrow('http(s) URL');
  });
});
