/**
 * The parts of a status both the popup and the server's status page show: features, countries
 * and official messages. Pure preact over data and the locale context, no browser APIs, so the
 * server renders them to HTML with the same strings.
 */
import { isHttpUrl } from '../protocol.ts';
import type { OfficialMessage, RegionStatus, State, StatusResponse } from '../protocol.ts';
import { formatTime, regionName } from './format.ts';
import { useLocale, type Translator } from './i18n.ts';

const RANK: Record<State, number> = { outage: 0, degraded: 1, operational: 2 };

/** Worst first, then most reported; `pinned` rows (the user's own country) lead. */
export function byConcern<T extends { state: State; reports15m: number }>(rows: readonly T[], pinned: (r: T) => boolean = () => false): T[] {
  return [...rows].sort((a, b) => Number(pinned(b)) - Number(pinned(a)) || RANK[a.state] - RANK[b.state] || b.reports15m - a.reports15m);
}

/** Features in trouble as rows with their counts; the working ones as a compact list of chips. */
export function Features({ features }: { features: StatusResponse['features'] }) {
  const { t } = useLocale();
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

/**
 * Countries, worst first, `mine` leading. `linkFor` turns each name into a link (the status
 * page links to that country's page; the popup has nowhere to go).
 */
export function Regions({ regions, mine, linkFor }: { regions: readonly RegionStatus[]; mine?: string | null; linkFor?: (region: string) => string }) {
  const { t, lang } = useLocale();
  if (regions.length === 0) return null;
  return (
    <section>
      <h2>{t('regionsHeading')}</h2>
      <ul class="rows regions">
        {byConcern(regions, (r) => r.region === mine).map((r) => {
          const name = regionName(r.region, t, lang);
          return (
            <li key={r.region} data-testid={`region-${r.region}`} data-state={r.state} class={`state-${r.state}${r.region === mine ? ' mine' : ''}`}>
              <span class="name">{linkFor ? <a href={linkFor(r.region)}>{name}</a> : name}</span>
              <span class="state">{t(`state_${r.state}`)}</span>
              <span class="count">{t('reportsCount', [r.reports15m])}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** Where a message comes from, in the UI language (the source is not the author: a feed's author is the feed). */
export function sourceLabel(msg: OfficialMessage, t: Translator): string {
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

/** `timeZone`: where the times are read (the server does not know the visitor's, so it says UTC). */
export function Messages({ messages, timeZone }: { messages: readonly OfficialMessage[]; timeZone?: string }) {
  const { t, lang } = useLocale();
  // Newest first, whatever order the sources arrived in.
  const sorted = [...messages].sort((a, b) => b.publishedAt - a.publishedAt);
  return (
    <ul class="messages">
      {sorted.map((msg) => (
        // dir="auto": an English notice inside an Arabic page keeps its own direction.
        <li key={msg.id} data-testid="message" data-source={msg.source} data-seen-here={(msg as { seenHere?: true }).seenHere ? 'true' : undefined} lang={msg.lang} dir="auto">
          <div class="meta">
            {/* Each part isolated: an Arabic date inside an English notice must not reorder the line. */}
            <strong dir="auto">{msg.author}</strong> ·{' '}
            <span class="source" dir="auto" lang={lang} data-testid="message-source">
              {sourceLabel(msg, t)}
            </span>{' '}
            ·{' '}
            <time dir="auto" lang={lang} dateTime={new Date(msg.publishedAt).toISOString()}>
              {formatTime(msg.publishedAt, lang, timeZone)}
            </time>
          </div>
          <p>{msg.text}</p>
          {/* Only http(s) links: a hostile server must not slip a javascript: URL into the page. */}
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

/** The messages section: heading, then the list or the "none right now" line. */
export function MessagesSection({ messages, timeZone }: { messages: readonly OfficialMessage[]; timeZone?: string }) {
  const { t } = useLocale();
  return (
    <section>
      <h2>{t('messagesHeading')}</h2>
      {messages.length === 0 ? <p class="muted">{t('noMessages')}</p> : <Messages messages={messages} {...(timeZone ? { timeZone } : {})} />}
    </section>
  );
}
