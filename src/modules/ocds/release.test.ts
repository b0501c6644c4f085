import { describe, expect, it } from 'vitest';
import { awardRelease, lotStatistics, planningRelease, tenderAmendmentRelease } from './release.build.js';
import type { OcdsLotAward, OcdsOpenedBid } from './release.types.js';
import {
  bids,
  cancelledProcessReleases,
  ctx,
  FIXTURE_OCID,
  FIXTURE_PREFIX,
  fixtureReleases,
  plan,
  v1,
  v2,
} from './release.fixture.js';
import type { Json, JsonObject } from './merge.types.js';
import { companyPartyId, prune } from './release.parts.js';

const obj = (v: Json | undefined): JsonObject => v as JsonObject;
const arr = (v: Json | undefined): JsonObject[] => (v ?? []) as JsonObject[];

/** Every string value at a key ending in "date"/"Date" (and the release date). */
function dates(v: Json, key = ''): string[] {
  if (typeof v === 'string') return /(^d|D)ate(Signed|Met|Published)?$/.test(key) ? [v] : [];
  if (Array.isArray(v)) return v.flatMap((x) => dates(x, key));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => dates(x, k));
  return [];
}

describe('OCDS release builders', () => {
  const releases = fixtureReleases();

  it('publish one release per public event, with the tags of the lifecycle', () => {
    expect(releases.map((r) => (r.tag as string[]).join())).toEqual([
      'planning',
      'planningUpdate',
      'tender',
      'tenderAmendment',
      'tenderUpdate',
      'award',
      'awardCancellation',
      'contract',
      'implementation',
      'contractAmendment',
      'implementation',
      'contractTermination',
    ]);
    for (const r of releases) expect(r.initiationType).toBe('tender');
  });

  it('ocid = prefix + file id; a plan entry without file has its own ocid, linked from the file', () => {
    expect(releases[0]?.ocid).toBe(`${FIXTURE_PREFIX}-${plan.id}`);
    for (const r of releases.slice(1)) expect(r.ocid).toBe(FIXTURE_OCID);
    const link = arr(releases[2]?.relatedProcesses)[0];
    expect(link).toMatchObject({
      relationship: ['planning'],
      scheme: 'ocid',
      identifier: `${FIXTURE_PREFIX}-${plan.id}`,
    });
  });

  it('release ids are {ocid}-{tag}-{event id}: unique, stable, without #', () => {
    const all = [...releases, ...cancelledProcessReleases()];
    const ids = all.map((r) => `${r.ocid as string} ${r.id as string}`);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of all) {
      expect(r.id).toMatch(new RegExp(`^${r.ocid as string}-${(r.tag as string[])[0]}-[0-9a-f-]+$`));
      expect(r.id).not.toContain('#');
    }
    // Rebuilding the release of the same event gives the same release.
    expect(fixtureReleases()).toEqual(releases);
  });

  it('all dates are UTC with Z', () => {
    for (const r of releases) {
      const ds = dates(r);
      expect(ds.length).toBeGreaterThan(0);
      for (const d of ds) expect(d, `${r.id as string}`).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it('every organisation reference resolves to a party of the same release with that role', () => {
    for (const r of [...releases, ...cancelledProcessReleases()]) {
      const roles = new Map(arr(r.parties).map((p) => [p.id as string, p.roles as string[]]));
      const refs: [Json | undefined, string][] = [
        [r.buyer, 'buyer'],
        [obj(r.tender ?? {}).procuringEntity, 'procuringEntity'],
        ...arr(obj(r.tender ?? {}).tenderers).map((t): [Json, string] => [t, 'tenderer']),
        ...arr(r.awards).flatMap((a) => arr(a.suppliers).map((s): [Json, string] => [s, 'supplier'])),
        ...arr(obj(r.bids ?? {}).details).flatMap((b) =>
          arr(b.tenderers).map((t): [Json, string] => [t, 'tenderer']),
        ),
        ...arr(r.contracts).flatMap((c) =>
          arr(obj(c.implementation ?? {}).transactions).flatMap((t): [Json | undefined, string][] => [
            [t.payer, 'payer'],
            [t.payee, 'payee'],
          ]),
        ),
      ];
      for (const [ref, role] of refs) {
        if (ref === undefined) continue;
        expect(roles.get(obj(ref).id as string), `${r.id as string} ${role}`).toContain(role);
      }
      for (const id of roles.keys()) expect(id).toMatch(/^[A-Z]{2}-[A-Z0-9]+-\S+$/);
    }
    const award = releases[6] as JsonObject;
    expect(arr(award.parties).map((p) => [p.id, p.roles])).toEqual([
      ['ES-DIR3-L01081023', ['buyer', 'procuringEntity', 'payer']],
      ['ES-NIF-B12345674', ['tenderer']],
      ['ES-NIF-A87654321', ['tenderer', 'supplier', 'payee']],
      ['ES-NIF-***4567**', ['tenderer']],
    ]);
  });

  it('the tender release maps lots, items with CPV, award criteria, submission terms and documents', () => {
    const tender = obj(releases[2]?.tender);
    expect(tender).toMatchObject({
      id: v1.notice.id,
      status: 'active',
      title: 'Neteja d’edificis municipals',
      title_es: 'Limpieza de edificios municipales',
      procurementMethod: 'open',
      mainProcurementCategory: 'services',
      awardCriteria: 'ratedCriteria',
      value: { amount: 480000, currency: 'EUR' },
      submissionMethod: ['electronicSubmission'],
      submissionTerms: { electronicSubmissionPolicy: 'required' },
      tenderPeriod: { startDate: '2026-04-02T08:00:00.000Z', endDate: '2026-05-04T12:00:00.000Z' },
      lotDetails: { maximumLotsBidPerSupplier: 2, maximumLotsAwardedPerSupplier: 1 },
    });
    expect(arr(tender.items)[0]).toEqual({
      id: '1',
      description: 'Escoles',
      description_es: 'Escuelas',
      description_en: 'Schools',
      classification: { scheme: 'CPV', id: '90911200-8' },
      additionalClassifications: [{ scheme: 'CPV', id: '90919200-4' }],
      relatedLot: '1',
    });
    expect(
      arr(obj(arr(tender.lots)[0]?.awardCriteria).criteria).map((c) => [c.type, arr(c.numbers)[0]?.number]),
    ).toEqual([
      ['price', 60],
      ['quality', 40],
    ]);
    expect(arr(tender.documents)[0]).toMatchObject({
      id: 'doc-pcap',
      documentType: 'biddingDocuments',
      description: `SHA-256: ${'a'.repeat(64)}`,
      integrity: [{ scheme: 'sha256', id: 'a'.repeat(64) }],
      url: `https://contracta.example.cat/api/v1/tenders/${FIXTURE_OCID}/documents/doc-pcap`,
      format: 'application/pdf',
      datePublished: '2026-04-02T08:00:00.000Z',
    });
    expect(obj(releases[2]?.planning)).toEqual({
      budget: {
        description: 'Pressupost base de licitació, IVA inclòs (art. 100 LCSP)',
        amount: { amount: 290400, currency: 'EUR' },
      },
    });
  });

  it('a corrigendum describes what changed, keeps the start dates and deletes a replaced document', () => {
    const r = tenderAmendmentRelease(ctx, v2, v1, { id: 'e3', at: v2.publishedAt }, 'prev-release');
    const tender = obj(r.tender);
    const amendment = arr(tender.amendments)[0] as JsonObject;
    expect(amendment).toMatchObject({
      id: 'notice-2',
      date: '2026-04-15T09:30:00.000Z',
      rationale: 'Error en el plec tècnic',
      amendsReleaseID: 'prev-release',
      releaseID: r.id,
    });
    expect(amendment.description).toContain(
      'tenderDeadline: 2026-05-04T12:00:00.000Z → 2026-05-18T12:00:00.000Z',
    );
    expect(obj(tender.tenderPeriod)).toEqual({ endDate: '2026-05-18T12:00:00.000Z' });
    const docs = arr(tender.documents);
    expect(docs.find((d) => d.id === 'doc-pcap')?.datePublished).toBeUndefined();
    expect(docs.find((d) => d.id === 'doc-ppt-2')?.datePublished).toBe(v2.publishedAt);
    expect(docs.find((d) => d.id === 'doc-ppt')).toEqual({
      id: 'doc-ppt',
      documentType: null,
      title: null,
      description: null,
      integrity: null,
      url: null,
      format: null,
      datePublished: null,
    });
  });

  it('bids: statistics at the deadline, then details of the lots whose award is public, losing bids included', () => {
    const received = releases[4] as JsonObject;
    expect(obj(received.bids).details).toBeUndefined();
    expect(arr(obj(received.bids).statistics).map((s) => [s.id, s.value])).toEqual([
      ['bids', 3],
      ['electronicBids', 3],
      ['bids-lot-1', 2],
      ['bids-lot-2', 2],
    ]);
    expect(obj(received.tender).numberOfTenderers).toBe(3);
    // Only lot 1 decided: lot 2's bids stay unpublished.
    const award = releases[5] as JsonObject;
    expect(arr(obj(award.bids).details).map((b) => [b.id, b.status, obj(b.value).amount])).toEqual([
      ['bid-alfa-lot-1', 'valid', 140000],
      ['bid-beta-lot-1', 'valid', 132000],
    ]);
    expect(arr(award.awards)).toEqual([
      {
        id: '1-bid-beta',
        title: 'Lot 1',
        description: 'Oferta amb la millor relació qualitat-preu (art. 145 LCSP)',
        status: 'active',
        date: '2026-06-10T10:00:00.000Z',
        value: { amount: 132000, currency: 'EUR' },
        suppliers: [{ id: 'ES-NIF-A87654321', name: 'Serveis Beta SA' }],
        relatedLots: ['1'],
        relatedBids: ['bid-beta-lot-1'],
        // The award resolution and its notification (art. 151), on the file's public award page.
        documents: [
          {
            id: 'award-lot-1',
            documentType: 'awardNotice',
            title: 'Resolució d’adjudicació del lot 1 (art. 151 LCSP)',
            url: `https://contracta.example.cat/tenders/${FIXTURE_OCID}#award-lot-1`,
            datePublished: '2026-06-10T10:00:00.000Z',
          },
          {
            id: 'notification-lot-1',
            documentType: 'awardNotice',
            title: 'Notificació de l’adjudicació del lot 1 als licitadors (art. 151.1 LCSP)',
            url: `https://contracta.example.cat/tenders/${FIXTURE_OCID}#award-lot-1`,
            datePublished: '2026-06-10T10:05:00.000Z',
          },
        ],
      },
    ]);
    const voided = releases[6] as JsonObject;
    expect(arr(voided.awards)[1]).toMatchObject({ id: '2-void', status: 'unsuccessful', relatedLots: ['2'] });
    expect(obj(voided.tender)).toMatchObject({
      status: 'complete',
      lots: [
        { id: '1', status: 'complete' },
        { id: '2', status: 'unsuccessful' },
      ],
    });
    expect(arr(obj(voided.bids).details).find((b) => b.id === 'bid-gamma-lot-2')?.status).toBe(
      'disqualified',
    );
    const stats = arr(obj(voided.bids).statistics);
    expect(stats.find((s) => s.id === 'lowestValidBidValue-lot-1')?.value).toBe(132000);
    expect(stats.find((s) => s.id === 'validBids-lot-2')?.value).toBe(1);
  });

  it('contracts: value as amended, amendments, transactions and the termination', () => {
    const amended = arr((releases[9] as JsonObject).contracts)[0] as JsonObject;
    expect(amended).toMatchObject({
      id: 'contract-1',
      awardID: '1-bid-beta',
      status: 'active',
      value: { amount: 145200, currency: 'EUR' },
      relatedBids: ['bid-beta-lot-1'],
    });
    expect(arr(amended.amendments)[0]).toMatchObject({
      id: 'contract-1-amendment-1',
      releaseID: releases[9]?.id,
    });
    expect(arr(amended.documents)[0]).toMatchObject({
      id: 'd'.repeat(64),
      url: `https://contracta.example.cat/api/v1/tenders/${FIXTURE_OCID}/contracts/contract-1/documents/${'d'.repeat(64)}`,
    });
    const last = arr((releases[11] as JsonObject).contracts)[0] as JsonObject;
    expect(last.status).toBe('terminated');
    expect(obj(last.period).endDate).toBe('2028-06-30T00:00:00.000Z');
    const impl = obj(last.implementation);
    expect(arr(impl.transactions).map((t) => [t.id, obj(t.value).amount, obj(t.payee).id])).toEqual([
      ['contract-1-payment-3', 5500, 'ES-NIF-A87654321'],
      ['contract-1-payment-4', 6050, 'ES-NIF-A87654321'],
    ]);
    expect(arr(impl.milestones).map((m) => m.id)).toEqual([
      'contract-1-milestone-5',
      'contract-1-completion',
    ]);
  });

  it('a withdrawn plan entry and a cancelled tender carry their status and reasons', () => {
    const withdrawn = planningRelease(
      ctx,
      { ...plan, status: 'withdrawn', tenderId: null, withdrawalReason: 'Sense crèdit pressupostari' },
      { id: 'e9', at: '2026-02-01T10:00:00+01:00' },
      { update: true },
    );
    expect(withdrawn.date).toBe('2026-02-01T09:00:00.000Z');
    expect(obj(withdrawn.tender)).toMatchObject({ status: 'withdrawn' });
    expect(arr(obj(withdrawn.tender).amendments)[0]?.rationale).toBe('Sense crèdit pressupostari');
    const [, cancelled] = cancelledProcessReleases();
    expect(obj(cancelled?.tender)).toMatchObject({
      status: 'cancelled',
      lots: [{ status: 'cancelled' }, { status: 'cancelled' }],
    });
    expect(arr(obj(cancelled?.tender).amendments)[0]?.amendsReleaseID).toMatch(/-tender-/);
  });

  it('no empty strings, arrays or objects are published', () => {
    const empty = (v: Json): boolean =>
      (typeof v === 'string' && v.trim() === '') ||
      (Array.isArray(v) && (v.length === 0 || v.some(empty))) ||
      (v !== null &&
        typeof v === 'object' &&
        !Array.isArray(v) &&
        (Object.keys(v).length === 0 || Object.values(v).some(empty)));
    for (const r of [...releases, ...cancelledProcessReleases()])
      expect(empty(r), r.id as string).toBe(false);
    expect(prune({ a: '', b: [], c: {}, d: null, e: [{ f: ' ' }] })).toEqual({ d: null });
    expect(
      awardRelease(ctx, v2.notice, [], bids, { id: 'x', at: '2026-06-01T00:00:00Z' }).awards,
    ).toBeUndefined();
  });

  it('company identifiers: ES-NIF for NIF/CIF/NIE and Spanish VAT, {country}-VAT otherwise', () => {
    expect(companyPartyId({ legalName: 'x', taxId: 'B12345674', taxIdKind: 'CIF' })).toBe('ES-NIF-B12345674');
    expect(companyPartyId({ legalName: 'x', taxId: 'ESB12345674', taxIdKind: 'VAT' })).toBe(
      'ES-NIF-B12345674',
    );
    expect(companyPartyId({ legalName: 'x', taxId: 'FR12345678901', taxIdKind: 'VAT' })).toBe(
      'FR-VAT-FR12345678901',
    );
  });

  it('bid statistics compare prices as amounts, and count an offer rejected on one lot as disqualified there', () => {
    const stats = (b: OcdsOpenedBid[], lot: number) =>
      Object.fromEntries(
        lotStatistics(lot, b, '2026-05-18T12:00:00.000Z').map((s) => {
          const o = s as JsonObject;
          return [o.id, o.value];
        }),
      );
    // As strings '9.50' > '10.00' and '10.00' < '9.50'; as decimals the opposite.
    const priced: OcdsOpenedBid[] = [
      { ...bid('a'), lots: [{ lot: 1, price: '9.50' }] },
      { ...bid('b'), lots: [{ lot: 1, price: '10.00' }] },
      { ...bid('c'), lots: [{ lot: 1, price: '100.05' }] },
    ];
    expect(stats(priced, 1)).toMatchObject({
      'lowestValidBidValue-lot-1': 9.5,
      'highestValidBidValue-lot-1': 100.05,
    });

    // An offer rejected as abnormally low on lot 2 (art. 149.6): disqualified on lot 2 only.
    const rejected: OcdsOpenedBid[] = [
      {
        ...bid('a'),
        lots: [
          { lot: 1, price: '100.00' },
          { lot: 2, price: '50.00', status: 'disqualified' },
        ],
      },
      { ...bid('b'), lots: [{ lot: 2, price: '80.00' }] },
    ];
    expect(stats(rejected, 1)).toMatchObject({ 'validBids-lot-1': 1, 'disqualifiedBids-lot-1': 0 });
    expect(stats(rejected, 2)).toMatchObject({
      'validBids-lot-2': 1,
      'disqualifiedBids-lot-2': 1,
      'lowestValidBidValue-lot-2': 80,
    });
    const award = awardRelease(
      ctx,
      v2.notice,
      [
        {
          lot: 2,
          stage: 'void',
          award: null,
          void: { reasons: 'Cap oferta', at: '2026-06-12T10:00:00.000Z' },
        },
      ],
      rejected,
      { id: 'e1', at: '2026-06-12T10:00:00.000Z' },
      'awardCancellation',
    );
    expect(arr(obj(award.bids).details).map((d) => [d.id, d.status])).toEqual([
      ['a-lot-2', 'disqualified'],
      ['b-lot-2', 'valid'],
    ]);
  });

  it('an award not yet notified lists its resolution only', () => {
    const award = awardRelease(
      ctx,
      v2.notice,
      [
        {
          ...awardOf(bids),
          award: { ...(awardOf(bids).award as NonNullable<OcdsLotAward['award']>), notifiedAt: null },
        },
      ],
      bids,
      { id: 'e2', at: '2026-06-10T10:00:00.000Z' },
    );
    expect(arr(arr(award.awards)[0]?.documents).map((d) => d.id)).toEqual(['award-lot-1']);
  });
});

function bid(id: string): OcdsOpenedBid {
  return {
    bidId: id,
    company: { legalName: `Empresa ${id}`, taxId: `B0000000${id}`, taxIdKind: 'CIF' },
    receivedAt: '2026-05-18T10:00:00.000Z',
    lots: [],
    status: 'valid',
  };
}

/** The award of lot 1 to the fixture's second bid. */
function awardOf(b: OcdsOpenedBid[]): OcdsLotAward {
  const beta = b[1] as OcdsOpenedBid;
  return {
    lot: 1,
    stage: 'awarded',
    award: {
      bidId: beta.bidId,
      company: beta.company,
      price: '132000.00',
      reasons: 'Millor relació qualitat-preu',
      awardedAt: '2026-06-10T10:00:00.000Z',
      notifiedAt: '2026-06-10T10:05:00.000Z',
    },
    void: null,
  };
}
