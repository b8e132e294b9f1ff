/** Options: consent, server endpoint, country, notifications, and the outgoing queue's numbers. */
import { useEffect, useMemo } from 'preact/hooks';
import { signal } from '@preact/signals';
import { isHttpUrl } from '../shared/protocol.ts';
import type { PopupState } from '../shared/runtime-messages.ts';
import type { ExtensionApi } from '../popup/api.ts';
import { formatTime, regionName } from '../popup/format.ts';
import { t } from '../popup/i18n.ts';
import { TZ_REGIONS } from '../background/tz-regions.ts';
import { regionFromTimeZone } from '../background/region.ts';
import { optIn, optOut } from './consent.ts';
import type { PermissionsLike } from './consent.ts';

export interface OptionsProps {
  api: ExtensionApi;
  browserName: string;
  defaultEndpoint: string;
  timeZone: string | undefined;
  permissions?: PermissionsLike;
  /** Asks for the optional notifications permission; resolves whether it was granted. */
  requestNotifications?: () => Promise<boolean>;
}

/** Every country the time-zone table knows, sorted by its localized name. */
export function countryChoices(): { code: string; name: string }[] {
  const codes = [...new Set(Object.values(TZ_REGIONS))];
  return codes.map((code) => ({ code, name: regionName(code) })).sort((a, b) => a.name.localeCompare(b.name));
}

type RegionMode = 'auto' | 'override' | 'hide';

function modeOf(override: string | null): RegionMode {
  return override === null ? 'auto' : override === 'ZZ' ? 'hide' : 'override';
}

