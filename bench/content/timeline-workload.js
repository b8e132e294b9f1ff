/* global window, document, performance, requestAnimationFrame, XMLHttpRequest, MessageChannel */
// The synthetic x.com home timeline. Runs in the page (served inline at https://x.com/home).
// Everything it does is decided by a seeded PRNG and a fixed step count, so every run of every
// configuration performs exactly the same DOM work; only the time it takes may differ.
// The structure copies x.com's (react-root, primaryColumn, a virtualised list of cellInnerDiv
// cells holding article[data-testid="tweet"]) because that is what the extension's detectors walk.
(() => {
  'use strict';
  const config = window.__BENCH_CONFIG__;

  // mulberry32: tiny, fast and good enough to make the workload vary without being random.
  function prng(seed) {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const rand = prng(config.seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const intBelow = (n) => Math.floor(rand() * n);

  const WORDS = ('the a outage server status timeline update news today people world live breaking ' +
    'sport game match team score city weather market price launch video photo thread reply quote ' +
    'follow trend topic space music film book science space rocket moon data code open source').split(' ');
  const NAMES = ['Ada', 'Linus', 'Grace', 'Ken', 'Barbara', 'Dennis', 'Margaret', 'Alan', 'Radia', 'Tim'];
  const CELL_HEIGHT = 180;
  const RETRY_ICON = 'M12 4c-4.418 0-8 3.58-8 8s3.582 8 8 8c3.806 0 6.993-2.66 7.802-6.22l1.95.49C20.742 ' +
    '18.67 16.76 22 12 22 6.477 22 2 17.52 2 12S6.477 2 12 2c3.272 0 6.176 1.57 8 4V3.5h2v6h-6v-2h2.75c-1.46-2.1-3.89-3.5-6.75-3.5z';

  const el = (tag, attrs, children) => {
    const node = document.createElement(tag);
    if (attrs) for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (children) for (const c of children) node.append(c);
    return node;
  };
  const sentence = (n) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const compact = (n) => (n >= 1000 ? `${(n / 1000).toFixed(1)}K` : String(n));

  // --- static shell, like x.com's after hydration -------------------------------------------
  const root = document.getElementById('react-root');
  const layers = el('div', { id: 'layers' });
  const timeline = el('div', { style: 'position: relative; min-height: 0px;' });
  const primaryColumn = el('div', { 'data-testid': 'primaryColumn' }, [
    el('div', { 'aria-label': 'Home timeline' }, [
      el('h1', { role: 'heading', dir: 'ltr' }, ['Home']),
      el('section', { role: 'region', 'aria-labelledby': 'accessible-list-0' }, [
        el('h1', { id: 'accessible-list-0', dir: 'ltr' }, ['Your Home Timeline']),
        el('div', { 'aria-label': 'Timeline: Your Home Timeline' }, [timeline]),
      ]),
    ]),
  ]);
  const nav = el('header', { role: 'banner' }, [
    el('nav', { role: 'navigation', 'aria-label': 'Primary' },
      ['Home', 'Explore', 'Notifications', 'Messages', 'Profile'].map((t) =>
        el('a', { href: `/${t.toLowerCase()}`, role: 'link', 'data-testid': `AppTabBar_${t}_Link` }, [el('span', null, [t])]))),
  ]);
  const sidebar = el('div', { 'data-testid': 'sidebarColumn' }, [
    el('section', { 'aria-labelledby': 'trends' }, Array.from({ length: 8 }, (_, i) =>
      el('div', { 'data-testid': 'trend' }, [el('span', null, [`#${pick(WORDS)}${i}`]), el('span', null, [`${compact(intBelow(90000))} posts`])]))),
  ]);
  root.append(el('div', { dir: 'ltr' }, [nav, el('main', { role: 'main' }, [primaryColumn, sidebar]), layers]));

  // Mutation records the workload causes (as a MutationObserver on the document would receive them),
  // counted here rather than observed so that counting costs nothing in any configuration.
  let mutationRecords = 0;

  // --- cells -----------------------------------------------------------------------------------
  let nextIndex = 0;
  const cells = []; // rendered cells, top to bottom: { node, index, counters[], time, buttons[] }

  function makeCell() {
    const index = nextIndex++;
    const name = pick(NAMES);
    const counters = [];
    const buttons = [];
    const actions = ['reply', 'retweet', 'like', 'bookmark'].map((what) => {
      const count = el('span', { 'data-testid': 'app-text-transition-container' }, [compact(intBelow(5000))]);
      counters.push(count);
      const button = el('button', { role: 'button', 'data-testid': what, 'aria-label': `${what}`, type: 'button' }, [
        el('div', { dir: 'ltr' }, [el('svg', { viewBox: '0 0 24 24', 'aria-hidden': 'true' }), count]),
      ]);
      buttons.push(button);
      return button;
    });
    const time = el('time', { datetime: new Date(1_700_000_000_000 + index * 60_000).toISOString() }, [`${1 + intBelow(59)}m`]);
    const text = el('div', { 'data-testid': 'tweetText', lang: 'en', dir: 'auto' }, [sentence(8 + intBelow(30))]);
    // A video post: X's player, a <video> and a layer its controls are mounted into on hover.
    let player = null;
    const media = [];
    if (config.videoEveryPosts > 0 && index % config.videoEveryPosts === 0) {
      const controls = el('div', { class: 'player-controls' });
      player = { controls, shown: null };
      media.push(el('div', { 'data-testid': 'videoPlayer', style: 'position: relative; height: 120px; background: #000;' }, [
        el('div', { 'data-testid': 'videoComponent' }, [el('video', { preload: 'none', muted: '' }), controls]),
      ]));
    }
    const article = el('article', { role: 'article', tabindex: '0', 'data-testid': 'tweet' }, [
      el('div', { 'data-testid': 'Tweet-User-Avatar' }, [el('img', { alt: '', draggable: 'true' })]),
      el('div', { 'data-testid': 'User-Name' }, [
        el('span', null, [name]),
        el('a', { href: `/${name.toLowerCase()}`, role: 'link' }, [el('span', null, [`@${name.toLowerCase()}${index}`])]),
        el('a', { href: `/${name.toLowerCase()}/status/${1_800_000_000_000 + index}`, role: 'link' }, [time]),
      ]),
      text,
      ...media,
      el('div', { role: 'group', 'aria-label': 'Post actions' }, actions),
    ]);
    const node = el('div', {
      'data-testid': 'cellInnerDiv',
      style: `transform: translateY(${index * CELL_HEIGHT}px); position: absolute; width: 100%;`,
    }, [el('div', { class: 'css-175oi2r' }, [el('div', null, [article])])]);
    return { node, index, counters, time, buttons, player };
  }

  function appendCell() {
    const cell = makeCell();
    timeline.append(cell.node);
    cells.push(cell);
    timeline.style.minHeight = `${nextIndex * CELL_HEIGHT}px`;
    mutationRecords += 2;
  }

  function trimTop() {
    while (cells.length > config.maxCells) {
      cells.shift().node.remove();
      mutationRecords++;
    }
  }

  // --- error UI, so the detectors have something to find ------------------------------------
  let toast = null;
  function showToast() {
    // A different message from the inline error cell's, so the benchmark can tell both were found.
    toast = el('div', { role: 'alert', 'data-testid': 'toast' }, [el('div', { dir: 'ltr' }, [el('span', null, ['Sorry, you are rate limited. Please wait a few moments then try again.'])])]);
    layers.append(toast);
    mutationRecords++;
  }
  function hideToast() {
    toast?.remove();
    toast = null;
    mutationRecords++;
  }
  let inlineError = null;
  function showInlineError() {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', RETRY_ICON);
    svg.append(path);
    inlineError = el('div', {
      'data-testid': 'cellInnerDiv',
      style: `transform: translateY(${nextIndex * CELL_HEIGHT}px); position: absolute; width: 100%;`,
    }, [el('div', null, [
      el('span', null, ['Something went wrong. Try reloading.']),
      el('button', { role: 'button', type: 'button' }, [svg, el('span', null, ['Retry'])]),
    ])]);
    timeline.append(inlineError);
    mutationRecords++;
  }
  function hideInlineError() {
    inlineError?.remove();
    inlineError = null;
    mutationRecords++;
  }

  // --- the page's own API traffic (what the MAIN-world hook watches) -------------------------
  let pendingRequests = 0;
  let requestsDone = 0;
  let entriesReceived = 0;
  function fetchTimelinePage(cursor) {
    pendingRequests++;
    const xhr = new XMLHttpRequest();
    xhr.open('GET', `/i/api/graphql/bench0HomeTimeline/HomeTimeline?variables=${encodeURIComponent(JSON.stringify({ count: 20, cursor }))}`);
    xhr.setRequestHeader('content-type', 'application/json');
    xhr.onloadend = () => {
      try {
        const body = JSON.parse(xhr.responseText);
        const instructions = body?.data?.home?.home_timeline_urt?.instructions ?? [];
        for (const instruction of instructions) entriesReceived += instruction.entries?.length ?? 0;
      } catch {
        // A malformed page of results is part of what the page has to survive; nothing to count.
      }
      pendingRequests--;
      requestsDone++;
    };
    xhr.send();
  }

  // --- one step = one animation frame of scrolling -------------------------------------------
  let step = 0;
  
  // x.com's UI does not change in one piece per frame: React's scheduler yields to the event loop
  // (MessageChannel tasks), timestamps tick on timers, hovers arrive as events. So each step is a
  // frame callback plus a few separate tasks, and a document MutationObserver sees several
  // batches per frame, as it would on the real site.
  const channel = new MessageChannel();
  const tasks = [];
  channel.port1.onmessage = () => tasks.shift()();
  const postTask = (fn) => {
    tasks.push(fn);
    channel.port2.postMessage(null);
  };

  function scrollPart() {
    // Scrolling brings new cells in at the bottom and lets old ones go at the top.
    const newCells = rand() < 0.5 ? 1 : 2;
    for (let i = 0; i < newCells; i++) appendCell();
    trimTop();
    window.scrollTo(0, Math.max(0, (nextIndex - 8) * CELL_HEIGHT));
    if (step % config.requestEverySteps === 0) fetchTimelinePage(step / config.requestEverySteps);
    if (step === config.toastAt) showToast();
    if (step === config.toastAt + config.errorVisibleSteps) hideToast();
    if (step === config.inlineErrorAt) showInlineError();
    if (step === config.inlineErrorAt + config.errorVisibleSteps) hideInlineError();
  }

  function countersPart() {
    for (let i = 0; i < config.counterUpdatesPerStep; i++) {
      const cell = cells[intBelow(cells.length)];
      const counter = cell.counters[intBelow(cell.counters.length)];
      counter.firstChild.data = compact(intBelow(20000));
    }
    mutationRecords += config.counterUpdatesPerStep;
  }

  function timestampsPart() {
    for (let i = 0; i < config.timeUpdatesPerStep; i++) {
      const cell = cells[intBelow(cells.length)];
      cell.time.firstChild.data = `${1 + intBelow(59)}m`;
    }
    mutationRecords += config.timeUpdatesPerStep;
  }

  // The pointer moving over videos: their controls (play button, progress, time) mount and unmount.
  function playerControlsPart() {
    const players = cells.filter((c) => c.player);
    if (players.length === 0) return;
    for (let i = 0; i < config.playerControlTogglesPerStep; i++) {
      const p = players[intBelow(players.length)].player;
      if (p.shown) {
        p.shown.remove();
        p.shown = null;
      } else {
        p.shown = el('div', { role: 'group' }, [
          el('button', { role: 'button', 'aria-label': 'Play', type: 'button' }, [el('svg', { viewBox: '0 0 24 24' })]),
          el('div', { role: 'slider', 'aria-valuenow': String(intBelow(100)) }),
          el('span', null, [`0:${String(intBelow(60)).padStart(2, '0')} / 1:30`]),
        ]);
        p.controls.append(p.shown);
      }
    }
    mutationRecords += config.playerControlTogglesPerStep;
  }

  function hoverAndMeasurePart() {
    for (let i = 0; i < config.attributeTogglesPerStep; i++) {
      const cell = cells[intBelow(cells.length)];
      const button = cell.buttons[intBelow(cell.buttons.length)];
      button.setAttribute('aria-pressed', rand() < 0.5 ? 'true' : 'false');
      cell.node.toggleAttribute('data-hovered');
    }
    for (let i = 0; i < config.restylesPerStep; i++) {
      const cell = cells[intBelow(cells.length)];
      cell.node.style.transform = `translateY(${cell.index * CELL_HEIGHT + intBelow(3)}px)`;
    }
    mutationRecords += 2 * config.attributeTogglesPerStep + config.restylesPerStep;
  }

  /** One step: a frame callback and three tasks after it; calls next() when all four have run. */
  function runStep(next) {
    scrollPart();
    postTask(countersPart);
    postTask(timestampsPart);
    postTask(playerControlsPart);
    postTask(() => {
      hoverAndMeasurePart();
      next();
    });
  }

  for (let i = 0; i < config.initialCells; i++) appendCell();

  // The runner starts the workload once it has taken its "before" measurements; the promise
  // settles after the last step (and the last API answer), so nobody has to poll for the end.
  window.__bench = {
    state: 'ready',
    result: null,
    start() {
      if (this.state !== 'ready') return Promise.reject(new Error(`workload already ${this.state}`));
      this.state = 'running';
      mutationRecords = 0;
      const startedAt = performance.now();
      let finish;
      const finished = new Promise((resolve) => { finish = resolve; });
      const frame = () => {
        if (step < config.steps) {
          runStep(() => {
            step++;
            requestAnimationFrame(frame);
          });
          return;
        }
        if (pendingRequests > 0) {
          requestAnimationFrame(frame);
          return;
        }
        this.state = 'done';
        this.result = {
          steps: step,
          mutationRecords,
          requestsDone,
          entriesReceived,
          cellsCreated: nextIndex,
          wallMs: performance.now() - startedAt,
          domNodes: document.getElementsByTagName('*').length,
        };
        finish(this.result);
      };
      requestAnimationFrame(frame);
      return finished;
    },
  };
})();
