/**
 * OCDS releases of the tender stages (issue 6, first wiring): publishing a notice, correcting it and
 * cancelling a published notice each store their release in the act's transaction; the change feed
 * serves them in order, the record has the corrected values, and (with the shared OCDS data) every
 * release and both packages validate against the 1.1.5 schema patched with our extensions. A refused
 * act writes no release, and a release that cannot be stored undoes the act.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredExtensionUrls } from '../../src/modules/ocds/extensions.js';
import { NO_RULES } from '../../src/modules/ocds/merge-rules.js';
import type { JsonObject } from '../../src/modules/ocds/merge.types.js';
import { setOcdsPublisher, startOcdsPublication } from '../../src/modules/ocds/ocds-publish.context.js';
import { validate, type ValidateOptions } from '../../src/modules/ocds/validate.js';
import type { Finding } from '../../src/modules/ocds/validate.types.js';
import type { JsonValue } from '../../src/platform/canonical-json.js';
import { newId } from '../../src/platform/ids.js';
import { buildTestApp, rowCounts, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import {
  type Cast,
  DAY,
  draftFile,
  draftFor,
  makeCast,
  type PublishedFile,
  publishFile,
} from '../helpers/lifecycle.js';
import { hasOcdsData, OCDS_DATA_MISSING, ocdsPath, readReleaseFeed } from '../helpers/ocds.js';

type RecordPkg = {
  records: { ocid: string; releases: { url: string; tag: string[] }[]; compiledRelease: JsonObject }[];
};

const show = (findings: readonly Finding[]) =>
  findings.map((f) => `${f.severity} ${f.code} ${f.path} ${f.message}`);
const obj = (v: unknown) => v as JsonObject;
const arr = (v: unknown) => (v ?? []) as JsonObject[];

describe(`OCDS releases of the tender stages (${driverName})`, () => {
  let t: TestApp;
  let cast: Cast;
  let prefix: string;
  let fileA: PublishedFile;
  let fileB: PublishedFile;
  const now = new Date('2026-03-02T09:00:00Z');
  const warnings: string[] = [];
  const logger = {
    info: () => {},
    warn: (o: object, msg: string) => {
      warnings.push(`${msg} ${JSON.stringify(o)}`);
    },
  };

  const tenders = (p: string) => `/api/v1/authorities/${cast.authorityId}/tenders${p}`;
  const post = (p: string, payload: object) =>
    t.app.inject({ method: 'POST', url: tenders(p), headers: cast.s.officer?.headers, payload });
  const versionOf = async (id: string) =>
    (await t.db.db.selectFrom('tender').select('version').where('id', '=', id).executeTakeFirstOrThrow())
      .version;
  const releasesOf = (ocid: string) =>
    t.db.db
      .selectFrom('ocds_release')
      .select(['id', 'tags'])
      .where('ocid', '=', ocid)
      .orderBy('seq')
      .execute();

  const feed = (query: string) => readReleaseFeed(t, query);

  const draft = () =>
    draftFor({ procedure: 'abierto', estimatedValue: '180000.00', envelopes: [], specialAppeal: true }, now);

  beforeAll(async () => {
    t = await buildTestApp({ now });
    cast = await makeCast(t);
    prefix = (
      await t.db.db
        .selectFrom('authority')
        .select('ocid_prefix')
        .where('id', '=', cast.authorityId)
        .executeTakeFirstOrThrow()
    ).ocid_prefix;
  });
  afterAll(async () => {
    setOcdsPublisher(undefined);
    await t?.close();
  });

  it('without a schema the start-up warns and public acts go on without releases', async () => {
    // First in this file: ocdsMergeRules keeps the rules of the first successful load per process.
    const p = await startOcdsPublication({
      schemaDir: '/nonexistent/ocds/schema',
      publicBaseUrl: 'https://contracta.test',
      logger,
    });
    expect(p).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/OCDS release schema not available.*nonexistent/);
    const file = await publishFile(t, cast, draft());
    expect(await releasesOf(file.ocid)).toEqual([]);
  });

  describe('with the merge rules loaded at start-up', () => {
    beforeAll(async () => {
      // The start-up step of server.ts, with the shared schema; without the data, merge rules of an
      // empty schema (identifier merge everywhere) keep the publishing path under test.
      if (hasOcdsData) {
        const p = await startOcdsPublication({
          schemaDir: ocdsPath('schema'),
          publicBaseUrl: 'https://contracta.test',
          logger,
        });
        expect(p, warnings.join('\n')).toBeDefined();
      } else setOcdsPublisher({ rules: NO_RULES, publicBaseUrl: 'https://contracta.test' });
    });

    it('publishes a tender release with the notice, in the act’s transaction', async () => {
      fileA = await publishFile(t, cast, draft());
      expect(fileA.ocid).toBe(`${prefix}-${fileA.tenderId}`);
      const rows = await releasesOf(fileA.ocid);
      expect(rows.map((r) => r.tags)).toEqual([['tender']]);
      const event = await t.db.db
        .selectFrom('audit_event')
        .select(['id', 'occurred_at'])
        .where('object_id', '=', fileA.tenderId)
        .where('action', '=', 'tender.published')
        .executeTakeFirstOrThrow();
      // The release id and date are those of the act's audit event (release.parts.ts).
      expect(rows[0]?.id).toBe(`${fileA.ocid}-tender-${event.id}`);
      const json = await t.db.db
        .selectFrom('ocds_release')
        .select('json')
        .where('id', '=', rows[0]?.id ?? '')
        .executeTakeFirstOrThrow();
      const release = JSON.parse(json.json) as JsonObject;
      expect(release.date).toBe(new Date(event.occurred_at).toISOString());
      expect(obj(release.tender)).toMatchObject({ id: fileA.tenderId, status: 'active' });
      expect(obj(obj(release.tender).tenderPeriod).endDate).toBe(fileA.deadline.toISOString());
    });

    it('publishes a corrigendum as a tenderAmendment that amends the tender release', async () => {
      const newDeadline = new Date(fileA.deadline.getTime() + 5 * DAY).toISOString();
      const res = await post(`/${fileA.tenderId}/corrigenda`, {
        version: await versionOf(fileA.tenderId),
        reason: 'Errata al títol i termini ampliat',
        substantial: false,
        title: { ca: 'Neteja corregida', es: 'Limpieza corregida', en: 'Corrected cleaning' },
        tenderDeadline: newDeadline,
      });
      expect(res.statusCode, res.body).toBe(200);
      const rows = await releasesOf(fileA.ocid);
      expect(rows.map((r) => r.tags)).toEqual([['tender'], ['tenderAmendment']]);
      const json = await t.db.db
        .selectFrom('ocds_release')
        .select('json')
        .where('id', '=', rows[1]?.id ?? '')
        .executeTakeFirstOrThrow();
      const amendment = arr(obj((JSON.parse(json.json) as JsonObject).tender).amendments)[0];
      expect(amendment).toMatchObject({
        id: 'notice-2',
        rationale: 'Errata al títol i termini ampliat',
        amendsReleaseID: rows[0]?.id,
        releaseID: rows[1]?.id,
      });
      expect(String(amendment?.description)).toContain('tenderDeadline');
    });

    it('writes no release for a refused act, nor for the cancellation of an unpublished draft', async () => {
      const before = await rowCounts(t);
      // A corrigendum that shortens the deadline (art. 136 LCSP: extend only) and a stale version.
      const shorter = await post(`/${fileA.tenderId}/corrigenda`, {
        version: await versionOf(fileA.tenderId),
        reason: 'Error',
        substantial: false,
        tenderDeadline: new Date(fileA.deadline.getTime() - DAY).toISOString(),
      });
      expect(shorter.json()).toMatchObject({ code: 'PERIOD_TOO_SHORT' });
      const stale = await post(`/${fileA.tenderId}/cancel`, { version: 1, kind: 'renuncia', reason: 'x' });
      expect(stale.statusCode).toBe(409);
      expect(await rowCounts(t)).toEqual(before);

      const unpublished = await draftFile(t, cast, draft());
      const cancelled = await post(`/${unpublished.id}/cancel`, {
        version: unpublished.version,
        kind: 'desistimiento',
        reason: 'Ja no cal',
      });
      expect(cancelled.statusCode, cancelled.body).toBe(200);
      const after = await rowCounts(t);
      expect(after.ocds_release).toBe(before.ocds_release);
      expect(after.ocds_record).toBe(before.ocds_record);
    });

    it('publishes the cancellation of a published tender as a tenderCancellation', async () => {
      fileB = await publishFile(t, cast, draft());
      const res = await post(`/${fileB.tenderId}/cancel`, {
        version: await versionOf(fileB.tenderId),
        kind: 'desistimiento',
        reason: 'Defecte no esmenable al plec (art. 152.4 LCSP)',
      });
      expect(res.statusCode, res.body).toBe(200);
      const rows = await releasesOf(fileB.ocid);
      expect(rows.map((r) => r.tags)).toEqual([['tender'], ['tenderCancellation']]);
    });

    it('serves the releases in publication order, and the records with the corrected values', async () => {
      const { releases } = await feed(`authority=${cast.authorityId}&limit=3`);
      expect(releases.map((r) => [r.ocid, (r.tag as string[])[0]])).toEqual([
        [fileA.ocid, 'tender'],
        [fileA.ocid, 'tenderAmendment'],
        [fileB.ocid, 'tender'],
        [fileB.ocid, 'tenderCancellation'],
      ]);

      const resA = await t.app.inject(`/ocds/v1/records/${encodeURIComponent(fileA.ocid)}`);
      expect(resA.statusCode, resA.body).toBe(200);
      const recordA = (resA.json() as RecordPkg).records[0];
      expect(recordA?.releases.map((r) => r.tag)).toEqual([['tender'], ['tenderAmendment']]);
      const tenderA = obj(recordA?.compiledRelease.tender);
      expect(tenderA.title).toBe('Neteja corregida');
      expect(tenderA.title_en).toBe('Corrected cleaning');
      expect(obj(tenderA.tenderPeriod).endDate).toBe(
        new Date(fileA.deadline.getTime() + 5 * DAY).toISOString(),
      );
      expect(arr(tenderA.amendments).map((a) => a.id)).toEqual(['notice-2']);

      const resB = await t.app.inject(`/ocds/v1/records/${encodeURIComponent(fileB.ocid)}`);
      const tenderB = obj((resB.json() as RecordPkg).records[0]?.compiledRelease.tender);
      expect(tenderB.status).toBe('cancelled');
      expect(arr(tenderB.lots).map((l) => l.status)).toEqual(['cancelled']);
    });

    describe.skipIf(!hasOcdsData)(`validation against the 1.1.5 schema (${OCDS_DATA_MISSING})`, () => {
      const options = (): ValidateOptions => ({
        schema: { dir: ocdsPath('schema') },
        extensionSource: { offline: true },
        expectedPrefixes: [prefix],
        requireUtc: true,
      });

      it('every release and the release package: zero errors and zero warnings', async () => {
        const { bodies, releases } = await feed(`authority=${cast.authorityId}&limit=1000`);
        expect(releases).toHaveLength(4);
        for (const r of releases) {
          const report = await validate(r as JsonValue, options(), declaredExtensionUrls());
          expect(report.kind).toBe('release');
          expect(show(report.findings), r.id as string).toEqual([]);
        }
        const pkg = await validate(bodies[0] as unknown as JsonValue, options());
        expect(pkg.kind).toBe('release package');
        expect(pkg.releaseCount).toBe(4);
        expect(show(pkg.findings)).toEqual([]);
      });

      it('the record packages, with and without the versioned release: zero findings', async () => {
        for (const file of [fileA, fileB]) {
          for (const query of ['', '?versioned=true']) {
            const res = await t.app.inject(`/ocds/v1/records/${encodeURIComponent(file.ocid)}${query}`);
            expect(res.statusCode, res.body).toBe(200);
            const pkg = res.json() as { records: JsonObject[] };
            // The versioned release is served only on request (ocds.md §10: costly, optional).
            expect('versionedRelease' in (pkg.records[0] ?? {})).toBe(query !== '');
            const report = await validate(pkg as unknown as JsonValue, options());
            expect(report.kind).toBe('record package');
            expect(show(report.findings), `${file.ocid}${query}`).toEqual([]);
          }
        }
      });
    });

    it('undoes the act when its release cannot be stored (one transaction)', async () => {
      const drafted = await draftFile(t, cast, draft());
      const ocid = `${prefix}-${drafted.id}`;
      // A record of the same ocid held by another authority makes recordRelease refuse (CONFLICT).
      const other = newId();
      await t.db.db
        .insertInto('authority')
        .values({
          id: other,
          slug: `other-${other.slice(-8)}`,
          name_ca: 'Altre',
          name_es: 'Otro',
          name_en: 'Other',
          dir3_code: 'L01999999',
          ocid_prefix: 'ocds-zzzzzz',
        })
        .execute();
      await sql`INSERT INTO ocds_record (ocid, authority_id, compiled, versioned, release_count, date, seq, updated_at)
        VALUES (${ocid}, ${other}, '{}'::jsonb, '{}'::jsonb, 1, now(), 0, now())`.execute(t.db.db);
      const assigned = await t.app.inject({
        method: 'PUT',
        url: tenders(`/${drafted.id}/assignments`),
        headers: cast.s.officer?.headers,
        payload: {
          version: drafted.version,
          committee: [cast.ids.committee],
          custodians: [cast.ids.c1, cast.ids.c2, cast.ids.c3],
        },
      });
      expect(assigned.statusCode, assigned.body).toBe(200);
      const approved = await post(`/${drafted.id}/submit`, {
        version: (assigned.json() as { version: number }).version,
      });
      expect(approved.statusCode, approved.body).toBe(200);
      const before = await rowCounts(t);
      const published = await post(`/${drafted.id}/publish`, {
        version: (approved.json() as { version: number }).version,
      });
      expect(published.statusCode, published.body).toBe(409);
      expect(await rowCounts(t)).toEqual(before);
      const tender = await t.db.db
        .selectFrom('tender')
        .select(['status', 'ocid'])
        .where('id', '=', drafted.id)
        .executeTakeFirstOrThrow();
      expect(tender).toEqual({ status: 'approved', ocid: null });
    });
  });
});