export function Options(props: OptionsProps) {
  const { api } = props;
  const m = useMemo(
    () => ({
      state: signal<PopupState | null>(null),
      endpoint: signal(''),
      endpointError: signal<string | null>(null),
      notice: signal<string | null>(null),
      error: signal<string | null>(null),
    }),
    [],
  );
  const countries = useMemo(countryChoices, []);
  const guess = regionFromTimeZone(props.timeZone);

  function show(s: PopupState) {
    m.state.value = s;
    m.endpoint.value = s.settings.endpoint;
  }
  const fail = (e: unknown) => (m.error.value = e instanceof Error ? e.message : String(e));
  useEffect(() => {
    api.getState().then(show, fail);
  }, []);

  const s = m.state.value;
  if (!s) return <main class="page">{m.error.value ? <p class="error">{m.error.value}</p> : <p>{t('loading')}</p>}</main>;

  function toggleConsent(on: boolean) {
    const p = on
      ? optIn(api, props.browserName, props.permissions).then((r) => {
          if (r.permission === 'denied') m.notice.value = t('welcomePermissionDenied');
          return r.state;
        })
      : optOut(api, props.browserName, props.permissions);
    p.then(show, fail);
  }

  function saveEndpoint(value: string) {
    const v = value.trim();
    if (!isHttpUrl(v)) {
      m.endpointError.value = t('endpointInvalid');
      return;
    }
    m.endpointError.value = null;
    api.setSettings({ endpoint: v }).then((st) => {
      show(st);
      m.notice.value = t('saved');
    }, fail);
  }

  function setRegion(mode: RegionMode, code?: string) {
    const regionOverride = mode === 'auto' ? null : mode === 'hide' ? 'ZZ' : (code ?? (guess !== 'ZZ' ? guess : countries[0]?.code ?? null));
    api.setSettings({ regionOverride }).then(show, fail);
  }

  async function toggleNotifications(box: HTMLInputElement) {
    const on = box.checked;
    const granted = !on || !props.requestNotifications || (await props.requestNotifications().catch(() => false));
    if (!granted) {
      // The setting did not change, so nothing re-renders the box: untick it, or it would say "on".
      box.checked = false;
      m.notice.value = t('notificationsDenied');
      return;
    }
    api.setSettings({ notifyOnChange: on }).then(show, fail);
  }

  const mode = modeOf(s.settings.regionOverride);
  const dropped = Object.entries(s.queue.dropped).filter(([, n]) => n > 0);
  return (
    <main class="page">
      <h1>{t('optionsTitle')}</h1>

      <section>
        <h2>{t('consentHeading')}</h2>
        <label>
          <input type="checkbox" data-testid="consent-toggle" checked={s.consent === 'granted'} onChange={(e) => toggleConsent((e.currentTarget as HTMLInputElement).checked)} />{' '}
          {t('consentToggle')}
        </label>
        <p class="muted">
          {t(s.consent === 'granted' ? 'consentGranted' : 'consentOff')}{' '}
          <a href="welcome.html">{t('consentWhatIsSent')}</a>
        </p>
      </section>

      <section>
        <h2>{t('endpointHeading')}</h2>
        <form
          // Our own check and message, in the user's language, instead of the browser's tooltip.
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            saveEndpoint(m.endpoint.value);
          }}
        >
          <label>
            {t('endpointLabel')}{' '}
            <input type="url" data-testid="endpoint" value={m.endpoint.value} onInput={(e) => (m.endpoint.value = (e.currentTarget as HTMLInputElement).value)} size={40} />
          </label>{' '}
          <button type="submit" data-testid="endpoint-save">
            {t('save')}
          </button>{' '}
          <button type="button" data-testid="endpoint-reset" onClick={() => saveEndpoint(props.defaultEndpoint)} disabled={s.settings.endpoint === props.defaultEndpoint}>
            {t('endpointReset')}
          </button>
        </form>
        {m.endpointError.value && (
          <p class="error" data-testid="endpoint-error">
            {m.endpointError.value}
          </p>
        )}
      </section>

      <section>
        <h2>{t('regionHeading')}</h2>
        <label class="row">
          <input type="radio" name="region" data-testid="region-auto" checked={mode === 'auto'} onChange={() => setRegion('auto')} /> {t('regionAuto', [regionName(guess)])}
        </label>
        <label class="row">
          <input type="radio" name="region" data-testid="region-override" checked={mode === 'override'} onChange={() => setRegion('override')} /> {t('regionOverride')}{' '}
          <select
            // The enclosing label names the radio (its first control), not this list.
            aria-label={t('regionOverride')}
            data-testid="region-select"
            disabled={mode !== 'override'}
            value={mode === 'override' ? (s.settings.regionOverride ?? '') : guess}
            onChange={(e) => setRegion('override', (e.currentTarget as HTMLSelectElement).value)}
          >
            {countries.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label class="row">
          <input type="radio" name="region" data-testid="region-hide" checked={mode === 'hide'} onChange={() => setRegion('hide')} /> {t('regionHide')}
        </label>
      </section>

      <section>
        <h2>{t('notificationsHeading')}</h2>
        <label>
          <input
            type="checkbox"
            data-testid="notify-toggle"
            checked={s.settings.notifyOnChange}
            onChange={(e) => void toggleNotifications(e.currentTarget as HTMLInputElement)}
          />{' '}
          {t('notificationsToggle')}
        </label>
      </section>

      <section>
        <h2>{t('queueHeading')}</h2>
        <dl class="stats" data-testid="queue-stats">
          <dt>{t('queuePending')}</dt>
          <dd data-testid="queue-pending">{s.queue.pending}</dd>
          <dt>{t('queueSent')}</dt>
          <dd data-testid="queue-sent">{s.queue.sent}</dd>
          <dt>{t('queueDropped')}</dt>
          <dd data-testid="queue-dropped">
            {dropped.length === 0
              ? t('queueDroppedNone')
              : dropped.map(([reason, n]) => (
                  <span key={reason} class="drop">
                    {t(`dropReason_${reason}`) === `dropReason_${reason}` ? reason : t(`dropReason_${reason}`)}: {n}{' '}
                  </span>
                ))}
          </dd>
          <dt>{t('queueLastError')}</dt>
          <dd data-testid="queue-last-error">{s.queue.lastError ?? t('none')}</dd>
          <dt>{t('queueNextAttempt')}</dt>
          <dd data-testid="queue-next-attempt">{s.queue.nextAttemptAt !== null ? formatTime(s.queue.nextAttemptAt) : t('none')}</dd>
        </dl>
      </section>

      {m.notice.value && (
        <p role="status" data-testid="notice">
          {m.notice.value}
        </p>
      )}
      {m.error.value && (
        <p class="error" data-testid="error">
          {m.error.value}
        </p>
      )}
    </main>
  );
}
