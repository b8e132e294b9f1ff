// Printed by `npm start` between the build and the server, so a new user knows what to do next.
/* global process, console */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const chrome = resolve('dist/chrome');
const firefox = resolve('dist/firefox');
const endpoint = process.env.OUTAGE_RADAR_ENDPOINT || 'http://127.0.0.1:8787';
for (const dir of [chrome, firefox]) {
  if (!existsSync(resolve(dir, 'manifest.json'))) {
    console.error(`Missing build in ${dir}: run "npm run build" first.`);
    process.exit(1);
  }
}
console.log(`
Outage Radar is built. The extension reports to ${endpoint} (change it in the extension's options).

  Chrome / Chromium: open chrome://extensions, switch on "Developer mode",
                     "Load unpacked", and pick ${chrome}
  Firefox:           open about:debugging#/runtime/this-firefox, "Load Temporary Add-on...",
                     and pick ${firefox}/manifest.json

Starting the aggregation server (embedded SQLite; Ctrl-C stops it)...
`);
