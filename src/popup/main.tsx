import browser from 'webextension-polyfill';
import { render } from 'preact';
import { App } from './App.tsx';
import { createRuntimeApi } from './api.ts';
import { applyDocumentLocale } from './i18n.ts';
import './popup.css';

applyDocumentLocale(document);
document.title = browser.i18n.getMessage('extName');
const api = createRuntimeApi((m) => browser.runtime.sendMessage(m), () => browser.runtime.openOptionsPage());
render(<App api={api} />, document.getElementById('app')!);
