import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredExtensionUrls } from '../../src/modules/ocds/extensions.js';
import { NO_RULES } from '../../src/modules/ocds/merge-rules.js';
import type { JsonObject } from '../../src/modules/ocds/merge.types.js';
import { setOcdsPublisher } from '../../src/modules/ocds/ocds-publish.context.js';
import { fromBase64 } from '../../src/modules/sealing/bytes.js';
import { makeOffer, OFFER_FILE_NAME, offerBytes } from '../../src/modules/sealing/offer.rules.js';
import type { EnvelopeLetter, SealingTarget, SharePayload } from '../../src/modules/sealing/sealing.types.js';
import { unwrapShare } from '../../src/modules/sealing/shares.js';
import type { AuthorityRole } from '../../src/platform/context.js';
import { newId } from '../../src/platform/ids.js';
import {
  buildTestApp,
  login,
  makeAuthority,
  makeCompany,
  makeUser,
  rowCounts,
  type Session,
  type TestApp,
} from '../helpers/app.js';
import { registerCustodianKeys } from '../helpers/custody.js';
import { driverName } from '../helpers/db.js';
import { hasOcdsData, publishedFindings } from '../helpers/ocds.js';
import { insertSealedBid } from '../helpers/opening-bids.js';
import { validNif } from '../helpers/tax-ids.js';
import {
  ABNORMAL_NOTICE,
  loadDemoCpv,
  PRICE_F1,
  SOCIAL_STEPS,
  tenderPayload,
  recordRequiredDocuments,
} from '../helpers/tenders.js';

type LotView = {
  lot: number;
  status: string;
  version: number;
  ranking: { bidId: string; company: string; price: string; rank: number }[];
  rankingStatus: string;
  ties: string[][];
  draw: string[] | null;
  candidate: string | null;
  failed: { bidId: string; reason: string }[];
  documentationDeadline: string | null;
  award: { bidId: string; reasons: string } | null;
  notifiedAt: string | null;
  specialAppeal: boolean;
  standstillEnds: string | null;
  appeal: { lodgedAt: string } | null;
  formalisedAt: string | null;
  void: { reasons: string } | null;
  contractId: string | null;
};

const DAY = 86_400_000;
const names = (text: string) => ({ ca: `${text} (ca)`, es: `${text} (es)`, en: `${text} (en)` });

/**
 * The award of lots after envelope C, on a tender with formula criteria only (envelopes A and C):
 * lot 1 has three bids (the first fails its documentation, the second is awarded and its contract
 * formalised after the standstill and an appeal), lot 2 two tied bids (the committee's draw), lot 3
 * none (declared void).
 */
