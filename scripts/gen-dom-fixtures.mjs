#!/usr/bin/env node
/**
 * Writes the DOM fixture corpus (test/fixtures/dom/*.html + fixtures.json): x.com-like pages of
 * each error state and look-alike, in each UI language, with X's own texts taken from the shared
 * data file (x-ui-error-strings.json), so no translation is ever written by hand.
 *
 *   node scripts/gen-dom-fixtures.mjs [path/to/x-ui-error-strings.json] [out-dir]
 *
 * The markup follows what is publicly known of x.com (../shared/notes/x-signals.md): data-testid
 * containers, the Retry icon path, toasts in #layers, the login modal, the DM viewport, the video
 * player. Output is stable: regenerating from the same data changes nothing (a unit test checks
 * the committed corpus against a fresh run).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import process from 'node:process';
import { defaultStringsDataPath, failWith, readStringsData } from './lib/strings-data.mjs';
/* global console */

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataPath = resolve(process.argv[2] ?? defaultStringsDataPath(repo));
const outDir = resolve(process.argv[3] ?? join(repo, 'test', 'fixtures', 'dom'));

const fail = failWith('gen-dom-fixtures');
const data = readStringsData(dataPath, fail);
const messages = data?.messages;
if (typeof messages !== 'object' || messages === null) fail(`${dataPath} has no messages object`);

/** Languages of the corpus: Latin, right-to-left (ar, fa, he, ur) and non-Latin scripts. */
const LANGS = ['en', 'fr', 'es', 'ar', 'fa', 'he', 'ur', 'hi', 'ja', 'zh', 'zh-Hant', 'ko'];
const RTL = new Set(['ar', 'fa', 'he', 'ur']);
/**
 * Pages whose language our strings don't know: `lang="sw"` (no strings file) and no lang at all.
 * Their texts are X's Hausa ones, so the words are real but cannot be matched.
 */
const UNKNOWN = [
  { id: 'sw', lang: 'sw', textLocale: 'ha' },
  { id: 'nolang', lang: null, textLocale: 'ha' },
];

function text(id, locale) {
  const t = messages[id]?.[locale];
  if (typeof t !== 'string' || t.trim() === '') fail(`message ${id} has no ${locale} text`);
  return t;
}

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

// ---- markup pieces ----------------------------------------------------------------------------

const RETRY_PATH =
  'M12 4c-4.418 0-8 3.58-8 8s3.582 8 8 8c3.806 0 6.993-2.66 7.802-6.22l1.95.45C20.742 18.67 16.683 22 12 22 6.477 22 2 17.52 2 12S6.477 2 12 2c3.072 0 5.82 1.39 7.653 3.56L22 3.5V10h-6.5l2.206-2.2C16.306 5.46 14.26 4 12 4z';
const BACK_PATH = 'M7.414 13l5.043 5.04-1.414 1.42L3.586 12l7.457-7.46 1.414 1.42L7.414 11H21v2H7.414z';
const SEARCH_PATH = 'M10.25 3.75c-3.59 0-6.5 2.91-6.5 6.5s2.91 6.5 6.5 6.5c1.795 0 3.419-.726 4.596-1.904 1.178-1.177 1.904-2.801 1.904-4.596 0-3.59-2.91-6.5-6.5-6.5z';
const LOCK_PATH = 'M17.5 7H17v-.25c0-2.76-2.24-5-5-5s-5 2.24-5 5V7h-.5C5.12 7 4 8.12 4 9.5v9C4 19.88 5.12 21 6.5 21h11c1.39 0 2.5-1.12 2.5-2.5v-9C20 8.12 18.89 7 17.5 7z';
const ALERT_PATH = 'M12 1.75C6.34 1.75 1.75 6.34 1.75 12S6.34 22.25 12 22.25 22.25 17.66 22.25 12 17.66 1.75 12 1.75zM13 17h-2v-2h2v2zm0-4h-2V7h2v6z';
const icon = (d) => `<svg viewBox="0 0 24 24" aria-hidden="true"><g><path d="${d}"></path></g></svg>`;

const span = (t, dir) => `<div dir="${dir}"><span>${esc(t)}</span></div>`;
const retryButton = (label, dir) =>
  `<button role="button" type="button"><div dir="${dir}">${icon(RETRY_PATH)}<span><span>${esc(label)}</span></span></div></button>`;
