import { describe, expect, it } from 'vitest';
import { mergeRulesFromSchema, NO_RULES } from './merge-rules.js';
import { appendToMerged, compileReleases, sortReleases, versionReleases } from './merge.js';
import type { Json, JsonObject, RuleOverride } from './merge.types.js';

const schema: JsonObject = {
  type: 'object',
  definitions: {
    Item: { type: 'object', properties: { id: { type: ['string', 'integer'] }, name: { type: 'string' } } },
    Plain: { type: 'object', properties: { name: { type: 'string' } } },
  },
  properties: {
    ocid: { type: 'string' },
    id: { type: 'string', omitWhenMerged: true },
    date: { type: 'string', omitWhenMerged: true },
    tag: { type: 'array', items: { type: 'string' }, omitWhenMerged: true },
    items: { type: 'array', items: { $ref: '#/definitions/Item' } },
    plain: { type: 'array', items: { $ref: '#/definitions/Plain' } },
    flagged: { type: 'array', items: { $ref: '#/definitions/Item' }, wholeListMerge: true },
    old: { type: 'array', items: { $ref: '#/definitions/Item' }, mergeStrategy: 'ocdsVersion' },
    tender: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' } } },
  },
};
const rules = mergeRulesFromSchema(schema);
const rel = (id: string, date: string, extra: JsonObject): JsonObject => ({
  ocid: 'ocds-x-1',
  id,
  date,
  tag: ['tender'],
  ...extra,
});

describe('merge rules', () => {
  it('follows $ref, honours wholeListMerge, 1.0 names and arrays of objects without id', () => {
    expect(Object.fromEntries(rules.byPath)).toEqual({
      id: 'omitWhenMerged',
      date: 'omitWhenMerged',
      tag: 'omitWhenMerged',
      plain: 'wholeListMerge',
      flagged: 'wholeListMerge',
      old: 'wholeListMerge',
    });
    expect(mergeRulesFromSchema(schema)).toBe(rules); // memoised per schema object
  });

  it('survives a recursive $ref', () => {
    const rec: JsonObject = {
      definitions: {
        Node: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            kids: { type: 'array', items: { $ref: '#/definitions/Node' } },
          },
        },
      },
      properties: { root: { $ref: '#/definitions/Node' } },
    };
    expect(() => mergeRulesFromSchema(rec)).not.toThrow();
  });
});

