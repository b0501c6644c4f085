/**
 * The lifecycle of one fictional Contracta process (release.fixture.ts) published as OCDS: every
 * release, the release package, the compiled and versioned releases and the record package validate
 * against the official 1.1.5 schema patched with our declared extensions (offline patches; the
 * versioned release against the schema derived from it, versioned-schema.ts), with zero
 * errors and zero warnings, and merging the releases gives the expected key facts.
 */
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/platform/canonical-json.js';
import { declaredExtensionUrls } from '../../src/modules/ocds/extensions.js';
import { mergeRulesFromSchema } from '../../src/modules/ocds/merge-rules.js';
import { appendToMerged, compileReleases, versionReleases } from '../../src/modules/ocds/merge.js';
import type { Json, JsonObject } from '../../src/modules/ocds/merge.types.js';
import {
  cancelledProcessReleases,
  FIXTURE_OCID,
  FIXTURE_PREFIX,
  fixtureReleases,
} from '../../src/modules/ocds/release.fixture.js';
import { getValidators, validate, type ValidateOptions } from '../../src/modules/ocds/validate.js';
import type { Finding } from '../../src/modules/ocds/validate.types.js';
import { hasOcdsData, OCDS_DATA_MISSING, ocdsPath } from '../helpers/ocds.js';

const options: ValidateOptions = {
  schema: { dir: hasOcdsData ? ocdsPath('schema') : undefined },
  extensionSource: { offline: true },
  expectedPrefixes: [FIXTURE_PREFIX],
  requireUtc: true,
};

const show = (findings: readonly Finding[]) =>
  findings.map((f) => `${f.severity} ${f.code} ${f.path} ${f.message}`);
const arr = (v: Json | undefined): JsonObject[] => (v ?? []) as JsonObject[];
const obj = (v: Json | undefined): JsonObject => v as JsonObject;

function releasePackage(releases: JsonObject[]): JsonValue {
  return {
    uri: 'https://contracta.example.cat/ocds/v1/releases',
    publisher: { name: 'Contracta', scheme: 'ES-DIR3', uid: 'L01081023' },
    publishedDate: '2028-07-01T00:00:00Z',
    version: '1.1',
    extensions: declaredExtensionUrls(),
    license: 'https://creativecommons.org/licenses/by/4.0/',
    publicationPolicy: 'https://contracta.example.cat/open-data',
    releases,
  };
}

