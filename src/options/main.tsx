import browser from 'webextension-polyfill';
import { render } from 'preact';
import { createRuntimeApi } from '../popup/api.ts';
import { applyDocumentLocale } from '../popup/i18n.ts';
import { browserTimeZone } from '../background/region.ts';
import { Options } from './OptionsPage.tsx';
import type { PermissionsLike } from './consent.ts';
import './pages.css';

applyDocumentLocale(document);
document.title = browser.i18n.getMessage('optionsTitle');
const api = createRuntimeApi((m) => browser.runtime.sendMessage(m), () => browser.runtime.openOptionsPage());
render(
  <Options
    api={api}
    browserName={__OUTAGE_RADAR_BROWSER__}
    defaultEndpoint={__OUTAGE_RADAR_ENDPOINT__}
    timeZone={browserTimeZone()}
    permissions={browser.permissions as unknown as PermissionsLike}
    requestNotifications={() => browser.permissions.request({ permissions: ['notifications'] })}
  />,
  document.getElementById('app')!,
);
