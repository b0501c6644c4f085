import { describe, expect, it } from 'vitest';
import { InputSyntaxError, parseInput, splitJsonValues } from './validate.input.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('validate input reader', () => {
  it('reads one JSON document', () => {
    const p = parseInput(bytes('{"ocid":"ocds-abcdef-1"}'));
    expect(p.documents).toEqual([{ label: '', path: '', value: { ocid: 'ocds-abcdef-1' } }]);
    expect(p.latin1).toBe(false);
  });

  it('splits a top-level array into its items, with their paths', () => {
    const p = parseInput(bytes('[{"a":1},{"b":2}]'));
    expect(p.documents.map((d) => [d.label, d.path])).toEqual([
      ['[0]', '/0'],
      ['[1]', '/1'],
    ]);
  });

  it('reads JSON Lines and concatenated JSON, strings with braces included', () => {
    const p = parseInput(bytes('{"a":"}{"}\n{"b":[1,{"c":"\\"]"}]}{"d":3}\n'));
    expect(p.documents.map((d) => d.value)).toEqual([{ a: '}{' }, { b: [1, { c: '"]' }] }, { d: 3 }]);
    expect(p.documents.map((d) => d.label)).toEqual(['#1', '#2', '#3']);
    expect(splitJsonValues(' 1 "x" [2] ')).toEqual(['1', '"x"', '[2]']);
  });

  it('an empty input has no documents; invalid JSON is a syntax error', () => {
    expect(parseInput(bytes(' \n')).documents).toEqual([]);
    expect(() => parseInput(bytes('{"a":1}\n{"b":'))).toThrow(InputSyntaxError);
    expect(() => parseInput(bytes('not json'))).toThrow(InputSyntaxError);
  });

  it('reads ISO-8859-1 when the bytes are not UTF-8, and drops a BOM', () => {
    const latin1 = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]); // {"a":"é"}
    expect(parseInput(latin1)).toEqual({
      documents: [{ label: '', path: '', value: { a: 'é' } }],
      latin1: true,
    });
    expect(parseInput(bytes('\uFEFF{"a":1}')).documents[0]!.value).toEqual({ a: 1 });
  });
});
