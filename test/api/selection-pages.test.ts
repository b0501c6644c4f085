import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localInputFromInstant } from '../../src/modules/portal/backoffice-tender-form.js';
import { escapeHtml } from '../../src/platform/http/html.js';
import { LOCALES, translator } from '../../src/platform/i18n/i18n.js';
import {
  buildTestApp,
  login,
  makeAuthority,
  makeUser,
  rowCounts,
  type Session,
  type TestApp,
} from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import {
  type Cast,
  DAY,
  draftFor,
  makeCast,
  PARTICIPATION_DAYS,
  type PublishedFile,
  publishFile,
} from '../helpers/lifecycle.js';
import { type Bidder, makeBidder } from '../helpers/sealed-bids.js';

/**
 * The selection and negotiation pages (selection.pages.ts) through HTTP: the company's
 * participation page (request, decision, invitation, negotiation rounds) and the office page
 * (requests, selection, invitations, rounds), in ca/es/en. Every form posts back: a valid post
 * redirects (303) and changes the state, an invalid one is refused with 4xx and an error summary
 * and writes nothing. Who may see what: another company's id is a 404, staff on the company page
 * a 403, staff of another authority a 404 on the office page.
 */
describe(`selection pages (${driverName})`, () => {
  let t: TestApp;
  let cast: Cast;
  let restricted: PublishedFile;
  let direct: PublishedFile;
  let chosen: Bidder;
  let refused: Bidder;
  let outsider: Bidder;
  const s: Record<string, Session> = {};
  const emails: Record<string, string> = {};

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    cast = await makeCast(t);
    const now = t.clock.now();
    restricted = await publishFile(
      t,
      cast,
      draftFor(
        {
          procedure: 'restringido',
          estimatedValue: '180000.00',
          envelopes: ['A', 'B', 'C'],
          specialAppeal: true,
        },
        now,
      ),
    );
    direct = await publishFile(
      t,
      cast,
      draftFor(
        {
          procedure: 'negociado_sin_publicidad',
          estimatedValue: '180000.00',
          envelopes: ['A', 'B', 'C'],
          specialAppeal: true,
        },
        now,
      ),
    );
    chosen = await makeBidder(t);
    refused = await makeBidder(t, 'company_admin');
    outsider = await makeBidder(t);
    const other = await makeAuthority(t);
    const people: [string, string, Parameters<typeof makeUser>[1]][] = [
      ['auditor', '', { roles: [{ authorityId: cast.authorityId, roles: ['auditor'] }] }],
      [
        'foreign',
        '',
        { roles: [{ authorityId: other.id, roles: ['procurement_officer', 'committee_member'] }] },
      ],
    ];
    for (const [name, , opts] of people) emails[name] = (await makeUser(t, opts)).email;
    for (const [name, email] of Object.entries(emails)) s[name] = await login(t, email);
  }, 120_000);
  afterAll(async () => t?.close());

  const participation = (f: PublishedFile, b?: Bidder) =>
    `/tenders/${f.ocid}/participation${b ? `?companyId=${b.companyId}` : ''}`;
  const office = (f: PublishedFile, p = '') =>
    `/office/${cast.authorityId}/tenders/${f.tenderId}/selection${p}`;
  const page = (session: Session | undefined, url: string) =>
    t.app.inject({ url, headers: session ? { cookie: session.cookie } : {} });
  const post = (session: Session | undefined, url: string, fields: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { ...(session?.headers ?? {}), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: session?.csrf ?? '', ...fields }).toString(),
    });
  const staff = (who: string) => cast.s[who] ?? s[who];
  /** An invalid post: refused with `status` and the error summary naming `field`, nothing written. */
  const refusedPost = async (
    session: Session | undefined,
    url: string,
    fields: Record<string, string>,
    status: number,
    field: string,
  ) => {
    const before = await rowCounts(t);
    const res = await post(session, `${url}${url.includes('?') ? '&' : '?'}lang=en`, fields);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(status);
    expect(res.body).toContain('id="error-summary"');
    expect(res.body).toContain(`href="#${field}"`);
    expect(res.body).toContain(`id="${field}"`);
    expect(await rowCounts(t)).toEqual(before);
    return res;
  };

  it.each(LOCALES)('renders the company page with the request form in %s', async (locale) => {
    const tr = translator(locale);
    const res = await page(chosen.session, `${participation(restricted)}?lang=${locale}`);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.body).toContain(`<html lang="${locale}">`);
    expect(res.body).toContain(escapeHtml(tr('selection.company.title')));
    expect(res.body).toContain('id="request-form"');
    expect(res.body).toContain('id="participation-deadline"');
    expect(res.body).toContain(escapeHtml(tr('selection.invitation.notYet')));
  });

  it('shows the participation deadline and the way to the page on the public tender page', async () => {
    const anon = await page(undefined, `/tenders/${restricted.ocid}?lang=en`);
    expect(anon.body).toContain('id="public-participation-deadline"');
    expect(anon.body).toContain(`href="/sign-in?next=${encodeURIComponent(participation(restricted))}"`);
    const mine = await page(chosen.session, `/tenders/${restricted.ocid}`);
    expect(mine.body).toContain(`href="${participation(restricted)}" id="participation-link"`);
    // Only the invited bid here: the way to the bid page goes through the participation page.
    expect(mine.body).not.toContain('id="bid-link"');
    expect(anon.body).not.toContain('id="bid-link"');
    // Without publication nobody asks: no deadline, but the invited reach their page.
    const straight = await page(chosen.session, `/tenders/${direct.ocid}?lang=en`);
    expect(straight.body).toContain(escapeHtml(translator('en')('selection.public.direct')));
    expect(straight.body).not.toContain('id="public-participation-deadline"');
    // Staff of the authority have no company: no link.
    expect((await page(staff('officer'), `/tenders/${restricted.ocid}`)).body).not.toContain(
      'id="participation-link"',
    );
  });

  it('refuses visitors, staff, other companies and tenders that are not there', async () => {
    const anon = await page(undefined, participation(restricted));
    expect(anon.statusCode).toBe(303);
    expect(anon.headers.location).toBe(`/sign-in?next=${encodeURIComponent(participation(restricted))}`);
    expect((await page(staff('officer'), participation(restricted))).statusCode).toBe(403);
    expect((await page(chosen.session, participation(restricted, refused))).statusCode).toBe(404);
    expect((await page(chosen.session, '/tenders/not-an-ocid/participation')).statusCode).toBe(404);
    const unknown = `${restricted.ocid.slice(0, 12)}00000000-0000-4000-8000-000000000000`;
    expect((await page(chosen.session, `/tenders/${unknown}/participation`)).statusCode).toBe(404);
    // Posting for a company the user does not belong to writes nothing.
    const before = await rowCounts(t);
    const foreign = await post(chosen.session, `/tenders/${restricted.ocid}/participation`, {
      companyId: refused.companyId,
      statement: 'Solvència acreditada',
    });
    expect(foreign.statusCode).toBe(404);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('shows the office page to the committee, the officer and auditors; 404 to another authority, 403 to custodians', async () => {
    for (const who of ['committee', 'officer', 'auditor']) {
      const res = await page(staff(who), office(restricted));
      expect(res.statusCode, who).toBe(200);
      // Nobody sees who asked while others may still ask.
      expect(res.body).toContain('id="requests-open"');
      expect(res.body).not.toContain('id="requests-table"');
    }
    expect((await page(staff('auditor'), office(restricted))).body).toContain('id="read-only"');
    expect((await page(s.foreign, office(restricted))).statusCode).toBe(404);
    expect((await page(staff('c1'), office(restricted))).statusCode).toBe(403);
    expect((await page(chosen.session, office(restricted))).statusCode).toBe(404);
    // Linked from the file's page.
    const file = await page(staff('officer'), `/office/${cast.authorityId}/tenders/${restricted.tenderId}`);
    expect(file.body).toContain(`href="${office(restricted)}" id="selection-page"`);
  });

  it('without publication: the officer names companies by tax id, opens a round, the invited answer', async () => {
    const en = translator('en');
    const form = await page(staff('officer'), `${office(direct)}?lang=en`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('id="invite-form"');
    expect(form.body).toContain('id="taxIds"');
    expect(form.body).not.toContain('id="requests"');
    // A tax id of no registered company: named in the error, nothing written.
    const bad = await refusedPost(
      staff('officer'),
      office(direct, '/invitations'),
      { taxIds: `${chosen.taxId}\nB00000000` },
      422,
      'taxIds',
    );
    expect(bad.body).toContain('B00000000');
    // The committee may not invite.
    const before = await rowCounts(t);
    expect(
      (await post(staff('committee'), office(direct, '/invitations'), { taxIds: chosen.taxId })).statusCode,
    ).toBe(403);
    expect(await rowCounts(t)).toEqual(before);
    const sent = await post(staff('officer'), office(direct, '/invitations'), {
      taxIds: ` ${chosen.taxId.toLowerCase()} `,
    });
    expect(sent.statusCode, sent.body.slice(0, 300)).toBe(303);
    expect(sent.headers.location).toBe(`${office(direct)}?done=invited#invitations`);
    const invited = await page(staff('officer'), `${office(direct)}?lang=en&done=invited`);
    expect(invited.body).toContain(`id="invited-${chosen.companyId}"`);
    expect(invited.body).toContain(escapeHtml(en('selection.notice.invited')));
    expect(invited.body).not.toContain('id="invite-form"');
    expect(invited.body).toContain('id="round-form"');

    // A round: an unreadable date is refused and writes nothing; then a valid one.
    const dueIso = new Date(t.clock.now().getTime() + 3 * DAY).toISOString();
    const round = {
      subject: 'Termini d’execució',
      message: 'Proposeu millores del termini.',
      responsesDue: '',
    };
    await refusedPost(staff('officer'), office(direct, '/rounds'), round, 422, 'responsesDue');
    // Answers due after the final offers: refused by the service, shown at the field.
    const late = localInputFromInstant(new Date(direct.deadline.getTime() + DAY).toISOString());
    await refusedPost(
      staff('officer'),
      office(direct, '/rounds'),
      { ...round, responsesDue: late },
      422,
      'responsesDue',
    );
    const opened = await post(staff('officer'), office(direct, '/rounds'), {
      ...round,
      responsesDue: localInputFromInstant(dueIso),
    });
    expect(opened.statusCode, opened.body.slice(0, 300)).toBe(303);
    expect((await page(staff('auditor'), office(direct))).body).toContain('id="round-1"');

    // The invited company sees it is invited and the round; the outsider is not invited.
    const mine = await page(chosen.session, `${participation(direct, chosen)}&lang=en`);
    expect(mine.body).toContain('data-invited="yes"');
    expect(mine.body).toContain(
      `href="/tenders/${direct.ocid}/bid?companyId=${chosen.companyId}" id="bid-page"`,
    );
    expect(mine.body).toContain('id="answer-form-1"');
    const theirs = await page(outsider.session, participation(direct));
    expect(theirs.body).toContain('data-invited="no"');
    expect(theirs.body).not.toContain('id="round-1"');
    // An empty answer is refused; an answer from a company not invited too (the service says so).
    const answerUrl = `/tenders/${direct.ocid}/participation/rounds/1`;
    await refusedPost(chosen.session, answerUrl, { companyId: chosen.companyId, text: '' }, 422, 'answer-1');
    await refusedPost(
      outsider.session,
      answerUrl,
      { companyId: outsider.companyId, text: 'Proposta' },
      403,
      'invitation-h',
    );
    const answered = await post(chosen.session, answerUrl, {
      companyId: chosen.companyId,
      text: 'Deu mesos amb dos tècnics més',
    });
    expect(answered.statusCode, answered.body.slice(0, 300)).toBe(303);
    expect(answered.headers.location).toBe(`${participation(direct, chosen)}&done=answered#round-1`);
    const after = await page(chosen.session, participation(direct, chosen));
    expect(after.body).toContain('id="answer-1-text"');
    expect(after.body).not.toContain('id="answer-form-1"');
    // A second answer to the same round: refused, nothing written.
    await refusedPost(
      chosen.session,
      answerUrl,
      { companyId: chosen.companyId, text: 'Una altra' },
      409,
      'round-1-h',
    );
    const read = await page(staff('committee'), office(direct));
    expect(read.body).toContain('Deu mesos amb dos tècnics més');
  });

  it('takes a request to participate on the page, once, with a statement', async () => {
    const url = `/tenders/${restricted.ocid}/participation`;
    await refusedPost(
      chosen.session,
      url,
      { companyId: chosen.companyId, statement: '   ' },
      422,
      'statement',
    );
    for (const b of [chosen, refused]) {
      const res = await post(b.session, url, {
        companyId: b.companyId,
        statement: `Solvència acreditada per ${b.taxId}`,
      });
      expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
      expect(res.headers.location).toBe(`${participation(restricted, b)}&done=requested#request`);
    }
    const mine = await page(chosen.session, `${participation(restricted, chosen)}&lang=en&done=requested`);
    expect(mine.body).toContain(escapeHtml(translator('en')('selection.notice.requested')));
    expect(mine.body).toContain('data-decision="pending"');
    expect(mine.body).not.toContain('id="request-form"');
    // Twice: the service refuses, the page says so, nothing written.
    await refusedPost(
      chosen.session,
      url,
      { companyId: chosen.companyId, statement: 'Una altra vegada' },
      409,
      'request-h',
    );
  });

  it('after the deadline the committee selects and rejects with reasons, the officer invites', async () => {
    t.clock.set(new Date(t.clock.now().getTime() + PARTICIPATION_DAYS * DAY + 3_600_000));
    await cast.relogin();
    for (const b of [chosen, refused, outsider]) b.session = await login(t, b.email);
    for (const [name, email] of Object.entries(emails)) s[name] = await login(t, email);

    // Too late to ask.
    const closed = await page(outsider.session, participation(restricted));
    expect(closed.body).toContain('id="requests-closed"');
    expect(closed.body).not.toContain('id="request-form"');

    for (const locale of LOCALES) {
      const res = await page(staff('committee'), `${office(restricted)}?lang=${locale}`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain(`<html lang="${locale}">`);
      expect(res.body).toContain('id="requests-table"');
      expect(res.body).toContain(escapeHtml(translator(locale)('selection.office.decideTitle')));
    }
    const listed = await t.db.db
      .selectFrom('participation_request')
      .select(['id', 'company_id', 'version'])
      .where('tender_id', '=', restricted.tenderId)
      .execute();
    const requestOf = (b: Bidder) =>
      listed.find((r) => r.company_id === b.companyId) ?? { id: '', version: 0 };
    const decide = (b: Bidder) => office(restricted, `/requests/${requestOf(b).id}`);
    // A rejection without reasons, and no decision at all: refused, nothing written.
    await refusedPost(
      staff('committee'),
      decide(refused),
      { version: '1', decision: 'rejected', reasons: 'No' },
      422,
      `reasons-${requestOf(refused).id}`,
    );
    await refusedPost(
      staff('committee'),
      decide(refused),
      { version: '1', reasons: '' },
      422,
      `decision-${requestOf(refused).id}-selected`,
    );
    // The officer and auditors have no decision form, and a post from the officer is refused.
    expect((await page(staff('officer'), office(restricted))).body).not.toContain('id="decide-form-');
    expect(
      (await post(staff('officer'), decide(chosen), { version: '1', decision: 'selected' })).statusCode,
    ).toBe(403);

    const ok = await post(staff('committee'), decide(chosen), {
      version: '1',
      decision: 'selected',
      reasons: '',
    });
    expect(ok.statusCode, ok.body.slice(0, 300)).toBe(303);
    expect(ok.headers.location).toBe(`${office(restricted)}?done=decided#requests`);
    const no = await post(staff('committee'), decide(refused), {
      version: '1',
      decision: 'rejected',
      reasons: 'No acredita la solvència tècnica exigida (art. 90)',
    });
    expect(no.statusCode).toBe(303);
    // Before the invitations the company does not know the decision yet.
    expect((await page(refused.session, participation(restricted))).body).toContain(
      'data-decision="pending"',
    );

    // One candidate of a minimum of five, without reasons: the service refuses, nothing written.
    const form = await page(staff('officer'), `${office(restricted)}?lang=en`);
    expect(form.body).toContain('id="invite-summary"');
    expect(form.body).toContain('id="fewerCandidatesReason"');
    await refusedPost(
      staff('officer'),
      office(restricted, '/invitations'),
      { fewerCandidatesReason: '' },
      422,
      'fewerCandidatesReason',
    );
    const sent = await post(staff('officer'), office(restricted, '/invitations'), {
      fewerCandidatesReason: 'Només una empresa acredita la solvència exigida al plec',
    });
    expect(sent.statusCode, sent.body.slice(0, 300)).toBe(303);
    const after = await page(staff('committee'), office(restricted));
    expect(after.body).toContain(`id="invited-${chosen.companyId}"`);
    expect(after.body).not.toContain(`id="invited-${refused.companyId}"`);
    expect(after.body).not.toContain('id="decide-form-');
    // The restricted procedure negotiates nothing.
    expect(after.body).not.toContain('id="negotiation"');

    const mine = await page(chosen.session, `${participation(restricted, chosen)}&lang=es`);
    expect(mine.body).toContain('data-decision="selected"');
    expect(mine.body).toContain('data-invited="yes"');
    expect(mine.body).toContain('id="bid-page"');
    const theirs = await page(refused.session, `${participation(restricted)}?lang=en`);
    expect(theirs.body).toContain('data-decision="rejected"');
    expect(theirs.body).toContain('No acredita la solvència tècnica exigida (art. 90)');
    expect(theirs.body).toContain(escapeHtml(translator('en')('selection.invitation.rejected')));
    expect(theirs.body).not.toContain('id="bid-page"');
  });
});
