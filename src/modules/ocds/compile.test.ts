import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CompileOptions, compileOcds } from './compile.js';
import { mergeRulesFromSchema } from './merge-rules.js';
import { FlatCompiledReleaseBuilder, sortReleases } from './merge.js';
import type { JsonObject } from './merge.types.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contracta-compile-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const schema: JsonObject = {
  type: 'object',
  definitions: {
    Item: { type: 'object', properties: { id: { type: 'string' }, v: { type: 'integer' } } },
  },
  properties: {
    ocid: { type: 'string' },
    id: { type: 'string', omitWhenMerged: true },
    date: { type: 'string' },
    tag: { type: 'array', items: { type: 'string' }, omitWhenMerged: true },
    items: { type: 'array', items: { $ref: '#/definitions/Item' } },
  },
};
const schemaFile = path.join(dir, 'schema.json');
fs.writeFileSync(schemaFile, JSON.stringify(schema));

/**
 * 400 ocids × 1–4 releases in a shuffled order, with ocids that JSON escapes and sorts differently
 * from their text (quotes, control characters, a lone surrogate, non-ASCII) and one that is a number.
 */
function releases(): JsonObject[] {
  let s = 7;
  const next = () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
  const odd = ['a"b', 'a\u0001', 'a\ud800', 'aé', 'a#', 'A', 'a\\'];
  const out: JsonObject[] = [];
  for (let p = 0; p < 400; p++) {
    const ocid = p < odd.length ? (odd[p] as string) : `ocds-t-${(p * 7919) % 1000}`;
    const n = 1 + (p % 4);
    for (let r = 0; r < n; r++)
      out.push({
        ocid,
        id: `${r}`,
        date: `2020-01-0${1 + Math.floor(next() * 9)}T00:00:00Z`,
        tag: ['tender'],
        title: `t${p}-${r}-${'x'.repeat(Math.floor(next() * 300))}`,
        items: [{ id: String(r % 2), v: r }],
        ...(r === 1 ? { note: null } : {}),
      });
  }
  out.push({ ocid: 12, id: 'n', date: '2020-01-01T00:00:00Z', tag: ['tender'] });
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as JsonObject, out[i] as JsonObject];
  }
  return out;
}

const input = releases();
const file = path.join(dir, 'in.jsonl');
fs.writeFileSync(file, input.map((r) => `${JSON.stringify(r)}\n`).join(''));

async function compile(options: CompileOptions, bytes = false): Promise<string> {
  let out = '';
  const summary = await compileOcds(
    [{ name: file, open: () => fs.createReadStream(file, { highWaterMark: 1024 }) }],
    (t) => {
      out += t;
    },
    { schema: schemaFile, tmpDir: dir, ...options },
    bytes
      ? (b) => {
          out += Buffer.from(b).toString('utf8');
        }
      : undefined,
  );
  expect(summary.exitCode).toBe(0);
  expect(summary.ocids).toBe(401);
  return out;
}

describe('compile through the spill (external sort)', () => {
  it('gives what an in-memory merge gives, sorted by ocid, with or without re-splits', async () => {
    // The reference: group in input order, stable date sort, the flat merge, ocids sorted as strings.
    const rules = mergeRulesFromSchema(schema);
    const groups = new Map<string, JsonObject[]>();
    for (const r of input) {
      const key = typeof r.ocid === 'string' ? r.ocid : String(r.ocid);
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const expected = [...groups.keys()]
      .sort()
      .map((ocid) => {
        const sorted = sortReleases(groups.get(ocid) as JsonObject[]);
        if (!sorted.ok) throw new Error(sorted.error.message);
        const b = new FlatCompiledReleaseBuilder(rules);
        for (const r of sorted.releases) b.append(r);
        return `${JSON.stringify(b.build())}\n`;
      })
      .join('');
    expect(await compile({})).toBe(expected);
    // Buckets of 2 KB are split again, three levels deep, and their runs merged.
    expect(await compile({ spillBucketBytes: 2_000 })).toBe(expected);
    expect(await compile({}, true)).toBe(expected);
    // Nothing is left behind in the temporary directory.
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('contracta-compile-'))).toEqual([]);
  });

  it('streams a pretty record package exactly as JSON.stringify(package, null, 2) writes it', async () => {
    for (const versioned of [false, true]) {
      const out = await compile({ package: true, pretty: true, versioned }, true);
      expect(out).toBe(`${JSON.stringify(JSON.parse(out), null, 2)}\n`);
      const compact = await compile({ package: true, versioned, spillBucketBytes: 5_000 });
      expect(JSON.parse(compact)).toEqual(JSON.parse(out));
      expect(compact).toBe(`${JSON.stringify(JSON.parse(compact))}\n`);
    }
  });

  it('counts an ocid it cannot merge (a release without a date) and goes on, even when no ocid is left', async () => {
    const dirty = path.join(dir, 'dirty.json');
    const rows = [
      { ocid: 'ocds-t-nodate', id: '1', tag: ['tender'] },
      { ocid: 'ocds-t-nodate', id: '2', date: '2020-01-02T00:00:00Z', tag: ['tender'] },
    ];
    for (const only of [
      rows,
      [...rows, { ocid: 'ocds-t-ok', id: '1', date: '2020-01-01T00:00:00Z', tag: ['tender'] }],
    ]) {
      // In a package: a bare object without `date` is not taken for a release at all (unknownItem).
      fs.writeFileSync(dirty, JSON.stringify({ version: '1.1', releases: only }));
      let out = '';
      const summary = await compileOcds(
        [{ name: dirty, open: () => fs.createReadStream(dirty) }],
        (t) => {
          out += t;
        },
        { schema: schemaFile, tmpDir: dir },
      );
      expect(summary.warnings).toEqual({ badDate: 1, 'mergeError.missingDate': 1 });
      expect(
        out
          .split('\n')
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as JsonObject).ocid),
      ).toEqual(only.length === 3 ? ['ocds-t-ok'] : []);
    }
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('contracta-compile-'))).toEqual([]);
  });
});
