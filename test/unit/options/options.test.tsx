// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act } from 'preact/test-utils';
import { Options } from '../../../src/options/OptionsPage.tsx';
import { Welcome } from '../../../src/options/WelcomePage.tsx';
import { DATA_COLLECTION } from '../../../src/options/consent.ts';
import type { PermissionsLike } from '../../../src/options/consent.ts';
import { createMockApi } from '../../../src/popup/mock-api.ts';
import { setTranslator } from '../../../src/popup/i18n.ts';
import { popupState } from '../background/fixtures.ts';
import { byTestId, mount, settle, useLocale } from '../popup/render.ts';

const DEFAULT = 'http://127.0.0.1:8787';

function fakePermissions(answer: boolean | 'throw') {
  const requests: unknown[] = [];
  const removed: unknown[] = [];
  const perms: PermissionsLike = {
    async request(p) {
      requests.push(p);
      if (answer === 'throw') throw new Error('Type error for parameter permissions (Unexpected property "data_collection")');
      return answer;
    },
    async remove(p) {
      removed.push(p);
      return true;
    },
  };
  return { perms, requests, removed };
}

async function click(el: HTMLElement) {
  await act(async () => el.click());
  await settle();
}

async function type(input: HTMLInputElement, value: string) {
  await act(async () => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

describe('first-run page', () => {
  beforeEach(() => void useLocale('en'));
  afterEach(() => setTranslator(null));

  it('says in plain words what is sent and what never is', async () => {
    const root = await mount(<Welcome api={createMockApi(popupState({ consent: 'unasked' }))} browserName="chrome" />);
    const sent = byTestId(root, 'sent-list')!.textContent!;
    for (const w of ['which part of X failed', 'kind of failure', 'minute', 'country', 'unknown', 'pseudonym that changes every day', 'version', 'browser']) expect(sent).toContain(w);
    const never = byTestId(root, 'never-list')!.textContent!;
    for (const w of ['web addresses', 'account name', 'post text', 'cookies', 'browsing history', 'identifier']) expect(never).toContain(w);
    expect(byTestId(root, 'consent-accept')!.textContent).toBe('Share anonymous reports');
    expect(byTestId(root, 'consent-decline')!.textContent).toBe('No thanks');
  });

  it('grants consent on Chrome without any permission prompt', async () => {
    const api = createMockApi(popupState({ consent: 'unasked' }));
    const { perms, requests } = fakePermissions(true);
    const root = await mount(<Welcome api={api} browserName="chrome" permissions={perms} />);
    await click(byTestId(root, 'consent-accept')!);
    expect(api.state.consent).toBe('granted');
    expect(requests).toEqual([]);
    expect(byTestId(root, 'consent-outcome')!.textContent).toContain('reports are on');
  });

  it('asks Firefox for the data collection permissions and respects a refusal', async () => {
    const api = createMockApi(popupState({ consent: 'unasked' }));
    const denied = fakePermissions(false);
    const root = await mount(<Welcome api={api} browserName="firefox" permissions={denied.perms} />);
    await click(byTestId(root, 'consent-accept')!);
    expect(denied.requests).toEqual([{ data_collection: [...DATA_COLLECTION] }]);
    expect(api.state.consent).toBe('unasked');
    expect(byTestId(root, 'consent-outcome')!.textContent).toContain('did not grant');
  });

  it('falls back to in-extension consent on a Firefox without data collection permissions', async () => {
    const api = createMockApi(popupState({ consent: 'unasked' }));
    const old = fakePermissions('throw');
    const root = await mount(<Welcome api={api} browserName="firefox" permissions={old.perms} />);
    await click(byTestId(root, 'consent-accept')!);
    expect(api.state.consent).toBe('granted');
  });

  it('"No thanks" records the refusal', async () => {
    const api = createMockApi(popupState({ consent: 'unasked' }));
    const root = await mount(<Welcome api={api} browserName="chrome" />);
    await click(byTestId(root, 'consent-decline')!);
    expect(api.state.consent).toBe('declined');
  });
});

describe('options page', () => {
  beforeEach(() => void useLocale('en'));
  afterEach(() => setTranslator(null));

  function page(api = createMockApi(popupState()), extra: Partial<Parameters<typeof Options>[0]> = {}) {
    return mount(<Options api={api} browserName="chrome" defaultEndpoint={DEFAULT} timeZone="Europe/Paris" {...extra} />);
  }

  it('toggles consent', async () => {
    const api = createMockApi(popupState({ consent: 'unasked' }));
    const root = await page(api);
    const toggle = byTestId(root, 'consent-toggle') as HTMLInputElement;
    expect(toggle.checked).toBe(false);
    await click(toggle);
    expect(api.state.consent).toBe('granted');
    expect((byTestId(root, 'consent-toggle') as HTMLInputElement).checked).toBe(true);
    await click(byTestId(root, 'consent-toggle')!);
    expect(api.state.consent).toBe('declined');
  });

  it('validates the endpoint and resets it to the default', async () => {
    const api = createMockApi(popupState({ settings: { endpoint: 'https://radar.example.org', regionOverride: null, notifyOnChange: false } }));
    const root = await page(api);
    const input = byTestId(root, 'endpoint') as HTMLInputElement;
    expect(input.value).toBe('https://radar.example.org');
    await type(input, 'not a url');
    await click(byTestId(root, 'endpoint-save')!);
    expect(byTestId(root, 'endpoint-error')!.textContent).toContain('http://');
    expect(api.calls.some((c) => c.method === 'setSettings')).toBe(false);
    await type(input, 'https://other.example.org/');
    await click(byTestId(root, 'endpoint-save')!);
    expect(api.state.settings.endpoint).toBe('https://other.example.org/');
    expect(byTestId(root, 'endpoint-error')).toBeNull();
    await click(byTestId(root, 'endpoint-reset')!);
    expect(api.state.settings.endpoint).toBe(DEFAULT);
    expect((byTestId(root, 'endpoint') as HTMLInputElement).value).toBe(DEFAULT);
  });

  it('shows the region guess, and sets an override or hides the country', async () => {
    const api = createMockApi(popupState());
    const root = await page(api);
    expect(root.textContent).toContain('Automatic, from your time zone: France');
    await click(byTestId(root, 'region-hide')!);
    expect(api.state.settings.regionOverride).toBe('ZZ');
    await click(byTestId(root, 'region-override')!);
    expect(api.state.settings.regionOverride).toBe('FR');
    const select = byTestId(root, 'region-select') as HTMLSelectElement;
    expect(select.disabled).toBe(false);
    expect(Array.from(select.options).some((o) => o.value === 'JP' && o.textContent === 'Japan')).toBe(true);
    await act(async () => {
      select.value = 'JP';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await settle();
    expect(api.state.settings.regionOverride).toBe('JP');
    await click(byTestId(root, 'region-auto')!);
    expect(api.state.settings.regionOverride).toBeNull();
  });

  it('turns notifications on only when the browser grants the permission', async () => {
    const api = createMockApi(popupState());
    let grant = false;
    const root = await page(api, { requestNotifications: async () => grant });
    await click(byTestId(root, 'notify-toggle')!);
    expect(api.state.settings.notifyOnChange).toBe(false);
    expect(byTestId(root, 'notice')!.textContent).toContain('did not allow');
    grant = true;
    await click(byTestId(root, 'notify-toggle')!);
    expect(api.state.settings.notifyOnChange).toBe(true);
  });

  it('shows the queue: pending, sent, drops by reason, last error, next attempt', async () => {
    const api = createMockApi(
      popupState({ queue: { pending: 4, sent: 17, dropped: { rejected: 2, overflow: 1, expired: 0 }, lastError: 'HTTP 503', nextAttemptAt: Date.UTC(2026, 10, 22, 12, 5) } }),
    );
    const root = await page(api);
    expect(byTestId(root, 'queue-pending')!.textContent).toBe('4');
    expect(byTestId(root, 'queue-sent')!.textContent).toBe('17');
    const dropped = byTestId(root, 'queue-dropped')!.textContent!;
    expect(dropped).toContain('refused by the server: 2');
    expect(dropped).toContain('queue full: 1');
    expect(dropped).not.toContain('older than 24 hours');
    expect(byTestId(root, 'queue-last-error')!.textContent).toBe('HTTP 503');
    expect(byTestId(root, 'queue-next-attempt')!.textContent).toMatch(/2026/);
  });
});

describe('Firefox data collection permissions', () => {
  it('asks for exactly the optional categories the Firefox manifest declares', async () => {
    const { readFileSync } = await import('node:fs');
    // vitest runs from the repository root (jsdom gives import.meta.url no file: scheme).
    const manifest = JSON.parse(readFileSync(`${process.cwd()}/manifest.firefox.json`, 'utf8')) as {
      browser_specific_settings: { gecko: { data_collection_permissions: { optional: string[] } } };
    };
    // Asking for a category the manifest does not declare fails in Firefox; declaring one that is
    // never asked for would claim a collection the extension does not make.
    expect([...DATA_COLLECTION].sort()).toEqual([...manifest.browser_specific_settings.gecko.data_collection_permissions.optional].sort());
  });
});
