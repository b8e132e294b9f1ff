/**
 * The public status page: the popup's verdict, features, countries, 24-hour chart and official
 * messages (the same shared components and strings), rendered on the server, readable without
 * JavaScript. A plain GET form picks the country and the language, so it works from the
 * keyboard and without scripts.
 */
import type { OfficialMessage, StatusResponse } from '../../shared/protocol.ts';
import { Chart } from '../../shared/ui/Chart.tsx';
import { formatTime, regionName } from '../../shared/ui/format.ts';
import { useLocale } from '../../shared/ui/i18n.ts';
import { Features, MessagesSection, Regions } from '../../shared/ui/StatusParts.tsx';
import { verdictSentence } from '../../shared/ui/verdict.ts';
import { renderDocument } from './Document.tsx';
import type { PageLocale } from './locales.ts';
import { countryCodes } from './countries.ts';

export interface StatusPageInput {
  locale: PageLocale;
  locales: readonly PageLocale[];
  /** The ?lang= the visitor chose, kept in links and the form; null when negotiated. */
  chosenLang: string | null;
  region: string | null;
  status: StatusResponse;
  messages: readonly OfficialMessage[];
  refreshSeconds: number;
}

/** A link to this page for another country, keeping a chosen language. */
export function pageHref(region: string | null, chosenLang: string | null): string {
  const q = new URLSearchParams();
  if (region) q.set('region', region);
  if (chosenLang) q.set('lang', chosenLang);
  const s = q.toString();
  return s ? `/?${s}` : '/';
}

function Verdict({ status, region }: { status: StatusResponse; region: string | null }) {
  const { t, lang } = useLocale();
  const verdict = verdictSentence(status, region);
  return (
    <header class={`card state-${verdict.state}`} data-testid="verdict-card" data-state={verdict.state}>
      <h1 data-testid="verdict">
        <span class="dot" aria-hidden="true" />
        {t(verdict.key, verdict.region ? [regionName(verdict.region, t, lang)] : [])}
      </h1>
      <p class="updated" data-testid="updated">
        {t('pageUpdatedAt', [formatTime(status.generatedAt, lang, 'UTC')])}
      </p>
    </header>
  );
}

function Controls({ locale, locales, chosenLang, region }: Pick<StatusPageInput, 'locale' | 'locales' | 'chosenLang' | 'region'>) {
  const { t, lang } = locale;
  const collator = new Intl.Collator(lang);
  const countries = countryCodes()
    .map((code) => ({ code, name: regionName(code, t, lang) }))
    .sort((a, b) => collator.compare(a.name, b.name));
  return (
    <form method="get" action="/" class="controls" data-testid="controls">
      <div class="field">
        <label for="region">{t('regionHeading')}</label>
        <select id="region" name="region" data-testid="region-select">
          <option value="">{t('pageWorldwide')}</option>
          {countries.map((c) => (
            <option key={c.code} value={c.code} selected={c.code === region}>
              {c.name}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="lang">{t('pageLanguageLabel')}</label>
        <select id="lang" name="lang" data-testid="lang-select">
          {locales.map((l) => (
            <option key={l.id} value={l.id} lang={l.lang} selected={l.id === (chosenLang ?? locale.id)}>
              {l.autonym}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" data-testid="controls-submit">
        {t('pageShow')}
      </button>
    </form>
  );
}

export function renderStatusPage(input: StatusPageInput): string {
  const { locale, status, region, messages, chosenLang } = input;
  const { t, lang } = locale;
  const verdict = verdictSentence(status, region);
  const heading = t(verdict.key, verdict.region ? [regionName(verdict.region, t, lang)] : []);
  return renderDocument({
    locale,
    title: `${heading} · ${t('pageTitle')}`,
    description: t('pageIntro'),
    script: true,
    children: (
      <main class="page" id="status" data-refresh-seconds={input.refreshSeconds}>
        <p class="brand">{t('pageTitle')}</p>
        <div id="live" data-testid="live">
          <Verdict status={status} region={region} />
          <Features features={status.features} />
          <Regions regions={status.regions} mine={region} linkFor={(r) => pageHref(r, chosenLang)} />
          <section>
            <h2>{t('chartHeading')}</h2>
            <Chart series={status.series} />
          </section>
          <MessagesSection messages={messages} timeZone="UTC" />
        </div>
        <Controls locale={locale} locales={input.locales} chosenLang={chosenLang} region={region} />
        <p class="muted about">{t('pageIntro')}</p>
      </main>
    ),
  });
}

/** The 400 page for a query the page cannot take, in the visitor's language. */
export function renderBadRequestPage(locale: PageLocale, problem: string): string {
  const { t } = locale;
  return renderDocument({
    locale,
    title: `${t('pageBadRequestTitle')} · ${t('pageTitle')}`,
    children: (
      <main class="page" id="status">
        <p class="brand">{t('pageTitle')}</p>
        <h1 data-testid="bad-request">{t('pageBadRequestTitle')}</h1>
        <p data-testid="problem">{problem}</p>
      </main>
    ),
  });
}