const backButton = () => `<div role="button" tabindex="0" aria-label="Back">${icon(BACK_PATH)}</div>`;

function post(i, extra = '') {
  return `<article data-testid="tweet" role="article" tabindex="0">
            <div data-testid="User-Name"><span>Example ${i}</span><span>@example${i}</span></div>
            <div data-testid="tweetText" lang="zxx"><span>🌍 ✨ ${i} 🌱</span></div>${extra}
            <div role="group"><button role="button" data-testid="reply" type="button">${icon(BACK_PATH)}</button></div>
          </article>`;
}
const cell = (i, inner) =>
  `<div data-testid="cellInnerDiv" style="transform: translateY(${i * 120}px); position: absolute; width: 100%;">
          ${inner}
        </div>`;
function timeline(cells, label = 'Timeline') {
  return `<section role="region"><h1 role="heading">${label}</h1>
        <div aria-label="${label}"><div style="position: relative; min-height: 1200px;">
        ${cells.map((c, i) => cell(i, c)).join('\n        ')}
        </div></div>
      </section>`;
}
const posts = (n) => Array.from({ length: n }, (_, i) => post(i));
const videoPlayer = (inner) =>
  `
            <div data-testid="videoPlayer"><div data-testid="videoComponent"><video muted playsinline></video>
              <div>${inner}</div>
            </div></div>`;
const errorDetail = (inner) => `<div data-testid="error-detail"><div>
        ${inner}
      </div></div>`;
const toast = (t, dir) => `<div class="toast-wrapper"><div data-testid="toast" role="alert">${span(t, dir)}</div></div>`;

/** The compose modal in #layers with a draft in its editor, and optionally X's alert inside it. */
function composeDialog(draft, alert, dir) {
  return `<div role="group"><div role="dialog" aria-modal="true" aria-labelledby="modal-header"><div>
      <div data-testid="tweetTextarea_0" role="textbox" contenteditable="true"><div dir="${dir}"><span>${esc(draft)}</span></div></div>
      ${alert === null ? '' : `<div role="alert">${span(alert, dir)}</div>`}
      <button role="button" type="button" data-testid="tweetButton">${icon(BACK_PATH)}</button>
    </div></div></div>`;
}

/** The login flow's modal in #layers: an error in place of its content, with X's button. */
function loginDialogError(message, button, dir) {
  return `<div role="group"><div role="dialog" aria-modal="true" aria-labelledby="modal-header"><div>
      <h1 id="modal-header" role="heading"><span>X</span></h1>
      <div>${span(message, dir)}</div>
      <button role="button" type="button"><div dir="${dir}"><span><span>${esc(button)}</span></span></div></button>
    </div></div></div>`;
}

/** The login flow's modal (username step), as X renders it in #layers. */
function loginDialog(alert) {
  return `<div role="group"><div role="dialog" aria-modal="true" aria-labelledby="modal-header"><div>
      <h1 id="modal-header" role="heading"><span>X</span></h1>
      <div data-testid="LoginForm">
        <label><input autocomplete="username" name="text" type="text" data-testid="ocfEnterTextTextInput"></label>
        <button role="button" type="button" data-testid="ocfEnterTextNextButton"><span>→</span></button>
        ${alert}
      </div>
    </div></div></div>`;
}

/** A DM conversation: the viewport with message entries, then the composer. */
function dmConversation(notice, dir, lastText = null) {
  const entry = (i, own, extra = '') =>
    `<div data-testid="messageEntry"><div style="align-items: flex-${own ? 'end' : 'start'};"><div dir="auto"><span>${esc(i === 2 && lastText !== null ? lastText : `🌍 ${i} ✨`)}</span></div></div>${extra}</div>`;
  const failed = notice === null ? '' : `<div>${icon(ALERT_PATH)}${span(notice, dir)}</div>`;
  return `<section role="region" data-testid="DmActivityContainer"><h2 role="heading"><span>Example 1</span></h2>
        <div data-testid="DmActivityViewport"><div>
          ${entry(0, false)}
          ${entry(1, true)}
          ${entry(2, true, failed)}
        </div></div>
        <aside data-testid="dmComposer"><div data-testid="dmComposerTextInput" role="textbox" contenteditable="true"></div>
          <button role="button" type="button" data-testid="dmComposerSendButton" aria-label="Send">${icon(BACK_PATH)}</button></aside>
      </section>`;
}

