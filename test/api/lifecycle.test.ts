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
  submitBid,
} from '../helpers/lifecycle.js';
import { validNif } from '../helpers/tax-ids.js';
import { tenderPayload } from '../helpers/tenders.js';

/**
 * Issue 5 acceptance: the whole life of a contract through the API, for every procedure of the
 * catalogue (publish → bids → opening → evaluation → award → standstill → contract → amendment).
 * Procedures the platform cannot yet run end to end are listed with the reason, as todo: they are
 * not passed by running another procedure's flow under their name.
 */

type SealedCode = Exclude<ProcedureCode, 'menor'>;

/** Each procedure's file, or why the platform cannot run it end to end yet. */
const CASES: Record<SealedCode, ProcedureCase | { missing: string }> = {
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
  // Two-phase procedures (twoPhase in the catalogue): the platform has no selection phase yet —
  // no requests to participate (art. 162), no selection of candidates (arts. 162.4, 169.1) and no
  // invitation to tender (art. 163). Publishing one would let any company bid, as in the open one.
  restringido: {
    missing: 'no selection phase: requests to participate, selection and invitation (arts. 160–164)',
  },
  licitacion_con_negociacion: {
    missing: 'no selection phase nor negotiation rounds (arts. 166–171)',
  },
  // Without publication (art. 168): the platform can only publish a notice; it has no invitation
  // of chosen companies for sealed bids, nor negotiation (art. 169.5).
  negociado_sin_publicidad: {
    missing: 'no invitation of chosen companies without a public notice, nor negotiation (arts. 168–170)',
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
  if ('missing' in spec) {
    it.todo(`whole lifecycle — ${spec.missing}`);
    return;
  }

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

  it('takes three sealed bids through the bids API before the deadline', async () => {
    for (const price of prices) {
      const { bidId } = await submitBid(t, file, { price, newHires: '3' });
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
