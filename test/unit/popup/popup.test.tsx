// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act } from 'preact/test-utils';
import { App } from '../../../src/popup/App.tsx';
import { createMockApi } from '../../../src/popup/mock-api.ts';
import { applyDocumentLocale, setTranslator } from '../../../src/popup/i18n.ts';
import { chartPoints } from '../../../src/shared/ui/Chart.tsx';
import { NOW, popupState, status } from '../background/fixtures.ts';
import { byTestId, mount, settle, useLocale } from './render.ts';

const now = () => NOW;

describe('popup', () => {
  beforeEach(() => {
    useLocale('en');
  });
  afterEach(() => setTranslator(null));

  it('says X is working normally when operational', async () => {
    const root = await mount(<App api={createMockApi(popupState())} now={now} />);
    expect(byTestId(root, 'verdict')!.textContent).toBe('X is working normally');
    expect(byTestId(root, 'diagnosis')).toBeNull();
    expect(byTestId(root, 'updated')!.textContent).toContain('Updated 2 min ago');
    expect(byTestId(root, 'feature-timeline')!.getAttribute('data-state')).toBe('operational');
    expect(byTestId(root, 'stale')).toBeNull();
  });

  it('says X is down in France during an outage there, with per-feature states and counts', async () => {
    const s = popupState({
      status: status('outage', { region: 'FR', regions: [['FR', 'outage', 120], ['DE', 'operational', 5]], features: [['timeline', 'outage', 80], ['dm', 'degraded', 12]] }),
      local: 'down-for-many',
    });
    const root = await mount(<App api={createMockApi(s)} now={now} />);
    expect(byTestId(root, 'verdict')!.textContent).toBe('X is down in France');
    expect(byTestId(root, 'diagnosis')!.textContent).toBe('X is down for many people');
    const tl = byTestId(root, 'feature-timeline')!;
    expect(tl.getAttribute('data-state')).toBe('outage');
    expect(tl.textContent).toContain('80 reports');
    expect(byTestId(root, 'feature-dm')!.getAttribute('data-state')).toBe('degraded');
    expect(byTestId(root, 'region-FR')!.textContent).toContain('France');
    expect(byTestId(root, 'region-DE')!.getAttribute('data-state')).toBe('operational');
    expect(byTestId(root, 'chart-reports')!.getAttribute('d')).toMatch(/^M/);
  });

  it('says X is having problems when degraded', async () => {
    const root = await mount(<App api={createMockApi(popupState({ status: status('degraded', { region: 'FR' }) }))} now={now} />);
    expect(byTestId(root, 'verdict')!.textContent).toBe('X is having problems in France');
  });

  it.each([
    ['offline', 'Your connection looks down'],
    ['just-you', 'X works for others: try reloading'],
    ['maybe-blocked', 'X may be blocked or throttled in your country'],
    ['account-limited', "Your account hit a limit: this isn't an outage"],
    ['unknown', 'X fails in this browser; no crowd status yet to compare with'],
    ['captive-portal', 'Your network is intercepting X (a Wi-Fi login page?): sign in to the network, then reload'],
    ['blocked-here', 'X is blocked in this browser (an extension or a setting), not down'],
  ] as const)('explains the local diagnosis %s', async (local, text) => {
    const root = await mount(<App api={createMockApi(popupState({ local }))} now={now} />);
    expect(byTestId(root, 'diagnosis')!.textContent).toBe(text);
  });

  it('marks a cached status as stale, with the error, when the server is unreachable', async () => {
    const s = popupState({ stale: true, statusError: 'timeout', statusFetchedAt: NOW - 30 * 60_000 });
    const api = createMockApi(s);
    const root = await mount(<App api={api} now={now} />);
    expect(byTestId(root, 'stale')!.textContent).toContain('timeout');
    expect(byTestId(root, 'updated')!.textContent).toContain('Updated 30 min ago');
    // Shown anyway: the last good verdict stays visible.
    expect(byTestId(root, 'verdict')!.textContent).toBe('X is working normally');
    // An old status is refreshed on open.
    expect(api.calls.map((c) => c.method)).toContain('refresh');
  });

  it('lists official messages with author, text and only http(s) links', async () => {
    const s = popupState({
      messages: [
        { id: '1', source: 'x-api', author: '@Support', text: 'We are aware of issues loading posts.', url: 'https://x.com/Support/status/1', publishedAt: NOW - 60_000, lang: 'en' },
        { id: '2', source: 'operator', author: 'Operator', text: 'Resolved.', url: 'javascript:alert(1)', publishedAt: NOW - 120_000, lang: 'en' },
      ],
    });
    const root = await mount(<App api={createMockApi(s)} now={now} />);
    const items = root.querySelectorAll('[data-testid="message"]');
    expect(items).toHaveLength(2);
    expect(items[0]!.textContent).toContain('@Support');
    expect(items[0]!.textContent).toContain('We are aware of issues loading posts.');
    expect(items[0]!.querySelector('a')!.getAttribute('href')).toBe('https://x.com/Support/status/1');
    expect(items[1]!.querySelector('a')).toBeNull();
  });

  it('disables the report button without consent, explains why and links to the options', async () => {
    const api = createMockApi(popupState({ consent: 'unasked' }));
    const root = await mount(<App api={api} now={now} />);
    const button = byTestId(root, 'report-problem') as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    const why = byTestId(root, 'report-disabled')!;
    expect(why.textContent).toContain('Anonymous reports are turned off');
    await act(async () => why.querySelector('a')!.click());
    expect(api.calls.some((c) => c.method === 'openOptions')).toBe(true);
  });

  it('reports a problem for the picked feature when consent is granted', async () => {
    const api = createMockApi(popupState());
    const root = await mount(<App api={api} now={now} />);
    const select = byTestId(root, 'report-feature') as HTMLSelectElement;
    await act(async () => {
      select.value = 'dm';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    const button = byTestId(root, 'report-problem') as HTMLButtonElement;
    expect(button.disabled).toBe(false);
    await act(async () => button.click());
    await settle();
    expect(api.calls.find((c) => c.method === 'reportProblem')!.args).toEqual(['dm']);
    expect(byTestId(root, 'report-result')!.textContent).toContain('Thank you');
  });

  it('shows the status either way: a popup without consent still has the verdict', async () => {
    const root = await mount(<App api={createMockApi(popupState({ consent: 'declined', status: status('outage', { region: 'FR' }) }))} now={now} />);
    expect(byTestId(root, 'verdict')!.textContent).toBe('X is down in France');
  });

  it('renders in Arabic right to left, and in Japanese', async () => {
    // The direction comes from the messages themselves, not from the browser's UI locale.
    useLocale('ar');
    applyDocumentLocale(document);
    expect(document.documentElement.dir).toBe('rtl');
    expect(document.documentElement.lang).toBe('ar');
    let root = await mount(<App api={createMockApi(popupState())} now={now} />);
    expect(byTestId(root, 'verdict')!.textContent).toBe('يعمل X بشكل طبيعي');
    useLocale('ja');
    applyDocumentLocale(document);
    expect(document.documentElement.dir).toBe('ltr');
    root = await mount(<App api={createMockApi(popupState({ status: status('outage', { region: 'JP' }), region: 'JP' }))} now={now} />);
    expect(byTestId(root, 'verdict')!.textContent).toMatch(/^.+ で X がダウンしています$/);
  });

  it('says the status is unknown before the first answer, with the error', async () => {
    const root = await mount(<App api={createMockApi(popupState({ status: null, statusFetchedAt: null, statusError: 'HTTP 502' }))} now={now} />);
    expect(byTestId(root, 'verdict')!.textContent).toBe('Status not known yet');
    expect(byTestId(root, 'stale')!.textContent).toContain('The Outage Radar server could not be reached (HTTP 502)');
  });
});

describe('chart data', () => {
  it('keeps the last 24 hours and sums them into buckets', () => {
    const s = status('operational').series;
    const long = { ...s, reports: [...Array(500).fill(1000), ...s.reports], baseline: [...Array(500).fill(1000), ...s.baseline] };
    const { reports, baseline } = chartPoints(long, 96);
    expect(reports).toHaveLength(96);
    expect(reports.reduce((a, b) => a + b, 0)).toBe(s.reports.reduce((a, b) => a + b, 0));
    expect(baseline.every((b) => b === 45)).toBe(true);
  });

});

describe('popup layout', () => {
  beforeEach(() => {
    useLocale('en');
  });
  afterEach(() => setTranslator(null));

  it('lists features in trouble first, worst first, and the working ones as compact chips', async () => {
    const s = popupState({
      status: status('degraded', {
        region: 'FR',
        regions: [['DE', 'outage', 50], ['FR', 'degraded', 9], ['US', 'operational', 1]],
        features: [['post', 'operational', 0], ['dm', 'degraded', 12], ['search', 'operational', 1], ['timeline', 'outage', 80], ['media', 'degraded', 30]],
      }),
    });
    const root = await mount(<App api={createMockApi(s)} now={now} />);
    const rows = [...root.querySelectorAll('.attention [data-testid^="feature-"]')].map((e) => e.getAttribute('data-testid'));
    expect(rows).toEqual(['feature-timeline', 'feature-media', 'feature-dm']);
    const chips = [...root.querySelectorAll('.chips [data-testid^="feature-"]')];
    expect(chips.map((e) => [e.textContent, e.getAttribute('data-state')])).toEqual([['Posting', 'operational'], ['Search', 'operational']]);
    expect(root.querySelector('.working')!.textContent).toMatch(/^Working:/);
    // The user's own country first, then the worst.
    expect([...root.querySelectorAll('[data-testid^="region-"]')].map((e) => e.getAttribute('data-testid'))).toEqual(['region-FR', 'region-DE', 'region-US']);
  });

  it('puts the verdict card first and the report controls before countries, chart and messages', async () => {
    const s = popupState({ status: status('outage', { region: 'FR', regions: [['FR', 'outage', 120]] }), messages: [] });
    const root = await mount(<App api={createMockApi(s)} now={now} />);
    const order = ['verdict-card', 'report-feature', 'report-problem', 'region-FR', 'chart'].map((id) => byTestId(root, id)!);
    expect(root.querySelector('main')!.firstElementChild).toBe(order[0]);
    for (let i = 1; i < order.length; i++) {
      expect(order[i - 1]!.compareDocumentPosition(order[i]!) & Node.DOCUMENT_POSITION_FOLLOWING, `${i}`).toBeTruthy();
    }
    expect(byTestId(root, 'verdict-card')!.className).toContain('state-outage');
  });

  it('labels the chart: time axis, scale and legend', async () => {
    const root = await mount(<App api={createMockApi(popupState({ status: status('outage', { region: 'FR' }) }))} now={now} />);
    expect([...byTestId(root, 'chart-axis')!.children].map((e) => e.textContent)).toEqual(['24 h ago', '12 h ago', 'now']);
    // The fixture's last 19 minutes carry 50 reports each; a 1-minute series is summed by 15 minutes.
    expect(byTestId(root, 'chart-peak')!.textContent).toBe('peak 750 reports per 15 min');
    expect(byTestId(root, 'chart')!.querySelector('figcaption')!.textContent).toBe('ReportsUsual level');
  });
});
