/**
 * One normal form for X's UI messages, used both to build public/strings/*.json (the same rules
 * are repeated in scripts/gen-x-strings.mjs, which plain Node runs; a unit test checks that both
 * agree on every string of the data file) and to read the page.
 *
 * Whole messages are compared after this, never substrings: "Something went wrong" inside a post
 * must not match, and the texts differ between releases mostly in typography (’ vs ', no-break
 * spaces before French punctuation, a final full stop that one release has and the next drops).
 */
const INVISIBLE = /[\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;
const APOSTROPHES = /[\u2018\u2019\u201b\u02bc\u2032]/g;
const QUOTES = /[\u201c\u201d\u201e\u201f\u00ab\u00bb]/g;
const DASHES = /[\u2010-\u2015\u2212]/g;
// Sentence-final marks of the scripts X ships (Latin, CJK 。, Devanagari । ॥, Arabic ؟, Urdu ۔).
const TRAILING = /[\s.!?\u3002\u0964\u0965\u061f\u06d4]+$/u;

export function normaliseMessage(text: string): string {
  return text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(APOSTROPHES, "'")
    .replace(QUOTES, '"')
    .replace(DASHES, '-')
    .replace(/\s+/g, ' ')
    .toLowerCase()
    .replace(TRAILING, '')
    .trim();
}
