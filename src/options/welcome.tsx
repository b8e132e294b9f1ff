import browser from 'webextension-polyfill';
import { render } from 'preact';
import { createRuntimeApi } from '../popup/api.ts';
import { applyDocumentLocale } from '../popup/i18n.ts';
import { Welcome } from './WelcomePage.tsx';
import type { PermissionsLike } from './consent.ts';
import './pages.css';

applyDocumentLocale(document);
document.title = browser.i18n.getMessage('welcomeTitle');
const api = createRuntimeApi((m) => browser.runtime.sendMessage(m), () => browser.runtime.openOptionsPage());
render(<Welcome api={api} browserName={__OUTAGE_RADAR_BROWSER__} permissions={browser.permissions as unknown as PermissionsLike} />, document.getElementById('app')!);
