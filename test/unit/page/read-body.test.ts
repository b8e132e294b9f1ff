import { describe, expect, it } from 'vitest';
import { classifyApiAnswer } from '../../../src/page/classify.ts';
import { leadingErrors, parseErrorsBody } from '../../../src/page/read-body.ts';

const deadline = { message: 'Timeout: Unspecified', code: 29, kind: 'ServiceLevel', name: 'DeadlineExceeded', source: 'Server' };
const bigData = { home: { entries: Array.from({ length: 200 }, (_, i) => ({ id: i, text: `post ${i} [with] {brackets} and "quotes"` })) } };

describe('parseErrorsBody', () => {
  it('does not parse a body that never says "errors"', () => {
    expect(parseErrorsBody(JSON.stringify({ data: bigData }))).toBeUndefined();
  });

  it('parses only the leading errors array of X\'s usual shape, not the data after it', () => {
    const text = JSON.stringify({ errors: [deadline], data: bigData });
    expect(parseErrorsBody(text)).toEqual({ errors: [deadline] });
    // The data is never looked at: broken JSON after the array does not matter.
    expect(parseErrorsBody(`${JSON.stringify({ errors: [deadline] }).slice(0, -1)},"data":{broken`)).toEqual({ errors: [deadline] });
  });

  it('finds errors placed after the data by parsing the whole (bounded) text', () => {
    const text = JSON.stringify({ data: bigData, errors: [deadline] });
    expect(parseErrorsBody(text)).toEqual({ data: bigData, errors: [deadline] });
    expect(parseErrorsBody(text, text.length - 1)).toBeUndefined();
  });

  it('reads a leading errors array even when the whole answer is over the bound', () => {
    const text = JSON.stringify({ errors: [deadline], data: bigData });
    expect(parseErrorsBody(text, 400)).toEqual({ errors: [deadline] });
  });

  it('gives undefined for malformed JSON', () => {
    expect(parseErrorsBody('{"errors": [ {"code": 131 ')).toBeUndefined();
    expect(parseErrorsBody('<html>"errors"</html>')).toBeUndefined();
  });

  it('leads to the same classification as a full parse, for every body shape', () => {
    const bodies = [
      { errors: [deadline], data: bigData },
      { errors: [{ code: 88, message: 'Rate limit exceeded' }] },
      { errors: [{ message: '(-1) LoadShed' }], data: null },
      { errors: [{ code: 32, message: 'Could not authenticate you.' }] },
      { errors: [], data: bigData },
      { data: bigData, errors: [{ code: 131 }] },
    ];
    for (const body of bodies) {
      const text = JSON.stringify(body);
      const answer = { feature: 'timeline' as const, status: 200, contentType: 'application/json' };
      expect(classifyApiAnswer({ ...answer, body: parseErrorsBody(text) })).toEqual(classifyApiAnswer({ ...answer, body: JSON.parse(text) }));
    }
  });
});

describe('leadingErrors', () => {
  it('skips brackets and escaped quotes inside strings', () => {
    const errors = [{ message: 'a ] b } c [ "quoted \\" ] still" \\\\', code: 131 }, { name: 'LoadShed' }];
    expect(leadingErrors(`  {\n "errors" : ${JSON.stringify(errors)}, "data": {}}`)).toEqual(errors);
  });

  it('only reads an errors key that opens the object', () => {
    expect(leadingErrors(JSON.stringify({ data: { errors: [{ code: 131 }] } }))).toBeUndefined();
    expect(leadingErrors(JSON.stringify({ data: 1, errors: [{ code: 131 }] }))).toBeUndefined();
    expect(leadingErrors(JSON.stringify({ errors: { code: 131 } }))).toBeUndefined();
  });

  it('gives up on an array not closed within the bound', () => {
    const text = JSON.stringify({ errors: [{ message: 'x'.repeat(500) }] });
    expect(leadingErrors(text, 100)).toBeUndefined();
    expect(leadingErrors(text, text.length)).toEqual([{ message: 'x'.repeat(500) }]);
    expect(leadingErrors('{"errors":[{"code":131}')).toBeUndefined();
  });
});
