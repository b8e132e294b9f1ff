/**
 * A shields-style badge ("X status | outage") for embedding in other pages. The text is fixed
 * English words and a checked region code, escaped anyway; widths come from a rough per-glyph
 * table for Verdana 11 px, so the badge fits its words without a font on the server.
 */
import type { State } from '../../shared/protocol.ts';

export type BadgeState = State | 'unknown' | 'invalid';

const COLORS: Record<BadgeState, string> = {
  operational: '#2E7D32',
  degraded: '#B45309',
  outage: '#C62828',
  unknown: '#5F6368',
  invalid: '#5F6368',
};

const WORDS: Record<BadgeState, string> = {
  operational: 'operational',
  degraded: 'degraded',
  outage: 'outage',
  unknown: 'unknown',
  invalid: 'invalid region',
};

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    if ('iljtf.,:;!|\' '.includes(ch)) w += 3.6;
    else if ('mwMW'.includes(ch)) w += 10.5;
    else if (/[A-Z0-9]/.test(ch)) w += 7.6;
    else w += 6.6;
  }
  return Math.ceil(w);
}

export function badgeSvg(state: BadgeState, region: string | null): string {
  const label = region ? `X status ${region}` : 'X status';
  const value = WORDS[state];
  const lw = textWidth(label) + 12;
  const vw = textWidth(value) + 12;
  const width = lw + vw;
  const title = escapeXml(`${label}: ${value}`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${title}" data-state="${state}">`,
    `<title>${title}</title>`,
    `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`,
    `<clipPath id="r"><rect width="${width}" height="20" rx="3" fill="#fff"/></clipPath>`,
    `<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#444"/><rect x="${lw}" width="${vw}" height="20" fill="${COLORS[state]}"/><rect width="${width}" height="20" fill="url(#s)"/></g>`,
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`,
    `<text x="${lw / 2}" y="14">${escapeXml(label)}</text>`,
    `<text x="${lw + vw / 2}" y="14">${escapeXml(value)}</text>`,
    `</g></svg>`,
  ].join('');
}
