/** The popup: verdict for the user's region, local diagnosis, features, regions, chart, messages, report button. */
import { useEffect, useMemo } from 'preact/hooks';
import { signal } from '@preact/signals';
import type { Signal } from '@preact/signals';
import { FEATURES } from '../shared/protocol.ts';
import type { Feature } from '../shared/protocol.ts';
import type { PopupState } from '../shared/runtime-messages.ts';
import { Chart } from '../shared/ui/Chart.tsx';
import { LocaleContext } from '../shared/ui/i18n.ts';
import { Features, MessagesSection, Regions } from '../shared/ui/StatusParts.tsx';
import { verdictSentence } from '../shared/ui/verdict.ts';
import type { ExtensionApi } from './api.ts';
import { regionName, updatedAgo } from './format.ts';
import { t, uiLanguage } from './i18n.ts';
import { diagnosisKey } from './verdict.ts';
import { withLocalSightings } from './sightings.ts';

interface Model {
  state: Signal<PopupState | null>;
  error: Signal<string | null>;
  busy: Signal<boolean>;
  feature: Signal<Feature>;
  reportResult: Signal<string | null>;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function App({ api, now = () => Date.now() }: { api: ExtensionApi; now?: () => number }) {
  const m = useMemo<Model>(
    () => ({ state: signal(null), error: signal(null), busy: signal(false), feature: signal<Feature>('timeline'), reportResult: signal(null) }),
    [],
  );
  useEffect(() => {
    api.getState().then(
      (s) => {
        m.state.value = s;
        // A status older than a poll interval is refreshed on open, so the popup is never behind.
        if (s.statusFetchedAt === null || now() - s.statusFetchedAt > 60_000) void refresh();
      },
      (e: unknown) => (m.error.value = message(e)),
    );
  }, []);

  async function refresh() {
    m.busy.value = true;
    try {
      m.state.value = await api.refresh();
      m.error.value = null;
    } catch (e) {
      m.error.value = message(e);
    } finally {
      m.busy.value = false;
    }
  }

  async function report() {
    try {
      const r = await api.reportProblem(m.feature.value);
      m.reportResult.value = r.queued ? t('reportQueued') : r.reason === 'already_reported' ? t('reportAlreadySent') : t('reportNotQueued');
      m.state.value = await api.getState();
    } catch (e) {
      m.reportResult.value = message(e);
    }
  }

  const s = m.state.value;
  if (!s) {
    return <main class="popup">{m.error.value ? <p class="error">{t('errorLoading', [m.error.value])}</p> : <p>{t('loading')}</p>}</main>;
  }
  const verdict = verdictSentence(s.status, s.region);
  // The server's messages plus official posts seen on this browser's own timeline (shown even when the server is unreachable).
  const shown = withLocalSightings(s.messages, s.sightings);
  const localKey = diagnosisKey(s.local);
  const reportDisabled = s.consent !== 'granted';
  return (
    <LocaleContext.Provider value={{ t, lang: uiLanguage() }}>
      <main class="popup">
        {/* The answer first: one coloured card a worried user reads in a second. */}
        <header class={`card state-${verdict.state}`} data-testid="verdict-card">
          <h1 data-testid="verdict">
            <span class="dot" aria-hidden="true" />
            {t(verdict.key, verdict.region ? [regionName(verdict.region)] : [])}
          </h1>
          {localKey && (
            <p class="diagnosis" data-testid="diagnosis" data-diagnosis={s.local}>
              {t(localKey)}
            </p>
          )}
          <p class="updated" data-testid="updated">
            {updatedAgo(s.statusFetchedAt, now())}
            {s.stale && (
              <span class="stale" data-testid="stale">
                {' '}
                {t('staleMarker', [s.statusError ?? '?'])}
              </span>
            )}
            {!s.stale && s.status === null && s.statusError && (
              <span class="stale" data-testid="stale">
                {' '}
                {t('serverUnreachable', [s.statusError])}
              </span>
            )}{' '}
            <button type="button" class="link" onClick={() => void refresh()} disabled={m.busy.value} data-testid="refresh">
              {t('refresh')}
            </button>
          </p>
        </header>

        {s.status && <Features features={s.status.features} />}

        {/* Kept above the fold: the one thing the user can do. */}
        <section class="report">
          <div class="report-row">
            <label class="sr-only" for="report-feature">
              {t('reportFeatureLabel')}
            </label>
            <select
              id="report-feature"
              value={m.feature.value}
              onChange={(e) => (m.feature.value = (e.currentTarget as HTMLSelectElement).value as Feature)}
              disabled={reportDisabled}
              data-testid="report-feature"
            >
              {FEATURES.map((f) => (
                <option key={f} value={f}>
                  {t(`feature_${f}`)}
                </option>
              ))}
            </select>
            <button type="button" class="primary" data-testid="report-problem" disabled={reportDisabled} onClick={() => void report()}>
              {t('reportButton')}
            </button>
          </div>
          {reportDisabled && (
            <p class="muted" data-testid="report-disabled">
              {t('reportDisabled')}{' '}
              <a href="#" onClick={(e) => (e.preventDefault(), void api.openOptions())}>
                {t('enableReportsLink')}
              </a>
            </p>
          )}
          {m.reportResult.value && (
            <p role="status" data-testid="report-result">
              {m.reportResult.value}
            </p>
          )}
        </section>

        {s.status && <Regions regions={s.status.regions} mine={s.region} />}

        {s.status && (
          <section>
            <h2>{t('chartHeading')}</h2>
            <Chart series={s.status.series} />
          </section>
        )}

        <MessagesSection messages={shown} />

        <footer>
          <a href="#" data-testid="open-options" onClick={(e) => (e.preventDefault(), void api.openOptions())}>
            {t('optionsLink')}
          </a>
          {m.error.value && <span class="error"> {m.error.value}</span>}
        </footer>
      </main>
    </LocaleContext.Provider>
  );
}
