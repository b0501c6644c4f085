import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/platform/canonical-json.js';
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
import { validNif } from '../helpers/tax-ids.js';
import { driverName } from '../helpers/db.js';
import { ABNORMAL_NOTICE, PRICE_F1, SOCIAL_STEPS, loadDemoCpv, tenderPayload } from '../helpers/tenders.js';

type TenderBody = {
  id: string;
  version: number;
  status: string;
  ocid: string | null;
  findings: { code: string }[];
};

describe(`approval chain and publication (${driverName})`, () => {
  let t: TestApp;
  let a: { id: string; slug: string };
  const s: Record<string, Session> = {};
  const ids: Record<string, string> = {};
  const emails: Record<string, string> = {};
  const base = () => `/api/v1/authorities/${a.id}/tenders`;

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    await loadDemoCpv(t);
    a = await makeAuthority(t);
    const people: [string, AuthorityRole[]][] = [
      ['officer', ['procurement_officer']],
      ['technical', ['approver_technical', 'approver_legal']],
      ['legal', ['approver_legal']],
      ['financial', ['approver_financial']],
      ['committee', ['committee_member']],
      ['c1', ['key_custodian']],
      ['c2', ['key_custodian']],
      ['c3', ['key_custodian']],
      ['auditor', ['auditor']],
    ];
    for (const [name, roles] of people) {
      const u = await makeUser(t, { roles: [{ authorityId: a.id, roles }] });
      ids[name] = u.id;
      emails[name] = u.email;
      s[name] = await login(t, u.email);
    }
    // Bids are sealed to the custodians' public keys: publication needs one for each.
    await registerCustodianKeys(t, a.id, [ids.c1 ?? '', ids.c2 ?? '', ids.c3 ?? '']);
  });
  afterAll(async () => t.close());

  const call = (who: string, method: 'GET' | 'POST' | 'PUT', path: string, payload?: object) =>
    t.app.inject({
      method,
      url: `${base()}${path}`,
      headers: s[who]?.headers,
      ...(payload ? { payload } : {}),
    });
  const tender = async (id: string) => (await call('officer', 'GET', `/${id}`)).json() as TenderBody;
  const addDocuments = async (tenderId: string) => {
    for (const kind of ['memoria_justificativa', 'pcap', 'ppt']) {
      await t.db.db
        .insertInto('tender_document')
        .values({
          id: newId(),
          tender_id: tenderId,
          authority_id: a.id,
          kind,
          title: kind,
          file_name: `${kind}.pdf`,
          content_type: 'application/pdf',
          size_bytes: 1234,
          sha256: createHash('sha256').update(kind).digest('hex'),
          uploaded_by: ids.officer ?? '',
        })
        .execute();
    }
  };

  it('refuses to submit a file whose weights do not sum to 100, writing nothing', async () => {
    const payload = tenderPayload(t.clock.now());
    const lot = payload.lots[0];
    if (!lot) throw new Error('the payload has lots');
    lot.criteria = lot.criteria.map((c, i) => (i === 0 ? { ...c, weight: String(Number(c.weight) - 5) } : c));
    const id = ((await call('officer', 'POST', '', payload)).json() as TenderBody).id;
    await addDocuments(id);
    const assigned = await call('officer', 'PUT', `/${id}/assignments`, {
      version: 1,
      committee: [ids.committee],
      custodians: [ids.c1, ids.c2, ids.c3],
    });
    expect(assigned.statusCode, assigned.body).toBe(200);
    const before = await rowCounts(t);
    const refused = await call('officer', 'POST', `/${id}/submit`, { version: 2 });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      code: 'CHECKS_FAILED',
      details: { findings: [{ code: 'WEIGHTS_NOT_100', lot: 1, severity: 'error' }] },
    });
    expect(await rowCounts(t)).toEqual(before);
    expect((await tender(id)).status).toBe('draft');
  });

  it('takes a file from draft through the chain to publication', async () => {
    const created = (await call('officer', 'POST', '', tenderPayload(t.clock.now()))).json() as TenderBody;
    const id = created.id;

    // Blocking findings: submission refused, nothing changes.
    const before = await rowCounts(t);
    const refused = await call('officer', 'POST', `/${id}/submit`, { version: 1 });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'CHECKS_FAILED' });
    expect(await rowCounts(t)).toEqual(before);

    // Custodians must hold the role.
    const wrong = await call('officer', 'PUT', `/${id}/assignments`, {
      version: 1,
      committee: [],
      custodians: [ids.c1, ids.auditor],
    });
    expect(wrong.statusCode).toBe(422);
    await addDocuments(id);
    const assigned = await call('officer', 'PUT', `/${id}/assignments`, {
      version: 1,
      committee: [ids.committee],
      custodians: [ids.c1, ids.c2, ids.c3],
    });
    expect(assigned.statusCode, assigned.body).toBe(200);
    expect(assigned.json()).toMatchObject({ version: 2, findings: [] });

    const submitted = await call('officer', 'POST', `/${id}/submit`, { version: 2 });
    expect(submitted.json()).toMatchObject({ status: 'in_approval', version: 3 });

    // The inbox shows the step to the technical approver only; the legal approver waits.
    const inbox = async (who: string) =>
      (
        (await t.app.inject({ url: '/api/v1/me/approvals', headers: s[who]?.headers })).json() as {
          tenderId: string;
          role: string;
        }[]
      ).filter((x) => x.tenderId === id);
    expect(await inbox('technical')).toEqual([expect.objectContaining({ role: 'approver_technical' })]);
    expect(await inbox('legal')).toEqual([]);
    expect((await call('legal', 'POST', `/${id}/approvals`, { decision: 'approved' })).statusCode).toBe(403);

    expect((await call('technical', 'POST', `/${id}/approvals`, { decision: 'approved' })).statusCode).toBe(
      200,
    );
    expect(await inbox('legal')).toEqual([expect.objectContaining({ role: 'approver_legal' })]);
    // Four eyes: the technical approver also holds the legal role, but may not decide a second step.
    const twice = await call('technical', 'POST', `/${id}/approvals`, { decision: 'approved' });
    expect(twice.statusCode).toBe(403);
    expect((await call('legal', 'POST', `/${id}/approvals`, { decision: 'approved' })).statusCode).toBe(200);

    // A rejection needs reasons and sends the file back to draft.
    expect((await call('financial', 'POST', `/${id}/approvals`, { decision: 'rejected' })).statusCode).toBe(
      422,
    );
    const rejected = await call('financial', 'POST', `/${id}/approvals`, {
      decision: 'rejected',
      comment: 'Falta el certificat d’existència de crèdit',
    });
    expect(rejected.json()).toMatchObject({ status: 'draft' });

    // A new round, all three approve.
    const v = (await tender(id)).version;
    expect((await call('officer', 'POST', `/${id}/submit`, { version: v })).json()).toMatchObject({
      status: 'in_approval',
    });
    for (const who of ['technical', 'legal', 'financial']) {
      const res = await call(who, 'POST', `/${id}/approvals`, { decision: 'approved' });
      expect(res.statusCode, `${who}: ${res.body}`).toBe(200);
    }
    const approved = await tender(id);
    expect(approved.status).toBe('approved');
    const steps = await t.db.db
      .selectFrom('tender_approval')
      .select(['round', 'role', 'decision'])
      .where('tender_id', '=', id)
      .orderBy('round')
      .orderBy('position')
      .execute();
    expect(steps.map((x) => `${x.round}:${x.role}:${x.decision}`)).toEqual([
      '1:approver_technical:approved',
      '1:approver_legal:approved',
      '1:approver_financial:rejected',
      '2:approver_technical:approved',
      '2:approver_legal:approved',
      '2:approver_financial:approved',
    ]);

    // Publication: not by an auditor, not with a stale version.
    expect((await call('auditor', 'POST', `/${id}/publish`, { version: approved.version })).statusCode).toBe(
      403,
    );
    expect(
      (await call('officer', 'POST', `/${id}/publish`, { version: approved.version - 1 })).json(),
    ).toMatchObject({ code: 'STALE_VERSION' });
    const published = await call('officer', 'POST', `/${id}/publish`, { version: approved.version });
    expect(published.statusCode, published.body).toBe(200);
    const body = published.json() as TenderBody;
    expect(body.status).toBe('published');
    const prefix = (
      await t.db.db
        .selectFrom('authority')
        .select('ocid_prefix')
        .where('id', '=', a.id)
        .executeTakeFirstOrThrow()
    ).ocid_prefix;
    expect(body.ocid).toBe(`${prefix}-${id}`);

    // The frozen notice: canonical JSON, with the documents' hashes, and its hash in a public audit event.
    const notice = await t.db.db
      .selectFrom('tender_notice')
      .selectAll()
      .where('tender_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(notice.version).toBe(1);
    const parsed = JSON.parse(notice.canonical) as {
      ocid: string;
      documents: { sha256: string }[];
      lots: unknown[];
    };
    expect(canonicalJson(parsed)).toBe(notice.canonical);
    expect(parsed.ocid).toBe(body.ocid);
    expect(parsed.documents).toHaveLength(3);
    expect(parsed.lots).toHaveLength(2);
    // Each criterion's formula spec and each lot's abnormal-offer parameters, as stored, with the
    // readings of §6 written out: the evaluation reads them from here.
    const lot1 = parsed.lots[0] as {
      abnormal: unknown;
      abnormalSettings: unknown;
      criteria: { formula: unknown }[];
    };
    expect(lot1.criteria.map((c) => c.formula)).toEqual([PRICE_F1, SOCIAL_STEPS, null]);
    expect(lot1.abnormal).toEqual(ABNORMAL_NOTICE);
    expect(lot1.abnormalSettings).toEqual({
      comparison: 'strict',
      units: 'percent_of_base',
      threeBidders: 'mean_of_remaining',
    });
    const event = await t.db.db
      .selectFrom('audit_event')
      .selectAll()
      .where('object_id', '=', id)
      .where('action', '=', 'tender.published')
      .executeTakeFirstOrThrow();
    expect(event.is_public).toBe(true);
    expect((event.data as { canonicalSha256: string }).canonicalSha256).toBe(
      createHash('sha256').update(notice.canonical).digest('hex'),
    );

    // After publication the file changes only by corrigendum.
    for (const [path, payload] of [
      ['', { ...tenderPayload(t.clock.now()), version: body.version }],
      ['/submit', { version: body.version }],
      ['/publish', { version: body.version }],
      ['/assignments', { version: body.version, committee: [], custodians: [] }],
    ] as const) {
      const res = await call(
        'officer',
        path === '' || path === '/assignments' ? 'PUT' : 'POST',
        `/${id}${path}`,
        payload,
      );
      expect(res.statusCode, path).toBe(409);
      expect(res.json(), path).toMatchObject({ code: 'INVALID_TRANSITION' });
    }
  });

  it('sends an approved file back to draft when it is edited', async () => {
    const created = (await call('officer', 'POST', '', tenderPayload(t.clock.now()))).json() as TenderBody;
    const id = created.id;
    await addDocuments(id);
    await call('officer', 'PUT', `/${id}/assignments`, {
      version: 1,
      committee: [],
      custodians: [ids.c1, ids.c2],
    });
    await call('officer', 'POST', `/${id}/submit`, { version: 2 });
    for (const who of ['technical', 'legal', 'financial'])
      await call(who, 'POST', `/${id}/approvals`, { decision: 'approved' });
    const approved = await tender(id);
    expect(approved.status).toBe('approved');
    const row = await t.db.db
      .selectFrom('tender')
      .select('reference')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const edited = await call('officer', 'PUT', `/${id}`, {
      ...tenderPayload(t.clock.now(), { reference: row.reference }),
      version: approved.version,
    });
    expect(edited.json()).toMatchObject({ status: 'draft' });
    expect(
      (await call('officer', 'POST', `/${id}/publish`, { version: approved.version + 1 })).json(),
    ).toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  /** Staff of a second authority, and a file of theirs: another authority's objects are 404. */
  const otherAuthority = async () => {
    const b = await makeAuthority(t);
    const u = await makeUser(t, {
      roles: [{ authorityId: b.id, roles: ['procurement_officer', 'auditor'] }],
    });
    return { b, session: await login(t, u.email) };
  };

  it('lists a file’s assignments with the staff who can be assigned, within the authority only', async () => {
    const created = (await call('officer', 'POST', '', tenderPayload(t.clock.now()))).json() as TenderBody;
    const id = created.id;
    const empty = await call('auditor', 'GET', `/${id}/assignments`);
    expect(empty.statusCode, empty.body).toBe(200);
    expect(empty.json()).toMatchObject({ committee: [], custodians: [] });
    await call('officer', 'PUT', `/${id}/assignments`, {
      version: 1,
      committee: [ids.committee],
      custodians: [ids.c2, ids.c1],
    });
    const res = await call('auditor', 'GET', `/${id}/assignments`);
    const body = res.json() as {
      committee: string[];
      custodians: string[];
      candidates: { committee: { id: string; name: string }[]; custodians: { id: string; name: string }[] };
    };
    expect(body.committee).toEqual([ids.committee]);
    expect([...body.custodians].sort()).toEqual([ids.c1, ids.c2].sort());
    // Only holders of the role are offered, with their names; the auditor is not a candidate.
    expect(body.candidates.committee).toEqual([{ id: ids.committee, name: `User ${emails.committee}` }]);
    expect(body.candidates.custodians.map((c) => c.id).sort()).toEqual([ids.c1, ids.c2, ids.c3].sort());

    const other = await otherAuthority();
    for (const url of [
      `${base()}/${id}/assignments`,
      `/api/v1/authorities/${other.b.id}/tenders/${id}/assignments`,
    ]) {
      const denied = await t.app.inject({ url, headers: other.session.headers });
      expect(denied.statusCode, url).toBe(404);
      expect(denied.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('shows the steps of the current approval round with who decided them, within the authority only', async () => {
    const created = (await call('officer', 'POST', '', tenderPayload(t.clock.now()))).json() as TenderBody;
    const id = created.id;
    await addDocuments(id);
    await call('officer', 'PUT', `/${id}/assignments`, {
      version: 1,
      committee: [],
      custodians: [ids.c1, ids.c2],
    });
    type Step = {
      round: number;
      role: string;
      decision: string | null;
      decidedBy: { id: string; name: string } | null;
    };
    const steps = async () => (await call('committee', 'GET', `/${id}/approvals`)).json() as Step[];
    expect(await steps()).toEqual([]);

    await call('officer', 'POST', `/${id}/submit`, { version: 2 });
    await call('technical', 'POST', `/${id}/approvals`, { decision: 'approved' });
    await call('legal', 'POST', `/${id}/approvals`, { decision: 'rejected', comment: 'Falta l’informe' });
    expect(await steps()).toMatchObject([
      {
        round: 1,
        role: 'approver_technical',
        decision: 'approved',
        decidedBy: { id: ids.technical, name: `User ${emails.technical}` },
      },
      { round: 1, role: 'approver_legal', decision: 'rejected', decidedBy: { id: ids.legal } },
      { round: 1, role: 'approver_financial', decision: null, decidedBy: null },
    ]);
    // A new submission opens round 2: only its steps are current.
    await call('officer', 'POST', `/${id}/submit`, { version: (await tender(id)).version });
    const round2 = await steps();
    expect(round2.map((x) => `${x.round}:${x.role}:${x.decision}`)).toEqual([
      '2:approver_technical:null',
      '2:approver_legal:null',
      '2:approver_financial:null',
    ]);

    const other = await otherAuthority();
    for (const url of [
      `${base()}/${id}/approvals`,
      `/api/v1/authorities/${other.b.id}/tenders/${id}/approvals`,
    ]) {
      const denied = await t.app.inject({ url, headers: other.session.headers });
      expect(denied.statusCode, url).toBe(404);
    }
  });

  /** Creates a file and takes it through the chain to publication; returns its id, ocid and version. */
  async function publishNew(): Promise<{ id: string; ocid: string; version: number }> {
    const created = (await call('officer', 'POST', '', tenderPayload(t.clock.now()))).json() as TenderBody;
    const id = created.id;
    await addDocuments(id);
    await call('officer', 'PUT', `/${id}/assignments`, {
      version: 1,
      committee: [],
      custodians: [ids.c1, ids.c2],
    });
    await call('officer', 'POST', `/${id}/submit`, { version: 2 });
    for (const who of ['technical', 'legal', 'financial'])
      await call(who, 'POST', `/${id}/approvals`, { decision: 'approved' });
    const published = (
      await call('officer', 'POST', `/${id}/publish`, { version: (await tender(id)).version })
    ).json() as TenderBody;
    expect(published.status).toBe('published');
    return { id, ocid: published.ocid ?? '', version: published.version };
  }

  type PublicBody = {
    status: string;
    notice: { title: { ca: string }; tenderDeadline: string };
    history: {
      version: number;
      kind: string;
      substantial: boolean;
      changed: string[];
      changes: { path: string; before: string | null; after: string | null }[];
    }[];
    questions: { question: string; answer: string }[];
  };
  const publicNotice = async (ocid: string) => t.app.inject({ url: `/api/v1/tenders/${ocid}` });

  it('refuses to reopen bidding by corrigendum once the tender deadline has passed', async () => {
    const { id, ocid, version } = await publishNew();
    const deadline = new Date(((await publicNotice(ocid)).json() as PublicBody).notice.tenderDeadline);
    const shift = deadline.getTime() + 60_000 - t.clock.now().getTime();
    t.clock.advance(shift);
    const officerSession = s.officer;
    try {
      s.officer = await login(t, emails.officer ?? '');
      const late = await call('officer', 'POST', `/${id}/corrigenda`, {
        version,
        reason: 'Més temps',
        substantial: true,
        tenderDeadline: new Date(deadline.getTime() + 30 * 86_400_000).toISOString(),
      });
      expect(late.statusCode, late.body).toBe(409);
      expect(late.json()).toMatchObject({ code: 'INVALID_TRANSITION', details: { field: 'tenderDeadline' } });
      expect(
        await t.db.db.selectFrom('tender_notice').select('version').where('tender_id', '=', id).execute(),
      ).toHaveLength(1);
    } finally {
      t.clock.advance(-shift);
      if (officerSession) s.officer = officerSession;
    }
  });

  it('corrects a published notice: extend only, full period after a substantial change, history public', async () => {
    const { id, ocid, version } = await publishNew();
    const current = (await publicNotice(ocid)).json() as PublicBody;
    const deadline = new Date(current.notice.tenderDeadline);
    const corr = (payload: object) => call('officer', 'POST', `/${id}/corrigenda`, payload);

    const shorter = await corr({
      version,
      reason: 'Error',
      substantial: false,
      tenderDeadline: new Date(deadline.getTime() - 86_400_000).toISOString(),
    });
    expect(shorter.json()).toMatchObject({ code: 'PERIOD_TOO_SHORT' });
    const typo = await corr({
      version,
      reason: 'Errata al títol',
      substantial: false,
      title: {
        ca: 'Neteja d’escoles bressol',
        es: 'Limpieza de escuelas infantiles',
        en: 'Nursery school cleaning',
      },
    });
    expect(typo.statusCode, typo.body).toBe(200);

    // Ten days later (Sunday 6 December) a substantial change: the 15-day minimum counts again from
    // that day and ends on Monday 21 December; the original deadline (16 December) no longer suffices.
    t.clock.advance(10 * 86_400_000);
    const officerSession = s.officer;
    try {
      // Sessions last 12 hours: sign in again at the new date.
      s.officer = await login(t, emails.officer ?? '');
      const tooSoon = await corr({
        version: version + 1,
        reason: 'Canvi de la solvència exigida',
        substantial: true,
        tenderDeadline: '2026-12-18T12:00:00Z',
      });
      expect(tooSoon.statusCode).toBe(422);
      expect(tooSoon.json()).toMatchObject({
        code: 'PERIOD_TOO_SHORT',
        details: { minimumDays: 15, source: 'LCSP art. 136.2' },
      });
      expect(
        await t.db.db.selectFrom('tender_notice').select('version').where('tender_id', '=', id).execute(),
      ).toHaveLength(2);
      const substantial = await corr({
        version: version + 1,
        reason: 'Canvi de la solvència exigida',
        substantial: true,
        tenderDeadline: '2026-12-21T12:00:00Z',
      });
      expect(substantial.statusCode, substantial.body).toBe(200);
    } finally {
      t.clock.advance(-10 * 86_400_000);
      if (officerSession) s.officer = officerSession;
    }

    const body = (await publicNotice(ocid)).json() as PublicBody;
    expect(body.notice.title.ca).toBe('Neteja d’escoles bressol');
    expect(body.history.map((h) => [h.version, h.kind, h.substantial, h.changed])).toEqual([
      [1, 'original', false, []],
      [2, 'corrigendum', false, ['title']],
      [3, 'corrigendum', true, ['tenderDeadline']],
    ]);
    // The visible diff: each changed leaf with its old and new text.
    expect(body.history[1]?.changes).toEqual(
      expect.arrayContaining([
        { path: 'title.ca', before: expect.any(String), after: 'Neteja d’escoles bressol' },
      ]),
    );
    expect(body.history[1]?.changes.map((c) => c.path)).toEqual(['title.ca', 'title.en', 'title.es']);
    expect(body.history[2]?.changes).toEqual([
      { path: 'tenderDeadline', before: current.notice.tenderDeadline, after: '2026-12-21T12:00:00.000Z' },
    ]);
    const events = await t.db.db
      .selectFrom('audit_event')
      .select(['action', 'is_public'])
      .where('object_id', '=', id)
      .where('action', '=', 'tender.corrected')
      .execute();
    expect(events).toEqual([
      { action: 'tender.corrected', is_public: true },
      { action: 'tender.corrected', is_public: true },
    ]);
  });

  it('takes questions from companies until the deadline and publishes the answers without the asker', async () => {
    const { id, ocid } = await publishNew();
    const company = await makeCompany(t, validNif());
    const bidderUser = await makeUser(t, { companies: [{ companyId: company.id, roles: ['bidder'] }] });
    let bidder = await login(t, bidderUser.email);
    const ask = (session: Session, companyId: string, question: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/tenders/${ocid}/questions`,
        headers: session.headers,
        payload: { companyId, question },
      });

    expect((await ask(bidder, company.id, 'Cal visitar les escoles abans?')).statusCode).toBe(201);
    // Not for a company one does not belong to, and not for staff.
    expect((await ask(bidder, (await makeCompany(t, validNif())).id, 'x')).statusCode).toBe(404);
    expect((await ask(s.officer as Session, company.id, 'x')).statusCode).toBe(404);
    // Unanswered questions are not public.
    expect(((await publicNotice(ocid)).json() as PublicBody).questions).toEqual([]);

    const staffView = (await call('officer', 'GET', `/${id}/questions`)).json() as {
      id: string;
      company: string;
    }[];
    expect(staffView).toHaveLength(1);
    expect(staffView[0]?.company).toContain('Company');
    // The committee sees the question but not who asked: that would tell the likely bidders.
    const committeeView = (await call('committee', 'GET', `/${id}/questions`)).json() as typeof staffView;
    expect(committeeView).toEqual([{ ...staffView[0], company: null }]);
    const answered = await call('officer', 'POST', `/${id}/questions/${staffView[0]?.id}/answer`, {
      answer: 'No, però es pot demanar una visita.',
    });
    expect(answered.statusCode).toBe(200);
    expect(
      (
        await call('officer', 'POST', `/${id}/questions/${staffView[0]?.id}/answer`, { answer: 'again' })
      ).json(),
    ).toMatchObject({ code: 'INVALID_TRANSITION' });
    const pub = (await publicNotice(ocid)).json() as PublicBody & { questions: Record<string, unknown>[] };
    expect(pub.questions).toEqual([
      expect.objectContaining({
        question: 'Cal visitar les escoles abans?',
        answer: 'No, però es pot demanar una visita.',
      }),
    ]);
    expect(JSON.stringify(pub.questions)).not.toContain(company.id);

    // After the questions deadline (14 days after publication), nothing more is taken.
    t.clock.advance(15 * 86_400_000);
    try {
      const late = await ask(await login(t, bidderUser.email), company.id, 'Encara puc preguntar?');
      expect(late.statusCode).toBe(409);
      expect(late.json()).toMatchObject({ code: 'QUESTIONS_CLOSED' });
    } finally {
      t.clock.advance(-15 * 86_400_000);
    }
    bidder = await login(t, bidderUser.email);

    // Following is for signed-in users; anonymous callers get 401.
    expect(
      (await t.app.inject({ method: 'PUT', url: `/api/v1/tenders/${ocid}/follow`, headers: bidder.headers }))
        .statusCode,
    ).toBe(204);
    expect((await t.app.inject({ method: 'PUT', url: `/api/v1/tenders/${ocid}/follow` })).statusCode).toBe(
      401,
    );
    expect(
      await t.db.db.selectFrom('tender_follow').select('user_id').where('tender_id', '=', id).execute(),
    ).toHaveLength(1);
  });

  it('keeps drafts out of public view and publishes a cancellation', async () => {
    const draft = (await call('officer', 'POST', '', tenderPayload(t.clock.now()))).json() as TenderBody;
    const prefix = (
      await t.db.db
        .selectFrom('authority')
        .select('ocid_prefix')
        .where('id', '=', a.id)
        .executeTakeFirstOrThrow()
    ).ocid_prefix;
    expect((await publicNotice(`${prefix}-${draft.id}`)).statusCode).toBe(404);

    const { id, ocid, version } = await publishNew();
    expect(
      (await call('officer', 'POST', `/${id}/cancel`, { version, kind: 'anulacio', reason: 'x' })).statusCode,
    ).toBe(400);
    const cancelled = await call('officer', 'POST', `/${id}/cancel`, {
      version,
      kind: 'renuncia',
      reason: 'El servei es prestarà amb mitjans propis',
    });
    expect(cancelled.json()).toMatchObject({
      status: 'cancelled',
      cancellation: { kind: 'renuncia', reason: 'El servei es prestarà amb mitjans propis' },
    });
    const pub = (await publicNotice(ocid)).json() as PublicBody;
    expect(pub.status).toBe('cancelled');
    // The notice carries the file's facts (lot limits, urgency, justifications), but not the
    // cancellation: its kind, reasons and time are the cancellation notice's own record.
    expect(pub.notice).toMatchObject({ flags: { urgent: false }, maxLotsPerBidder: null });
    expect(pub.notice).not.toHaveProperty('cancellation');
    expect(pub.history.at(-1)).toMatchObject({ kind: 'cancellation', changed: ['status'] });
  });
});
