/** First-run page: what a report contains, what never leaves, and the choice. */
import { useMemo } from 'preact/hooks';
import { signal } from '@preact/signals';
import type { ExtensionApi } from '../popup/api.ts';
import { t } from '../popup/i18n.ts';
import { optIn, optOut } from './consent.ts';
import type { PermissionsLike } from './consent.ts';

const SENT = ['welcomeSentFeature', 'welcomeSentKind', 'welcomeSentMinute', 'welcomeSentCountry', 'welcomeSentPseudonym', 'welcomeSentClient'];
const NEVER = ['welcomeNeverUrl', 'welcomeNeverAccount', 'welcomeNeverText', 'welcomeNeverCookies', 'welcomeNeverHistory', 'welcomeNeverId'];

export function Welcome({ api, browserName, permissions }: { api: ExtensionApi; browserName: string; permissions?: PermissionsLike }) {
  const outcome = useMemo(() => signal<string | null>(null), []);
  const error = useMemo(() => signal<string | null>(null), []);

  function accept() {
    // optIn first, synchronously inside the click: Firefox's permission prompt needs the gesture.
    optIn(api, browserName, permissions).then(
      (r) => (outcome.value = r.permission === 'denied' ? 'welcomePermissionDenied' : 'welcomeAccepted'),
      (e: unknown) => (error.value = String(e instanceof Error ? e.message : e)),
    );
  }
  function decline() {
    optOut(api, browserName, permissions).then(
      () => (outcome.value = 'welcomeDeclined'),
      (e: unknown) => (error.value = String(e instanceof Error ? e.message : e)),
    );
  }

  return (
    <main class="page">
      <h1>{t('welcomeTitle')}</h1>
      <p>{t('welcomeIntro')}</p>
      <h2>{t('welcomeSentHeading')}</h2>
      <ul data-testid="sent-list">
        {SENT.map((k) => (
          <li key={k}>{t(k)}</li>
        ))}
      </ul>
      <h2>{t('welcomeNeverHeading')}</h2>
      <ul data-testid="never-list">
        {NEVER.map((k) => (
          <li key={k}>{t(k)}</li>
        ))}
      </ul>
      <p>{t('welcomeStatusNote')}</p>
      <div class="buttons">
        <button type="button" class="primary" data-testid="consent-accept" onClick={accept}>
          {t('welcomeAccept')}
        </button>
        <button type="button" data-testid="consent-decline" onClick={decline}>
          {t('welcomeDecline')}
        </button>
      </div>
      {outcome.value && (
        <p role="status" data-testid="consent-outcome">
          {t(outcome.value)}
        </p>
      )}
      {error.value && <p class="error">{error.value}</p>}
    </main>
  );
}