describe('compiled merge', () => {
  it('sorts on the raw date string, stably, and sets the compiled metadata', () => {
    const r = compileReleases(
      [
        rel('b', '2020-01-02T00:00:00Z', { tender: { title: 'second' } }),
        rel('a', '2020-01-01T00:00:00Z', { tender: { title: 'first', id: 't' } }),
      ],
      rules,
    );
    expect(r.ok && r.value).toEqual({
      tag: ['compiled'],
      id: 'ocds-x-1-2020-01-02T00:00:00Z',
      date: '2020-01-02T00:00:00Z',
      ocid: 'ocds-x-1',
      tender: { title: 'second', id: 't' },
    });
    expect(Object.keys((r as { value: JsonObject }).value).slice(0, 4)).toEqual([
      'tag',
      'id',
      'date',
      'ocid',
    ]);
  });

  it('null deletes, empty {} and [] do nothing, ids match as strings keeping the first type', () => {
    const r = compileReleases(
      [
        rel('1', '2020-01-01', {
          tender: { title: 'x', id: 't' },
          items: [{ id: 1, name: 'a' }, { name: 'no id' }],
        }),
        rel('2', '2020-01-02', {
          tender: { title: null },
          items: [{ id: '1', name: 'b' }, { name: 'no id' }],
        }),
        rel('3', '2020-01-03', { tender: {}, items: [] }),
      ],
      rules,
    );
    expect(r.ok && r.value).toMatchObject({
      tender: { id: 't' },
      items: [{ id: 1, name: 'b' }, { name: 'no id' }, { name: 'no id' }],
    });
    expect(r.ok && (r.value.tender as JsonObject).title).toBeUndefined();
  });

  it('replaces whole lists, and warns about duplicate ids in one array (merged together)', () => {
    const r = compileReleases(
      [
        rel('1', '2020-01-01', { flagged: [{ id: 1 }, { id: 2 }], plain: [{ name: 'a' }] }),
        rel('2', '2020-01-02', {
          flagged: [{ id: 3 }],
          items: [
            { id: 'x', name: 'a' },
            { id: 'x', name: 'b' },
          ],
        }),
      ],
      rules,
    );
    expect(r.ok && r.value).toMatchObject({
      flagged: [{ id: 3 }],
      plain: [{ name: 'a' }],
      items: [{ id: 'x', name: 'b' }],
    });
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'duplicateId', path: 'items', id: 'x' })]);
  });

  it('returns typed errors instead of throwing', () => {
    const codes = (releases: Json[]) => {
      const r = compileReleases(releases, rules);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(codes([rel('1', 'x', {}), { ocid: 'o', id: '2' }])).toBe('missingDate');
    expect(codes([rel('1', 'x', {}), { ocid: 'o', date: null }])).toBe('nullDate');
    expect(codes([rel('1', 'x', {}), { ocid: 'o', date: 5 }])).toBe('nonStringDate');
    expect(codes([rel('1', 'x', {}), 'a string'])).toBe('nonObjectRelease');
    expect(
      codes([rel('1', 'a', { tender: 'literal' }), rel('2', 'b', { tender: { title: 'object' } })]),
    ).toBe('inconsistentType');
    // A single release is taken as is, as ocdsmerge does (test_date_errors).
    expect(compileReleases([{}], rules)).toMatchObject({
      ok: true,
      value: { id: 'None-None', tag: ['compiled'] },
    });
    expect(sortReleases([]).ok).toBe(true);
  });

  it('works without a schema (every array of objects identifier-merged)', () => {
    const r = compileReleases(
      [rel('1', 'a', { x: [{ id: 1, v: 1 }] }), rel('2', 'b', { x: [{ id: 1, w: 2 }] })],
      NO_RULES,
    );
    expect(r.ok && r.value.x).toEqual([{ id: 1, v: 1, w: 2 }]);
  });
});

describe('versioned merge', () => {
  it('records values only on change, never versions ocid or array ids', () => {
    const r = versionReleases(
      [
        rel('1', '2020-01-01', { tender: { title: 'a', id: 't' }, items: [{ id: 1, name: 'n' }] }),
        rel('2', '2020-01-02', { tender: { title: 'a', id: 't2' }, items: [{ id: 1, name: 'n2' }] }),
      ],
      rules,
    );
    expect(r.ok && r.value).toEqual({
      ocid: 'ocds-x-1',
      tender: {
        title: [{ releaseID: '1', releaseDate: '2020-01-01', releaseTag: ['tender'], value: 'a' }],
        id: [
          { releaseID: '1', releaseDate: '2020-01-01', releaseTag: ['tender'], value: 't' },
          { releaseID: '2', releaseDate: '2020-01-02', releaseTag: ['tender'], value: 't2' },
        ],
      },
      items: [
        {
          id: 1,
          name: [
            { releaseID: '1', releaseDate: '2020-01-01', releaseTag: ['tender'], value: 'n' },
            { releaseID: '2', releaseDate: '2020-01-02', releaseTag: ['tender'], value: 'n2' },
          ],
        },
      ],
    });
  });
});

