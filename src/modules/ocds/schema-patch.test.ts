import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../platform/canonical-json.js';
import {
  CONTRACTA_EXTENSIONS,
  declaredExtensionUrls,
  ownExtensionFor,
  resolveExtensionUrl,
} from './extensions.js';
import { combinePatches, mergePatch, patchSchema } from './schema-patch.js';

describe('mergePatch (RFC 7386)', () => {
  // The examples of RFC 7386 appendix A.
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(cases)('MergePatch(%j, %j) = %j', (target, patch, expected) => {
    expect(mergePatch(target as JsonValue, patch as JsonValue)).toEqual(expected);
  });

  it('does not modify its inputs', () => {
    const target = { a: { b: 1 } };
    const patch = { a: { c: 2 } };
    mergePatch(target, patch);
    expect(target).toEqual({ a: { b: 1 } });
    expect(patch).toEqual({ a: { c: 2 } });
  });
});

describe('patchSchema (ProfileBuilder order)', () => {
  const core = {
    properties: { ocid: { type: 'string' }, old: { type: 'string' } },
    definitions: { Tender: { properties: { title: { type: 'string' } }, required: ['id'] } },
  };

  it('keeps a null of an earlier extension through a later one, so the field is removed', () => {
    const removeOld = { properties: { old: null } };
    const addLots = { definitions: { Tender: { properties: { lots: { type: 'array' } } } } };
    const patched = patchSchema(core, [removeOld, addLots]);
    expect(patched.properties).toEqual({ ocid: { type: 'string' } });
    expect(patched.definitions).toEqual({
      Tender: { properties: { title: { type: 'string' }, lots: { type: 'array' } }, required: ['id'] },
    });
    expect(combinePatches([removeOld, addLots])).toEqual({ ...removeOld, ...addLots });
    expect(core.properties.old).toEqual({ type: 'string' });
  });

  it('replaces arrays (required, enum) instead of appending', () => {
    const patched = patchSchema(core, [{ definitions: { Tender: { required: ['id', 'lots'] } } }]);
    expect((patched.definitions as { Tender: { required: string[] } }).Tender.required).toEqual([
      'id',
      'lots',
    ]);
  });

  it('a later extension overrides an earlier one field by field', () => {
    const a = { definitions: { Lot: { properties: { id: { type: 'string', title: 'A' } } } } };
    const b = { definitions: { Lot: { properties: { id: { title: 'B' } } } } };
    expect(patchSchema({}, [a, b])).toEqual({
      definitions: { Lot: { properties: { id: { type: 'string', title: 'B' } } } },
    });
  });
});

describe('Contracta extensions', () => {
  it('declares lots, bids and submission terms with official extension.json URLs', () => {
    const ids = CONTRACTA_EXTENSIONS.map((e) => e.id);
    expect(ids).toEqual(expect.arrayContaining(['lots', 'bids', 'submissionTerms']));
    for (const url of declaredExtensionUrls()) {
      expect(url).toMatch(
        /^https:\/\/raw\.githubusercontent\.com\/open-contracting-extensions\/ocds_\w+_extension\/[\w.]+\/extension\.json$/,
      );
    }
    for (const e of CONTRACTA_EXTENSIONS.filter((x) => !x.own))
      expect(e.documentation).toMatch(/^https:\/\/extensions\.open-contracting\.org\//);
  });

  it("declares our own document integrity extension at this deployment's URL only when given one", () => {
    const base = 'https://contracta.example.cat';
    const own = `${base}/ocds/v1/extensions/documentIntegrity/extension.json`;
    expect(declaredExtensionUrls(base)).toEqual([...declaredExtensionUrls(), own]);
    expect(ownExtensionFor(own)?.id).toBe('documentIntegrity');
    expect(
      ownExtensionFor('https://other.example/ocds/v1/extensions/documentIntegrity/extension.json')?.id,
    ).toBe('documentIntegrity');
    expect(ownExtensionFor(declaredExtensionUrls()[0] as string)).toBeUndefined();
    expect(ownExtensionFor('not a url at all')).toBeUndefined();
    expect(resolveExtensionUrl('/ocds/v1/x/extension.json', `${base}/`)).toBe(
      `${base}/ocds/v1/x/extension.json`,
    );
  });
});
