/* global window, document, MutationObserver */
// Configuration (c): the detector the extension must not be. It watches every mutation of the
// document and, for each batch, reads the whole page's text and looks for X's error messages.
// Injected at document start with the needles in window.__NAIVE_NEEDLES__ (lower-cased English
// failure texts from x-ui-error-strings.json). Reading innerText forces style and layout.
(() => {
  'use strict';
  const needles = window.__NAIVE_NEEDLES__;
  const state = { batches: 0, hits: 0 };
  window.__naiveDetector = state;
  new MutationObserver(() => {
    state.batches++;
    const text = document.body ? document.body.innerText.toLowerCase() : '';
    for (const needle of needles) if (text.includes(needle)) state.hits++;
  }).observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
})();
