/** The popup: verdict for the user's region, local diagnosis, features, regions, chart, messages, report button. */
import { useEffect, useMemo } from 'preact/hooks';
import { signal } from '@preact/signals';
import type { Signal } from '@preact/signals';
import { FEATURES, isHttpUrl } from '../shared/protocol.ts';
import type { Feature, OfficialMessage, State, StatusResponse } from '../shared/protocol.ts';
import type { PopupState } from '../shared/runtime-messages.ts';
import type { ExtensionApi } from './api.ts';
import { Chart } from './Chart.tsx';
import { formatTime, regionName, updatedAgo } from './format.ts';
import { t, uiLanguage } from './i18n.ts';
import { diagnosisKey, verdictSentence } from './verdict.ts';
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

      {s.status && s.status.regions.length > 0 && (
        <section>
          <h2>{t('regionsHeading')}</h2>
          <ul class="rows regions">
            {byConcern(s.status.regions, (r) => r.region === s.region).map((r) => (
              <li key={r.region} data-testid={`region-${r.region}`} data-state={r.state} class={`state-${r.state}${r.region === s.region ? ' mine' : ''}`}>
                <span class="name">{regionName(r.region)}</span>
                <span class="state">{t(`state_${r.state}`)}</span>
                <span class="count">{t('reportsCount', [r.reports15m])}</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      {s.status && (
        <section>
          <h2>{t('chartHeading')}</h2>
          <Chart series={s.status.series} />
        </section>
      )}

      <section>
        <h2>{t('messagesHeading')}</h2>
        {shown.length === 0 ? <p class="muted">{t('noMessages')}</p> : <Messages messages={shown} />}
      </section>

      <footer>
        <a href="#" data-testid="open-options" onClick={(e) => (e.preventDefault(), void api.openOptions())}>
          {t('optionsLink')}
        </a>
        {m.error.value && <span class="error"> {m.error.value}</span>}
      </footer>
    </main>
  );
}

const RANK: Record<State, number> = { outage: 0, degraded: 1, operational: 2 };

/** Worst first, then most reported; `pinned` rows (the user's own country) lead. */
export function byConcern<T extends { state: State; reports15m: number }>(rows: readonly T[], pinned: (r: T) => boolean = () => false): T[] {
  return [...rows].sort((a, b) => Number(pinned(b)) - Number(pinned(a)) || RANK[a.state] - RANK[b.state] || b.reports15m - a.reports15m);
}

/** Features in trouble as rows with their counts; the working ones as a compact list of chips. */
function Features({ features }: { features: StatusResponse['features'] }) {
  const attention = byConcern(features.filter((f) => f.state !== 'operational'));
  const working = features.filter((f) => f.state === 'operational');
  return (
    <section class="features">
      <h2>{t('featuresHeading')}</h2>
      {attention.length > 0 && (
        <ul class="rows attention">
          {attention.map((f) => (
            <li key={f.feature} data-testid={`feature-${f.feature}`} data-state={f.state} class={`state-${f.state}`}>
              <span class="name">{t(`feature_${f.feature}`)}</span>
              <span class="state">{t(`state_${f.state}`)}</span>
              <span class="count">{t('reportsCount', [f.reports15m])}</span>
            </li>
          ))}
        </ul>
      )}
      {working.length > 0 && (
        <div class="working">
          <span class="label">{t('workingLabel')}</span>
          <ul class="chips">
            {working.map((f) => (
              <li key={f.feature} data-testid={`feature-${f.feature}`} data-state={f.state} class="chip" title={t('reportsCount', [f.reports15m])}>
                {t(`feature_${f.feature}`)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

/** Where a message comes from, in the UI language (the source is not the author: a feed's author is the feed). */
export function sourceLabel(msg: OfficialMessage): string {
  if ((msg as { seenHere?: unknown }).seenHere === true) return t('sourceSeenHere');
  const seenBy = (msg as { seenBy?: unknown }).seenBy;
  switch (msg.source as string) {
    case 'x-api':
      return t('sourceXApi');
    case 'statuspage':
      return t('sourceStatuspage');
    case 'feed':
      return t('sourceFeed');
    case 'operator':
      return t('sourceOperator');
    case 'crowd':
      return t('sourceCrowd');
    case 'x-sighting':
      return typeof seenBy === 'number' && Number.isFinite(seenBy) ? t('sourceSeenBy', [Math.floor(seenBy)]) : t('sourceOfficial');
    default:
      return '';
  }
}

function Messages({ messages }: { messages: OfficialMessage[] }) {
  // Newest first, whatever order the sources arrived in.
  const sorted = [...messages].sort((a, b) => b.publishedAt - a.publishedAt);
  return (
    <ul class="messages">
      {sorted.map((msg) => (
        // dir="auto": an English notice inside the Arabic popup keeps its own direction.
        <li key={msg.id} data-testid="message" data-source={msg.source} data-seen-here={(msg as { seenHere?: true }).seenHere ? 'true' : undefined} lang={msg.lang} dir="auto">
          <div class="meta">
            {/* Each part isolated: an Arabic date inside an English notice must not reorder the line. */}
            <strong dir="auto">{msg.author}</strong> ·{' '}
            <span class="source" dir="auto" lang={uiLanguage()} data-testid="message-source">
              {sourceLabel(msg)}
            </span>{' '}
            ·{' '}
            <time dir="auto" dateTime={new Date(msg.publishedAt).toISOString()}>
              {formatTime(msg.publishedAt)}
            </time>
          </div>
          <p>{msg.text}</p>
          {/* Only http(s) links: a hostile server must not slip a javascript: URL into the popup. */}
          {isHttpUrl(msg.url) && (
            <a href={msg.url} target="_blank" rel="noopener noreferrer">
              {t('messageLink')}
            </a>
          )}
        </li>
      ))}
    </ul>
  );
}
