import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROCEDURES } from '../../src/modules/procedures/procedure.catalogue.js';
import type { ProcedureCode } from '../../src/modules/procedures/procedure.types.js';
import { newId } from '../../src/platform/ids.js';
import { Dec } from '../../src/platform/money.js';
import { login, makeCompany, makeUser, type TestApp, buildTestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import {
  admitAll,
  amendContract,
  awardLot1,
  type Cast,
  DAY,
  draftFor,
  judgeAndApprove,
  makeCast,
  openStage,
  type ProcedureCase,
  type PublishedFile,
  publishFile,
  scoringOfLot1,
  inviteDirectly,
  negotiateOnce,
  selectAndInvite,
  submitBid,
} from '../helpers/lifecycle.js';
import { type Bidder, makeBidder } from '../helpers/sealed-bids.js';
import { validNif } from '../helpers/tax-ids.js';
import { tenderPayload } from '../helpers/tenders.js';

/**
 * Issue 5 acceptance: the whole life of a contract through the API, for every procedure of the
 * catalogue (publish → bids → opening → evaluation → award → standstill → contract → amendment).
 * Each procedure runs its own flow (selection, invitation and negotiation where it has them); a
 * procedure added to the catalogue without a case here fails the coverage test below.
 */

type SealedCode = Exclude<ProcedureCode, 'menor'>;

/** How the companies that may bid are chosen, where the procedure chooses them. */
type LifecycleCase = ProcedureCase & {
  /** Requests from `candidates` companies, one rejected; or `direct` companies invited (art. 168). */
  invitation?: { candidates: number } | { direct: number };
  /** A negotiation round before the sealed final offers (art. 169). */
  negotiated?: boolean;
};

/** Each procedure's file. */
const CASES: Record<SealedCode, LifecycleCase> = {
  // Services of 50,000 €: below the 60,000 € of art. 159.6; price only, envelope C alone; no
  // special appeal (art. 44.1.a), so no standstill.
  abierto_simplificado_abreviado: {
    procedure: 'abierto_simplificado_abreviado',
    estimatedValue: '50000.00',
    envelopes: ['C'],
    specialAppeal: false,
  },
  // Services of 120,000 €: below the 140,000 € of art. 159.1.a (2026); judgement criteria give
  // envelopes B and C (art. 159.4.d); above 100,000 € the special appeal lies (art. 44.1.a).
  abierto_simplificado: {
    procedure: 'abierto_simplificado',
    estimatedValue: '120000.00',
    envelopes: ['B', 'C'],
    specialAppeal: true,
  },
  // Services of 180,000 €, not harmonised: envelopes A, B, C (art. 157), special appeal.
  abierto: {
    procedure: 'abierto',
    estimatedValue: '180000.00',
    envelopes: ['A', 'B', 'C'],
    specialAppeal: true,
  },
  // Two phases (arts. 160–165): requests to participate, selection with reasons, invitation of at
  // least five candidates (art. 162); the invited alone bid. Services of 180,000 €, not harmonised.
  restringido: {
    procedure: 'restringido',
    estimatedValue: '180000.00',
    envelopes: ['A', 'B', 'C'],
    specialAppeal: true,
    invitation: { candidates: 6 },
  },
  // The same selection with at least three candidates (art. 169), then a negotiation round put
  // to every invited company alike before the sealed final offers.
  licitacion_con_negociacion: {
    procedure: 'licitacion_con_negociacion',
    estimatedValue: '180000.00',
    envelopes: ['A', 'B', 'C'],
    specialAppeal: true,
    invitation: { candidates: 4 },
    negotiated: true,
  },
  // Without publication (art. 168): the authority invites the companies it chooses, negotiates,
  // and takes their sealed final offers.
  negociado_sin_publicidad: {
    procedure: 'negociado_sin_publicidad',
    estimatedValue: '180000.00',
    envelopes: ['A', 'B', 'C'],
    specialAppeal: true,
    invitation: { direct: 3 },
    negotiated: true,
  },
};

const SEALED_CODES = (Object.keys(PROCEDURES) as ProcedureCode[]).filter(
  (code): code is SealedCode => PROCEDURES[code].envelopes !== 'none',
);

it('covers every procedure of the catalogue that takes sealed bids', () => {
  expect([...SEALED_CODES].sort()).toEqual(Object.keys(CASES).sort());
  expect(
    (Object.keys(PROCEDURES) as ProcedureCode[]).filter((c) => PROCEDURES[c].envelopes === 'none'),
  ).toEqual(['menor']);
});

describe.each(SEALED_CODES)(`lifecycle of %s (${driverName})`, (code) => {
  const spec = CASES[code];

  let t: TestApp;
  let cast: Cast;
  let file: PublishedFile;
  let contractId = '';
  // Three offers close to each other (none presumed abnormal): the cheapest wins on F1, the other
  // criteria being equal.
  const prices = ['0.90', '0.92', '0.94'].map((share) =>
    new Dec(spec.estimatedValue).times(share).toFixed(2),
  );
  const bids: { bidId: string; price: string }[] = [];
  // The companies invited to bid, where the procedure invites; otherwise anyone bids.
  let invited: Bidder[] = [];

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    cast = await makeCast(t);
  }, 60_000);
  afterAll(async () => t.close());

  it('drafts, approves and publishes the file with the envelopes of its procedure', async () => {
    file = await publishFile(t, cast, draftFor(spec, t.clock.now()));
    expect(file.envelopes).toEqual(spec.envelopes);
    expect(file.target.quorum).toBe(2);
    expect(file.target.custodians).toHaveLength(3);
  });

  const invitation = spec.invitation;
  if (invitation) {
    it('chooses the companies that may bid, and refuses a bid from any other', async () => {
      if ('candidates' in invitation) {
        const { invited: chosen, rejected } = await selectAndInvite(t, cast, file, invitation.candidates);
        invited = chosen;
        // The rejected candidate learns why once the invitations have left (art. 155).
        const own = await t.app.inject({
          url: `/api/v1/tenders/${file.ocid}/participation?companyId=${rejected.companyId}`,
          headers: rejected.session.headers,
        });
        expect(own.json()).toMatchObject({
          byInvitation: true,
          invited: false,
          request: { decision: 'rejected', reasons: expect.stringContaining('solvència') },
        });
      } else {
        invited = await inviteDirectly(t, cast, file, invitation.direct);
      }
      const outsider = await makeBidder(t);
      await expect(
        submitBid(t, file, { price: prices[0] ?? '1.00', newHires: '3' }, outsider),
      ).rejects.toThrow(/upload refused: 403 .*NOT_INVITED/);
      if (spec.negotiated) await negotiateOnce(t, cast, file, invited);
    });
  }

  it('takes three sealed bids through the bids API before the deadline', async () => {
    for (const [i, price] of prices.entries()) {
      const { bidId } = await submitBid(t, file, { price, newHires: '3' }, invited[i]);
      bids.push({ bidId, price });
    }
    const counted = await t.db.db
      .selectFrom('bid')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('tender_id', '=', file.tenderId)
      .executeTakeFirstOrThrow();
    expect(Number(counted.n)).toBe(3);
  });

  it('opens every envelope with the quorum, qualifying and scoring B on the way', async () => {
    t.clock.set(new Date(file.openingAt.getTime() + 60_000));
    await cast.relogin();
    const ids = bids.map((b) => b.bidId);
    for (const [i, envelope] of spec.envelopes.entries()) {
      const opened = await openStage(t, cast, file, envelope);
      expect(opened?.record.bids.map((b) => [b.bidId, b.outcome])).toEqual(ids.map((id) => [id, 'opened']));
      // Qualification on the first envelope (A, or the first one of the simplified procedures, art. 159.4).
      if (i === 0) await admitAll(t, cast, file, ids);
      if (envelope === 'B') {
        await judgeAndApprove(
          t,
          cast,
          file,
          ids.map((id) => [id, '20'] as [string, string]),
        );
      }
    }
    const openings = (await t.app.inject({ url: `/api/v1/tenders/${file.ocid}/openings` })).json() as {
      record: { envelope: string };
    }[];
    expect(openings.map((o) => o.record.envelope)).toEqual(spec.envelopes);
  });

  it('scores the offers with the published formulas and ranks the cheapest first', async () => {
    const offers = await scoringOfLot1(t, cast, file);
    expect(offers.map((o) => [o.bidId, o.price, o.rank])).toEqual(
      bids.map((b, i) => [b.bidId, b.price, i + 1]),
    );
    // The cheapest offer takes all the price points (F1) and all the social ones (3 hires, top step);
    // the committee gave every memòria 20 points (of 40 in the open file, of 25 in the simplified one).
    const totals: Record<string, string> = {
      abierto_simplificado_abreviado: '100.00',
      abierto_simplificado: '95.00',
      abierto: '80.00',
      restringido: '80.00',
      licitacion_con_negociacion: '80.00',
      negociado_sin_publicidad: '80.00',
    };
    expect(offers[0]?.total).toBe(totals[code]);
  });

  it('awards lot 1, waits out the standstill where the special appeal lies, and formalises the contract', async () => {
    const before = t.clock.now();
    const { winner, specialAppeal, formalised, signedAt } = await awardLot1(t, cast, file);
    expect(winner).toBe(bids[0]?.bidId);
    expect(specialAppeal).toBe(spec.specialAppeal);
    // The standstill of art. 153.3 (15 business days) moved the clock; without it, nothing waited.
    if (spec.specialAppeal) expect(t.clock.now().getTime()).toBeGreaterThan(before.getTime() + 20 * DAY);
    else expect(t.clock.now()).toEqual(before);
    const contract = await t.db.db
      .selectFrom('contract')
      .select(['id', 'bid_id', 'lots', 'amount_excl_vat', 'signed_at', 'status'])
      .where('tender_id', '=', file.tenderId)
      .executeTakeFirstOrThrow();
    expect(contract).toMatchObject({
      id: formalised.contractId,
      bid_id: bids[0]?.bidId,
      lots: [1],
      status: 'formalised',
    });
    expect(String(contract.amount_excl_vat)).toBe(bids[0]?.price);
    contractId = contract.id;
    expect(contract.signed_at.toISOString()).toBe(signedAt.toISOString());
    const pub = (await t.app.inject({ url: `/api/v1/tenders/${file.ocid}/awards` })).json() as {
      lots: { lot: number; stage: string; contract: { amountExclVat: string } | null }[];
    };
    expect(pub.lots).toEqual([
      expect.objectContaining({
        lot: 1,
        stage: 'formalised',
        contract: expect.objectContaining({ amountExclVat: bids[0]?.price }),
      }),
    ]);
  });

  it('amends the contract in execution through the contracts API, and publishes the amendment', async () => {
    const winner = bids[0]?.price ?? '0';
    // A 10 % increase, within the 20 % the pliego may foresee (art. 204.1).
    const change = new Dec(winner).times('0.1').toFixed(2);
    const total = new Dec(winner).plus(change).toFixed(2);
    const reasons = 'Ampliació del servei a dos edificis nous, prevista al plec';
    const amended = await amendContract(t, cast, contractId, { valueChange: change, reasons });
    expect(amended).toMatchObject({ status: 'in_execution', amountExclVat: winner, totalExclVat: total });
    expect(amended.events.at(-1)).toMatchObject({
      type: 'amendment',
      legalGround: 'art_204',
      valueChange: change,
      newTotal: total,
    });
    // Modifications are published (art. 207.3 with art. 63.3).
    const pub = await t.app.inject({ url: `/api/v1/tenders/${file.ocid}/contracts` });
    expect(pub.statusCode, pub.body).toBe(200);
    expect(pub.json()).toMatchObject({
      contracts: [
        {
          id: contractId,
          amountExclVat: winner,
          totalExclVat: total,
          amendments: [{ legalGround: 'art_204', valueChange: change, newTotal: total, reasons }],
        },
      ],
    });
  });

  it('keeps the committee minutes: every act in order, internal steps for the authority alone', async () => {
    type Entry = {
      seq: string;
      action: string;
      step: string | null;
      status: string | null;
      envelope: string | null;
      company: { legalName: string } | null;
      eventSha256: string;
    };
    const pub = await t.app.inject({ url: `/api/v1/tenders/${file.ocid}/minutes` });
    expect(pub.statusCode, pub.body).toBe(200);
    const entries = (pub.json() as { entries: Entry[] }).entries;
    const seqs = entries.map((e) => BigInt(e.seq));
    expect(seqs).toEqual([...seqs].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    expect(entries.filter((e) => e.action === 'opening.recorded').map((e) => e.envelope)).toEqual(
      spec.envelopes,
    );
    const qualified = entries.filter((e) => e.action === 'evaluation.qualification_decided');
    expect(qualified.map((e) => e.status)).toEqual(['admitted', 'admitted', 'admitted']);
    expect(qualified.every((e) => e.company && e.company.legalName.length > 0)).toBe(true);
    expect(entries.filter((e) => e.action === 'evaluation.judgement_report_approved')).toHaveLength(
      spec.envelopes.includes('B') ? 1 : 0,
    );
    const publicSteps = entries.filter((e) => e.action === 'evaluation.award_step').map((e) => e.step);
    expect(publicSteps).toEqual(expect.arrayContaining(['award', 'notify', 'formalise']));
    expect(publicSteps).not.toContain('request_documentation');
    // The selection phase, where there is one, appears in the authority's minutes only.
    expect(entries.some((e) => e.action === 'participation.decided' || e.action === 'tender.invited')).toBe(
      false,
    );
    const internal = await t.app.inject({
      url: `/api/v1/authorities/${cast.authorityId}/tenders/${file.tenderId}/minutes`,
      headers: cast.s.officer?.headers,
    });
    expect(internal.statusCode, internal.body).toBe(200);
    const all = (internal.json() as { entries: Entry[] }).entries;
    expect(all.filter((e) => e.action === 'evaluation.award_step').map((e) => e.step)).toEqual(
      expect.arrayContaining(['propose', 'request_documentation', 'documentation_ok']),
    );
    if (spec.invitation) expect(all.some((e) => e.action === 'tender.invited')).toBe(true);
    // Each entry names the audit event it reads: the same hash in both readings.
    const hashes = new Set(all.map((e) => e.eventSha256));
    expect(entries.every((e) => hashes.has(e.eventSha256))).toBe(true);
    // The same minutes as pages: public in every language, the whole in the committee workspace.
    const company = qualified[0]?.company?.legalName ?? '';
    for (const [lang, title] of [
      ['ca', 'Actes de la mesa de contractació'],
      ['es', 'Actas de la mesa de contratación'],
      ['en', 'Minutes of the contracting committee'],
    ] as const) {
      const page = await t.app.inject({ url: `/tenders/${file.ocid}/minutes?lang=${lang}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(title);
      expect(page.body).toContain(company.replace(/&/g, '&amp;'));
    }
    const office = await t.app.inject({
      url: `/office/${cast.authorityId}/tenders/${file.tenderId}/minutes`,
      headers: cast.s.officer?.headers,
    });
    expect(office.statusCode).toBe(200);
    expect(office.body).toContain('Sol·licitar la documentació');
  });
});

/**
 * The contrato menor has no envelopes: the officer asks companies for quotes, which stay sealed
 * until the deadline, and awards one (art. 118; src/modules/minor).
 */
describe(`lifecycle of menor (${driverName})`, () => {
  let t: TestApp;
  let cast: Cast;

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    cast = await makeCast(t);
  }, 60_000);
  afterAll(async () => t.close());

  it('request → quotes → award', async () => {
    const api = (
      headers: Record<string, string> | undefined,
      method: 'GET' | 'POST' | 'PUT',
      url: string,
      payload?: object,
    ) =>
      t.app.inject({ method, url: `/api/v1${url}`, headers: headers ?? {}, ...(payload ? { payload } : {}) });
    const officer = () => cast.s.officer?.headers;
    // Services below 15,000 € (art. 118.1).
    const value = '12000.00';
    const names = (text: string) => ({ ca: `${text} (ca)`, es: `${text} (es)`, en: `${text} (en)` });
    const created = await api(officer(), 'POST', `/authorities/${cast.authorityId}/tenders`, {
      ...tenderPayload(t.clock.now(), {
        procedure: 'menor',
        estimatedValue: value,
        budgetExclVat: value,
        budgetInclVat: '14520.00',
        durationMonths: 6,
        tenderDeadline: null,
        questionsDeadline: null,
        lots: [
          {
            number: 1,
            title: names('Únic'),
            estimatedValue: value,
            budgetExclVat: value,
            mainCpv: '90910000-9',
            criteria: [],
          },
        ],
      }),
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = (created.json() as { id: string }).id;
    // The report of need (art. 118.2) is the one document a minor file requires.
    await t.db.db
      .insertInto('tender_document')
      .values({
        id: newId(),
        tender_id: id,
        authority_id: cast.authorityId,
        kind: 'informe_necesidad',
        title: 'Informe de necessitat',
        file_name: 'informe.pdf',
        content_type: 'application/pdf',
        size_bytes: 1000,
        sha256: createHash('sha256').update(id).digest('hex'),
        uploaded_by: cast.ids.officer,
      })
      .execute();
    const submitted = await api(officer(), 'POST', `/authorities/${cast.authorityId}/tenders/${id}/submit`, {
      version: 1,
    });
    expect(submitted.json()).toMatchObject({ status: 'approved' });

    const companies: { id: string; headers: Record<string, string> }[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await makeCompany(t, validNif());
      const u = await makeUser(t, { companies: [{ companyId: c.id, roles: ['bidder'] }] });
      companies.push({
        id: c.id,
        headers: (await login(t, u.email, undefined, { remoteAddress: `10.78.0.${i}` })).headers,
      });
    }
    const minor = `/authorities/${cast.authorityId}/tenders/${id}/minor`;
    const started = await api(officer(), 'POST', `${minor}/start`, {
      quoteDeadline: new Date(t.clock.now().getTime() + 5 * 3_600_000).toISOString(),
      companyIds: companies.map((c) => c.id),
    });
    expect(started.statusCode, started.body).toBe(201);
    for (const [i, amount] of ['11500.00', '10900.00', '11800.00'].entries()) {
      const c = companies[i];
      const res = await api(c?.headers, 'PUT', `/companies/${c?.id}/minor-invitations/${id}/quote`, {
        amountExclVat: amount,
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    t.clock.set(new Date(t.clock.now().getTime() + 6 * 3_600_000));
    const open = (await api(officer(), 'GET', minor)).json() as {
      quotesSealed: boolean;
      quotes: { id: string; amountExclVat: string }[];
    };
    expect(open.quotesSealed).toBe(false);
    expect(open.quotes.map((q) => q.amountExclVat)).toEqual(['10900.00', '11500.00', '11800.00']);
    const awarded = await api(officer(), 'POST', `${minor}/award`, {
      quoteId: open.quotes[0]?.id,
      justification: 'Millor preu de les ofertes rebudes',
    });
    expect(awarded.statusCode, awarded.body).toBe(200);
    expect(awarded.json()).toMatchObject({
      status: 'awarded',
      award: { companyId: companies[1]?.id, amountExclVat: '10900.00', amountInclVat: '13189.00' },
    });
  });
});