function page({ lang, dir, title, primary, layers }) {
  const langAttr = lang === null ? '' : ` lang="${lang}"`;
  const main =
    primary === null
      ? `<main role="main"><div data-testid="loggedOutHome"><span>𝕏</span></div></main>`
      : `<main role="main">
      <div data-testid="primaryColumn">
      ${primary}
      </div>
      <div data-testid="sidebarColumn"><section role="region"><span>🔥</span></section></div>
    </main>`;
  return `<!DOCTYPE html>
<html${langAttr} dir="${dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
</head>
<body>
<div id="react-root">
  <div>
    <header role="banner"><nav role="navigation" aria-label="Primary"><a href="/home" role="link" data-testid="AppTabBar_Home_Link">X</a></nav></header>
    ${main}
    <div id="layers">
    ${layers}
    </div>
  </div>
</div>
</body>
</html>
`;
}

// ---- the states ---------------------------------------------------------------------------------

const obs = (feature, signal, code) => ({ feature, signal, code });

/**
 * Each state: where it is served, how it is rendered from a locale's texts (`t(id)`), what the
 * content script must emit when the language is known, and (for states that make sense without
 * it) when it is not. `lookalike` marks the states that are NOT outages.
 */
const STATES = [
  {
    state: 'primary-error',
    about: 'full-page error card with Retry in the primary column',
    path: '/home',
    render: (t, dir) => ({ primary: errorDetail(`${span(t('gd769996'), dir)}\n        ${retryButton(t('a0493514'), dir)}`) }),
    expect: [obs('timeline', 'banner', 'banner:timeline_error')],
    unknown: [obs('timeline', 'banner', 'banner:unrecognised')],
  },
  {
    state: 'timeline-error',
    about: 'inline "Something went wrong. Try reloading." with Retry in the last timeline cell, after three posts',
    path: '/home',
    render: (t, dir) => ({
      primary: timeline([...posts(3), `<div><div>${span(t('gd769996'), dir)}\n            ${retryButton(t('a0493514'), dir)}\n          </div></div>`]),
    }),
    expect: [obs('timeline', 'banner', 'banner:timeline_error')],
    unknown: [obs('timeline', 'banner', 'banner:unrecognised')],
  },
  {
    state: 'toast-post-failed',
    about: 'toast: the post could not be sent',
    path: '/home',
    render: (t, dir) => ({ primary: timeline(posts(2)), layers: toast(t('c0554ca0'), dir) }),
    expect: [obs('post', 'banner', 'banner:post_failed')],
    unknown: [],
  },
  {
    state: 'toast-rate-limited',
    about: 'toast: rate limited (per account; feature from the /home path)',
    path: '/home',
    render: (t, dir) => ({ primary: timeline(posts(2)), layers: toast(t('cdaf8222'), dir) }),
    expect: [obs('timeline', 'banner', 'limit:rate_limited')],
  },
  {
    state: 'toast-follow-limit',
    about: 'toast: unable to follow more people (per account)',
    path: '/home',
    render: (t, dir) => ({ primary: timeline(posts(2)), layers: toast(t('a0ba5842'), dir) }),
    expect: [obs('follow', 'banner', 'limit:follow_limit')],
  },
  {
    state: 'toast-connection',
    about: 'toast: check your connection (the user’s own network)',
    path: '/home',
    render: (t, dir) => ({ primary: timeline(posts(2)), layers: toast(t('e4ff75aa'), dir) }),
    expect: [obs('timeline', 'network', 'banner:connection_error')],
  },
  {
    state: 'login-error',
    about: 'login flow: modal dialog with the username step, X’s error toast ("let’s give it another shot")',
    path: '/i/flow/login',
    render: (t, dir) => ({ primary: null, layers: `${loginDialog('')}\n    ${toast(t('a5d4fda0'), dir)}` }),
    expect: [obs('login', 'banner', 'banner:generic_error')],
    unknown: [],
  },
  {
    state: 'login-dialog-error',
    about: 'login flow: the modal itself shows "let’s give it another shot" with a Retry button (no toast)',
    path: '/i/flow/login',
    render: (t, dir) => ({ primary: null, layers: loginDialogError(t('a5d4fda0'), t('a0493514'), dir) }),
    expect: [obs('login', 'banner', 'banner:generic_error')],
    unknown: [],
  },
  {
    state: 'login-automated',
    about: 'login flow: an alert inside the login dialog, "this request looks like it might be automated" (per account)',
    path: '/i/flow/login',
    render: (t, dir) => ({ primary: null, layers: loginDialog(`<div role="alert">${span(t('cf18a258'), dir)}</div>`) }),
    expect: [obs('login', 'banner', 'limit:automation_block')],
  },
  {
    state: 'compose-failed',
    about: 'compose dialog with a draft, X’s alert inside it: "try sending your post again in a minute"',
    path: '/compose/post',
    render: (t, dir) => ({ primary: timeline(posts(1)), layers: composeDialog('🌍 ✨', t('c0554ca0'), dir) }),
    expect: [obs('post', 'banner', 'banner:post_failed')],
  },
  {
    state: 'dm-failed-toast',
    about: 'DM conversation: toast "try sending your message again in a minute"',
    path: '/messages/1-2',
    render: (t, dir) => ({ primary: dmConversation(null, dir), layers: toast(t('c3752568'), dir) }),
    expect: [obs('dm', 'banner', 'banner:dm_failed')],
  },
  {
    state: 'dm-failed-inline',
    about: 'DM conversation: "Message failed to send" under the last sent message, in the DmActivityViewport',
    path: '/messages/1-2',
    render: (t, dir) => ({ primary: dmConversation(t('ae7d7a24'), dir) }),
    expect: [obs('dm', 'banner', 'banner:dm_failed')],
    unknown: [],
  },
  {
    state: 'space-speak-failed',
    about: 'Space: toast "the request to speak failed"',
    path: '/i/spaces/1YqKDqWqdPLJV',
    render: (t, dir) => ({ primary: `<section role="region" data-testid="SpaceDock"><span>🎙️</span></section>`, layers: toast(t('b9945b98'), dir) }),
    expect: [obs('spaces', 'banner', 'banner:spaces_error')],
  },
  {
    state: 'media-error',
    about: 'video player in a post showing "The media could not be played."',
    path: '/home',
    render: (t, dir) => ({ primary: timeline([post(0), post(1, videoPlayer(span(t('c1658fc6'), dir))), post(2)]) }),
    expect: [obs('media', 'banner', 'banner:media_error')],
    unknown: [],
  },
  // ---- look-alikes: NOT outages ----
  {
    state: 'not-found',
    lookalike: true,
    about: 'look-alike: error card "this page doesn’t exist" with a Search link',
    path: '/example/status/1',
    render: (t, dir) => ({ primary: errorDetail(`${span(t('e49537c2'), dir)}\n        <a href="/explore" role="link">${icon(SEARCH_PATH)}</a>`) }),
    expect: [],
    unknown: [],
  },
  {
    state: 'suspended',
    lookalike: true,
    about: 'look-alike: error card "this account has been suspended" with an icon-only Back button',
    path: '/example',
    render: (t, dir) => ({ primary: errorDetail(`${span(t('ac0d27be'), dir)}\n        ${backButton()}`) }),
    expect: [],
    unknown: [],
  },
  {
    state: 'account-missing',
    lookalike: true,
    about: 'look-alike: profile whose empty state says "this account doesn’t exist"',
    path: '/example',
    render: (t, dir) => ({
      primary: `<div data-testid="UserName"><span>@example</span></div>\n      <div data-testid="emptyState">${span(t('c9a1cb5e'), dir)}</div>`,
    }),
    expect: [],
  },
  {
    state: 'protected',
    lookalike: true,
    about: 'look-alike: protected account: profile header and a lock empty state, no posts (the data file has no text for it)',
    path: '/example',
    render: () => ({
      primary: `<div data-testid="UserName"><span>@example</span>${icon(LOCK_PATH)}</div>\n      <div data-testid="emptyState">${icon(LOCK_PATH)}</div>`,
    }),
    expect: [],
    unknown: [],
  },
  {
    state: 'space-ended',
    lookalike: true,
    about: 'look-alike: error card "Space has ended" with an icon-only Back button',
    path: '/i/spaces/1YqKDqWqdPLJV',
    render: (t, dir) => ({ primary: errorDetail(`${span(t('i1a29920'), dir)}\n        ${backButton()}`) }),
    expect: [],
    unknown: [],
  },
  {
    state: 'broadcast-ended',
    lookalike: true,
    about: 'look-alike: video player of a post saying "This broadcast has ended."',
    path: '/home',
    render: (t, dir) => ({ primary: timeline([post(0), post(1, videoPlayer(span(t('ce871584'), dir)))]) }),
    expect: [],
    unknown: [],
  },
  {
    state: 'dm-user-text',
    lookalike: true,
    about: 'look-alike: a DM whose text someone wrote is "Something went wrong." (only X’s DM-failure notices count)',
    path: '/messages/1-2',
    render: (t, dir) => ({ primary: dmConversation(null, dir, t('g61ed8a4')) }),
    expect: [],
  },
  {
    state: 'compose-draft',
    lookalike: true,
    about: 'look-alike: the compose dialog whose draft is the very text "Something went wrong." (the user’s words, not X’s)',
    path: '/compose/post',
    render: (t, dir) => ({
      primary: timeline(posts(1)),
      layers: composeDialog(t('g61ed8a4'), null, dir),
    }),
    expect: [],
  },
  {
    state: 'video-replay',
    lookalike: true,
    about: 'look-alike: finished videos in the last timeline cell; the replay button draws the Retry icon',
    path: '/home',
    render: () => ({
      primary: timeline([
        post(0),
        post(1, videoPlayer(`<button role="button" aria-label="Replay" type="button">${icon(RETRY_PATH)}</button>`)),
      ]),
    }),
    expect: [],
    unknown: [],
  },
  {
    state: 'post-unavailable',
    lookalike: true,
    about: 'look-alike: "Post unavailable" tombstone as the last cell of a conversation',
    path: '/example/status/1',
    render: (t, dir) => ({ primary: timeline([post(0), `<div data-testid="tombstone"><div>${span(t('e07a85a2'), dir)}</div></div>`], 'Conversation') }),
    expect: [],
    unknown: [],
  },
];

