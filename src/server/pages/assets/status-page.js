/*
 * Keeps the status page current without reloading it: every data-refresh-seconds (about a
 * minute) while the tab is visible, it fetches the same address (the browser's cache honours
 * the server's Cache-Control and ETag) and swaps in the new status. It never moves the
 * keyboard focus: while something inside the status has focus, the swap waits.
 * Served as a file so the page's Content-Security-Policy can forbid inline scripts.
 */
/* global document, window, fetch, DOMParser, location */
(function () {
  'use strict';
  var main = document.getElementById('status');
  var live = document.getElementById('live');
  if (!main || !live || typeof fetch !== 'function') return;
  var seconds = Math.max(15, Number(main.getAttribute('data-refresh-seconds')) || 60);
  var busy = false;

  function focusInside() {
    var active = document.activeElement;
    return active && active !== document.body && live.contains(active);
  }

  function refresh() {
    if (busy || document.hidden || focusInside()) return;
    busy = true;
    fetch(location.href, { headers: { Accept: 'text/html' }, credentials: 'omit' })
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var next = doc.getElementById('live');
        if (!next || focusInside()) return;
        if (next.innerHTML !== live.innerHTML) {
          live.innerHTML = next.innerHTML;
          document.title = doc.title;
        }
        main.setAttribute('data-refreshed-at', String(Date.now()));
      })
      .catch(function () {
        // Offline or the server is restarting: the page keeps what it shows and tries again later.
      })
      .then(function () {
        busy = false;
      });
  }

  window.setInterval(refresh, seconds * 1000);
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden) refresh();
  });
})();
