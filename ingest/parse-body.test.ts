import { describe, expect, it } from 'vitest';
import { parseJsonBody, parseNdjsonBody } from './parse-body.ts';

describe('parseJsonBody', () => {
  it('reads an array or a single object', () => {
    expect(parseJsonBody('[{"a":1},{"b":2}]')).toEqual({ ok: true, items: [{ index: 0, value: { a: 1 } }, { index: 1, value: { b: 2 } }], lineErrors: [] });
    expect(parseJsonBody('{"a":1}')).toMatchObject({ ok: true, items: [{ index: 0, value: { a: 1 } }] });
  });
  it('refuses malformed JSON and scalars as a whole', () => {
    expect(parseJsonBody('[{"a":1}')).toMatchObject({ ok: false, error: expect.stringContaining('not valid JSON') });
    expect(parseJsonBody('42')).toMatchObject({ ok: false, error: expect.stringContaining('JSON array') });
  });
});

describe('parseNdjsonBody', () => {
  it('keeps good lines and names the bad ones by line number', () => {
    const parsed = parseNdjsonBody('{"a":1}\n\nnot json\n{"b":2}\n');
    expect(parsed).toMatchObject({
      ok: true,
      items: [{ index: 0, value: { a: 1 } }, { index: 2, value: { b: 2 } }],
      lineErrors: [{ index: 1, error: expect.stringContaining('line 3 is not valid JSON') }],
    });
  });
});
