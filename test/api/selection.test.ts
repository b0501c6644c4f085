import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/platform/ids.js';
import { makeAuthority, makeUser, rowCounts, type TestApp, buildTestApp, login } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import {
  type Cast,
  DAY,
  draftFor,
  makeCast,
  PARTICIPATION_DAYS,
  type PublishedFile,
  publishFile,
  submitBid,
} from '../helpers/lifecycle.js';
import { type Bidder, makeBidder } from '../helpers/sealed-bids.js';

/**
 * The selection phase and negotiation through the API (arts. 160–171 LCSP; src/modules/selection):
 * deadlines to the millisecond, decisions with reasons, the minimum of candidates, invitations once,
 * bids from the invited alone, negotiation rounds, and refusals that write nothing.
 */

const START = new Date('2026-11-26T10:00:00Z');

type Res = { statusCode: number; body: string; json(): unknown };
const code = (res: Res) => (res.json() as { code?: string }).code;

describe(`selection and negotiation (${driverName})`, () => {
  let t: TestApp;
  let cast: Cast;
  let restricted: PublishedFile;
  let negotiated: PublishedFile;
  let open: PublishedFile;
  const candidates: Bidder[] = [];
  let requestsDue: Date;

  const api = (
    headers: Record<string, string> | undefined,
    method: 'GET' | 'POST',
    url: string,
    payload?: unknown,
  ) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: headers ?? {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    }) as Promise<Res>;
  const office = (file: PublishedFile, suffix: string) =>
    `/authorities/${cast.authorityId}/tenders/${file.tenderId}${suffix}`;
  const requestAs = (b: Bidder, file: PublishedFile, statement = `Solvència acreditada per ${b.taxId}`) =>
    api(b.session.headers, 'POST', `/tenders/${file.ocid}/participation-requests`, {
      companyId: b.companyId,
      statement,
    });
  /** A refused call must write nothing at all, not even an audit event. */
  async function refusedWithoutWriting(call: () => Promise<Res>, status: number, errorCode: string) {
    const before = await rowCounts(t);
    const res = await call();
    expect(res.statusCode, res.body).toBe(status);
    expect(code(res)).toBe(errorCode);
    expect(await rowCounts(t)).toEqual(before);
    return res;
  }

  beforeAll(async () => {
    t = await buildTestApp({ now: START });
    cast = await makeCast(t);
    const spec = { estimatedValue: '180000.00', envelopes: ['A', 'B', 'C'] as const, specialAppeal: true };
    restricted = await publishFile(
      t,
      cast,
      draftFor({ ...spec, envelopes: ['A', 'B', 'C'], procedure: 'restringido' }, START),
    );
    negotiated = await publishFile(
      t,
      cast,
      draftFor({ ...spec, envelopes: ['A', 'B', 'C'], procedure: 'licitacion_con_negociacion' }, START),
    );
    open = await publishFile(
      t,
      cast,
      draftFor({ ...spec, envelopes: ['A', 'B', 'C'], procedure: 'abierto' }, START),
    );
    for (let i = 0; i < 5; i++) candidates.push(await makeBidder(t));
    requestsDue = new Date(START.getTime() + PARTICIPATION_DAYS * DAY);
  }, 120_000);
  afterAll(async () => t.close());

  it('publishes the deadline for requests in the notice', async () => {
    const res = await api(undefined, 'GET', `/tenders/${restricted.ocid}`);
    expect((res.json() as { notice: { participationDeadline: string } }).notice.participationDeadline).toBe(
      requestsDue.toISOString(),
    );
  });

  it('refuses a deadline for requests in a procedure without a selection phase', async () => {
    const input = draftFor(
      { procedure: 'abierto', estimatedValue: '180000.00', envelopes: ['A'], specialAppeal: true },
      START,
    );
    await refusedWithoutWriting(
      () =>
        api(cast.s.officer?.headers, 'POST', `/authorities/${cast.authorityId}/tenders`, {
          ...input,
          participationDeadline: requestsDue.toISOString(),
        }),
      422,
      'UNPROCESSABLE',
    );
  });

  it('takes one request per company until 1 ms before the deadline, and refuses bad input', async () => {
    const [a, b, c] = candidates as [Bidder, Bidder, Bidder];
    expect((await requestAs(a, restricted)).statusCode).toBe(201);
    await refusedWithoutWriting(() => requestAs(a, restricted), 409, 'CONFLICT');
    // A company's id the user does not belong to: that company does not exist for them.
    await refusedWithoutWriting(
      () =>
        api(b.session.headers, 'POST', `/tenders/${restricted.ocid}/participation-requests`, {
          companyId: c.companyId,
          statement: 'Suplantació',
        }),
      404,
      'NOT_FOUND',
    );
    await refusedWithoutWriting(
      () =>
        api(b.session.headers, 'POST', `/tenders/${restricted.ocid}/participation-requests`, {
          companyId: b.companyId,
          statement: 'x'.repeat(8001),
        }),
      400,
      'VALIDATION_FAILED',
    );
    await refusedWithoutWriting(
      () =>
        t.app.inject({
          method: 'POST',
          url: `/api/v1/tenders/${restricted.ocid}/participation-requests`,
          headers: { ...b.session.headers, 'content-type': 'application/json' },
          payload: '{"companyId": ',
        }) as Promise<Res>,
      400,
      'MALFORMED_JSON',
    );
    await refusedWithoutWriting(() => requestAs(b, open), 409, 'INVALID_TRANSITION');
    // The officer may not read the requests while others can still ask.
    await refusedWithoutWriting(
      () => api(cast.s.officer?.headers, 'GET', office(restricted, '/participation-requests')),
      409,
      'INVALID_TRANSITION',
    );
    for (const x of candidates.slice(1)) {
      expect((await requestAs(x, restricted)).statusCode).toBe(201);
      expect((await requestAs(x, negotiated)).statusCode).toBe(201);
    }
    expect((await requestAs(a, negotiated)).statusCode).toBe(201);
    const late = await makeBidder(t);
    t.clock.set(new Date(requestsDue.getTime() - 1));
    late.session = await login(t, late.email);
    expect((await requestAs(late, negotiated)).statusCode).toBe(201);
    t.clock.set(requestsDue);
    await refusedWithoutWriting(() => requestAs(late, restricted), 409, 'DEADLINE_PASSED');
    candidates.push(late);
  });

  it('hides the requests from the audit trail until the first envelope opens', async () => {
    const events = await t.db.db
      .selectFrom('audit_event')
      .select(['action', 'embargo'])
      .where('action', '=', 'participation.requested')
      .where('object_id', '=', restricted.tenderId)
      .execute();
    expect(events).toHaveLength(5);
    expect(new Set(events.map((e) => e.embargo))).toEqual(new Set([`bidders:${restricted.tenderId}`]));
  });

  it('lets the committee select and reject with reasons, refusing stale, forged and foreign calls', async () => {
    t.clock.set(new Date(requestsDue.getTime() + 3_600_000));
    await cast.relogin();
    const list = await api(cast.s.committee?.headers, 'GET', office(restricted, '/participation-requests'));
    expect(list.statusCode, list.body).toBe(200);
    const requests = (list.json() as { requests: { id: string; version: number; company: { id: string } }[] })
      .requests;
    expect(requests).toHaveLength(5);
    // The last candidate is rejected, the others selected.
    const rejectedId = candidates[4]?.companyId;
    const last = requests.find((r) => r.company.id === rejectedId) as { id: string; version: number };
    const others = requests.filter((r) => r.company.id !== rejectedId);
    const first = others[0] as { id: string; version: number };
    const decide = (id: string, payload: object, headers = cast.s.committee?.headers) =>
      api(headers, 'POST', office(restricted, `/participation-requests/${id}`), payload);
    await refusedWithoutWriting(
      () => decide(first.id, { version: 1, decision: 'rejected' }),
      422,
      'UNPROCESSABLE',
    );
    await refusedWithoutWriting(
      () => decide(first.id, { version: 1, decision: 'rejected', reasons: 'curt' }),
      422,
      'UNPROCESSABLE',
    );
    await refusedWithoutWriting(
      () => decide(newId(), { version: 1, decision: 'selected' }),
      404,
      'NOT_FOUND',
    );
    await refusedWithoutWriting(
      () => decide(first.id, { version: 1, decision: 'maybe' }),
      400,
      'VALIDATION_FAILED',
    );
    // The officer does not sit on the committee: selection is the committee's.
    await refusedWithoutWriting(
      () => decide(first.id, { version: 1, decision: 'selected' }, cast.s.officer?.headers),
      403,
      'FORBIDDEN',
    );
    // Staff of another authority: the tender does not exist for them.
    const other = await makeAuthority(t);
    const stranger = await makeUser(t, { roles: [{ authorityId: other.id, roles: ['committee_member'] }] });
    const strangerSession = await login(t, stranger.email);
    await refusedWithoutWriting(
      () =>
        api(
          strangerSession.headers,
          'POST',
          `/authorities/${other.id}/tenders/${restricted.tenderId}/participation-requests/${first.id}`,
          { version: 1, decision: 'selected' },
        ),
      404,
      'NOT_FOUND',
    );
    expect((await decide(first.id, { version: 1, decision: 'selected' })).statusCode).toBe(200);
    await refusedWithoutWriting(
      () => decide(first.id, { version: 1, decision: 'selected' }),
      409,
      'STALE_VERSION',
    );
    // Four of five selected, one rejected.
    for (const r of others.slice(1))
      expect((await decide(r.id, { version: 1, decision: 'selected' })).statusCode).toBe(200);
    // Invitations wait for every decision.
    await refusedWithoutWriting(
      () => api(cast.s.officer?.headers, 'POST', office(restricted, '/invitations'), {}),
      409,
      'INVALID_TRANSITION',
    );
    const rejected = await decide(last.id, {
      version: 1,
      decision: 'rejected',
      reasons: 'No acredita la solvència tècnica exigida al plec',
    });
    expect(rejected.json()).toMatchObject({
      decision: 'rejected',
      decidedAt: expect.any(String),
      version: 2,
    });
  });

  it('invites at least five candidates, or fewer with reasons, once', async () => {
    const invite = (payload: object) =>
      api(cast.s.officer?.headers, 'POST', office(restricted, '/invitations'), payload);
    await refusedWithoutWriting(() => invite({}), 422, 'TOO_FEW_CANDIDATES');
    await refusedWithoutWriting(
      () => invite({ companyIds: [candidates[0]?.companyId] }),
      422,
      'UNPROCESSABLE',
    );
    const mailed = t.mail.sent.length;
    const sent = await invite({
      fewerCandidatesReason: 'Només quatre candidats acrediten la solvència exigida',
    });
    expect(sent.statusCode, sent.body).toBe(201);
    expect((sent.json() as { companies: unknown[] }).companies).toHaveLength(4);
    // Each invited candidate is mailed its invitation with the deadline and its page (art. 163);
    // the rejected one learns why (art. 155). Each user of a company, in its language.
    const mails = t.mail.sent.slice(mailed);
    const invitedMails = mails.filter((m) => m.subject.startsWith('Invitació a presentar oferta'));
    expect(invitedMails.map((m) => m.to).sort()).toEqual(
      candidates
        .slice(0, 4)
        .map((c) => c.email)
        .sort(),
    );
    expect(invitedMails[0]?.text).toContain(`/tenders/${restricted.ocid}/participation`);
    const rejectedMail = mails.find((m) => m.to === candidates[4]?.email);
    expect(rejectedMail?.subject).toContain('no seleccionada');
    expect(rejectedMail?.text).toContain('No acredita la solvència tècnica exigida al plec');
    expect(mails).toHaveLength(5);
    await refusedWithoutWriting(() => invite({}), 409, 'INVALID_TRANSITION');
    const event = await t.db.db
      .selectFrom('audit_event')
      .select(['data'])
      .where('action', '=', 'tender.invited')
      .where('object_id', '=', restricted.tenderId)
      .executeTakeFirstOrThrow();
    expect(event.data).toMatchObject({
      minimumCandidates: 5,
      fewerCandidatesReason: 'Només quatre candidats acrediten la solvència exigida',
    });
    // The rejected candidate now learns the decision and its reasons (art. 155).
    const rejected = candidates[4] as Bidder;
    rejected.session = await login(t, rejected.email);
    const own = await api(
      rejected.session.headers,
      'GET',
      `/tenders/${restricted.ocid}/participation?companyId=${rejected.companyId}`,
    );
    expect(own.json()).toMatchObject({ invited: false, request: { decision: 'rejected' } });
  });

  it('takes sealed bids from the invited alone', async () => {
    const invited = candidates[0] as Bidder;
    invited.session = await login(t, invited.email);
    const ok = await submitBid(t, restricted, { price: '160000.00', newHires: '3' }, invited);
    expect(ok.bidId).toBeTruthy();
    const rejected = candidates[4] as Bidder;
    const before = await rowCounts(t);
    await expect(submitBid(t, restricted, { price: '150000.00', newHires: '3' }, rejected)).rejects.toThrow(
      /upload refused: 403 .*NOT_INVITED/,
    );
    expect(await rowCounts(t)).toEqual(before);
  });

  it('needs the tender deadline to leave the minimum period from the invitation (art. 164.1)', async () => {
    // With negotiation: select three, then try to invite 1 day before the tender deadline.
    const list = await api(cast.s.committee?.headers, 'GET', office(negotiated, '/participation-requests'));
    for (const r of (list.json() as { requests: { id: string }[] }).requests) {
      const res = await api(
        cast.s.committee?.headers,
        'POST',
        office(negotiated, `/participation-requests/${r.id}`),
        {
          version: 1,
          decision: 'selected',
        },
      );
      expect(res.statusCode, res.body).toBe(200);
    }
    const saved = t.clock.now();
    t.clock.set(new Date(negotiated.deadline.getTime() - DAY));
    await cast.relogin();
    await refusedWithoutWriting(
      () => api(cast.s.officer?.headers, 'POST', office(negotiated, '/invitations'), {}),
      422,
      'PERIOD_TOO_SHORT',
    );
    t.clock.set(saved);
    await cast.relogin();
    const sent = await api(cast.s.officer?.headers, 'POST', office(negotiated, '/invitations'), {});
    expect(sent.statusCode, sent.body).toBe(201);
    expect((sent.json() as { companies: unknown[] }).companies).toHaveLength(6);
  });

  it('negotiates in rounds: the same message to all, one answer each before it is due, seen by its company alone', async () => {
    const round = (payload: object, file = negotiated) =>
      api(cast.s.officer?.headers, 'POST', office(file, '/negotiation-rounds'), payload);
    const due = new Date(t.clock.now().getTime() + 2 * DAY);
    const message = {
      subject: 'Termini',
      message: 'Milloreu el termini d’execució',
      responsesDue: due.toISOString(),
    };
    await refusedWithoutWriting(() => round(message, restricted), 409, 'INVALID_TRANSITION');
    await refusedWithoutWriting(
      () => round({ ...message, responsesDue: negotiated.deadline.toISOString() }),
      422,
      'UNPROCESSABLE',
    );
    const opened = await round(message);
    expect(opened.statusCode, opened.body).toBe(201);
    expect(opened.json()).toMatchObject({ number: 1, responsesDue: due.toISOString() });
    // The next round waits for this one's answers.
    await refusedWithoutWriting(
      () => round({ ...message, responsesDue: new Date(due.getTime() + DAY).toISOString() }),
      409,
      'INVALID_TRANSITION',
    );
    const [a, b] = candidates as [Bidder, Bidder];
    for (const x of [a, b]) x.session = await login(t, x.email);
    const answer = (x: Bidder, text: string, n = 1) =>
      api(x.session.headers, 'POST', `/tenders/${negotiated.ocid}/negotiation-rounds/${n}/answers`, {
        companyId: x.companyId,
        text,
      });
    expect((await answer(a, 'Deu mesos')).statusCode).toBe(201);
    await refusedWithoutWriting(() => answer(a, 'Nou mesos'), 409, 'CONFLICT');
    await refusedWithoutWriting(() => answer(b, 'Cap', 2), 404, 'NOT_FOUND');
    const outsider = await makeBidder(t);
    await refusedWithoutWriting(() => answer(outsider, 'Vull participar'), 403, 'NOT_INVITED');
    // Each company sees its own answer, never another's.
    const seenByB = await api(
      b.session.headers,
      'GET',
      `/tenders/${negotiated.ocid}/participation?companyId=${b.companyId}`,
    );
    expect(seenByB.json()).toMatchObject({ invited: true, rounds: [{ number: 1, answer: null }] });
    expect(seenByB.body).not.toContain('Deu mesos');
    // The outsider sees no rounds at all.
    const seenByOutsider = await api(
      outsider.session.headers,
      'GET',
      `/tenders/${negotiated.ocid}/participation?companyId=${outsider.companyId}`,
    );
    expect(seenByOutsider.json()).toMatchObject({ invited: false, rounds: [] });
    t.clock.set(due);
    b.session = await login(t, b.email);
    await refusedWithoutWriting(() => answer(b, 'Massa tard'), 409, 'DEADLINE_PASSED');
    await cast.relogin();
    const all = await api(cast.s.officer?.headers, 'GET', office(negotiated, '/negotiation'));
    expect(all.json()).toMatchObject({
      rounds: [{ number: 1, answers: [{ company: { id: a.companyId }, text: 'Deu mesos' }] }],
    });
    const second = await round({ ...message, responsesDue: new Date(due.getTime() + DAY).toISOString() });
    expect(second.json()).toMatchObject({ number: 2 });
  });

  it('keeps requests closed once their deadline has passed: no corrigendum reopens them', async () => {
    const tender = await api(cast.s.officer?.headers, 'GET', office(restricted, ''));
    const version = (tender.json() as { version: number }).version;
    await refusedWithoutWriting(
      () =>
        api(cast.s.officer?.headers, 'POST', office(restricted, '/corrigenda'), {
          version,
          reason: 'Ampliació del termini de sol·licituds',
          substantial: false,
          participationDeadline: new Date(t.clock.now().getTime() + 5 * DAY).toISOString(),
        }),
      409,
      'INVALID_TRANSITION',
    );
  });
});

