import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { authorityCalendar } from '../../src/modules/calendar/calendar.service.js';
import { businessDeadlineOn } from '../../src/modules/evaluation/transition.js';
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
import { type InsertedBid, insertSealedBid } from '../helpers/opening-bids.js';
import { validNif } from '../helpers/tax-ids.js';
import { loadDemoCpv, tenderPayload, recordRequiredDocuments } from '../helpers/tenders.js';

type Review = {
  bidId: string;
  lot: number;
  price: string;
  reason: string;
  status: string;
  simplified: boolean;
  deadline: string | null;
  receivedAt: string | null;
  report: { conclusion: string; summary: string } | null;
  decision: { outcome: string; grounds?: string[]; reasons: string } | null;
  monitoring: boolean;
  version: number;
};
type ScoredOffer = {
  bidId: string;
  points: { criterion: number; points: string }[];
  total: string;
  rank: number | null;
  presumedAbnormal: boolean;
  abnormalReview: string | null;
  excluded: boolean;
  monitoring: boolean;
};

const DAY = 86_400_000;
const REASONS = 'Memòria tècnica completa i ben argumentada';

/**
 * The review of abnormally low offers (art. 149.4–149.7 LCSP) after a whole A → B → C tender:
 * four offers on lot 1 of 80 000 € with the notice's test (more than 10 % below the mean of
 * 48 250 €, i.e. under 43 425 €): 35 000 € and 36 000 € are presumed abnormal, 60 000 € and
 * 62 000 € are not. The committee rejects the first (no justification) and accepts the second.
 */
