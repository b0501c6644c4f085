/**
 * The versioned-release validation schema we derive (versioned-schema.ts): with `followMerge: false`
 * it reproduces the official 1.1.5 (and 1.1.4) file from the unpatched release schema exactly; with
 * the default it differs only where the merge versions differently from the official file (language
 * variants, `Organization.details`); and a versioned release of a whole Contracta process, with lots,
 * bids and `_es` texts, validates with it and not with the official file.
 */
import fs from 'node:fs';
import Ajv04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/platform/canonical-json.js';
import { declaredExtensionUrls } from '../../src/modules/ocds/extensions.js';
import { mergeRulesFromSchema } from '../../src/modules/ocds/merge-rules.js';
import { versionReleases } from '../../src/modules/ocds/merge.js';
import type { JsonObject } from '../../src/modules/ocds/merge.types.js';
import { FIXTURE_OCID, FIXTURE_PREFIX, fixtureReleases } from '../../src/modules/ocds/release.fixture.js';
import { getValidators, validate, type ValidateOptions } from '../../src/modules/ocds/validate.js';
import { versionedReleaseSchema } from '../../src/modules/ocds/versioned-schema.js';
import { hasOcdsData, OCDS_DATA_MISSING, ocdsPath } from '../helpers/ocds.js';

type Ajv04Ctor = typeof Ajv04Module.default;
const Ajv04Class: Ajv04Ctor =
  (Ajv04Module as unknown as { default?: Ajv04Ctor }).default ?? (Ajv04Module as unknown as Ajv04Ctor);
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: InstanceType<Ajv04Ctor>,
  formats: string[],
) => void;

const read = (...parts: string[]) => JSON.parse(fs.readFileSync(ocdsPath(...parts), 'utf8')) as JsonObject;

/** Every leaf-level difference between two JSON values, as `pointer` strings. */
function differences(a: JsonValue | undefined, b: JsonValue | undefined, pointer = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObj = (v: JsonValue | undefined): v is JsonObject =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences(a[k], b[k], `${pointer}/${k}`));
  }
  return [pointer];
}

const options: ValidateOptions = {
  schema: { dir: hasOcdsData ? ocdsPath('schema') : undefined },
  extensionSource: { offline: true },
  expectedPrefixes: [FIXTURE_PREFIX],
  requireUtc: true,
};

describe('versioned schema derivation: rules where it follows the merge (no shared data needed)', () => {
  const schema: JsonObject = {
    id: 'x',
    type: 'object',
    required: ['ocid', 'id'],
    properties: {
      ocid: { type: 'string' },
      id: { type: 'string', omitWhenMerged: true },
      criteria: { type: 'array', items: { $ref: '#/definitions/Criterion' } },
      lots: { type: 'array', items: { $ref: '#/definitions/Lot' } },
      buyer: { $ref: '#/definitions/Lot' },
      details: { type: ['object', 'null'] },
      stats: {
        type: 'array',
        items: { type: 'object', properties: { id: { type: 'string' }, value: { type: 'number' } } },
      },
    },
    definitions: {
      Criterion: { type: 'object', properties: { name: { type: ['string', 'null'], title: 'Name' } } },
      Lot: {
        type: 'object',
        properties: { id: { type: 'string' }, title: { type: ['string', 'null'] } },
        patternProperties: { '^title_[a-z]{2}$': { type: ['string', 'null'] } },
      },
    },
  };

  it('versions whole an id-less list, walks items with ids, accepts both shapes for an open object', () => {
    const { schema: v, warnings } = versionedReleaseSchema(schema, { id: 'v' });
    expect(warnings).toEqual([]);
    const props = v.properties as JsonObject;
    expect(v.required).toEqual(['ocid']);
    expect(props.id).toBeUndefined();
    expect(props.ocid).toEqual({ type: 'string' });
    // The merge replaces a list of id-less objects whole: one versioned list of unversioned items.
    expect(props.criteria).toMatchObject({
      type: 'array',
      items: {
        properties: { value: { type: 'array', items: { $ref: '#/definitions/CriterionUnversioned' } } },
      },
    });
    expect((v.definitions as JsonObject).CriterionUnversioned).toEqual({
      type: 'object',
      properties: { name: { type: ['string', 'null'] } },
    });
    // Items matched by id: left to the versioned definition, whose id stays plain.
    expect(props.lots).toEqual({ type: 'array', items: { $ref: '#/definitions/Lot' } });
    const lot = (v.definitions as JsonObject).Lot as JsonObject;
    expect((lot.properties as JsonObject).id).toEqual({ type: 'string' });
    expect((lot.properties as JsonObject).title).toEqual({ $ref: '#/definitions/StringNullVersioned' });
    expect(Object.values(lot.patternProperties as JsonObject)).toEqual([
      { $ref: '#/definitions/StringNullVersioned' },
    ]);
    // Alone (not in an array) its id is versioned: a …VersionedId copy.
    expect(props.buyer).toEqual({ $ref: '#/definitions/LotVersionedId' });
    const alone = (v.definitions as JsonObject).LotVersionedId as JsonObject;
    expect((alone.properties as JsonObject).id).toMatchObject({ type: 'array' });
    expect(props.details).toMatchObject({ type: ['array', 'object'] });
    const stats = props.stats as JsonObject;
    expect((stats.items as JsonObject).properties).toMatchObject({
      id: { type: 'string' },
      value: { type: 'array', items: { properties: { value: { type: 'number' } } } },
    });
    // The input is untouched.
    expect((schema.properties as JsonObject).id).toEqual({ type: 'string', omitWhenMerged: true });
  });

  it('with followMerge off, it does what the standard does (language variants and open objects kept)', () => {
    const { schema: v } = versionedReleaseSchema(schema, { id: 'v', followMerge: false });
    const lot = (v.definitions as JsonObject).Lot as JsonObject;
    expect(Object.values(lot.patternProperties as JsonObject)).toEqual([{ type: ['string', 'null'] }]);
    expect((v.properties as JsonObject).details).toMatchObject({
      type: 'array',
      items: { properties: { value: { type: ['object', 'null'] } } },
    });
  });
});

