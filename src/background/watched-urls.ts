/** The requests the background's webRequest listeners watch: X's own hosts and its media CDN. */
export const WATCHED_URLS: readonly string[] = [
  'https://x.com/*',
  'https://*.x.com/*',
  'https://twitter.com/*',
  'https://*.twitter.com/*',
  'https://pbs.twimg.com/*',
  'https://video.twimg.com/*',
  'https://abs.twimg.com/*',
];