describe.skipIf(!hasOcdsData)(`OCDS releases of a whole process validate (${OCDS_DATA_MISSING})`, () => {
  const all = [...fixtureReleases(), ...cancelledProcessReleases()];
  const process = fixtureReleases().filter((r) => r.ocid === FIXTURE_OCID);

  it('every release alone: zero errors and zero warnings', async () => {
    expect(all.length).toBe(14);
    for (const r of all) {
      const report = await validate(r as JsonValue, options, declaredExtensionUrls());
      expect(report.kind).toBe('release');
      expect(show(report.findings), r.id as string).toEqual([]);
    }
  });

  it('the extensions are applied: a bad bid status or lot is an error', async () => {
    const r = structuredClone(
      process.find((x) => (x.tag as string[])[0] === 'awardCancellation'),
    ) as JsonObject;
    (arr(obj(r.bids).details)[0] as JsonObject).status = 'accepted';
    const report = await validate(r as JsonValue, options, declaredExtensionUrls());
    expect(report.findings.map((f) => f.code)).toContain('schema.enum');
    const plain = await getValidators(declaredExtensionUrls(), options);
    expect(plain.set.warnings.every((w) => w.includes('minimal'))).toBe(true);
  });

  it('the release package of all releases: zero errors and zero warnings', async () => {
    const report = await validate(releasePackage(all), options);
    expect(report.kind).toBe('release package');
    expect(report.releaseCount).toBe(14);
    expect(show(report.findings)).toEqual([]);
  });

  it('merged: the compiled release has the key facts and validates, as does the record package, with its versioned release', async () => {
    const v = await getValidators(declaredExtensionUrls(), options);
    const rules = mergeRulesFromSchema(v.set.release);
    const compiled = compileReleases(process, rules);
    if (!compiled.ok) throw new Error(compiled.error.message);
    expect(compiled.warnings).toEqual([]);
    const c = compiled.value;
    expect(c.tag).toEqual(['compiled']);
    const tender = obj(c.tender);
    expect(tender.value).toEqual({ amount: 480000, currency: 'EUR' });
    expect(tender.status).toBe('complete');
    expect(obj(tender.tenderPeriod)).toEqual({
      startDate: '2026-04-02T08:00:00.000Z',
      endDate: '2026-05-18T12:00:00.000Z',
    });
    expect(arr(tender.amendments).map((a) => a.id)).toEqual(['notice-2']);
    // The replaced technical specifications are reduced to their id; the new ones are there.
    expect(arr(tender.documents).map((d) => [d.id, d.title ?? null])).toEqual([
      ['doc-pcap', 'Plec de clàusules administratives particulars'],
      ['doc-ppt', null],
      ['doc-ppt-2', 'Plec de prescripcions tècniques (corregit)'],
    ]);
    expect(arr(tender.lots).map((l) => [l.id, l.status])).toEqual([
      ['1', 'complete'],
      ['2', 'unsuccessful'],
    ]);
    const awards = arr(c.awards);
    expect(awards.map((a) => [a.id, a.status, arr(a.suppliers)[0]?.name ?? null])).toEqual([
      ['1-bid-beta', 'active', 'Serveis Beta SA'],
      ['2-void', 'unsuccessful', null],
    ]);
    expect(arr(obj(c.bids).details).map((b) => [b.id, b.status])).toEqual([
      ['bid-alfa-lot-1', 'valid'],
      ['bid-beta-lot-1', 'valid'],
      ['bid-alfa-lot-2', 'valid'],
      ['bid-gamma-lot-2', 'disqualified'],
    ]);
    const contract = arr(c.contracts)[0] as JsonObject;
    expect(contract.status).toBe('terminated');
    expect(contract.value).toEqual({ amount: 145200, currency: 'EUR' });
    expect(arr(contract.amendments).map((a) => [a.id, a.releaseID])).toEqual([
      [
        'contract-1-amendment-1',
        process.find((r) => (r.tag as string[])[0] === 'contractAmendment')?.id as string,
      ],
    ]);
    expect(arr(obj(contract.implementation).transactions).map((t) => [t.id, obj(t.value).amount])).toEqual([
      ['contract-1-payment-3', 5500],
      ['contract-1-payment-4', 6050],
    ]);
    const supplier = arr(c.parties).find((p) => p.id === 'ES-NIF-A87654321');
    expect(supplier?.roles).toEqual(['tenderer', 'supplier', 'payee']);
    expect(arr(c.relatedProcesses)[0]?.identifier).toBe(
      `${FIXTURE_PREFIX}-0195f3a2-7c1e-7b11-9a6e-0d3c2b1a9999`,
    );

    const compiledReport = await validate(c as JsonValue, options, declaredExtensionUrls());
    expect(compiledReport.kind).toBe('compiled release');
    expect(show(compiledReport.findings)).toEqual([]);

    // The incremental path (what the publisher does on each new release) gives the same result.
    let saved: { compiled?: JsonObject; versioned?: JsonObject } = {};
    for (const r of process) {
      const step = appendToMerged(saved, r, rules);
      if (!step.ok) throw new Error(step.error.message);
      saved = step.value;
    }
    expect(saved.compiled).toEqual(c);

    const versioned = versionReleases(process, rules);
    if (!versioned.ok) throw new Error(versioned.error.message);
    const recordPackage = {
      uri: 'https://contracta.example.cat/ocds/v1/records',
      publisher: { name: 'Contracta', scheme: 'ES-DIR3', uid: 'L01081023' },
      publishedDate: '2028-07-01T00:00:00Z',
      version: '1.1',
      extensions: declaredExtensionUrls(),
      records: [{ ocid: FIXTURE_OCID, releases: process, compiledRelease: c }],
    };
    const recordReport = await validate(recordPackage as JsonValue, options);
    expect(recordReport.kind).toBe('record package');
    expect(show(recordReport.findings)).toEqual([]);
    // The versioned release validates against the schema derived from the patched release schema
    // (versioned-schema.ts; the official 1.1.5 file fails it on `title_es`: versioned-schema.test.ts).
    const withVersioned = structuredClone(recordPackage) as { records: JsonObject[] };
    (withVersioned.records[0] as JsonObject).versionedRelease = versioned.value;
    const versionedReport = await validate(withVersioned as unknown as JsonValue, options);
    expect(show(versionedReport.findings)).toEqual([]);
  });
});
