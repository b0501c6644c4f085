/**
 * Issue 6 acceptance: ONE contracting process published as OCDS through every stage, through the
 * API — the plan entry (planning, planningUpdate), the notice and its corrigendum (tender,
 * tenderAmendment), the bids at the first opening (tenderUpdate), the award of lot 1 with a losing
 * and a disqualified bid (award), its notification (awardUpdate), lot 2 declared void
 * (awardCancellation), the formalisation (contract), the start of execution (contractUpdate), a
 * modification (contractAmendment), a payment (implementation) and the reception (contractTermination);
 * plus a tenderCancellation on another file. Every release, the record and both packages validate
 * against the 1.1.5 schema patched with our extensions, with the quality checks (when the shared
 * OCDS data is present; otherwise the publishing path runs with the merge rules of an empty schema).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredExtensionUrls } from '../../src/modules/ocds/extensions.js';
import { NO_RULES } from '../../src/modules/ocds/merge-rules.js';
import type { JsonObject } from '../../src/modules/ocds/merge.types.js';
import { setOcdsPublisher, startOcdsPublication } from '../../src/modules/ocds/ocds-publish.context.js';
import { validate, type ValidateOptions } from '../../src/modules/ocds/validate.js';
import type { Finding } from '../../src/modules/ocds/validate.types.js';
import type { JsonValue } from '../../src/platform/canonical-json.js';
import { Dec } from '../../src/platform/money.js';
import { samplePdf } from '../../src/platform/storage/sample-files.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import {
  awardStep,
  type Cast,
  DAY,
  draftFor,
  makeCast,
  openStage,
  type PublishedFile,
  publishDraft,
  publishFile,
  submitBidOnLots,
} from '../helpers/lifecycle.js';
import { formType, multipart } from '../helpers/documents.js';
import { recordRequiredDocuments } from '../helpers/tenders.js';
import { hasOcdsData, OCDS_DATA_MISSING, ocdsPath, readReleaseFeed } from '../helpers/ocds.js';
import { createHash } from 'node:crypto';

type RecordPkg = {
  records: {
    ocid: string;
    releases: { url: string; date: string; tag: string[] }[];
    compiledRelease: JsonObject;
    versionedRelease?: JsonObject;
  }[];
};

const show = (findings: readonly Finding[]) =>
  findings.map((f) => `${f.severity} ${f.code} ${f.path} ${f.message}`);
const obj = (v: unknown) => (v ?? {}) as JsonObject;
const arr = (v: unknown) => (v ?? []) as JsonObject[];
const names = (text: string) => ({ ca: `${text} (ca)`, es: `${text} (es)`, en: `${text} (en)` });

/** The tags the process publishes, in order (plan entry first, then the file). */
const EXPECTED = [
  'planning',
  'planningUpdate',
  'tender',
  'tenderAmendment',
  'tenderUpdate',
  'award',
  'awardUpdate',
  'awardCancellation',
  'contract',
  'contractUpdate',
  'contractAmendment',
  'implementation',
  'contractTermination',
];

