/**
 * Golden parity of our OCDS merge with the reference implementation (issue 6, ocds.md §3.3): every
 * ocdsmerge fixture (1.1 cases with the 1.1.4 schema, 1.0 with 1.0.3, the schema.json edge cases with
 * its rule overrides) and ocdskit's compiled/versioned outputs for the real CDMX packages, which carry
 * no `version` and so merge with the 1.0 rules (§3.4). Outputs are compared as parsed JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeRulesFromSchema } from '../../src/modules/ocds/merge-rules.js';
import { appendToMerged, compileReleases, versionReleases } from '../../src/modules/ocds/merge.js';
import type { Json, JsonObject, RuleOverride } from '../../src/modules/ocds/merge.types.js';
import { Command } from 'commander';
import { registerCompileCommand, runCompile } from '../../src/modules/ocds/compile.cli.js';
import type { CompileOptions } from '../../src/modules/ocds/compile.js';
import { hasOcdsData, OCDS_DATA_MISSING, ocdsPath } from '../helpers/ocds.js';

const read = (p: string): Json => JSON.parse(fs.readFileSync(p, 'utf8')) as Json;
const schema = (p: string) => mergeRulesFromSchema(read(p) as JsonObject);

type Case = {
  name: string;
  input: string;
  expected: string;
  schemaFile: string;
  kind: 'compiled' | 'versioned';
};

function mergeCases(): Case[] {
  if (!hasOcdsData) return [];
  const golden = ocdsPath('golden', 'ocds-merge');
  const cases: Case[] = [];
  for (const [dir, schemaFile] of [
    ['1.1', 'release-schema-1__1__4.json'],
    ['1.0', 'release-schema-1__0__3.json'],
  ] as const) {
    for (const f of fs.readdirSync(path.join(golden, dir)).sort()) {
      const m = /^(.*)-(compiled|versioned)\.json$/.exec(f);
      if (!m) continue;
      cases.push({
        name: `${dir}/${f}`,
        input: path.join(golden, dir, `${m[1]}.json`),
        expected: path.join(golden, dir, f),
        schemaFile: path.join(golden, schemaFile),
        kind: m[2] as 'compiled' | 'versioned',
      });
    }
  }
  return cases;
}

function schemaCases(): Case[] {
  if (!hasOcdsData) return [];
  const dir = ocdsPath('golden', 'ocds-merge', 'schema');
  const cases: Case[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    const m = /^(.*)-(compiled|versioned)\.json$/.exec(f);
    if (!m) continue;
    cases.push({
      name: `schema/${f}`,
      input: path.join(dir, `${m[1]}.json`),
      expected: path.join(dir, f),
      schemaFile: ocdsPath('golden', 'ocds-merge', 'schema.json'),
      kind: m[2] as 'compiled' | 'versioned',
    });
  }
  return cases;
}

describe.skipIf(!hasOcdsData)(`OCDS merge golden parity ${hasOcdsData ? '' : OCDS_DATA_MISSING}`, () => {
  const cases = mergeCases();

  it('finds the 36 ocds-merge expected outputs', () => {
    expect(cases).toHaveLength(36);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const rules = schema(c.schemaFile);
    const releases = read(c.input) as Json[];
    const before = JSON.stringify(releases);
    const result =
      c.kind === 'compiled' ? compileReleases(releases, rules) : versionReleases(releases, rules);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value).toEqual(read(c.expected));
    // The input releases are not modified.
    expect(JSON.stringify(releases)).toBe(before);
  });

  const edge = schemaCases();
  it.each(edge.map((c) => [c.name, c] as const))('ocdsmerge schema.json case %s', (_name, c) => {
    const result =
      c.kind === 'compiled'
        ? compileReleases(read(c.input) as Json[], schema(c.schemaFile))
        : versionReleases(read(c.input) as Json[], schema(c.schemaFile));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value).toEqual(read(c.expected));
  });

  it('warns on duplicate ids and supports the APPEND / MERGE_BY_POSITION overrides (test_collisions.py)', () => {
    const dir = ocdsPath('golden', 'ocds-merge', 'schema');
    const rules = schema(ocdsPath('schema', '1__1__5', 'release-schema.json'));
    const releases = read(path.join(dir, 'identifier-merge-duplicate-id.json')) as Json[];
    const plain = compileReleases(releases, rules);
    expect(plain.warnings.map((w) => [w.path, w.id, w.message])).toEqual([
      [
        'nested.identifierMerge',
        '1',
        "Multiple objects have the `id` value '1' in the `nested.identifierMerge` array",
      ],
      ['nested.array', '1', "Multiple objects have the `id` value '1' in the `nested.array` array"],
    ]);
    for (const [override, file] of [
      ['mergeByPosition', 'identifier-merge-duplicate-id-by-position.json'],
      ['append', 'identifier-merge-duplicate-id-append.json'],
    ] as const) {
      const overrides: Record<string, RuleOverride> = { 'nested.array': override };
      const r = compileReleases([...releases, ...releases], rules, { overrides });
      expect(r.ok && r.value).toEqual(read(path.join(dir, file)));
      expect(r.warnings.length).toBeGreaterThan(0);
    }
    const noId = read(path.join(dir, 'identifier-merge-no-id.json')) as Json[];
    const r = compileReleases([...noId, ...noId], rules, { overrides: { 'nested.array': 'append' } });
    expect(r.ok && r.value).toEqual(read(path.join(dir, 'identifier-merge-no-id-append.json')));
    expect(r.warnings).toEqual([]);
  });

  it('derives the merge rules ocdsmerge derives (test_get_merge_rules_1_0 / _1_1)', () => {
    const r10 = schema(ocdsPath('golden', 'ocds-merge', 'release-schema-1__0__3.json'));
    expect(Object.fromEntries([...r10.byPath].sort())).toEqual({
      'awards.amendment.changes': 'wholeListMerge',
      'awards.items.additionalClassifications': 'wholeListMerge',
      'awards.suppliers': 'wholeListMerge',
      'buyer.additionalIdentifiers': 'wholeListMerge',
      'contracts.amendment.changes': 'wholeListMerge',
      'contracts.items.additionalClassifications': 'wholeListMerge',
      date: 'omitWhenMerged',
      id: 'omitWhenMerged',
      ocid: 'omitWhenMerged',
      tag: 'omitWhenMerged',
      'tender.amendment.changes': 'wholeListMerge',
      'tender.items.additionalClassifications': 'wholeListMerge',
      'tender.procuringEntity.additionalIdentifiers': 'wholeListMerge',
      'tender.submissionMethod': 'wholeListMerge',
      'tender.tenderers': 'wholeListMerge',
    });
    const r11 = schema(ocdsPath('golden', 'ocds-merge', 'release-schema-1__1__4.json'));
    expect(Object.fromEntries([...r11.byPath].sort())).toEqual({
      'awards.items.additionalClassifications': 'wholeListMerge',
      'contracts.items.additionalClassifications': 'wholeListMerge',
      'contracts.relatedProcesses.relationship': 'wholeListMerge',
      date: 'omitWhenMerged',
      id: 'omitWhenMerged',
      'parties.additionalIdentifiers': 'wholeListMerge',
      'parties.roles': 'wholeListMerge',
      'relatedProcesses.relationship': 'wholeListMerge',
      tag: 'omitWhenMerged',
      'tender.additionalProcurementCategories': 'wholeListMerge',
      'tender.items.additionalClassifications': 'wholeListMerge',
      'tender.submissionMethod': 'wholeListMerge',
      'awards.amendment.changes': 'wholeListMerge',
      'awards.amendments.changes': 'wholeListMerge',
      'awards.suppliers.additionalIdentifiers': 'wholeListMerge',
      'buyer.additionalIdentifiers': 'wholeListMerge',
      'contracts.amendment.changes': 'wholeListMerge',
      'contracts.amendments.changes': 'wholeListMerge',
      'contracts.implementation.transactions.payee.additionalIdentifiers': 'wholeListMerge',
      'contracts.implementation.transactions.payer.additionalIdentifiers': 'wholeListMerge',
      'tender.amendment.changes': 'wholeListMerge',
      'tender.amendments.changes': 'wholeListMerge',
      'tender.procuringEntity.additionalIdentifiers': 'wholeListMerge',
      'tender.tenderers.additionalIdentifiers': 'wholeListMerge',
    });
  });

  describe('incremental update equals a full merge', () => {
    const incrementalEqualsFull = (releases: Json[], rulesFile: string) => {
      const rules = schema(rulesFile);
      const sorted = [...releases].sort((a, b) =>
        String((a as JsonObject).date) < String((b as JsonObject).date) ? -1 : 1,
      );
      let saved: { compiled?: JsonObject; versioned?: JsonObject } = {};
      for (const [i, r] of sorted.entries()) {
        if (i === 0) {
          const c = compileReleases([r], rules);
          const v = versionReleases([r], rules);
          if (!c.ok || !v.ok) throw new Error('merge failed');
          saved = { compiled: c.value, versioned: v.value };
          continue;
        }
        const next = appendToMerged(saved, r, rules);
        expect(next.ok && next.value.mode).toBe('incremental');
        if (next.ok) saved = next.value;
      }
      expect(saved.compiled).toEqual((compileReleases(releases, rules) as { value: JsonObject }).value);
      expect(saved.versioned).toEqual((versionReleases(releases, rules) as { value: JsonObject }).value);
      return saved;
    };

    it('fictional example (6 releases, 1.1.5)', () => {
      const dir = ocdsPath('fictional-example');
      const releases = fs
        .readdirSync(dir)
        .filter((f) => /-0\d-/.test(f))
        .sort()
        .flatMap((f) => (read(path.join(dir, f)) as JsonObject).releases as Json[]);
      expect(releases).toHaveLength(6);
      incrementalEqualsFull(releases, ocdsPath('schema', '1__1__5', 'release-schema.json'));
    });

    it('CDMX packages (1.0.3), and an older release falls back to a full merge or is refused', () => {
      const rules10File = ocdsPath('schema', '1__0__3', 'release-schema.json');
      const releases = (read(ocdsPath('golden', 'ocdskit-realdata', 'release-package-1.json')) as JsonObject)
        .releases as Json[];
      incrementalEqualsFull(releases, rules10File);
      const rules = schema(rules10File);
      const sorted = [...releases].sort((a, b) =>
        String((a as JsonObject).date) < String((b as JsonObject).date) ? -1 : 1,
      );
      const oldest = sorted[0] as Json;
      const rest = sorted.slice(1);
      const saved = { compiled: (compileReleases(rest, rules) as { value: JsonObject }).value };
      const refused = appendToMerged(saved, oldest, rules);
      expect(!refused.ok && refused.error.code).toBe('outOfOrderRelease');
      const full = appendToMerged(saved, oldest, rules, { history: () => rest });
      expect(full.ok && full.value.mode).toBe('full');
      expect(full.ok && full.value.compiled).toEqual(
        read(ocdsPath('golden', 'ocdskit-realdata', 'compiled-release-1.json')),
      );
    });
  });

  describe("`ocds compile` gives ocdskit compile's expected CLI outputs (test_compile.py)", () => {
    const real = (f: string) => ocdsPath('golden', 'ocdskit-realdata', f);
    const run = async (files: string[], options: CompileOptions) => {
      let out = '';
      let err = '';
      const summary = await runCompile(
        files,
        { schemaDir: ocdsPath('schema'), offline: true, ...options },
        {
          out: (t) => {
            out += t;
          },
          err: (t) => {
            err += t;
          },
        },
      );
      return { out, err, summary };
    };
    const inputs = [real('release-package-1.json'), real('release-package-2.json')];
    // Python prints 1311264.00 as 1311264.0; JSON.stringify as 1311264: the only textual difference.
    const pyFloats = (t: string) => t.replace(/(\d)\.0(?=[,}\]])/g, '$1');

    it('compile --ascii: compiled-release-1.json + compiled-release-2.json, byte for byte but for floats', async () => {
      const { out, err, summary } = await run(inputs, { ascii: true });
      expect(out).toBe(
        pyFloats(
          fs.readFileSync(real('compiled-release-1.json'), 'utf8') +
            fs.readFileSync(real('compiled-release-2.json'), 'utf8'),
        ),
      );
      expect(summary).toMatchObject({
        exitCode: 0,
        releases: 4,
        ocids: 2,
        written: 2,
        warnings: { noVersion: 2 },
      });
      expect(err).toContain('noVersion=2');
    });

    it('compile --versioned', async () => {
      const { out } = await run(inputs, { versioned: true });
      expect(
        out
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
      ).toEqual([read(real('versioned-release-1.json')), read(real('versioned-release-2.json'))]);
    });

    it.each([
      [{ package: true }, 'record-package_package.json'],
      [{ package: true, linkedReleases: true }, 'record-package_linked-releases.json'],
      [{ package: true, versioned: true }, 'record-package_versioned.json'],
    ] as const)('compile %o', async (options, expected) => {
      const { out } = await run(inputs, options);
      expect(JSON.parse(out)).toEqual(read(real(expected)));
    });

    it('compile --encoding iso-8859-1 --ascii (and the UTF-8 fallback without it)', async () => {
      const input = [real('release-package_encoding-iso-8859-1.json')];
      const expected = read(real('compile_encoding_encoding.json'));
      const told = await run(input, { encoding: 'iso-8859-1', ascii: true });
      expect(JSON.parse(told.out)).toEqual(expected);
      expect(told.summary.warnings.encodingFallback).toBeUndefined();
      const guessed = await run(input, {});
      expect(JSON.parse(guessed.out)).toEqual(expected);
      expect(guessed.summary.warnings.encodingFallback).toBe(1);
    });

    it('refuses mixed versions as ocdskit does (test_command_version_mismatch)', async () => {
      const { out, summary } = await run(
        [real('release-package_1.1-1.json'), real('release-package_1.0-1.json')],
        {
          package: true,
          versioned: true,
        },
      );
      expect(summary.exitCode).toBe(1);
      expect(summary.errors[0]).toMatch(
        /^item 1: version error: this item uses version 1.0, but earlier items used version 1.1/,
      );
      expect(out).toBe('');
    });

    it('--package --fake and the publisher options set the package metadata', async () => {
      const { out } = await run(inputs, {
        package: true,
        fake: true,
        publisherName: 'Acme Inc.',
        uri: 'http://example.com/x.json',
      });
      expect(JSON.parse(out)).toMatchObject({
        uri: 'http://example.com/x.json',
        publishedDate: '9999-01-01T00:00:00Z',
        publisher: { name: 'Acme Inc.' },
        version: '1.1',
      });
    });

    it("registers `compile` with ocdskit's options on the ocds group", () => {
      const group = new Command('ocds');
      const cmd = registerCompileCommand(group);
      expect(group.commands.map((c) => c.name())).toEqual(['compile']);
      const flags = cmd.options.map((o) => o.long);
      for (const f of [
        '--package',
        '--linked-releases',
        '--versioned',
        '--schema',
        '--encoding',
        '--ascii',
        '--pretty',
        '--uri',
        '--published-date',
        '--version',
        '--publisher-name',
        '--publisher-uri',
        '--publisher-scheme',
        '--publisher-uid',
        '--fake',
      ])
        expect(flags).toContain(f);
    });
  });

  describe('ocdskit realdata (CDMX, no version: 1.0 rules)', () => {
    const real = (f: string) => ocdsPath('golden', 'ocdskit-realdata', f);
    const rules10 = () => schema(ocdsPath('schema', '1__0__3', 'release-schema.json'));
    const releasesOf = (n: number) =>
      (read(real(`release-package-${n}.json`)) as JsonObject).releases as Json[];

    it.each([1, 2])('compiled-release-%i.json', (n) => {
      const r = compileReleases(releasesOf(n), rules10());
      expect(r.ok && r.value).toEqual(read(real(`compiled-release-${n}.json`)));
    });

    it.each([1, 2])('versioned-release-%i.json', (n) => {
      const r = versionReleases(releasesOf(n), rules10());
      expect(r.ok && r.value).toEqual(read(real(`versioned-release-${n}.json`)));
    });

    it('with the 1.1.5 rules the output differs (tenderers identifier-merged), as ocds.md §3.4 says', () => {
      const r = compileReleases(releasesOf(1), schema(ocdsPath('schema', '1__1__5', 'release-schema.json')));
      expect(r.ok && r.value).not.toEqual(read(real('compiled-release-1.json')));
    });
  });
});
