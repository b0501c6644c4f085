import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64 } from '../../src/modules/sealing/bytes.js';
import { makeOffer, OFFER_FILE_NAME, offerBytes } from '../../src/modules/sealing/offer.rules.js';
import type { EnvelopeLetter, SealingTarget } from '../../src/modules/sealing/sealing.types.js';
import { encodeSharePayload, unwrapShare } from '../../src/modules/sealing/shares.js';
import type { AuthorityRole } from '../../src/platform/context.js';
import { LOCALES } from '../../src/platform/i18n/i18n.js';
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
import { insertSealedBid } from '../helpers/opening-bids.js';
import { validNif } from '../helpers/tax-ids.js';
import { loadDemoCpv, tenderPayload, recordRequiredDocuments } from '../helpers/tenders.js';

const DAY = 86_400_000;

/**
 * The committee workspace pages (evaluation.pages.ts): qualification, judgement scoring with the
 * report, the computed scoring, and the public "Evaluation" section. Who may read and who may act;
 * every form posts back: a valid post redirects (303) and changes the state, an invalid one is
 * refused with 4xx and an error summary, and writes nothing.
 */
describe(`committee workspace pages (${driverName})`, () => {
  let t: TestApp;
  let a: { id: string };
  const s: Record<string, Session> = {};
  const ids: Record<string, string> = {};
  const emails: Record<string, string> = {};
  const identities = new Map<string, string>();
  const bidIds: string[] = [];
  let tenderId: string;
  let ocid: string;
  let openingAt: Date;

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    await loadDemoCpv(t);
    a = await makeAuthority(t);
    const b = await makeAuthority(t);
    await t.db.db.updateTable('authority').set({ approval_chain: [] }).where('id', '=', a.id).execute();
    const people: [string, string, AuthorityRole[]][] = [
      ['officer', a.id, ['procurement_officer']],
      ['auditor', a.id, ['auditor']],
      ['committee', a.id, ['committee_member']],
      ['outsider', a.id, ['committee_member']],
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
    const keys = await registerCustodianKeys(t, a.id, [ids.c1 ?? '', ids.c2 ?? '', ids.c3 ?? '']);
    for (const w of ['c1', 'c2', 'c3']) identities.set(w, keys.get(ids[w] ?? '')?.identity ?? '');
    for (const [name, email] of Object.entries(emails)) s[name] = await login(t, email);

    const now = t.clock.now();
    const deadline = new Date(now.getTime() + 20 * DAY);
    openingAt = new Date(deadline.getTime() + 2 * 3_600_000);
    const call = async (method: 'POST' | 'PUT', p: string, payload: object) => {
      const res = await t.app.inject({
        method,
        url: `/api/v1/authorities/${a.id}/tenders${p}`,
        headers: s.officer?.headers,
        payload,
      });
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res.json() as { id: string; version: number; ocid: string };
    };
    tenderId = (
      await call('POST', '', {
        ...tenderPayload(now),
        tenderDeadline: deadline.toISOString(),
        openingAt: openingAt.toISOString(),
      })
    ).id;
    await recordRequiredDocuments(t, a.id, tenderId, ids.officer ?? '');
    // The tender's committee is one member: "outsider" is a committee member of the authority only.
    const assigned = await call('PUT', `/${tenderId}/assignments`, {
      version: 1,
      committee: [ids.committee],
      custodians: [ids.c1, ids.c2, ids.c3],
    });
    const approved = await call('POST', `/${tenderId}/submit`, { version: assigned.version });
    ocid = (await call('POST', `/${tenderId}/publish`, { version: approved.version })).ocid;
    const notice = (await t.app.inject({ url: `/api/v1/tenders/${ocid}` })).json() as {
      notice: { sealing: { quorum: number; custodians: SealingTarget['custodians'] } };
    };
    const target = {
      ocid,
      quorum: notice.notice.sealing.quorum,
      custodians: notice.notice.sealing.custodians,
    };
    for (const n of [1, 2, 3]) {
      const company = await makeCompany(t, validNif());
      await t.db.db
        .updateTable('company')
        .set({ legal_name: `Empresa ${n} SL` })
        .where('id', '=', company.id)
        .execute();
      const bidId = newId();
      const offer = offerBytes(
        makeOffer({
          ocid,
          bidId,
          lots: [{ lot: 1, price: `${70 + n}123.45`, values: [{ criterion: 2, value: `${n * 6}` }] }],
        }),
      );
      await insertSealedBid(t, {
        authorityId: a.id,
        tenderId,
        target,
        bidId,
        companyId: company.id,
        submittedBy: ids.officer ?? '',
        envelopes: { A: [`A ${n}`], B: [`B ${n}`], C: [`C ${n}`, { name: OFFER_FILE_NAME, content: offer }] },
      });
      bidIds.push(bidId);
    }
  });
  afterAll(async () => t?.close());

  const office = (p: string) => `/office/${a.id}/tenders/${tenderId}/${p}`;
  const page = (who: string | null, url: string) =>
    t.app.inject({ url, headers: who ? { cookie: s[who]?.cookie ?? '' } : {} });
  const post = (who: string, url: string, fields: [string, string][]) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { ...s[who]?.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams([['_csrf', s[who]?.csrf ?? ''], ...fields]).toString(),
    });
  const qualification = async () =>
    (
      await t.app.inject({
        url: `/api/v1/authorities/${a.id}/tenders/${tenderId}/qualification`,
        headers: s.officer?.headers,
      })
    ).json() as { bids: { bidId: string; status: string; version: number }[] };
  const statusOf = async (bidId: string) => (await qualification()).bids.find((x) => x.bidId === bidId);

  /** What a custodian's device does: decrypt their shares of `envelope` and submit them. */
  async function submitAs(who: string, envelope: EnvelopeLetter) {
    const base = `/api/v1/authorities/${a.id}/tenders/${tenderId}/opening/${envelope}/shares`;
    const mine = await t.app.inject({ url: `${base}/mine`, headers: s[who]?.headers });
    expect(mine.statusCode, mine.body).toBe(200);
    const body = mine.json() as { custodianIndex: number; shares: { bidId: string; ciphertext: string }[] };
    const shares = [];
    for (const x of body.shares) {
      const payload = await unwrapShare(fromBase64(x.ciphertext) as Uint8Array, identities.get(who) ?? '', {
        ocid,
        bidId: x.bidId,
        envelope,
        index: body.custodianIndex,
      });
      shares.push({ bidId: x.bidId, share: encodeSharePayload(payload) });
    }
    const res = await t.app.inject({
      method: 'POST',
      url: base,
      headers: s[who]?.headers,
      payload: { shares },
    });
    expect(res.statusCode, res.body).toBe(200);
  }

  it('links the workspace from the file and the opening page; says nothing is open yet', async () => {
    const file = await page('officer', `/office/${a.id}/tenders/${tenderId}`);
    expect(file.body).toContain(`href="${office('qualification')}" id="committee-workspace"`);
    const opening = await page('committee', office('opening'));
    expect(opening.body).toContain(`href="${office('qualification')}" id="committee-workspace"`);
    const res = await page('committee', office('qualification'));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('id="qualification-state"');
    expect(res.body).toContain('id="no-bids"');
    const judgement = (await page('committee', office('judgement'))).body;
    expect(judgement).toContain('id="judgement-state"');
    expect(judgement).not.toContain('data-missing');
    expect((await page('officer', office('scoring'))).body).toContain('id="not-available"');
  });

  it('shows the pages to the committee, the officer and auditors only; others 403/404', async () => {
    // The opening time comes; sessions of the beforeAll have expired: everyone signs in again.
    t.clock.set(openingAt);
    for (const [name, email] of Object.entries(emails)) s[name] = await login(t, email);
    await submitAs('c1', 'A');
    await submitAs('c2', 'A');
    for (const p of ['qualification', 'judgement', 'scoring']) {
      for (const who of ['committee', 'officer', 'auditor', 'outsider']) {
        expect((await page(who, office(p))).statusCode, `${who} ${p}`).toBe(200);
      }
      expect((await page('c1', office(p))).statusCode, p).toBe(403);
      expect((await page('foreign', office(p))).statusCode, p).toBe(404);
      expect((await page('committee', `/office/${a.id}/tenders/${newId()}/${p}`)).statusCode).toBe(404);
      expect((await page('committee', `/office/${a.id}/tenders/nope/${p}`)).statusCode).toBe(404);
      const anonymous = await page(null, office(p));
      expect(anonymous.statusCode).toBe(303);
      expect(anonymous.headers.location).toContain('/sign-in?next=');
    }
    const committee = await page('committee', office('qualification'));
    for (const id of bidIds) {
      expect(committee.body).toContain(`id="admit-${id}"`);
      expect(committee.body).toContain(`id="exclude-${id}"`);
      expect(committee.body).toContain(`id="remediation-${id}"`);
      expect(committee.body).toContain('name="version" value="0"');
    }
    // Read-only for the officer, auditors and members not on this tender's committee.
    for (const who of ['officer', 'auditor', 'outsider']) {
      const res = await page(who, office('qualification'));
      expect(res.body, who).toContain('id="read-only"');
      expect(res.body, who).not.toContain('id="admit-');
    }
    for (const lang of LOCALES) {
      const res = await page('committee', `${office('qualification')}?lang=${lang}`);
      expect(res.body).toContain(`<html lang="${lang}">`);
      expect(res.body).toContain('id="qualification-table"');
      expect(res.body).toContain('Empresa 1 SL');
    }
  });

  it('qualifies on the page: invalid posts write nothing, valid ones redirect and change the state', async () => {
    const [b1, b2, b3] = bidIds as [string, string, string];
    const url = (bidId: string) => office(`qualification/${bidId}`);
    const before = await rowCounts(t);
    const noGrounds = await post('committee', url(b3), [
      ['version', '0'],
      ['decision', 'exclude'],
      ['reasons', 'curt'],
    ]);
    expect(noGrounds.statusCode).toBe(422);
    expect(noGrounds.body).toContain('id="error-summary"');
    expect(noGrounds.body).toContain(`href="#grounds-${b3}-capacity"`);
    expect(noGrounds.body).toContain(`href="#reasons-${b3}"`);
    expect(noGrounds.body).toContain('curt');
    const badDays = await post('committee', url(b2), [
      ['version', '0'],
      ['decision', 'request_remediation'],
      ['items', 'DEUC sense signar'],
      ['days', '4'],
    ]);
    expect(badDays.statusCode).toBe(422);
    expect(badDays.body).toContain(`href="#days-${b2}"`);
    const noItems = await post('committee', url(b2), [
      ['version', '0'],
      ['decision', 'request_remediation'],
      ['items', '  '],
      ['days', '2'],
    ]);
    expect(noItems.statusCode).toBe(422);
    expect(noItems.body).toContain(`href="#items-${b2}"`);
    // Excluding for defects not remedied needs a remediation request first (the service says so).
    const notAsked = await post('committee', url(b3), [
      ['version', '0'],
      ['decision', 'exclude'],
      ['grounds', 'remediation_not_provided'],
      ['reasons', 'No ha esmenat la documentació'],
    ]);
    expect(notAsked.statusCode).toBe(409);
    expect(notAsked.body).toContain('id="error-summary"');
    const stale = await post('committee', url(b1), [
      ['version', '3'],
      ['decision', 'admit'],
    ]);
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('id="error-summary"');
    expect((await post('committee', url(b1), [['decision', 'admit']])).statusCode).toBe(400);
    expect(
      (
        await post('officer', url(b1), [
          ['version', '0'],
          ['decision', 'admit'],
        ])
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await post('outsider', url(b1), [
          ['version', '0'],
          ['decision', 'admit'],
        ])
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await post('foreign', url(b1), [
          ['version', '0'],
          ['decision', 'admit'],
        ])
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await post('committee', office(`qualification/${newId()}`), [
          ['version', '0'],
          ['decision', 'admit'],
        ])
      ).statusCode,
    ).toBe(404);
    expect(await rowCounts(t)).toEqual(before);
    expect((await statusOf(b1))?.status).toBe('pending');

    const admitted = await post('committee', url(b1), [
      ['version', '0'],
      ['decision', 'admit'],
    ]);
    expect(admitted.statusCode, admitted.body).toBe(303);
    expect(admitted.headers.location).toBe(`${office('qualification')}?done=decided`);
    expect((await statusOf(b1))?.status).toBe('admitted');
    const asked = await post('committee', url(b2), [
      ['version', '0'],
      ['decision', 'request_remediation'],
      ['items', 'DEUC sense signar\nCertificat de la Seguretat Social'],
      ['days', '2'],
    ]);
    expect(asked.statusCode, asked.body).toBe(303);
    expect(await statusOf(b2)).toMatchObject({ status: 'remediation_requested', version: 1 });
    const excluded = await post('committee', url(b3), [
      ['version', '0'],
      ['decision', 'exclude'],
      ['grounds', 'solvency'],
      ['grounds', 'documentation'],
      ['reasons', 'Solvència econòmica no acreditada (art. 87 LCSP)'],
    ]);
    expect(excluded.statusCode, excluded.body).toBe(303);
    expect((await statusOf(b3))?.status).toBe('excluded');
    const shown = await page('committee', `${office('qualification')}?done=decided`);
    expect(shown.body).toContain('id="notice"');
    expect(shown.body).toMatch(new RegExp(`id="row-${b2}" data-status="remediation_requested"`));
    expect(shown.body).toContain('Certificat de la Seguretat Social');
    expect(shown.body).not.toContain(`id="admit-${b1}"`);
    expect(shown.body).toContain(`id="admit-${b2}"`);
    expect(shown.body).not.toContain(`id="remediation-${b2}"`);
    expect(shown.body).toContain('name="version" value="1"');
    const last = await post('committee', url(b2), [
      ['version', '1'],
      ['decision', 'admit'],
    ]);
    expect(last.statusCode, last.body).toBe(303);
    const done = await page('committee', office('qualification'));
    expect(done.body).not.toContain('id="decisions"');
  });

  it('scores judgement criteria and approves the report on the page', async () => {
    await submitAs('c2', 'B');
    await submitAs('c3', 'B');
    const [b1, b2] = bidIds as [string, string];
    const key = (bidId: string) => `${bidId}-1-3`;
    const url = (bidId: string) => office(`judgement/${bidId}/1/3`);
    let sheet = await page('committee', office('judgement'));
    expect(sheet.statusCode).toBe(200);
    expect(sheet.body).toContain('data-missing="2"');
    expect(sheet.body).toContain(`id="score-${key(b1)}"`);
    expect(sheet.body).toContain(`id="score-${key(b2)}"`);
    expect(sheet.body).not.toContain('id="report-form"');
    expect(sheet.body).toContain('Memòria tècnica');
    for (const who of ['officer', 'auditor', 'outsider']) {
      const res = await page(who, office('judgement'));
      expect(res.body, who).not.toContain('id="score-');
      expect(res.body, who).toContain('id="read-only"');
    }

    const reasons = 'Memòria tècnica completa i ben argumentada';
    const before = await rowCounts(t);
    for (const [points, justification, status, field] of [
      ['40,01', reasons, 422, 'points'],
      ['abc', reasons, 422, 'points'],
      ['12.345', reasons, 422, 'points'],
      ['30', 'curt', 422, 'justification'],
    ] as const) {
      const res = await post('committee', url(b1), [
        ['points', points],
        ['justification', justification],
      ]);
      expect(res.statusCode, `${points} ${justification}`).toBe(status);
      expect(res.body).toContain('id="error-summary"');
      expect(res.body).toContain(`href="#${field}-${key(b1)}"`);
    }
    expect(
      (
        await post('outsider', url(b1), [
          ['points', '30'],
          ['justification', reasons],
        ])
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await post('committee', office(`judgement/${b1}/1/1`), [
          ['points', '3'],
          ['justification', reasons],
        ])
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await post('committee', office(`judgement/${bidIds[2]}/1/3`), [
          ['points', '3'],
          ['justification', reasons],
        ])
      ).statusCode,
    ).toBe(404);
    const early = await post('committee', office('judgement/report'), [['summary', 'Acta 3/2026']]);
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain('id="error-summary"');
    expect(await rowCounts(t)).toEqual(before);

    const first = await post('committee', url(b1), [
      ['points', '31,5'],
      ['justification', reasons],
    ]);
    expect(first.statusCode, first.body).toBe(303);
    expect(first.headers.location).toBe(`${office('judgement')}?done=scored#c-${key(b1)}`);
    expect(
      (
        await post('committee', url(b2), [
          ['points', '22.25'],
          ['justification', reasons],
        ])
      ).statusCode,
    ).toBe(303);
    sheet = await page('committee', `${office('judgement')}?lang=en`);
    expect(sheet.body).toContain('data-missing="0"');
    expect(sheet.body).toContain('31.50');
    expect(sheet.body).toContain('id="report-form"');
    const empty = await post('committee', office('judgement/report'), [['summary', ' ']]);
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('href="#summary"');
    expect((await page('officer', office('opening'))).body).toContain('id="b-report-state"');

    const ok = await post('committee', office('judgement/report'), [
      ['summary', 'Acta 3/2026 de la mesa, informe tècnic aprovat'],
    ]);
    expect(ok.statusCode, ok.body).toBe(303);
    expect(ok.headers.location).toBe(`${office('judgement')}?done=approved`);
    const report = await t.app.inject({ url: `/api/v1/tenders/${ocid}/judgement-report` });
    expect(report.statusCode).toBe(200);
    expect((report.json() as { report: { summary: string } }).report.summary).toBe(
      'Acta 3/2026 de la mesa, informe tècnic aprovat',
    );
    sheet = await page('committee', `${office('judgement')}?done=approved`);
    expect(sheet.body).toContain('id="notice"');
    expect(sheet.body).toContain('id="report-json"');
    expect(sheet.body).not.toContain('id="report-form"');
    expect(sheet.body).not.toContain('id="score-');
    // The opening page sees the approval recorded through the workspace.
    const opening = await page('committee', office('opening'));
    expect(opening.body).not.toContain('id="b-report-form"');
    expect(opening.body).toMatch(/id="state-C" data-state="open"/);
  });

  it('shows the computed scoring after C, and the evaluation on the public page', async () => {
    await submitAs('c1', 'C');
    await submitAs('c3', 'C');
    const [b1, b2] = bidIds as [string, string];
    for (const lang of LOCALES) {
      const res = await page('officer', `${office('scoring')}?lang=${lang}`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('id="scoring-1"');
      expect(res.body).toContain(`id="offer-${b1}"`);
      expect(res.body).toContain(`id="offer-${b2}"`);
      expect(res.body).not.toContain(`id="offer-${bidIds[2]}"`);
    }
    const en = (await page('auditor', `${office('scoring')}?lang=en`)).body;
    // Money formatted with Intl in the page's language.
    expect(en).toContain('€71,123.45');
    expect(en).toContain('31.50');
    const ca = (await page('committee', `${office('scoring')}?lang=ca`)).body;
    expect(ca).toMatch(/71\.123,45\s€/);

    for (const lang of LOCALES) {
      const res = await t.app.inject({ url: `/tenders/${ocid}?lang=${lang}` });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('id="evaluation"');
      expect(res.body).toContain('id="evaluation-lot-1"');
      expect(res.body).toContain(`href="/api/v1/tenders/${ocid}/judgement-report"`);
      expect(res.body).toContain('Empresa 1 SL');
    }
    expect((await t.app.inject({ url: `/tenders/${ocid}?lang=en` })).body).toContain('22.25');
  });
});