describe(`award of lots (${driverName})`, () => {
  let t: TestApp;
  let a: { id: string };
  let b: { id: string };
  const s: Record<string, Session> = {};
  const emails: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const identities = new Map<string, string>();
  const bidIds: string[] = [];
  let tenderId: string;
  let ocid: string;

  let signIns = 0;
  /** After a jump of the clock the sessions have expired; each round from its own address (rate limit). */
  const relogin = async () => {
    signIns += 1;
    for (const [name, email] of Object.entries(emails)) {
      s[name] = await login(t, email, undefined, { remoteAddress: `10.9.${signIns}.1` });
    }
  };
  const awardsUrl = (suffix = '') => `/api/v1/authorities/${a.id}/tenders/${tenderId}/awards${suffix}`;
  const list = async (who = 'officer') => {
    const res = await t.app.inject({ url: awardsUrl(), headers: s[who]?.headers });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { lots: LotView[] }).lots;
  };
  const lotOf = async (lot: number) => (await list()).find((l) => l.lot === lot) as LotView;
  const step = (who: string, lot: number, payload: object) =>
    t.app.inject({ method: 'POST', url: awardsUrl(`/${lot}`), headers: s[who]?.headers, payload });
  /** One step that must succeed, with the lot's current version. */
  const ok = async (who: string, lot: number, payload: object) => {
    const version = (await lotOf(lot)).version;
    const res = await step(who, lot, { version, ...payload });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as LotView;
  };

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    // Publication on, so that the annulment of an award on appeal can be seen in the open data.
    setOcdsPublisher({ rules: NO_RULES, publicBaseUrl: 'https://contracta.test' });
    await loadDemoCpv(t);
    a = await makeAuthority(t);
    b = await makeAuthority(t);
    await t.db.db.updateTable('authority').set({ approval_chain: [] }).where('id', '=', a.id).execute();
    const people: [string, string, AuthorityRole[]][] = [
      ['officer', a.id, ['procurement_officer']],
      ['committee', a.id, ['committee_member']],
      ['c1', a.id, ['key_custodian']],
      ['c2', a.id, ['key_custodian']],
      ['c3', a.id, ['key_custodian']],
      ['foreign', b.id, ['procurement_officer', 'committee_member']],
    ];
    for (const [name, authorityId, roles] of people) {
      const u = await makeUser(t, { roles: [{ authorityId, roles }] });
      ids[name] = u.id;
      emails[name] = u.email;
    }
    await relogin();
    const keys = await registerCustodianKeys(t, a.id, [ids.c1 ?? '', ids.c2 ?? '', ids.c3 ?? '']);
    for (const c of ['c1', 'c2', 'c3']) identities.set(c, keys.get(ids[c] ?? '')?.identity ?? '');

    // Services of 180,000 € (above the 100,000 € of art. 44.1.a): the special appeal lies.
    const now = t.clock.now();
    const deadline = new Date(now.getTime() + 20 * DAY);
    const openingAt = new Date(deadline.getTime() + 2 * 3_600_000);
    const criteria = [
      {
        kind: 'price' as const,
        evaluation: 'formula' as const,
        weight: '35',
        name: names('Preu'),
        formula: PRICE_F1,
      },
      {
        kind: 'quality' as const,
        evaluation: 'formula' as const,
        weight: '65',
        name: names('Criteris socials'),
        formula: SOCIAL_STEPS,
      },
    ];
    const lot = (number: number) => ({
      number,
      title: names(`Lot ${number}`),
      estimatedValue: '60000',
      budgetExclVat: '50000',
      mainCpv: '90910000-9',
      abnormal: ABNORMAL_NOTICE,
      criteria,
    });
    const call = (method: 'POST' | 'PUT', p: string, payload: object) =>
      t.app.inject({
        method,
        url: `/api/v1/authorities/${a.id}/tenders${p}`,
        headers: s.officer?.headers,
        payload,
      });
    const created = await call('POST', '', {
      ...tenderPayload(now),
      tenderDeadline: deadline.toISOString(),
      openingAt: openingAt.toISOString(),
      lots: [lot(1), lot(2), lot(3)],
    });
    expect(created.statusCode, created.body).toBe(201);
    tenderId = (created.json() as { id: string }).id;
    await recordRequiredDocuments(t, a.id, tenderId, ids.officer ?? '');
    const assigned = await call('PUT', `/${tenderId}/assignments`, {
      version: 1,
      committee: [ids.committee],
      custodians: [ids.c1, ids.c2, ids.c3],
    });
    expect(assigned.statusCode, assigned.body).toBe(200);
    const submitted = await call('POST', `/${tenderId}/submit`, {
      version: (assigned.json() as { version: number }).version,
    });
    expect(submitted.statusCode, submitted.body).toBe(200);
    const published = await call('POST', `/${tenderId}/publish`, {
      version: (submitted.json() as { version: number }).version,
    });
    expect(published.statusCode, published.body).toBe(200);
    ocid = (published.json() as { ocid: string }).ocid;
    const notice = (await t.app.inject({ url: `/api/v1/tenders/${ocid}` })).json() as {
      notice: { envelopes: string[]; sealing: { quorum: number; custodians: SealingTarget['custodians'] } };
    };
    expect(notice.notice.envelopes).toEqual(['A', 'C']);
    const target: SealingTarget = {
      ocid,
      quorum: notice.notice.sealing.quorum,
      custodians: notice.notice.sealing.custodians,
    };

    // Lot 1: three bids ranked by price; lot 2: two identical offers (a tie for the draw).
    const offers: [number, string][] = [
      [1, '45000.00'],
      [1, '46000.00'],
      [1, '47000.00'],
      [2, '44000.00'],
      [2, '44000.00'],
    ];
    for (const [i, [lotNumber, price]] of offers.entries()) {
      const bidId = newId();
      const company = await makeCompany(t, validNif());
      await t.db.db
        .updateTable('company')
        .set({ legal_name: `Bidder ${i + 1} SL` })
        .where('id', '=', company.id)
        .execute();
      const offer = makeOffer({
        ocid,
        bidId,
        lots: [{ lot: lotNumber, price, values: [{ criterion: 2, value: '3' }] }],
      });
      await insertSealedBid(t, {
        authorityId: a.id,
        tenderId,
        target,
        companyId: company.id,
        submittedBy: ids.officer ?? '',
        bidId,
        lots: [lotNumber],
        envelopes: {
          A: [`A-${i}`],
          C: [`C-${i}`, { name: OFFER_FILE_NAME, content: offerBytes(offer) }],
        },
      });
      bidIds.push(bidId);
    }

    // The opening: A, every bid admitted, then C.
    t.clock.set(new Date(openingAt.getTime() + 60_000));
    await relogin();
    const open = async (envelope: EnvelopeLetter) => {
      for (const who of ['c1', 'c2']) {
        const url = `/api/v1/authorities/${a.id}/tenders/${tenderId}/opening/${envelope}/shares`;
        const mine = await t.app.inject({ url: `${url}/mine`, headers: s[who]?.headers });
        expect(mine.statusCode, mine.body).toBe(200);
        const shares: { bidId: string; share: SharePayload }[] = [];
        for (const x of (mine.json() as { shares: { bidId: string; ciphertext: string }[] }).shares) {
          const share = await unwrapShare(fromBase64(x.ciphertext) as Uint8Array, identities.get(who) ?? '', {
            ocid,
            bidId: x.bidId,
            envelope,
          });
          shares.push({ bidId: x.bidId, share });
        }
        const res = await t.app.inject({
          method: 'POST',
          url,
          headers: s[who]?.headers,
          payload: { shares },
        });
        expect(res.statusCode, res.body).toBe(200);
      }
    };
    await open('A');
    for (const bidId of bidIds) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/authorities/${a.id}/tenders/${tenderId}/qualification/${bidId}`,
        headers: s.committee?.headers,
        payload: { version: 0, decision: 'admit' },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    await open('C');
  }, 120_000);
  afterAll(async () => {
    setOcdsPublisher(undefined);
    await t.close();
  });

  it('lists each lot with the live ranking: lot 1 ranked, lot 2 tied, lot 3 empty', async () => {
    const lots = await list('committee');
    expect(lots.map((l) => [l.lot, l.status, l.version, l.rankingStatus])).toEqual([
      [1, 'ranking', 0, 'ranked'],
      [2, 'ranking', 0, 'needs_draw'],
      [3, 'ranking', 0, 'ranked'],
    ]);
    expect(lots[0]?.ranking.map((r) => [r.bidId, r.price, r.rank])).toEqual([
      [bidIds[0], '45000.00', 1],
      [bidIds[1], '46000.00', 2],
      [bidIds[2], '47000.00', 3],
    ]);
    expect(lots[0]?.specialAppeal).toBe(true);
    expect(lots[1]?.ties).toEqual([[bidIds[3], bidIds[4]]]);
    expect(lots[2]?.ranking).toEqual([]);
    // Another authority's staff learn nothing; custodians do not read the committee's work.
    expect((await t.app.inject({ url: awardsUrl(), headers: s.foreign?.headers })).statusCode).toBe(404);
    expect((await t.app.inject({ url: awardsUrl(), headers: s.c1?.headers })).statusCode).toBe(403);
  });

  it('refuses bad steps with stable codes and writes nothing', async () => {
    const before = await rowCounts(t);
    const cases: [string, number, object, number, string, string?][] = [
      // The committee proposes; the contracting body awards.
      ['officer', 1, { version: 0, event: 'propose' }, 403, 'FORBIDDEN'],
      ['committee', 1, { version: 0, event: 'award', reasons: 'Millor oferta del lot 1' }, 403, 'FORBIDDEN'],
      [
        'committee',
        3,
        { version: 0, event: 'declare_void', reasons: 'Cap oferta presentada' },
        403,
        'FORBIDDEN',
      ],
      ['foreign', 1, { version: 0, event: 'propose' }, 404, 'NOT_FOUND'],
      ['committee', 1, { version: 1, event: 'propose' }, 409, 'CONFLICT'],
      ['committee', 9, { version: 0, event: 'propose' }, 404, 'NOT_FOUND'],
      ['committee', 2, { version: 0, event: 'propose' }, 409, 'INVALID_TRANSITION', 'draw_required'],
      ['committee', 3, { version: 0, event: 'propose' }, 409, 'INVALID_TRANSITION', 'no_candidate_left'],
      ['committee', 1, { version: 0, event: 'request_documentation' }, 409, 'INVALID_TRANSITION'],
      [
        'officer',
        1,
        { version: 0, event: 'award', reasons: 'Millor oferta del lot 1' },
        409,
        'INVALID_TRANSITION',
      ],
      ['officer', 3, { version: 0, event: 'declare_void', reasons: 'curt' }, 422, 'UNPROCESSABLE'],
      ['officer', 1, { version: 0, event: 'formalise' }, 422, 'UNPROCESSABLE'],
      ['officer', 1, { version: 0, event: 'resolve_appeal' }, 422, 'UNPROCESSABLE'],
      ['officer', 1, { version: 0, event: 'lodge_appeal' }, 409, 'INVALID_TRANSITION'],
      ['committee', 1, { version: 0, event: 'propose', extra: true }, 400, 'VALIDATION_FAILED'],
      ['committee', 1, { version: 0, event: 'nope' }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [who, lot, payload, status, code, reason] of cases) {
      const res = await step(who, lot, payload);
      expect(res.statusCode, `${who} ${JSON.stringify(payload)} ${res.body}`).toBe(status);
      expect(res.json()).toMatchObject({ code, ...(reason ? { details: { reason } } : {}) });
    }
    const draw = (payload: object) =>
      t.app.inject({ method: 'POST', url: awardsUrl('/1/draw'), headers: s.committee?.headers, payload });
    expect((await draw({ version: 0, order: [bidIds[0], bidIds[1]] })).json()).toMatchObject({
      code: 'INVALID_TRANSITION',
      details: { reason: 'no_tie' },
    });
    const draw2 = (who: string, payload: object) =>
      t.app.inject({ method: 'POST', url: awardsUrl('/2/draw'), headers: s[who]?.headers, payload });
    expect((await draw2('committee', { version: 0, order: [bidIds[3], bidIds[0]] })).json()).toMatchObject({
      code: 'UNPROCESSABLE',
      details: { field: 'order' },
    });
    expect((await draw2('committee', { version: 0, order: [bidIds[3], bidIds[3]] })).statusCode).toBe(422);
    expect((await draw2('officer', { version: 0, order: [bidIds[4], bidIds[3]] })).statusCode).toBe(403);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('resolves the tie of lot 2 with the recorded draw, then proposes its winner', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: awardsUrl('/2/draw'),
      headers: s.committee?.headers,
      payload: { version: 0, order: [bidIds[4], bidIds[3]] },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ranking', version: 1, rankingStatus: 'ranked', ties: [] });
    expect((res.json() as LotView).ranking.map((r) => r.bidId)).toEqual([bidIds[4], bidIds[3]]);
    const event = await t.db.db
      .selectFrom('audit_event')
      .select(['is_public', 'data', 'actor_user_id'])
      .where('action', '=', 'evaluation.award_draw_recorded')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      actor_user_id: ids.committee,
      data: { lot: 2, order: [bidIds[4], bidIds[3]], version: 1 },
    });
    // The ranking is frozen at the proposal: no second draw.
    const proposed = await ok('committee', 2, { event: 'propose' });
    expect(proposed).toMatchObject({ status: 'proposed', candidate: bidIds[4], rankingStatus: 'frozen' });
    const again = await t.app.inject({
      method: 'POST',
      url: awardsUrl('/2/draw'),
      headers: s.committee?.headers,
      payload: { version: 2, order: [bidIds[3], bidIds[4]] },
    });
    expect(again.json()).toMatchObject({ code: 'INVALID_TRANSITION', details: { reason: 'ranking_frozen' } });
  });

  it('takes lot 1 from the proposal to the contract: documentation failure, next candidate, standstill, appeal', async () => {
    const proposed = await ok('committee', 1, { event: 'propose' });
    expect(proposed).toMatchObject({
      status: 'proposed',
      candidate: bidIds[0],
      version: 1,
      rankingStatus: 'frozen',
    });
    expect(proposed.ranking.map((r) => r.bidId)).toEqual(bidIds.slice(0, 3));
    const asked = await ok('committee', 1, { event: 'request_documentation' });
    const deadline = new Date(asked.documentationDeadline ?? '');
    // Ten business days (art. 150.2): at least two weeks of calendar days.
    expect(deadline.getTime()).toBeGreaterThan(t.clock.now().getTime() + 13 * DAY);
    // The deadline passes without the documentation: the next bidder is asked.
    t.clock.set(new Date(deadline.getTime() + 60_000));
    await relogin();
    const failed = await ok('committee', 1, {
      event: 'documentation_failed',
      reasons: 'No ha aportat el certificat de la Seguretat Social',
    });
    expect(failed).toMatchObject({ status: 'documentation_failed', candidate: bidIds[0] });
    expect(failed.failed.map((f) => f.bidId)).toEqual([bidIds[0]]);
    const next = await ok('committee', 1, { event: 'propose_next' });
    expect(next).toMatchObject({ status: 'proposed', candidate: bidIds[1] });
    await ok('committee', 1, { event: 'request_documentation' });
    await ok('committee', 1, { event: 'documentation_ok' });
    const reasons = 'Oferta amb la millor relació qualitat-preu del lot 1';
    const awarded = await ok('officer', 1, { event: 'award', reasons });
    expect(awarded).toMatchObject({ status: 'awarded', award: { bidId: bidIds[1], reasons } });
    const notified = await ok('officer', 1, { event: 'notify' });
    expect(notified.notifiedAt).toBe(t.clock.now().toISOString());

    // The special appeal lies: no formalisation without the standstill, nor before it ends.
    let before = await rowCounts(t);
    const v = notified.version;
    expect((await step('officer', 1, { version: v, event: 'clear_for_formalisation' })).json()).toMatchObject(
      {
        code: 'INVALID_TRANSITION',
        details: { reason: 'standstill_required' },
      },
    );
    expect(await rowCounts(t)).toEqual(before);
    const standstill = await ok('officer', 1, { event: 'start_standstill' });
    const ends = new Date(standstill.standstillEnds ?? '');
    expect(ends.getTime()).toBeGreaterThan(t.clock.now().getTime() + 20 * DAY);
    before = await rowCounts(t);
    expect(
      (await step('officer', 1, { version: standstill.version, event: 'clear_for_formalisation' })).json(),
    ).toMatchObject({ code: 'INVALID_TRANSITION', details: { reason: 'standstill_not_over' } });
    expect(await rowCounts(t)).toEqual(before);

    // A special appeal against the award suspends it (art. 53): even past the standstill.
    const appealed = await ok('officer', 1, { event: 'lodge_appeal' });
    expect(appealed.appeal).not.toBeNull();
    t.clock.set(new Date(ends.getTime() + 60_000));
    await relogin();
    before = await rowCounts(t);
    expect(
      (await step('officer', 1, { version: appealed.version, event: 'clear_for_formalisation' })).json(),
    ).toMatchObject({ code: 'INVALID_TRANSITION', details: { reason: 'suspended_by_appeal' } });
    expect(await rowCounts(t)).toEqual(before);
    const resolved = await ok('officer', 1, { event: 'resolve_appeal', outcome: 'dismissed' });
    expect(resolved).toMatchObject({ status: 'standstill', appeal: null });
    const cleared = await ok('officer', 1, { event: 'clear_for_formalisation' });
    expect(cleared.status).toBe('ready_to_formalise');

    // Signed within the standstill, or in the future: refused.
    before = await rowCounts(t);
    for (const signedAt of [new Date(ends.getTime() - DAY), new Date(t.clock.now().getTime() + DAY)]) {
      const res = await step('officer', 1, {
        version: cleared.version,
        event: 'formalise',
        signedAt: signedAt.toISOString(),
      });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json()).toMatchObject({ code: 'UNPROCESSABLE', details: { field: 'signedAt' } });
    }
    expect(await rowCounts(t)).toEqual(before);
    const signedAt = new Date(t.clock.now().getTime() - 30_000);
    const formalised = await ok('officer', 1, { event: 'formalise', signedAt: signedAt.toISOString() });
    expect(formalised).toMatchObject({ status: 'formalised', formalisedAt: signedAt.toISOString() });
    const contract = await t.db.db
      .selectFrom('contract')
      .innerJoin('bid', 'bid.id', 'contract.bid_id')
      .select([
        'contract.id',
        'contract.lots',
        'contract.bid_id',
        'contract.company_id',
        'bid.company_id as bid_company',
        'contract.amount_excl_vat',
        'contract.signed_at',
        'contract.status',
      ])
      .executeTakeFirstOrThrow();
    expect(contract).toMatchObject({
      id: formalised.contractId,
      lots: [1],
      bid_id: bidIds[1],
      company_id: contract.bid_company,
      status: 'formalised',
    });
    expect(String(contract.amount_excl_vat)).toBe('46000.00');
    expect(contract.signed_at.toISOString()).toBe(signedAt.toISOString());
    expect(
      (
        await step('officer', 1, {
          version: formalised.version,
          event: 'formalise',
          signedAt: signedAt.toISOString(),
        })
      ).json(),
    ).toMatchObject({
      code: 'INVALID_TRANSITION',
    });
  });

  it('declares lot 3 void with reasons', async () => {
    const voided = await ok('officer', 3, {
      event: 'declare_void',
      reasons: 'Cap oferta presentada al lot 3',
    });
    expect(voided).toMatchObject({ status: 'void', void: { reasons: 'Cap oferta presentada al lot 3' } });
  });

  it('audits every step; the proposals, the failed documentation, award, notification, void and formalisation are public acts', async () => {
    const events = await t.db.db
      .selectFrom('audit_event')
      .select(['is_public', 'data'])
      .where('action', '=', 'evaluation.award_step')
      .where('object_id', '=', tenderId)
      .orderBy('seq')
      .execute();
    const seen = events.map((e) => {
      const d = e.data as { lot: number; event: string };
      return [d.lot, d.event, e.is_public];
    });
    expect(seen).toEqual([
      [2, 'propose', true],
      [1, 'propose', true],
      [1, 'request_documentation', false],
      [1, 'documentation_failed', true],
      [1, 'propose_next', true],
      [1, 'request_documentation', false],
      [1, 'documentation_ok', false],
      [1, 'award', true],
      [1, 'notify', true],
      [1, 'start_standstill', false],
      [1, 'lodge_appeal', false],
      [1, 'resolve_appeal:dismissed', false],
      [1, 'clear_for_formalisation', false],
      [1, 'formalise', true],
      [3, 'declare_void', true],
    ]);
  });

  it('publishes the public acts only', async () => {
    const res = await t.app.inject({ url: `/api/v1/tenders/${ocid}/awards` });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { lots: { lot: number; stage: string }[] };
    expect(body.lots).toEqual([
      {
        lot: 1,
        stage: 'formalised',
        award: {
          company: { legalName: 'Bidder 2 SL', taxId: expect.any(String) },
          price: '46000.00',
          reasons: 'Oferta amb la millor relació qualitat-preu del lot 1',
          awardedAt: expect.any(String),
          notifiedAt: expect.any(String),
        },
        contract: { signedAt: expect.any(String), amountExclVat: '46000.00' },
        void: null,
      },
      {
        lot: 3,
        stage: 'void',
        award: null,
        contract: null,
        void: { reasons: 'Cap oferta presentada al lot 3', at: expect.any(String) },
      },
    ]);
    // Nothing of the committee's work in between: not the failed bidder, its grounds, the proposal of lot 2.
    expect(res.body).not.toContain('Seguretat Social');
    expect(res.body).not.toContain(bidIds[0] ?? '');
    expect(res.body).not.toContain('Bidder 5 SL');
    expect(res.body).not.toContain('appeal');
    expect((await t.app.inject({ url: '/api/v1/tenders/ocds-nope-1/awards' })).statusCode).toBe(404);
  });
  it('publishes an award annulled on appeal: the award cancelled, its lot open again (awardCancellation)', async () => {
    await ok('committee', 2, { event: 'request_documentation' });
    await ok('committee', 2, { event: 'documentation_ok' });
    const awarded = await ok('officer', 2, {
      event: 'award',
      reasons: 'Oferta guanyadora del sorteig del lot 2',
    });
    const bidId = awarded.award?.bidId ?? '';
    expect(bidId).toBe(bidIds[4]);
    await ok('officer', 2, { event: 'notify' });
    await ok('officer', 2, { event: 'start_standstill' });
    await ok('officer', 2, { event: 'lodge_appeal' });
    const releasesBefore = await t.db.db
      .selectFrom('ocds_release')
      .select('seq')
      .where('ocid', '=', ocid)
      .execute();
    const resolved = await ok('officer', 2, { event: 'resolve_appeal', outcome: 'upheld' });
    expect(resolved).toMatchObject({ status: 'ranking', award: null, appeal: null, candidate: null });

    // The annulment is a public act, published with one release in the step's transaction.
    const event = await t.db.db
      .selectFrom('audit_event')
      .select(['id', 'is_public'])
      .where('action', '=', 'evaluation.award_step')
      .where('object_id', '=', tenderId)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(event.is_public).toBe(true);
    const rows = await t.db.db
      .selectFrom('ocds_release')
      .select(['json', 'tags'])
      .where('ocid', '=', ocid)
      .orderBy('seq')
      .execute();
    expect(rows).toHaveLength(releasesBefore.length + 1);
    const last = JSON.parse(rows.at(-1)?.json ?? '{}') as JsonObject & {
      awards: JsonObject[];
      tender: { status?: string; lots: JsonObject[] };
      parties: { id: string; roles: string[] }[];
    };
    expect(last.tag).toEqual(['awardCancellation']);
    expect(last.id).toContain(event.id);
    expect(last.awards.find((x) => x.id === `2-${bidId}`)).toEqual({
      id: `2-${bidId}`,
      status: 'cancelled',
      relatedLots: ['2'],
    });
    expect(last.tender.status).toBe('active');
    expect(last.tender.lots.find((l) => l.id === '2')).toEqual({ id: '2', status: 'active' });

    // The record keeps what was awarded, now cancelled, with its supplier.
    const res = await t.app.inject({ url: `/ocds/v1/records/${encodeURIComponent(ocid)}` });
    expect(res.statusCode, res.body).toBe(200);
    const compiled = (res.json() as { records: { compiledRelease: typeof last }[] }).records[0]
      ?.compiledRelease;
    const annulled = compiled?.awards.find((x) => x.id === `2-${bidId}`);
    expect(annulled).toMatchObject({ status: 'cancelled', value: { amount: 44000, currency: 'EUR' } });
    const supplier = (annulled?.suppliers as { id: string }[] | undefined)?.[0]?.id;
    expect(compiled?.parties.find((p) => p.id === supplier)?.roles).toContain('supplier');
    expect(compiled?.tender.lots.find((l) => l.id === '2')?.status).toBe('active');
    // In the public minutes, in words: the step, its outcome and where it left the lot.
    for (const [lang, words] of [
      ['ca', 'Registrar la resolució del recurs: '],
      ['en', 'Record the appeal’s outcome: Upheld: the award is annulled — '],
    ] as const) {
      const page = await t.app.inject({ url: `/tenders/${ocid}/minutes?lang=${lang}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(words);
      expect(page.body).not.toContain('resolve_appeal');
    }
    if (hasOcdsData) {
      // The record (with every release of the file, this one included) passes the 1.1.5 schema.
      expect(await publishedFindings(res.json())).toEqual([]);
      expect(await publishedFindings(last, declaredExtensionUrls())).toEqual([]);
    }
  });
});
