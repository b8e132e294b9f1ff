/** Replaced at build time by vite (see vite.config.ts); tests define them on globalThis. */
declare const __OUTAGE_RADAR_ENDPOINT__: string;
declare const __OUTAGE_RADAR_BROWSER__: 'chrome' | 'firefox';