describe(`abnormal-offer review (${driverName})`, () => {
  let t: TestApp;
  let app: App;
  let a: { id: string };
  let b: { id: string };
  const s: Record<string, Session> = {};
  const ids: Record<string, string> = {};
  const emails: Record<string, string> = {};
  const identities = new Map<string, string>();
  let tenderId: string;
  let ocid: string;
  let target: SealingTarget;
  const bids: InsertedBid[] = [];
  const prices = ['60000.00', '62000.00', '35000.00', '36000.00'];

  // Sessions expire over the weeks the clock jumps; logins are rate-limited (20 a minute), so
  // only those who act afterwards sign in again.
  const signInAgain = async (names = Object.keys(emails)) => {
    for (const name of names) s[name] = await login(t, emails[name] ?? '');
  };
  const stageUrl = (envelope: string) =>
    `/api/v1/authorities/${a.id}/tenders/${tenderId}/opening/${envelope}/shares`;
  async function openStage(envelope: EnvelopeLetter) {
    let opened = false;
    for (const who of ['c1', 'c2']) {
      const res = await app.inject({ url: `${stageUrl(envelope)}/mine`, headers: s[who]?.headers });
      expect(res.statusCode, res.body).toBe(200);
      const mine = (res.json() as { shares: { bidId: string; ciphertext: string }[] }).shares;
      const shares: { bidId: string; share: SharePayload }[] = [];
      for (const x of mine) {
        const share = await unwrapShare(fromBase64(x.ciphertext) as Uint8Array, identities.get(who) ?? '', {
          ocid,
          bidId: x.bidId,
          envelope,
        });
        shares.push({ bidId: x.bidId, share });
      }
      const sub = await app.inject({
        method: 'POST',
        url: stageUrl(envelope),
        headers: s[who]?.headers,
        payload: { shares },
      });
      expect(sub.statusCode, sub.body).toBe(200);
      opened = (sub.json() as { opened: unknown }).opened !== null;
    }
    expect(opened).toBe(true);
  }

  const evalUrl = (p: string, authority = () => a.id) =>
    `/api/v1/authorities/${authority()}/tenders/${tenderId}${p}`;
  const list = async (who = 'committee') => {
    const res = await app.inject({ url: evalUrl('/abnormal-offers'), headers: s[who]?.headers });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { ocid: string; lots: { lot: number; offers: Review[] }[] }).lots;
  };
  const review = (who: string, bidId: string, payload: object, lot = 1) =>
    app.inject({
      method: 'POST',
      url: evalUrl(`/abnormal-offers/${bidId}/lots/${lot}`),
      headers: s[who]?.headers,
      payload,
    });
  const lot1 = async () => {
    const res = await app.inject({ url: evalUrl('/scoring'), headers: s.officer?.headers });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { lots: { lot: number; offers: ScoredOffer[] }[] }).lots[0]?.offers ?? [];
  };
  const bidAt = (i: number) => bids[i]?.bidId ?? '';

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    app = t.app;
    await loadDemoCpv(t);
    a = await makeAuthority(t);
    b = await makeAuthority(t);
    await t.db.db.updateTable('authority').set({ approval_chain: [] }).where('id', '=', a.id).execute();
    const people: [string, string, AuthorityRole[]][] = [
      ['officer', a.id, ['procurement_officer']],
      ['committee', a.id, ['committee_member']],
      // A committee member of the authority who does not sit on this tender's committee.
      ['bystander', a.id, ['committee_member']],
      ['c1', a.id, ['key_custodian']],
      ['c2', a.id, ['key_custodian']],
      ['c3', a.id, ['key_custodian']],
      ['foreign', b.id, ['committee_member']],
    ];
    for (const [name, authorityId, roles] of people) {
      const u = await makeUser(t, { roles: [{ authorityId, roles }] });
      ids[name] = u.id;
      emails[name] = u.email;
      s[name] = await login(t, u.email);
    }
    const keys = await registerCustodianKeys(t, a.id, [ids.c1 ?? '', ids.c2 ?? '', ids.c3 ?? '']);
    for (const w of ['c1', 'c2', 'c3']) identities.set(w, keys.get(ids[w] ?? '')?.identity ?? '');

    // A published open procedure (envelopes A, B, C) like opening.test.ts.
    const now = t.clock.now();
    const deadline = new Date(now.getTime() + 20 * DAY);
    const openingAt = new Date(deadline.getTime() + 2 * 3_600_000);
    const call = (method: 'POST' | 'PUT', p: string, payload: object) =>
      app.inject({
        method,
        url: `/api/v1/authorities/${a.id}/tenders${p}`,
        headers: s.officer?.headers,
        payload,
      });
    const created = await call('POST', '', {
      ...tenderPayload(now),
      tenderDeadline: deadline.toISOString(),
      openingAt: openingAt.toISOString(),
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
    const approved = (
      await call('POST', `/${tenderId}/submit`, { version: (assigned.json() as { version: number }).version })
    ).json() as { version: number };
    const published = await call('POST', `/${tenderId}/publish`, { version: approved.version });
    expect(published.statusCode, published.body).toBe(200);
    ocid = (published.json() as { ocid: string }).ocid;
    const notice = (await app.inject({ url: `/api/v1/tenders/${ocid}` })).json() as {
      notice: { sealing: { quorum: number; custodians: SealingTarget['custodians'] } };
    };
    target = { ocid, quorum: notice.notice.sealing.quorum, custodians: notice.notice.sealing.custodians };

    // Four bids for lot 1, each sealing its offer.json (price, 3 new hires) in C.
    for (const [i, price] of prices.entries()) {
      const bidId = newId();
      const offer = makeOffer({
        ocid,
        bidId,
        lots: [{ lot: 1, price, values: [{ criterion: 2, value: '3' }] }],
      });
      const company = await makeCompany(t, validNif());
      await t.db.db
        .updateTable('company')
        .set({ legal_name: `Bidder ${i + 1} SL` })
        .where('id', '=', company.id)
        .execute();
      bids.push(
        await insertSealedBid(t, {
          authorityId: a.id,
          tenderId,
          target,
          companyId: company.id,
          submittedBy: ids.officer ?? '',
          bidId,
          envelopes: {
            A: [`A-${i}`],
            B: [`B-${i}`],
            C: [`C-${i}`, { name: OFFER_FILE_NAME, content: offerBytes(offer) }],
          },
        }),
      );
    }

    // Opening day: A, every bid admitted, B, the judgement report (30 points each), then C.
    t.clock.set(openingAt);
    await signInAgain();
    await openStage('A');
    for (const bid of bids) {
      const ok = await app.inject({
        method: 'POST',
        url: evalUrl(`/qualification/${bid.bidId}`),
        headers: s.committee?.headers,
        payload: { version: 0, decision: 'admit' },
      });
      expect(ok.statusCode, ok.body).toBe(200);
    }
    await openStage('B');
    for (const bid of bids) {
      const ok = await app.inject({
        method: 'PUT',
        url: evalUrl(`/judgement/${bid.bidId}/lots/1/criteria/3`),
        headers: s.committee?.headers,
        payload: { points: '30', justification: REASONS },
      });
      expect(ok.statusCode, ok.body).toBe(200);
    }
    const report = await app.inject({
      method: 'POST',
      url: evalUrl('/judgement/report'),
      headers: s.committee?.headers,
      payload: { summary: 'Acta 4/2026 de la mesa, informe tècnic aprovat' },
    });
    expect(report.statusCode, report.body).toBe(200);
    await openStage('C');
  });
  afterAll(async () => t?.close());

  it('lists the offers the screening presumes abnormal, presumed until the committee acts', async () => {
    const lots = await list('officer');
    expect(lots.map((l) => [l.lot, l.offers.map((o) => o.bidId)])).toEqual([
      [1, [bidAt(2), bidAt(3)]],
      [2, []],
    ]);
    for (const o of lots[0]?.offers ?? []) {
      expect(o).toMatchObject({
        status: 'presumed',
        version: 0,
        reason: 'below_mean',
        simplified: false,
        deadline: null,
        monitoring: false,
      });
    }
    expect(lots[0]?.offers.map((o) => o.price)).toEqual(['35000.00', '36000.00']);
    // Before any review, the lowest offer (35 000) sets O_min for F1: 35 × 35 000 / O.
    const offers = await lot1();
    expect(offers.map((o) => [o.bidId, o.points[0]?.points, o.abnormalReview, o.excluded])).toEqual([
      [bidAt(0), '20.42', null, false],
      [bidAt(1), '19.76', null, false],
      [bidAt(2), '35.00', 'presumed', false],
      [bidAt(3), '34.03', 'presumed', false],
    ]);
    // No award is proposed while an offer is under review (art. 149.4–149.6): nothing is written.
    const before = await rowCounts(t);
    const propose = await app.inject({
      method: 'POST',
      url: evalUrl('/awards/1'),
      headers: s.committee?.headers,
      payload: { version: 0, event: 'propose' },
    });
    expect(propose.statusCode, propose.body).toBe(409);
    expect(propose.json()).toMatchObject({
      code: 'INVALID_TRANSITION',
      details: { reason: 'abnormal_review_pending', bids: [bidAt(2), bidAt(3)] },
    });
    expect(await rowCounts(t)).toEqual(before);
    // Another authority's staff learn nothing; non-staff roles of the authority are refused.
    expect(
      (await app.inject({ url: evalUrl('/abnormal-offers'), headers: s.foreign?.headers })).statusCode,
    ).toBe(404);
    expect((await app.inject({ url: evalUrl('/abnormal-offers'), headers: s.c1?.headers })).statusCode).toBe(
      403,
    );
  });

  it('refuses non-committee callers, other authorities, offers not presumed and bad input, writing nothing', async () => {
    const before = await rowCounts(t);
    const ask = { version: 0, event: 'request_justification', days: 5 };
    // Staff read but do not act; a member not on this tender's committee is refused too.
    const officer = await review('officer', bidAt(2), ask);
    expect(officer.statusCode).toBe(403);
    const bystander = await review('bystander', bidAt(2), ask);
    expect(bystander.statusCode).toBe(403);
    expect(bystander.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect((await review('foreign', bidAt(2), ask)).statusCode).toBe(404);
    // Only offers presumed abnormal enter the review.
    const normal = await review('committee', bidAt(0), ask);
    expect(normal.statusCode).toBe(409);
    expect(normal.json()).toMatchObject({
      code: 'INVALID_TRANSITION',
      details: { reason: 'not_presumed_abnormal' },
    });
    expect((await review('committee', newId(), ask)).json()).toMatchObject({ code: 'NOT_FOUND' });
    expect((await review('committee', bidAt(2), ask, 2)).json()).toMatchObject({ code: 'NOT_FOUND' });
    for (const [payload, status] of [
      [{ version: 0, event: 'request_justification', days: 31 }, 422],
      [{ version: 0, event: 'request_justification', days: 0 }, 422],
      [{ version: 0, event: 'request_justification' }, 422],
      [{ version: 0, event: 'request_justification', days: 5, extra: true }, 400],
      [{ version: 0, event: 'dismiss' }, 400],
      [{ version: 1, event: 'request_justification', days: 5 }, 409],
      // Steps out of order: nothing was asked yet.
      [{ version: 0, event: 'receive_justification' }, 409],
      [{ version: 0, event: 'reject', grounds: ['incomplete'], reasons: REASONS }, 409],
    ] as const) {
      const res = await review('committee', bidAt(2), payload);
      expect(res.statusCode, `${JSON.stringify(payload)} ${res.body}`).toBe(status);
    }
    expect(await rowCounts(t)).toEqual(before);
  });

  it('asks for justifications within business days; the deadline holds both ways', async () => {
    const now = t.clock.now();
    const asked = await review('committee', bidAt(2), {
      version: 0,
      event: 'request_justification',
      days: 5,
    });
    expect(asked.statusCode, asked.body).toBe(200);
    const view = asked.json() as Review;
    const calendar = await authorityCalendar(t.db.db, a.id);
    expect(view).toMatchObject({ status: 'justification_requested', version: 1 });
    // Five business days on the authority's calendar: the end of the fifth one, past a weekend.
    expect(view.deadline).toBe(businessDeadlineOn(calendar)(now, 5).toISOString());
    expect(new Date(view.deadline ?? '').getTime()).toBeGreaterThan(now.getTime() + 6 * DAY);
    // Two members at once: the second, with the old version, is refused.
    const stale = await review('committee', bidAt(2), {
      version: 0,
      event: 'request_justification',
      days: 5,
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'CONFLICT', details: { version: 1 } });
    // Missing cannot be recorded before the period ends.
    const early = await review('committee', bidAt(2), { version: 1, event: 'record_missing' });
    expect(early.json()).toMatchObject({
      code: 'INVALID_TRANSITION',
      details: { reason: 'deadline_not_reached' },
    });

    const other = await review('committee', bidAt(3), {
      version: 0,
      event: 'request_justification',
      days: 3,
    });
    expect(other.statusCode, other.body).toBe(200);
    const received = await review('committee', bidAt(3), { version: 1, event: 'receive_justification' });
    expect(received.statusCode, received.body).toBe(200);
    expect(received.json()).toMatchObject({ status: 'justification_received', version: 2 });

    // After bid 3's period: its justification never came.
    t.clock.set(new Date(new Date(view.deadline ?? '').getTime() + 60_000));
    await signInAgain(['committee', 'officer']);
    const late = await review('committee', bidAt(2), { version: 1, event: 'receive_justification' });
    expect(late.json()).toMatchObject({ code: 'DEADLINE_PASSED' });
    const missing = await review('committee', bidAt(2), { version: 1, event: 'record_missing' });
    expect(missing.statusCode, missing.body).toBe(200);
    expect(missing.json()).toMatchObject({ status: 'justification_missing', version: 2 });
  });

  it('takes the technical report, then rejects with grounds or accepts; bad grounds write nothing', async () => {
    const before = await rowCounts(t);
    for (const [payload, status] of [
      [{ version: 2, event: 'record_technical_report', summary: REASONS }, 422],
      [{ version: 2, event: 'record_technical_report', conclusion: 'maybe', summary: REASONS }, 400],
      [{ version: 2, event: 'record_technical_report', conclusion: 'reject', summary: 'curt' }, 422],
    ] as const) {
      const res = await review('committee', bidAt(2), payload);
      expect(res.statusCode, `${JSON.stringify(payload)} ${res.body}`).toBe(status);
    }
    expect(await rowCounts(t)).toEqual(before);
    const reported = await review('committee', bidAt(2), {
      version: 2,
      event: 'record_technical_report',
      conclusion: 'reject',
      summary: 'Sense justificació: el preu no cobreix el conveni col·lectiu',
    });
    expect(reported.statusCode, reported.body).toBe(200);
    // With no justification received, the offer cannot be accepted (art. 149.4).
    const accept = await review('committee', bidAt(2), { version: 3, event: 'accept', reasons: REASONS });
    expect(accept.json()).toMatchObject({
      code: 'INVALID_TRANSITION',
      details: { reason: 'no_justification' },
    });
    const mid = await rowCounts(t);
    for (const [payload, status] of [
      [{ version: 3, event: 'reject', grounds: ['nope'], reasons: REASONS }, 400],
      [{ version: 3, event: 'reject', grounds: [], reasons: REASONS }, 400],
      [{ version: 3, event: 'reject', reasons: REASONS }, 422],
      [{ version: 3, event: 'reject', grounds: ['incomplete', 'incomplete'], reasons: REASONS }, 422],
      [{ version: 3, event: 'reject', grounds: ['incomplete'], reasons: 'no' }, 422],
      [{ version: 3, event: 'reject', grounds: ['incomplete'] }, 422],
    ] as const) {
      const res = await review('committee', bidAt(2), payload);
      expect(res.statusCode, `${JSON.stringify(payload)} ${res.body}`).toBe(status);
    }
    expect(await rowCounts(t)).toEqual(mid);
    const rejected = await review('committee', bidAt(2), {
      version: 3,
      event: 'reject',
      grounds: ['incomplete', 'breaches_environmental_social_labour'],
      reasons: 'No ha justificat el preu dins el termini (art. 149.4 LCSP)',
    });
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect(rejected.json()).toMatchObject({
      status: 'rejected',
      decision: { outcome: 'rejected', grounds: ['incomplete', 'breaches_environmental_social_labour'] },
      monitoring: false,
      version: 4,
    });
    expect(
      (await review('committee', bidAt(2), { version: 4, event: 'accept', reasons: REASONS })).statusCode,
    ).toBe(409);

    for (const [version, payload] of [
      [
        2,
        {
          event: 'record_technical_report',
          conclusion: 'accept',
          summary: 'Justificació suficient i creïble',
        },
      ],
      [3, { event: 'accept', reasons: 'Preus justificats amb factures de proveïdors' }],
    ] as const) {
      const res = await review('committee', bidAt(3), { version, ...payload });
      expect(res.statusCode, res.body).toBe(200);
    }
    const lots = await list();
    expect(lots[0]?.offers.map((o) => [o.bidId, o.status, o.monitoring, o.version])).toEqual([
      [bidAt(2), 'rejected', false, 4],
      [bidAt(3), 'accepted', true, 4],
    ]);
    const events = await t.db.db
      .selectFrom('audit_event')
      .select(['object_id', 'is_public', 'actor_user_id', 'data'])
      .where('action', '=', 'evaluation.abnormal_review_changed')
      .orderBy('seq')
      .execute();
    expect(
      events.map((e) => [
        e.object_id,
        (e.data as { event: string }).event,
        (e.data as { status: string }).status,
      ]),
    ).toEqual([
      [bidAt(2), 'request_justification', 'justification_requested'],
      [bidAt(3), 'request_justification', 'justification_requested'],
      [bidAt(3), 'receive_justification', 'justification_received'],
      [bidAt(2), 'record_missing', 'justification_missing'],
      [bidAt(2), 'record_technical_report', 'technical_report'],
      [bidAt(2), 'reject', 'rejected'],
      [bidAt(3), 'record_technical_report', 'technical_report'],
      [bidAt(3), 'accept', 'accepted'],
    ]);
    expect(events.every((e) => e.is_public && e.actor_user_id === ids.committee)).toBe(true);
    expect(events[5]?.data).toMatchObject({
      lot: 1,
      grounds: ['incomplete', 'breaches_environmental_social_labour'],
      reasons: 'No ha justificat el preu dins el termini (art. 149.4 LCSP)',
    });
  });

  it('recomputes the price scores without the rejected offer (D6); the accepted one is monitored', async () => {
    const offers = await lot1();
    // O_min is now 36 000 (the accepted abnormal offer), not the rejected 35 000.
    expect(
      offers.map((o) => [o.bidId, o.points[0]?.points ?? null, o.abnormalReview, o.excluded, o.monitoring]),
    ).toEqual([
      [bidAt(0), '21.00', null, false, false],
      [bidAt(1), '20.32', null, false, false],
      [bidAt(2), null, 'rejected', true, false],
      [bidAt(3), '35.00', 'accepted', false, true],
    ]);
    const rejected = offers.find((o) => o.bidId === bidAt(2));
    expect(rejected).toMatchObject({ rank: null, presumedAbnormal: true, points: [] });
    // The ranking: 35 + 25 + 30 for the accepted offer, then the two others; the rejected one is out.
    expect(offers.filter((o) => o.rank !== null).map((o) => [o.bidId, o.rank, o.total])).toEqual([
      [bidAt(0), 2, '76.00'],
      [bidAt(1), 3, '75.32'],
      [bidAt(3), 1, '90.00'],
    ]);
    // Both reviews ended: the committee proposes the best-ranked offer, the accepted abnormal one.
    const propose = await app.inject({
      method: 'POST',
      url: evalUrl('/awards/1'),
      headers: s.committee?.headers,
      payload: { version: 0, event: 'propose' },
    });
    expect(propose.statusCode, propose.body).toBe(200);
    expect(propose.json()).toMatchObject({ status: 'proposed', candidate: bidAt(3) });
  });
});
