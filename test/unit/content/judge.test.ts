import { describe, expect, it } from 'vitest';
import { bestMatch, judge } from '../../../src/content/judge.ts';
import type { StringEntry, StringTable } from '../../../src/content/strings.ts';

const entry = (meaning: string, cls: StringEntry['cls'], feature: StringEntry['feature'] = 'other'): StringEntry => ({ meaning, cls, feature });
const table: StringTable = new Map([
  ['something went wrong. try reloading', entry('timeline_error', 'failure', 'timeline')],
  ["hmm...this page doesn't exist. try searching for something else", entry('not_found_not_outage', 'not_outage')],
  ['sorry, you are rate limited. please wait a few moments then try again', entry('rate_limited', 'per_account')],
  ['something went wrong. check your connection and try again', entry('connection_error', 'connection')],
  ['this broadcast is not available', entry('broadcast_unavailable', 'ambiguous', 'spaces')],
  ['retry', entry('retry_button', 'button', 'timeline')],
  ['error', entry('error_label', 'label')],
]);

describe('bestMatch', () => {
  it('matches whole normalised messages only', () => {
    expect(bestMatch(['Something went wrong. Try reloading.'], table)?.meaning).toBe('timeline_error');
    expect(bestMatch(['Something went wrong. Try reloading. Or not.'], table)).toBeNull();
    expect(bestMatch(['Something went wrong'], table)).toBeNull();
    expect(bestMatch(['Something went wrong. Try reloading.'], null)).toBeNull();
  });

  it('prefers an exclusion, then the most cautious class', () => {
    expect(bestMatch(['Something went wrong. Try reloading.', 'Hmm...this page doesn’t exist. Try searching for something else.'], table)?.cls).toBe('not_outage');
    expect(bestMatch(['Something went wrong. Try reloading.', 'Sorry, you are rate limited. Please wait a few moments then try again.'], table)?.cls).toBe('per_account');
  });
});

describe('judge', () => {
  const fallbackFeature = 'profile' as const;
  it.each([
    [entry('not_found_not_outage', 'not_outage'), true, null],
    [entry('rate_limited', 'per_account'), false, { feature: 'profile', signal: 'banner', code: 'limit:rate_limited' }],
    [entry('follow_limit', 'per_account', 'follow'), false, { feature: 'follow', signal: 'banner', code: 'limit:follow_limit' }],
    [entry('connection_error', 'connection'), false, { feature: 'profile', signal: 'network', code: 'banner:connection_error' }],
    [entry('timeline_error', 'failure', 'timeline'), false, { feature: 'timeline', signal: 'banner', code: 'banner:timeline_error' }],
    [entry('broadcast_unavailable', 'ambiguous', 'spaces'), false, null],
    [entry('broadcast_unavailable', 'ambiguous', 'spaces'), true, { feature: 'spaces', signal: 'banner', code: 'banner:broadcast_unavailable' }],
    [entry('retry_button', 'button', 'timeline'), false, null],
    [null, false, null],
    [null, true, { feature: 'profile', signal: 'banner', code: 'banner:unrecognised' }],
  ] as const)('%j with structure %s -> %j', (match, structural, expected) => {
    expect(judge({ match, structural, fallbackFeature })).toEqual(expected);
  });

});