describe(`negotiated procedure without publication (${driverName})`, () => {
  let t: TestApp;
  let cast: Cast;
  let file: PublishedFile;

  beforeAll(async () => {
    t = await buildTestApp({ now: START });
    cast = await makeCast(t);
    file = await publishFile(
      t,
      cast,
      draftFor(
        {
          procedure: 'negociado_sin_publicidad',
          estimatedValue: '90000.00',
          envelopes: ['A', 'B', 'C'],
          specialAppeal: false,
        },
        START,
      ),
    );
  }, 60_000);
  afterAll(async () => t.close());

  it('invites the companies the officer names, known ones only, and takes no requests', async () => {
    const url = `/api/v1/authorities/${cast.authorityId}/tenders/${file.tenderId}/invitations`;
    const b = await makeBidder(t);
    const before = await rowCounts(t);
    const unknown = await t.app.inject({
      method: 'POST',
      url,
      headers: cast.s.officer?.headers,
      payload: { companyIds: [b.companyId, newId()] },
    });
    expect(unknown.statusCode, unknown.body).toBe(422);
    expect(await rowCounts(t)).toEqual(before);
    const request = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenders/${file.ocid}/participation-requests`,
      headers: b.session.headers,
      payload: { companyId: b.companyId, statement: 'Vull participar' },
    });
    expect(request.statusCode).toBe(409);
    const sent = await t.app.inject({
      method: 'POST',
      url,
      headers: cast.s.officer?.headers,
      payload: { companyIds: [b.companyId, b.companyId] },
    });
    expect(sent.statusCode, sent.body).toBe(201);
    expect((sent.json() as { companies: { id: string }[] }).companies.map((c) => c.id)).toEqual([
      b.companyId,
    ]);
    const listed = await t.app.inject({ url, headers: cast.s.committee?.headers });
    expect((listed.json() as { invitedAt: string | null }).invitedAt).toBe(t.clock.now().toISOString());
  });
});