describe('incremental update', () => {
  const r1 = rel('1', '2020-01-01', { tender: { title: 'a' }, items: [{ id: 1, name: 'n' }] });
  const r2 = rel('2', '2020-01-02', {
    tender: { title: 'b' },
    items: [{ id: 1, name: null }, { name: 'new' }],
  });
  const saved = () => ({
    compiled: (compileReleases([r1], rules) as { value: JsonObject }).value,
    versioned: (versionReleases([r1], rules) as { value: JsonObject }).value,
  });

  it('gives what a full merge gives, for a newer or same-date release', () => {
    const next = appendToMerged(saved(), r2, rules);
    expect(next.ok && next.value.mode).toBe('incremental');
    expect(next.ok && next.value.compiled).toEqual(
      (compileReleases([r1, r2], rules) as { value: JsonObject }).value,
    );
    expect(next.ok && next.value.versioned).toEqual(
      (versionReleases([r1, r2], rules) as { value: JsonObject }).value,
    );
  });

  it('falls back to a full merge for an older release, or refuses without the history', () => {
    const later = { compiled: (compileReleases([r2], rules) as { value: JsonObject }).value };
    expect(appendToMerged(later, r1, rules)).toMatchObject({
      ok: false,
      error: { code: 'outOfOrderRelease' },
    });
    const full = appendToMerged(later, r1, rules, { history: [r2] });
    expect(full.ok && full.value.mode).toBe('full');
    expect(full.ok && full.value.compiled).toEqual(
      (compileReleases([r1, r2], rules) as { value: JsonObject }).value,
    );
    expect(appendToMerged(later, { ocid: 'x' }, rules)).toMatchObject({
      ok: false,
      error: { code: 'missingDate' },
    });
  });
});

describe('fast compiled merge (tree) against the flat reference', () => {
  /** A small deterministic generator: few keys, so paths collide and change shape between releases. */
  function generator(seed: number) {
    let s = seed;
    const next = () => {
      s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
      return s / 2_147_483_648;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
    const keys = ['a', 'b', 'id', 'items', 'plain', 'flagged', 'tender', 'title', 'name', 'x', '__proto__'];
    const value = (depth: number): Json => {
      const r = next();
      if (depth <= 0 || r < 0.35) return pick([null, 1, 'one', true, 0, '1', 2]);
      if (r < 0.45) return pick([{}, [], [1, 'x'], [null]]);
      if (r < 0.75) {
        const list: Json[] = [];
        const n = Math.floor(next() * 4);
        for (let i = 0; i < n; i++) {
          const item = object(depth - 1) as JsonObject;
          const id = next();
          if (id < 0.7) item.id = pick([1, '1', 2, 'b', null, 3]);
          list.push(item);
        }
        return list;
      }
      return object(depth - 1);
    };
    const object = (depth: number): JsonObject => {
      const o: JsonObject = {};
      const n = Math.floor(next() * 4);
      for (let i = 0; i < n; i++) {
        const k = pick(keys);
        if (k === '__proto__')
          Object.defineProperty(o, k, {
            value: value(depth),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else o[k] = value(depth);
      }
      return o;
    };
    return { next, object };
  }

  const outcome = (b: { build(): JsonObject; warnings: unknown[] }) => {
    try {
      return { json: JSON.stringify(b.build()), warnings: JSON.stringify(b.warnings) };
    } catch (e) {
      return {
        error: (e as { failure?: { code: string; message: string } }).failure,
        warnings: JSON.stringify(b.warnings),
      };
    }
  };

  it('gives the same bytes (key order included), warnings and errors on 3,000 random histories', async () => {
    const { CompiledReleaseBuilder, FlatCompiledReleaseBuilder } = await import('./merge.js');
    const g = generator(42);
    let errors = 0;
    let different = 0;
    for (let n = 0; n < 3000; n++) {
      const ruleSet = n % 3 === 0 ? NO_RULES : rules;
      const overrides: Record<string, RuleOverride> =
        n % 5 === 0 ? { items: 'mergeByPosition', plain: 'append' } : {};
      const existing = n % 7 === 0 ? g.object(3) : undefined;
      const fast = new CompiledReleaseBuilder(ruleSet, { overrides }, existing);
      const flat = new FlatCompiledReleaseBuilder(ruleSet, { overrides }, existing);
      const count = 1 + Math.floor(g.next() * 4);
      for (let i = 0; i < count; i++) {
        const release = { ...g.object(4), ocid: 'o', date: `2020-0${i + 1}`, tag: ['tender'] };
        fast.append(release);
        flat.append(release);
      }
      const a = outcome(fast);
      const b = outcome(flat);
      if (a.error) errors++;
      if (JSON.stringify(a) !== JSON.stringify(b)) different++;
      expect(a).toEqual(b);
    }
    // The generator does reach the shape changes the tree hands over to the flat method.
    expect(errors).toBeGreaterThan(50);
    expect(different).toBe(0);
  });
});
