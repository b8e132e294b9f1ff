/**
 * Background entry: thin glue from the browser's events to createBackground. Listeners are
 * registered synchronously at top level, because MV3 may have started this worker only to
 * deliver one of those events.
 */
import browser from 'webextension-polyfill';
import type { State } from '../shared/protocol.ts';
import { createBackground, BadRequestError } from './background.ts';
import type { Badge } from './badge.ts';
import { browserTimeZone } from './region.ts';
import { WATCHED_URLS } from './watched-urls.ts';

function t(key: string, subs?: string[]): string {
  return browser.i18n.getMessage(key, subs) || key;
}

function regionName(region: string): string {
  if (region === 'ZZ') return t('regionUnknown');
  try {
    return new Intl.DisplayNames([t('localeCode'), browser.i18n.getUILanguage()], { type: 'region' }).of(region) ?? region;
  } catch {
    return region;
  }
}

async function setBadge(badge: Badge, region: string): Promise<void> {
  await browser.action.setBadgeText({ text: badge.text });
  await browser.action.setBadgeBackgroundColor({ color: badge.color });
  // White text on the amber and red backgrounds; setBadgeTextColor is missing on older browsers.
  await browser.action.setBadgeTextColor?.({ color: '#FFFFFF' })?.catch(() => undefined);
  await browser.action.setTitle({ title: t(badge.titleKey, [regionName(region)]) });
}

/** Ids of our notifications start with this; each carries its own time, so none replaces another. */
const NOTIFICATION_PREFIX = 'outage-radar-verdict:';

async function canNotify(): Promise<boolean> {
  // Optional permission: only present after the user enabled notifications in the options.
  return !!browser.notifications && (await browser.permissions.contains({ permissions: ['notifications'] }));
}

async function notify(state: State, region: string): Promise<void> {
  if (!(await canNotify())) return;
  const key = state === 'outage' ? 'notifyOutage' : state === 'degraded' ? 'notifyDegraded' : 'notifyRecovered';
  await browser.notifications.create(`${NOTIFICATION_PREFIX}${state}:${Date.now()}`, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('icons/icon-128.png'),
    title: t('extName'),
    message: t(key, [regionName(region)]),
  });
}

/** A click opens the popup where the browser lets an extension do that, else the status page. */
async function openFromNotification(id: string): Promise<void> {
  if (!id.startsWith(NOTIFICATION_PREFIX)) return;
  await browser.notifications.clear(id);
  const action = browser.action as typeof browser.action & { openPopup?: () => Promise<void> };
  if (action.openPopup) {
    try {
      await action.openPopup();
      return;
    } catch {
      // No focused window, or this browser wants a user gesture it does not see in a click here.
    }
  }
  await browser.tabs.create({ url: await bg.statusPage() });
}

const bg = createBackground({
  storage: browser.storage.local,
  alarms: browser.alarms,
  fetch: (input, init) => fetch(input, init),
  now: () => Date.now(),
  random: () => Math.random(),
  randomUUID: () => crypto.randomUUID(),
  randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
  timeZone: browserTimeZone,
  online: () => navigator.onLine !== false,
  version: browser.runtime.getManifest().version,
  browser: __OUTAGE_RADAR_BROWSER__,
  defaultEndpoint: __OUTAGE_RADAR_ENDPOINT__,
  extensionOrigin: browser.runtime.getURL(''),
  setBadge,
  schedule: (fn, ms) => void setTimeout(fn, ms),
  openWelcome: async () => {
    await browser.tabs.create({ url: browser.runtime.getURL('src/options/welcome.html') });
  },
  notify,
  canNotify,
});

function logged(p: Promise<unknown>): void {
  p.catch((e: unknown) => console.warn('outage-radar:', e));
}

const filter = { urls: [...WATCHED_URLS] };
browser.webRequest.onCompleted.addListener((d) => logged(bg.onCompleted({ url: d.url, statusCode: d.statusCode, type: d.type })), filter);
browser.webRequest.onErrorOccurred.addListener((d) => logged(bg.onErrorOccurred({ url: d.url, error: d.error, type: d.type })), filter);
// Captive portals answer x.com with a redirect to their own login page.
browser.webRequest.onBeforeRedirect.addListener((d) => logged(bg.onBeforeRedirect({ url: d.url, redirectUrl: d.redirectUrl, type: d.type })), filter);

browser.runtime.onMessage.addListener((msg: unknown, sender: browser.Runtime.MessageSender) => {
  return bg.handleMessage(msg, { url: sender.url, tab: sender.tab }).catch((e: unknown) => {
    // Rejecting hands the caller a clear error; unexpected failures are logged here too.
    if (!(e instanceof BadRequestError)) console.warn('outage-radar:', e);
    throw e instanceof Error ? new Error(e.message) : new Error(String(e));
  });
});

// The API exists only once the optional permission is granted, which may happen while this runs.
let clickListening = false;
function listenToClicks(): void {
  if (clickListening || !browser.notifications) return;
  clickListening = true;
  browser.notifications.onClicked.addListener((id) => logged(openFromNotification(id)));
}
listenToClicks();
browser.permissions.onAdded.addListener(listenToClicks);

browser.alarms.onAlarm.addListener((alarm) => logged(bg.onAlarm(alarm.name)));
browser.runtime.onInstalled.addListener((details) => logged(bg.onInstalled(details.reason)));
browser.runtime.onStartup.addListener(() => logged(bg.onStartup()));

// Every start of the worker: make sure the minute poll exists and the badge shows the cached verdict.
logged(bg.ensureAlarms());
logged(bg.restoreBadge());