// ---- write --------------------------------------------------------------------------------------

const fixtures = [];
const files = new Map();
function add(id, lang, dir, state, textLocale, expectList) {
  const file = `${id.toLowerCase()}-${state.state}.html`;
  const t = (msg) => text(msg, textLocale);
  const { primary = '', layers = '' } = state.render(t, dir);
  const title = state.path === '/home' ? 'Home / X' : 'X';
  files.set(file, page({ lang, dir, title, primary, layers }));
  fixtures.push({
    file,
    lang: lang ?? '',
    state: state.state,
    lookalike: state.lookalike === true,
    path: state.path,
    about: lang === null || id !== lang ? `${lang === null ? 'no lang attribute' : `unknown language (${lang})`}: ${state.about}` : state.about,
    expect: expectList,
  });
}
for (const lang of LANGS) {
  const dir = RTL.has(lang) ? 'rtl' : 'ltr';
  for (const state of STATES) add(lang, lang, dir, state, lang, state.expect);
}
for (const u of UNKNOWN) {
  for (const state of STATES) if (state.unknown) add(u.id, u.lang, 'ltr', state, u.textLocale, state.unknown);
}
// Good news in a toast: English only, X's own text is not in the data file in other languages.
files.set(
  'en-toast-benign.html',
  page({ lang: 'en', dir: 'ltr', title: 'Home / X', primary: timeline(posts(2)), layers: toast('Your post was sent.', 'ltr') }),
);
fixtures.push({ file: 'en-toast-benign.html', lang: 'en', state: 'toast-benign', lookalike: true, path: '/home', about: 'look-alike: toast with good news', expect: [] });

mkdirSync(outDir, { recursive: true });
for (const file of readdirSync(outDir)) {
  if (file.endsWith('.html') || file === 'fixtures.json') rmSync(join(outDir, file));
}
for (const [file, html] of files) writeFileSync(join(outDir, file), html);
const index = {
  about:
    'x.com-like pages for the DOM detectors, generated by scripts/gen-dom-fixtures.mjs from x-ui-error-strings.json (do not edit by hand). Serve each at https://x.com<path>; the content script must emit exactly `expect` (observations with source "dom"). `lookalike` pages are not outages.',
  fixtures,
};
writeFileSync(join(outDir, 'fixtures.json'), JSON.stringify(index, null, 2) + '\n');
console.log(`gen-dom-fixtures: ${fixtures.length} fixtures written to ${outDir}`);