describe(`OCDS publication of a whole process (${driverName})`, () => {
  let t: TestApp;
  let cast: Cast;
  let prefix: string;
  let planId = '';
  let file: PublishedFile;
  let cancelled: PublishedFile;
  let contractId = '';
  let documentSha256 = '';
  const bids: { bidId: string; companyId: string }[] = [];
  // Lot prices of the three bidders (euros excl. VAT): the first is cheapest on both lots.
  const LOT1 = ['22500.00', '23000.00', '23500.00'];
  const LOT2 = ['22600.00', '23100.00', '23600.00'];
  const warnings: string[] = [];
  const logger = {
    info: () => {},
    warn: (o: object, msg: string) => {
      warnings.push(`${msg} ${JSON.stringify(o)}`);
    },
  };

  const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, who = 'officer') =>
    t.app.inject({
      method,
      url: `/api/v1/authorities/${cast.authorityId}${url}`,
      headers: cast.s[who]?.headers ?? {},
      ...(payload ? { payload } : {}),
    });
  const ok = async (res: Awaited<ReturnType<typeof api>>, status = 200) => {
    expect(res.statusCode, res.body).toBe(status);
    return res.json() as Record<string, unknown>;
  };
  const planOcid = () => `${prefix}-${planId}`;
  const releasesOf = async (...ocids: string[]) =>
    (
      await t.db.db
        .selectFrom('ocds_release')
        .select(['id', 'ocid', 'tags', 'json'])
        .where('ocid', 'in', ocids)
        .orderBy('seq')
        .execute()
    ).map((r) => ({ ...r, release: JSON.parse(r.json) as JsonObject }));
  const lastRelease = async (ocid: string) => (await releasesOf(ocid)).at(-1)?.release ?? {};

  const feed = (query: string) => readReleaseFeed(t, query);

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    cast = await makeCast(t);
    prefix = (
      await t.db.db
        .selectFrom('authority')
        .select('ocid_prefix')
        .where('id', '=', cast.authorityId)
        .executeTakeFirstOrThrow()
    ).ocid_prefix;
    // The start-up step of server.ts with the shared schema; without the data, the merge rules of
    // an empty schema keep the publishing path under test.
    if (hasOcdsData) {
      const p = await startOcdsPublication({
        schemaDir: ocdsPath('schema'),
        publicBaseUrl: 'https://contracta.test',
        logger,
      });
      expect(p, warnings.join('\n')).toBeDefined();
    } else setOcdsPublisher({ rules: NO_RULES, publicBaseUrl: 'https://contracta.test' });
  }, 60_000);
  afterAll(async () => {
    setOcdsPublisher(undefined);
    await t?.close();
  });

  it('publishes the plan entry (planning), its change and a withdrawal (planningUpdate)', async () => {
    const entry = {
      title: names('Manteniment de parcs'),
      description: names('Manteniment dels parcs municipals'),
      contractType: 'services',
      procedure: 'abierto_simplificado_abreviado',
      mainCpv: '90910000',
      estimatedValue: '50000.00',
      expectedYear: 2027,
      expectedQuarter: 1,
      lotCount: 2,
      reservedLots: 0,
    };
    const created = await ok(await api('POST', '/planned-contracts', entry), 201);
    planId = created.id as string;
    const updated = await ok(
      await api('PUT', `/planned-contracts/${planId}`, {
        ...entry,
        title: names('Manteniment de parcs i jardins'),
        version: created.version,
      }),
    );
    expect(updated.version).toBe(2);
    const rows = await releasesOf(planOcid());
    expect(rows.map((r) => r.tags)).toEqual([['planning'], ['planningUpdate']]);
    const tender = obj(rows[1]?.release.tender);
    expect(tender).toMatchObject({ status: 'planned', title: 'Manteniment de parcs i jardins (ca)' });
    expect(arr(tender.lots).map((l) => l.id)).toEqual(['1', '2']);

    // Another entry, withdrawn: its own ocid, tender and lots withdrawn with the reason.
    const other = await ok(await api('POST', '/planned-contracts', { ...entry, lotCount: 1 }), 201);
    await ok(
      await api('POST', `/planned-contracts/${other.id}/withdraw`, {
        version: other.version,
        reason: 'Servei assumit amb mitjans propis',
      }),
    );
    const withdrawn = await releasesOf(`${prefix}-${other.id}`);
    expect(withdrawn.map((r) => r.tags)).toEqual([['planning'], ['planningUpdate']]);
    expect(obj(withdrawn[1]?.release.tender)).toMatchObject({
      status: 'withdrawn',
      amendments: [{ id: 'withdrawal', rationale: 'Servei assumit amb mitjans propis' }],
    });
  });

  it('starts the file from the entry (nothing published while it is a draft), then its notice links back', async () => {
    const before = (await releasesOf(planOcid())).length;
    const started = await ok(
      await api('POST', `/planned-contracts/${planId}/start-file`, { reference: 'PARCS-2027' }),
      201,
    );
    const tenderId = started.tenderId as string;
    expect((await releasesOf(planOcid())).length).toBe(before);
    expect(await releasesOf(`${prefix}-${tenderId}`)).toEqual([]);

    // The draft completed as a two-lot abbreviated file (price only, envelope C alone, art. 159.6).
    const base = draftFor(
      {
        procedure: 'abierto_simplificado_abreviado',
        estimatedValue: '50000.00',
        envelopes: ['C'],
        specialAppeal: false,
      },
      t.clock.now(),
    );
    const lot = base.lots[0];
    if (!lot) throw new Error('draftFor gave no lot');
    const { singleLotJustification: _single, ...rest } = base;
    const input = {
      ...rest,
      reference: 'PARCS-2027',
      lots: [1, 2].map((n) => ({
        ...lot,
        number: n,
        title: names(`Parcs ${n === 1 ? 'del nord' : 'del sud'}`),
        estimatedValue: '25000.00',
        budgetExclVat: '25000.00',
      })),
    };
    const current = await ok(await api('GET', `/tenders/${tenderId}`));
    const edited = await ok(await api('PUT', `/tenders/${tenderId}`, { ...input, version: current.version }));
    await recordRequiredDocuments(t, cast.authorityId, tenderId, cast.ids.officer);
    file = await publishDraft(t, cast, { id: tenderId, version: edited.version as number }, input.openingAt);
    expect(file.envelopes).toEqual(['C']);
    const rows = await releasesOf(file.ocid);
    expect(rows.map((r) => r.tags)).toEqual([['tender']]);
    expect(arr(rows[0]?.release.relatedProcesses)).toEqual([
      expect.objectContaining({ relationship: ['planning'], scheme: 'ocid', identifier: planOcid() }),
    ]);
  });

  it('publishes a corrigendum (tenderAmendment)', async () => {
    const current = await ok(await api('GET', `/tenders/${file.tenderId}`));
    await ok(
      await api('POST', `/tenders/${file.tenderId}/corrigenda`, {
        version: current.version,
        reason: 'Errata al títol',
        substantial: false,
        title: names('Manteniment de parcs i jardins municipals'),
      }),
    );
    expect((await releasesOf(file.ocid)).map((r) => r.tags)).toEqual([['tender'], ['tenderAmendment']]);
  });

  it('publishes the count of bids at the first opening (tenderUpdate), naming no bidder and no price', async () => {
    for (const i of [0, 1, 2]) {
      const { bidId, bidder } = await submitBidOnLots(t, file, [
        { lot: 1, price: LOT1[i] ?? '', newHires: '0' },
        { lot: 2, price: LOT2[i] ?? '', newHires: '0' },
      ]);
      bids.push({ bidId, companyId: bidder.companyId });
    }
    // Nothing about the bids before the opening (their count is embargoed with them, migration 0012).
    expect((await releasesOf(file.ocid)).map((r) => r.tags)).toEqual([['tender'], ['tenderAmendment']]);
    t.clock.set(new Date(file.openingAt.getTime() + 60_000));
    await cast.relogin();
    await openStage(t, cast, file, 'C');
    const update = await lastRelease(file.ocid);
    expect(update.tag).toEqual(['tenderUpdate']);
    expect(obj(update.tender).numberOfTenderers).toBe(3);
    const stats = arr(obj(update.bids).statistics);
    expect(stats.map((s) => [s.id, s.value])).toEqual([
      ['bids', 3],
      ['electronicBids', 3],
      ['bids-lot-1', 3],
      ['bids-lot-2', 3],
    ]);
    expect(obj(update.bids).details).toBeUndefined();
    expect(arr(update.parties).map((p) => p.roles)).toEqual([['buyer', 'procuringEntity', 'payer']]);
    expect(JSON.stringify(update)).not.toContain('22500');
  });

  it('publishes the award of lot 1 with every bid on it, the losing and the disqualified one (award)', async () => {
    const [b1, b2, b3] = bids;
    for (const b of [b1, b2]) {
      await ok(
        await api(
          'POST',
          `/tenders/${file.tenderId}/qualification/${b?.bidId}`,
          { version: 0, decision: 'admit' },
          'committee',
        ),
      );
    }
    await ok(
      await api(
        'POST',
        `/tenders/${file.tenderId}/qualification/${b3?.bidId}`,
        {
          version: 0,
          decision: 'exclude',
          grounds: ['solvency'],
          reasons: 'No acredita la solvència econòmica (art. 87)',
        },
        'committee',
      ),
    );
    const releasesBefore = (await releasesOf(file.ocid)).length;
    await awardStep(t, cast, file, 1, 'committee', { event: 'propose' });
    await awardStep(t, cast, file, 1, 'committee', { event: 'request_documentation' });
    await awardStep(t, cast, file, 1, 'committee', { event: 'documentation_ok' });
    // The committee's steps name the candidate before the award: no release (ocds-award.publish.ts).
    expect((await releasesOf(file.ocid)).length).toBe(releasesBefore);
    await awardStep(t, cast, file, 1, 'officer', {
      event: 'award',
      reasons: 'Oferta més econòmica (preu únic criteri)',
    });
    const award = await lastRelease(file.ocid);
    expect(award.tag).toEqual(['award']);
    const awards = arr(award.awards);
    expect(awards).toHaveLength(1);
    expect(awards[0]).toMatchObject({
      id: `1-${b1?.bidId}`,
      status: 'active',
      value: { amount: 22500, currency: 'EUR' },
      relatedLots: ['1'],
      relatedBids: [`${b1?.bidId}-lot-1`],
    });
    const details = arr(obj(award.bids).details);
    // Lot 1 only: lot 2 is not decided, its bids stay out.
    expect(details.map((d) => [d.id, d.status, obj(d.value).amount])).toEqual([
      [`${b1?.bidId}-lot-1`, 'valid', 22500],
      [`${b2?.bidId}-lot-1`, 'valid', 23000],
      [`${b3?.bidId}-lot-1`, 'disqualified', 23500],
    ]);
    const supplier = arr(awards[0]?.suppliers)[0]?.id;
    const party = arr(award.parties).find((p) => p.id === supplier);
    expect(party?.roles).toEqual(['tenderer', 'supplier', 'payee']);
    expect(arr(award.parties).filter((p) => (p.roles as string[]).join() === 'tenderer')).toHaveLength(2);
    const stats = Object.fromEntries(arr(obj(award.bids).statistics).map((s) => [s.id, s.value]));
    expect(stats).toMatchObject({
      'bids-lot-1': 3,
      'validBids-lot-1': 2,
      'disqualifiedBids-lot-1': 1,
      'lowestValidBidValue-lot-1': 22500,
      'highestValidBidValue-lot-1': 23000,
    });
  });

  it('publishes the notification (awardUpdate) and lot 2 declared void (awardCancellation)', async () => {
    await awardStep(t, cast, file, 1, 'officer', { event: 'notify' });
    const update = await lastRelease(file.ocid);
    expect(update.tag).toEqual(['awardUpdate']);
    expect(arr(arr(update.awards)[0]?.documents).map((d) => d.id)).toEqual([
      'award-lot-1',
      'notification-lot-1',
    ]);

    await awardStep(t, cast, file, 2, 'officer', {
      event: 'declare_void',
      reasons: 'Cap oferta s’ajusta a les necessitats del lot 2',
    });
    const cancellation = await lastRelease(file.ocid);
    expect(cancellation.tag).toEqual(['awardCancellation']);
    expect(arr(cancellation.awards).map((a) => [a.id, a.status])).toEqual([
      [`1-${bids[0]?.bidId}`, 'active'],
      ['2-void', 'unsuccessful'],
    ]);
    expect(arr(obj(cancellation.tender).lots).map((l) => [l.id, l.status])).toEqual([
      ['1', 'complete'],
      ['2', 'unsuccessful'],
    ]);
    // The bids of the void lot become public with its decision.
    expect(arr(obj(cancellation.bids).details)).toHaveLength(6);
  });

  it('publishes the formalisation (contract) and the contract’s execution', async () => {
    await awardStep(t, cast, file, 1, 'officer', { event: 'clear_for_formalisation' });
    const signedAt = new Date(t.clock.now().getTime() - 30_000);
    const formalised = await awardStep(t, cast, file, 1, 'officer', {
      event: 'formalise',
      signedAt: signedAt.toISOString(),
    });
    contractId = formalised.contractId ?? '';
    const contract = await lastRelease(file.ocid);
    expect(contract.tag).toEqual(['contract']);
    expect(arr(contract.contracts)[0]).toMatchObject({
      id: contractId,
      awardID: `1-${bids[0]?.bidId}`,
      status: 'active',
      value: { amount: 22500, currency: 'EUR' },
      dateSigned: signedAt.toISOString(),
    });

    const url = `/contracts/${contractId}`;
    const event = async (payload: object) => {
      const current = await ok(await api('GET', url));
      return ok(await api('POST', `${url}/events`, { version: current.version, ...payload }));
    };
    // Start (contractUpdate), and a 10 % modification foreseen in the pliego (contractAmendment,
    // art. 204) with its supporting document (published with its SHA-256, migration 0021).
    await event({ type: 'start', endDate: '2029-12-31' });
    const pdf = samplePdf('Informe jurídic de la modificació');
    const uploaded = await ok(
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/authorities/${cast.authorityId}${url}/documents`,
        headers: { ...cast.s.officer?.headers, ...formType },
        payload: multipart([
          { name: 'title', value: 'Informe jurídic de la modificació' },
          { name: 'file', fileName: 'informe.pdf', contentType: 'application/pdf', content: pdf },
        ]),
      }),
      201,
    );
    documentSha256 = uploaded.sha256 as string;
    expect(documentSha256).toBe(createHash('sha256').update(pdf).digest('hex'));
    await event({
      type: 'amendment',
      legalGround: 'art_204',
      valueChange: '2250.00',
      reasons: 'Dos parcs nous, previst al plec',
      documents: [documentSha256],
    });
    const today = t.clock.now().toISOString().slice(0, 10);
    await event({ type: 'payment', amount: '12000.00', paidOn: today, invoiceRef: 'F-2027-001' });
    t.clock.set(new Date(t.clock.now().getTime() + 2 * DAY));
    await cast.relogin();
    const later = t.clock.now().toISOString().slice(0, 10);
    await event({ type: 'completion', completedOn: later });
    const tags = (await releasesOf(file.ocid)).map((r) => r.tags[0]);
    expect(tags.slice(-4)).toEqual([
      'contractUpdate',
      'contractAmendment',
      'implementation',
      'contractTermination',
    ]);
  });

  it('publishes the cancellation of another published file (tenderCancellation)', async () => {
    cancelled = await publishFile(
      t,
      cast,
      draftFor(
        {
          procedure: 'abierto_simplificado_abreviado',
          estimatedValue: '40000.00',
          envelopes: ['C'],
          specialAppeal: false,
        },
        t.clock.now(),
      ),
    );
    const current = await ok(await api('GET', `/tenders/${cancelled.tenderId}`));
    await ok(
      await api('POST', `/tenders/${cancelled.tenderId}/cancel`, {
        version: current.version,
        kind: 'renuncia',
        reason: 'Necessitat desapareguda per un canvi de planificació (art. 152.3 LCSP)',
      }),
    );
    expect((await releasesOf(cancelled.ocid)).map((r) => r.tags)).toEqual([
      ['tender'],
      ['tenderCancellation'],
    ]);
  });

  it('serves every stage once, in order, with ids unique within each ocid; the bids named only from the award on', async () => {
    const { releases } = await feed(`authority=${cast.authorityId}&limit=5`);
    const mine = releases.filter((r) => r.ocid === planOcid() || r.ocid === file.ocid);
    expect(mine.map((r) => (r.tag as string[]).join())).toEqual(EXPECTED);
    for (const ocid of [planOcid(), file.ocid, cancelled.ocid]) {
      const ids = releases.filter((r) => r.ocid === ocid).map((r) => r.id);
      expect(new Set(ids).size, ocid).toBe(ids.length);
    }
    const awardAt = mine.findIndex((r) => (r.tag as string[])[0] === 'award');
    for (const [i, r] of mine.entries()) {
      const named = obj(r.bids).details !== undefined;
      if (i < awardAt) {
        expect(named, String(r.id)).toBe(false);
        expect(
          arr(r.parties).some((p) => (p.roles as string[]).includes('tenderer')),
          String(r.id),
        ).toBe(false);
      }
    }
    expect(obj(mine[awardAt]?.bids).details).toBeDefined();
    expect(releases.filter((r) => r.ocid === cancelled.ocid).map((r) => (r.tag as string[])[0])).toEqual([
      'tender',
      'tenderCancellation',
    ]);
  });

  it('compiles the record with the final values', async () => {
    const res = await t.app.inject(`/ocds/v1/records/${encodeURIComponent(file.ocid)}`);
    expect(res.statusCode, res.body).toBe(200);
    const record = (res.json() as RecordPkg).records[0];
    expect(record?.releases.map((r) => r.tag[0])).toEqual(EXPECTED.slice(2));
    const compiled = record?.compiledRelease ?? {};
    expect(compiled.tag).toEqual(['compiled']);
    const tender = obj(compiled.tender);
    expect(tender.title).toBe('Manteniment de parcs i jardins municipals (ca)');
    expect(tender.status).toBe('complete');
    expect(arr(tender.lots).map((l) => [l.id, l.status])).toEqual([
      ['1', 'complete'],
      ['2', 'unsuccessful'],
    ]);
    const awards = arr(compiled.awards);
    expect(awards.map((a) => [a.id, a.status])).toEqual([
      [`1-${bids[0]?.bidId}`, 'active'],
      ['2-void', 'unsuccessful'],
    ]);
    expect(arr(awards[0]?.suppliers)).toHaveLength(1);
    expect(arr(obj(compiled.bids).details)).toHaveLength(6);
    const contract = arr(compiled.contracts)[0];
    const total = new Dec('22500.00').plus('2250.00').toNumber();
    expect(contract).toMatchObject({ id: contractId, status: 'terminated', value: { amount: total } });
    expect(arr(contract?.amendments).map((a) => a.id)).toEqual([`${contractId}-amendment-1`]);
    expect(arr(contract?.documents)).toEqual([
      expect.objectContaining({
        id: documentSha256,
        title: 'Informe jurídic de la modificació',
        description: `SHA-256: ${documentSha256}`,
        integrity: [{ scheme: 'sha256', id: documentSha256 }],
        url: `https://contracta.test/api/v1/tenders/${encodeURIComponent(file.ocid)}/contracts/${contractId}/documents/${documentSha256}`,
      }),
    ]);
    expect(arr(obj(contract?.implementation).transactions)).toEqual([
      expect.objectContaining({ value: { amount: 12000, currency: 'EUR' } }),
    ]);
    expect(arr(obj(contract?.implementation).milestones)).toEqual([
      expect.objectContaining({ id: `${contractId}-completion`, status: 'met' }),
    ]);
    expect(arr(compiled.relatedProcesses)[0]).toMatchObject({ identifier: planOcid() });
  });

  describe.skipIf(!hasOcdsData)(`validation against the 1.1.5 schema (${OCDS_DATA_MISSING})`, () => {
    const options = (): ValidateOptions => ({
      schema: { dir: ocdsPath('schema') },
      extensionSource: { offline: true },
      expectedPrefixes: [prefix],
      requireUtc: true,
    });

    it('every release and the release package: zero findings', async () => {
      const { bodies, releases } = await feed(`authority=${cast.authorityId}&limit=1000`);
      expect(releases.length).toBeGreaterThanOrEqual(EXPECTED.length + 4);
      for (const r of releases) {
        const report = await validate(r as JsonValue, options(), declaredExtensionUrls());
        expect(report.kind).toBe('release');
        expect(show(report.findings), r.id as string).toEqual([]);
      }
      expect(bodies).toHaveLength(1);
      const pkg = await validate(bodies[0] as unknown as JsonValue, options());
      expect(pkg.kind).toBe('release package');
      expect(pkg.releaseCount).toBe(releases.length);
      expect(show(pkg.findings)).toEqual([]);
    });

    it('the record and the record package: with and without the versioned release, zero findings', async () => {
      for (const ocid of [planOcid(), file.ocid, cancelled.ocid]) {
        const one = await t.app.inject(`/ocds/v1/records/${encodeURIComponent(ocid)}`);
        expect(one.statusCode, one.body).toBe(200);
        const report = await validate(one.json() as JsonValue, options());
        expect(report.kind).toBe('record package');
        expect(show(report.findings), ocid).toEqual([]);
        const versioned = await t.app.inject(`/ocds/v1/records/${encodeURIComponent(ocid)}?versioned=true`);
        expect(versioned.statusCode, versioned.body).toBe(200);
        const withVersions = await validate(versioned.json() as JsonValue, options());
        expect(show(withVersions.findings), `${ocid} versioned`).toEqual([]);
      }
      const res = await t.app.inject(`/ocds/v1/records?authority=${cast.authorityId}&limit=1000`);
      expect(res.statusCode, res.body).toBe(200);
      const pkg = res.json() as RecordPkg;
      expect(pkg.records.map((r) => r.ocid)).toEqual(
        expect.arrayContaining([planOcid(), file.ocid, cancelled.ocid]),
      );
      const report = await validate(pkg as unknown as JsonValue, options());
      expect(report.kind).toBe('record package');
      expect(show(report.findings)).toEqual([]);
    });
  });
});