describe.skipIf(!hasOcdsData)(
  `versioned schema derivation against the official files (${OCDS_DATA_MISSING})`,
  () => {
    it('reproduces the official 1.1.5 and 1.1.4 versioned-release schemas exactly (followMerge off)', () => {
      for (const [release, official] of [
        [
          read('schema', '1__1__5', 'release-schema.json'),
          read('schema', '1__1__5', 'versioned-release-validation-schema.json'),
        ],
        [
          read('golden', 'ocds-merge', 'release-schema-1__1__4.json'),
          read('golden', 'ocds-merge', 'versioned-release-validation-schema-1__1__4.json'),
        ],
      ] as const) {
        const derived = versionedReleaseSchema(release, { id: official.id as string, followMerge: false });
        expect(derived.warnings).toEqual([]);
        expect(differences(derived.schema, official)).toEqual([]);
        expect(derived.schema).toEqual(official);
      }
    });

    it('by default differs from the official 1.1.5 file only by language variants and Organization.details', () => {
      const official = read('schema', '1__1__5', 'versioned-release-validation-schema.json');
      const release = read('schema', '1__1__5', 'release-schema.json');
      // The claim, checked on the official file: a variant is a plain string there, never versioned.
      const tender = (official.definitions as JsonObject).Tender as JsonObject;
      const variant = Object.entries(tender.patternProperties as JsonObject).find(([k]) =>
        k.startsWith('^(title_'),
      );
      expect(variant?.[1]).toEqual({ type: ['string', 'null'] });

      const diffs = differences(
        versionedReleaseSchema(release, { id: official.id as string }).schema,
        official,
      );
      const variants = diffs.filter((d) => d.includes('/patternProperties/'));
      expect(diffs.filter((d) => !d.includes('/patternProperties/'))).toEqual([
        '/definitions/Organization/properties/details/type',
      ]);
      // Every language variant of every versioned definition (not of the …Unversioned copies).
      const owners = [...new Set(variants.map((d) => d.split('/patternProperties/')[0]))].sort();
      expect(owners).toEqual(
        [
          'Address',
          'Amendment',
          'Award',
          'Budget',
          'Classification',
          'ContactPoint',
          'Contract',
          'Document',
          'Identifier',
          'Item',
          'Item/properties/unit',
          'Milestone',
          'Organization',
          'Planning',
          'Tender',
        ]
          .map((d) => `/definitions/${d}`)
          .sort(),
      );
    });

    it('the merge versions `title_es` (as ocdsmerge versions every field the rules do not know)', () => {
      // ocdskit's golden versioned release of CDMX data versions fields outside the schema one by one.
      const golden = read('golden', 'ocdskit-realdata', 'versioned-release-1.json');
      const tenderOf = (v: JsonObject) => v.tender as JsonObject;
      expect(tenderOf(golden).submissionmethoddetails).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ releaseDate: expect.any(String), value: expect.anything() }),
        ]),
      );
      const rules = mergeRulesFromSchema(read('schema', '1__1__5', 'release-schema.json'));
      const base = { ocid: 'ocds-x-1', initiationType: 'tender' };
      const v = versionReleases(
        [
          {
            ...base,
            id: '1',
            date: '2026-01-01T00:00:00Z',
            tag: ['tender'],
            tender: { id: 't', title_es: 'Uno' },
          },
          {
            ...base,
            id: '2',
            date: '2026-01-02T00:00:00Z',
            tag: ['tenderUpdate'],
            tender: { id: 't', title_es: 'Dos' },
          },
        ],
        rules,
      );
      if (!v.ok) throw new Error(v.error.message);
      expect(tenderOf(v.value).title_es).toEqual([
        { releaseDate: '2026-01-01T00:00:00Z', releaseID: '1', releaseTag: ['tender'], value: 'Uno' },
        { releaseDate: '2026-01-02T00:00:00Z', releaseID: '2', releaseTag: ['tenderUpdate'], value: 'Dos' },
      ]);
    });

    it('a versioned release with lots, bids and _es texts validates with ours, not with the official file', async () => {
      // Every extension we declare, our document integrity one included (documents get a hash here).
      const extensions = declaredExtensionUrls('https://contracta.example.cat');
      const v = await getValidators(extensions, options);
      const process = structuredClone(fixtureReleases().filter((r) => r.ocid === FIXTURE_OCID));
      let hashed = 0;
      for (const r of process)
        for (const d of ((r.tender as JsonObject | undefined)?.documents ?? []) as JsonObject[])
          if (typeof d.url === 'string') {
            d.integrity = [{ scheme: 'sha256', id: String(hashed++ % 10).repeat(64) }];
          }
      expect(hashed).toBeGreaterThan(0);
      const versioned = versionReleases(process, mergeRulesFromSchema(v.set.release));
      if (!versioned.ok) throw new Error(versioned.error.message);
      const doc = versioned.value;
      const tender = doc.tender as JsonObject;
      expect(Array.isArray(tender.lots) && tender.lots.length).toBeGreaterThan(0);
      expect(doc.bids).toBeDefined();
      expect(Object.keys(tender).some((k) => k.endsWith('_es'))).toBe(true);
      // A whole-list field (integrity): versioned as one list of unversioned hashes.
      const firstDoc = (tender.documents as JsonObject[]).find((d) => d.integrity) as JsonObject;
      expect((firstDoc.integrity as JsonObject[])[0]).toMatchObject({ value: [{ scheme: 'sha256' }] });

      const ours = await validate(doc as JsonValue, options, extensions);
      expect(ours.kind).toBe('versioned release');
      expect(ours.findings).toEqual([]);

      const ajv = new Ajv04Class({ strict: false, allErrors: true, logger: false });
      addFormats(ajv, ['date-time', 'uri']);
      const officialCheck = ajv.compile(
        read('schema', '1__1__5', 'versioned-release-validation-schema.json'),
      );
      expect(officialCheck(doc)).toBe(false);
      const paths = (officialCheck.errors ?? []).map((e) => e.instancePath);
      expect(paths.length).toBeGreaterThan(0);
      expect(paths.every((p) => /_(es|en)$/.test(p))).toBe(true);

      // The extensions' fields are checked inside the versioned values: a bad bid status is found.
      const broken = structuredClone(doc);
      const bid = ((broken.bids as JsonObject).details as JsonObject[])[0] as JsonObject;
      ((bid.status as JsonObject[])[0] as JsonObject).value = 'accepted';
      const lot = (((broken.tender as JsonObject).lots as JsonObject[])[0] as JsonObject).value as JsonObject;
      ((lot.amount as JsonObject[])[0] as JsonObject).value = 'a lot';
      const bad = await validate(broken as JsonValue, options, extensions);
      expect(bad.findings.map((f) => `${f.code} ${f.path}`).sort()).toEqual([
        'schema.enum /bids/details/0/status/0/value',
        'schema.type /tender/lots/0/value/amount/0/value',
      ]);
    });
  },
);
