import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenderInput } from '../../src/modules/tenders/tender.input.js';
import { newId } from '../../src/platform/ids.js';
import { buildTestApp, login, makeUser, rowCounts, type Session, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import {
  admitAll,
  type Cast,
  draftFile,
  draftFor,
  makeCast,
  openStage,
  type PublishedFile,
  publishFile,
  submitBid,
} from '../helpers/lifecycle.js';
import { PRICE_F1, SOCIAL_STEPS } from '../helpers/tenders.js';

/**
 * The committee of experts of art. 146.2.a LCSP through the API: experts assigned per tender (never
 * also on its committee), and, where a lot's judgement criteria outweigh its formula criteria, only
 * the experts score them, the committee approves the report once three experts are assigned and
 * each has scored, and the report's score is the experts' mean. Elsewhere nothing changes.
 */

const names = (text: string) => ({ ca: `${text} (ca)`, es: `${text} (es)`, en: `${text} (en)` });
type Criterion = TenderInput['lots'][number]['criteria'][number];

/** Judgement 55 against formulas 20 + 25: art. 146.2.a applies. */
const EXPERT_CRITERIA: Criterion[] = [
  { kind: 'price', evaluation: 'formula', weight: '20', name: names('Preu'), formula: PRICE_F1 },
  { kind: 'quality', evaluation: 'formula', weight: '25', name: names('Socials'), formula: SOCIAL_STEPS },
  { kind: 'quality', evaluation: 'judgement', weight: '55', name: names('Memòria tècnica') },
];

const ABIERTO = {
  procedure: 'abierto' as const,
  estimatedValue: '180000.00',
  envelopes: ['A' as const, 'B' as const, 'C' as const],
  specialAppeal: true,
};

describe(`committee of experts, art. 146.2.a LCSP (${driverName})`, () => {
  let t: TestApp;
  let cast: Cast;
  const experts: Record<'e1' | 'e2' | 'e3' | 'e4', { id: string; email: string }> = {} as never;
  let officerOnly: { id: string; email: string };
  const s: Record<string, Session> = {};
  let round = 0;
  const signIn = async () => {
    round += 1;
    for (const [name, u] of Object.entries(experts)) {
      s[name] = await login(t, u.email, undefined, { remoteAddress: `10.146.${round}.1` });
    }
  };
  const api = (authorityId: string, tenderId: string, suffix = '') =>
    `/api/v1/authorities/${authorityId}/tenders/${tenderId}${suffix}`;

  const draft = (input: TenderInput) => draftFile(t, cast, input);

  const assign = (tenderId: string, payload: object) =>
    t.app.inject({
      method: 'PUT',
      url: api(cast.authorityId, tenderId, '/assignments'),
      headers: cast.s.officer?.headers,
      payload,
    });

  /** A file of `criteria`, published with the experts given assigned next to the committee. */
  const publishWithExperts = (criteria: Criterion[], expertIds: string[]): Promise<PublishedFile> => {
    const input = draftFor(ABIERTO, t.clock.now());
    const first = input.lots[0];
    if (!first) throw new Error('draftFor gives one lot');
    input.lots = [{ ...first, criteria }];
    return publishFile(t, cast, input, { experts: expertIds });
  };

  const score = (file: PublishedFile, who: Session | undefined, bidId: string, points: string) =>
    t.app.inject({
      method: 'PUT',
      url: api(cast.authorityId, file.tenderId, `/judgement/${bidId}/lots/1/criteria/3`),
      headers: who?.headers,
      payload: { points, justification: 'Memòria tècnica completa i ben argumentada' },
    });
  const approve = (file: PublishedFile, who: Session | undefined) =>
    t.app.inject({
      method: 'POST',
      url: api(cast.authorityId, file.tenderId, '/judgement/report'),
      headers: who?.headers,
      payload: { summary: 'Informe del comitè d’experts' },
    });
  const sheet = async (file: PublishedFile, who: Session | undefined) => {
    const res = await t.app.inject({
      url: api(cast.authorityId, file.tenderId, '/judgement'),
      headers: who?.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as {
      expertCommittee: { lots: number[]; experts: { userId: string }[]; minimum: number; ready: boolean };
      scores: { bidId: string; memberId: string; points: string }[];
      missing: string[];
    };
  };
  const scoreRows = async (tenderId: string) =>
    t.db.db
      .selectFrom('judgement_score')
      .select(['member_id', 'bid_id', 'points'])
      .where('tender_id', '=', tenderId)
      .execute();

  /** Three experts: art. 146.2.a applies. */
  let full: PublishedFile;
  /** Two experts: art. 146.2.a applies, the committee of experts is incomplete. */
  let short: PublishedFile;
  /** The usual criteria (judgement 40, formulas 60) with one expert named all the same. */
  let plain: PublishedFile;
  const bidsOf: Record<string, string[]> = {};

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    cast = await makeCast(t);
    for (const name of ['e1', 'e2', 'e3', 'e4'] as const) {
      experts[name] = await makeUser(t, {
        roles: [{ authorityId: cast.authorityId, roles: ['committee_member'] }],
      });
    }
    officerOnly = await makeUser(t, {
      roles: [{ authorityId: cast.authorityId, roles: ['procurement_officer'] }],
    });
    await signIn();
  }, 60_000);
  afterAll(async () => t.close());

  describe('assigning experts to a file', () => {
    let tenderId = '';
    let version = 0;

    beforeAll(async () => {
      const input = draftFor(ABIERTO, t.clock.now());
      const created = await draft(input);
      tenderId = created.id;
      version = created.version;
    });

    it('refuses a committee member of the file as an expert, naming the article, and writes nothing', async () => {
      const before = await rowCounts(t);
      const res = await assign(tenderId, {
        version,
        committee: [cast.ids.committee],
        custodians: [cast.ids.c1, cast.ids.c2, cast.ids.c3],
        experts: [experts.e1.id, cast.ids.committee],
      });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json()).toMatchObject({
        code: 'EXPERT_ON_COMMITTEE',
        details: { userIds: [cast.ids.committee] },
      });
      expect((res.json() as { message: string }).message).toContain('146.2.a');
      expect(await rowCounts(t)).toEqual(before);
    });

    it('refuses as an expert someone without the committee member role of the authority', async () => {
      const before = await rowCounts(t);
      const res = await assign(tenderId, {
        version,
        committee: [cast.ids.committee],
        custodians: [],
        experts: [officerOnly.id],
      });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json()).toMatchObject({
        code: 'UNPROCESSABLE',
        details: { invalid: [{ userId: officerOnly.id, role: 'expert' }] },
      });
      expect(await rowCounts(t)).toEqual(before);
    });

    it('refuses experts that are not uuids or too many', async () => {
      const bad = await assign(tenderId, { version, committee: [], custodians: [], experts: ['nobody'] });
      expect(bad.statusCode).toBe(400);
      const many = Array.from({ length: 21 }, () => newId());
      const tooMany = await assign(tenderId, { version, committee: [], custodians: [], experts: many });
      expect(tooMany.statusCode).toBe(400);
    });

    it('assigns experts, lists them and their candidates, and audits them', async () => {
      const res = await assign(tenderId, {
        version,
        committee: [cast.ids.committee],
        custodians: [cast.ids.c1],
        experts: [experts.e1.id, experts.e2.id, experts.e1.id],
      });
      expect(res.statusCode, res.body).toBe(200);
      version = (res.json() as { version: number }).version;
      const got = await t.app.inject({
        url: api(cast.authorityId, tenderId, '/assignments'),
        headers: cast.s.officer?.headers,
      });
      expect(got.statusCode, got.body).toBe(200);
      const body = got.json() as {
        committee: string[];
        experts: string[];
        candidates: { experts: { id: string }[] };
      };
      expect(body.committee).toEqual([cast.ids.committee]);
      expect(body.experts.sort()).toEqual([experts.e1.id, experts.e2.id].sort());
      const candidateIds = body.candidates.experts.map((c) => c.id);
      expect(candidateIds).toEqual(expect.arrayContaining([experts.e3.id, cast.ids.committee]));
      expect(candidateIds).not.toContain(officerOnly.id);
      const event = await t.db.db
        .selectFrom('audit_event')
        .select('data')
        .where('action', '=', 'tender.assignments_set')
        .where('object_id', '=', tenderId)
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      expect((event.data as { experts?: string[] }).experts?.sort()).toEqual(
        [experts.e1.id, experts.e2.id].sort(),
      );
    });

    it('keeps the experts when a later assignment leaves them out, and checks them against the new committee', async () => {
      const res = await assign(tenderId, {
        version,
        committee: [cast.ids.committee],
        custodians: [cast.ids.c1, cast.ids.c2],
      });
      expect(res.statusCode, res.body).toBe(200);
      version = (res.json() as { version: number }).version;
      const rows = await t.db.db
        .selectFrom('tender_assignment')
        .select(['user_id', 'role'])
        .where('tender_id', '=', tenderId)
        .where('role', '=', 'expert')
        .execute();
      expect(rows.map((r) => r.user_id).sort()).toEqual([experts.e1.id, experts.e2.id].sort());
      const clash = await assign(tenderId, { version, committee: [experts.e2.id], custodians: [] });
      expect(clash.statusCode, clash.body).toBe(422);
      expect(clash.json()).toMatchObject({
        code: 'EXPERT_ON_COMMITTEE',
        details: { userIds: [experts.e2.id] },
      });
      const cleared = await assign(tenderId, {
        version,
        committee: [cast.ids.committee],
        custodians: [],
        experts: [],
      });
      expect(cleared.statusCode, cleared.body).toBe(200);
      expect((cleared.json() as { version: number }).version).toBe(version + 1);
    });

    it('the database itself refuses an expert who is also on the committee', async () => {
      await expect(
        t.db.db
          .insertInto('tender_assignment')
          .values([
            {
              tender_id: tenderId,
              authority_id: cast.authorityId,
              user_id: experts.e3.id,
              role: 'committee_member',
            },
            { tender_id: tenderId, authority_id: cast.authorityId, user_id: experts.e3.id, role: 'expert' },
          ])
          .execute(),
      ).rejects.toThrow();
    });
  });

  describe('scoring and the report', () => {
    beforeAll(async () => {
      full = await publishWithExperts(EXPERT_CRITERIA, [experts.e1.id, experts.e2.id, experts.e3.id]);
      // Publication needs three experts (tender.checks.ts); a file whose third expert is gone
      // afterwards (published before that check, or changed behind the service) stands for the
      // case the report must still refuse.
      short = await publishWithExperts(EXPERT_CRITERIA, [experts.e1.id, experts.e2.id, experts.e3.id]);
      await t.db.db
        .deleteFrom('tender_assignment')
        .where('tender_id', '=', short.tenderId)
        .where('user_id', '=', experts.e3.id)
        .where('role', '=', 'expert')
        .execute();
      plain = await publishWithExperts(draftFor(ABIERTO, t.clock.now()).lots[0]?.criteria ?? [], [
        experts.e4.id,
      ]);
      for (const [file, prices] of [
        [full, ['150000.00', '160000.00']],
        [short, ['150000.00']],
        [plain, ['150000.00']],
      ] as const) {
        const ids: string[] = [];
        for (const price of prices) ids.push((await submitBid(t, file, { price, newHires: '3' })).bidId);
        bidsOf[file.tenderId] = ids;
      }
      t.clock.set(
        new Date(
          Math.max(full.openingAt.getTime(), short.openingAt.getTime(), plain.openingAt.getTime()) + 60_000,
        ),
      );
      await cast.relogin();
      await signIn();
      for (const file of [full, short, plain]) {
        const ids = bidsOf[file.tenderId] ?? [];
        await openStage(t, cast, file, 'A');
        await admitAll(t, cast, file, ids);
        await openStage(t, cast, file, 'B');
      }
    }, 120_000);

    it('refuses to submit a file that needs experts with fewer than three, writing nothing', async () => {
      const input = draftFor(ABIERTO, t.clock.now());
      const first = input.lots[0];
      if (!first) throw new Error('draftFor gives one lot');
      input.lots = [{ ...first, criteria: EXPERT_CRITERIA }];
      const created = await draft(input);
      const assigned = await assign(created.id, {
        version: created.version,
        committee: [cast.ids.committee],
        custodians: [cast.ids.c1, cast.ids.c2, cast.ids.c3],
        experts: [experts.e1.id, experts.e2.id],
      });
      expect(assigned.statusCode, assigned.body).toBe(200);
      const before = await rowCounts(t);
      const res = await t.app.inject({
        method: 'POST',
        url: api(cast.authorityId, created.id, '/submit'),
        headers: cast.s.officer?.headers,
        payload: { version: (assigned.json() as { version: number }).version },
      });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json()).toMatchObject({
        code: 'CHECKS_FAILED',
        details: { findings: [{ code: 'EXPERT_COMMITTEE_REQUIRED', details: { experts: 2, minimum: 3 } }] },
      });
      expect(await rowCounts(t)).toEqual(before);
    });

    it('shows on the sheet which lots the experts score and whether enough are assigned', async () => {
      expect((await sheet(full, cast.s.committee)).expertCommittee).toMatchObject({
        lots: [1],
        minimum: 3,
        ready: true,
      });
      expect((await sheet(full, s.e1)).expertCommittee.experts.map((e) => e.userId).sort()).toEqual(
        [experts.e1.id, experts.e2.id, experts.e3.id].sort(),
      );
      expect((await sheet(short, cast.s.committee)).expertCommittee).toMatchObject({
        lots: [1],
        ready: false,
      });
      expect((await sheet(plain, cast.s.committee)).expertCommittee).toMatchObject({ lots: [], ready: true });
    });

    it('refuses the committee’s score where the experts score, and writes nothing', async () => {
      const [bid] = bidsOf[full.tenderId] ?? [];
      const before = await rowCounts(t);
      const res = await score(full, cast.s.committee, bid ?? '', '30');
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json()).toMatchObject({ code: 'EXPERTS_ONLY', details: { lot: 1 } });
      expect(await rowCounts(t)).toEqual(before);
      expect(await scoreRows(full.tenderId)).toEqual([]);
    });

    it('refuses a committee member of the authority who is not one of the tender’s experts', async () => {
      const [bid] = bidsOf[full.tenderId] ?? [];
      const res = await score(full, s.e4, bid ?? '', '30');
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json()).toMatchObject({ code: 'EXPERTS_ONLY' });
    });

    it('takes the experts’ scores and lists the missing ones per expert', async () => {
      const [b1, b2] = bidsOf[full.tenderId] ?? [];
      const given: [keyof typeof experts, string, string, string][] = [
        ['e1', b1 ?? '', '30', '30.00'],
        ['e2', b1 ?? '', '40', '40.00'],
        ['e3', b1 ?? '', '50.5', '50.50'],
        ['e1', b2 ?? '', '20', '20.00'],
        ['e2', b2 ?? '', '21', '21.00'],
      ];
      for (const [who, bid, points, stored] of given) {
        const res = await score(full, s[who], bid, points);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json()).toMatchObject({ memberId: experts[who].id, points: stored });
      }
      const view = await sheet(full, cast.s.committee);
      expect(view.missing).toEqual([`${b2}/1/3/${experts.e3.id}`]);
    });

    it('does not let an expert approve the report: it is the committee’s act', async () => {
      const res = await approve(full, s.e1);
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
    });

    it('refuses the report while an expert has not scored', async () => {
      const res = await approve(full, cast.s.committee);
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json()).toMatchObject({
        code: 'INVALID_TRANSITION',
        details: {
          reason: 'scores_missing',
          missing: [`${bidsOf[full.tenderId]?.[1]}/1/3/${experts.e3.id}`],
        },
      });
    });

    it('approves the report with the experts’ mean once each has scored', async () => {
      const [b1, b2] = bidsOf[full.tenderId] ?? [];
      const last = await score(full, s.e3, b2 ?? '', '22');
      expect(last.statusCode, last.body).toBe(200);
      const res = await approve(full, cast.s.committee);
      expect(res.statusCode, res.body).toBe(200);
      const pub = await t.app.inject({ url: `/api/v1/tenders/${full.ocid}/judgement-report` });
      expect(pub.statusCode, pub.body).toBe(200);
      const { report } = pub.json() as {
        report: {
          expertCommittee?: { lots: number[]; experts: string[] };
          scores: { bidId: string; points: string; members: { name: string; points: string }[] }[];
        };
      };
      expect(report.expertCommittee?.lots).toEqual([1]);
      expect(report.expertCommittee?.experts).toHaveLength(3);
      // (30 + 40 + 50.5) / 3 = 40.1666… → 40.17; (20 + 21 + 22) / 3 = 21.00.
      expect(report.scores.map((x) => [x.bidId, x.points, x.members.length])).toEqual([
        [b1, '40.17', 3],
        [b2, '21.00', 3],
      ]);
    });

    it('refuses the report with fewer than three experts, even when both scored, and writes nothing', async () => {
      const [bid] = bidsOf[short.tenderId] ?? [];
      for (const who of ['e1', 'e2'] as const) {
        const res = await score(short, s[who], bid ?? '', '33');
        expect(res.statusCode, res.body).toBe(200);
      }
      expect((await sheet(short, cast.s.committee)).missing).toEqual([]);
      const before = await rowCounts(t);
      const res = await approve(short, cast.s.committee);
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json()).toMatchObject({
        code: 'EXPERT_COMMITTEE_INCOMPLETE',
        details: { lots: [1], required: 3, assigned: 2 },
      });
      expect(await rowCounts(t)).toEqual(before);
    });

    it('leaves a file without the article as before: the committee scores and approves, experts do not score', async () => {
      const [bid] = bidsOf[plain.tenderId] ?? [];
      const byExpert = await score(plain, s.e4, bid ?? '', '20');
      expect(byExpert.statusCode, byExpert.body).toBe(403);
      expect(byExpert.json()).toMatchObject({ code: 'FORBIDDEN' });
      const res = await score(plain, cast.s.committee, bid ?? '', '20');
      expect(res.statusCode, res.body).toBe(200);
      const approved = await approve(plain, cast.s.committee);
      expect(approved.statusCode, approved.body).toBe(200);
      const pub = (await t.app.inject({ url: `/api/v1/tenders/${plain.ocid}/judgement-report` })).json() as {
        report: Record<string, unknown>;
      };
      expect(pub.report).not.toHaveProperty('expertCommittee');
    });

    it('keeps an expert of the file off its committee’s other acts (qualification)', async () => {
      // e4 is a committee member of the authority but the expert of `plain`, whose committee is named.
      const res = await t.app.inject({
        method: 'POST',
        url: api(cast.authorityId, plain.tenderId, `/qualification/${bidsOf[plain.tenderId]?.[0]}`),
        headers: s.e4?.headers,
        payload: { version: 1, decision: 'admit' },
      });
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json()).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'expert_of_tender' } });
    });

    it('the judgement page shows the experts their score forms and the committee none where experts score', async () => {
      const page = async (who: Session | undefined, file: PublishedFile) => {
        const res = await t.app.inject({
          url: `/office/${cast.authorityId}/tenders/${file.tenderId}/judgement`,
          headers: { cookie: who?.cookie ?? '' },
        });
        expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
        return res.body;
      };
      const expertView = await page(s.e1, short);
      expect(expertView).toContain('id="score-form-');
      expect(expertView).not.toContain('id="read-only"');
      const committeeView = await page(cast.s.committee, short);
      expect(committeeView).not.toContain('id="score-form-');
      // Every score is in, so the committee gets the report form (the service then asks for a third expert).
      expect(committeeView).toContain('id="report-form"');
      expect(await page(s.e1, short)).not.toContain('id="report-form"');
      expect(await page(s.e4, short)).toContain('id="read-only"');
    });
  });
});
