import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64 } from '../../src/modules/sealing/bytes.js';
import { makeOffer, OFFER_FILE_NAME, offerBytes } from '../../src/modules/sealing/offer.rules.js';
import type { EnvelopeLetter, SealingTarget } from '../../src/modules/sealing/sealing.types.js';
import { encodeSharePayload, unwrapShare } from '../../src/modules/sealing/shares.js';
import type { AuthorityRole } from '../../src/platform/context.js';
import { newId } from '../../src/platform/ids.js';
import { LOCALES } from '../../src/platform/i18n/i18n.js';
import {
  buildTestApp,
  login,
  makeAuthority,
  makeCompany,
  makeUser,
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
 * The opening page (opening.pages.ts) and the public opening records: who may see it, what each
 * envelope's state is before the deadline, at the opening time, while custodians submit and once
 * opened; the committee's "B report approved" form; the records on the public tender page.
 */
describe(`opening pages (${driverName})`, () => {
  let t: TestApp;
  let a: { id: string };
  let b: { id: string };
  const s: Record<string, Session> = {};
  const ids: Record<string, string> = {};
  const emails: Record<string, string> = {};
  const identities = new Map<string, string>();
  let tenderId: string;
  let draftId: string;
  let ocid: string;
  let deadline: Date;
  let openingAt: Date;
  let target: SealingTarget;

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    await loadDemoCpv(t);
    a = await makeAuthority(t);
    b = await makeAuthority(t);
    await t.db.db.updateTable('authority').set({ approval_chain: [] }).where('id', '=', a.id).execute();
    const company = await makeCompany(t, validNif());
    const people: [string, string, AuthorityRole[]][] = [
      ['officer', a.id, ['procurement_officer']],
      ['committee', a.id, ['committee_member']],
      ['c1', a.id, ['key_custodian']],
      ['c2', a.id, ['key_custodian']],
      ['c3', a.id, ['key_custodian']],
      ['spare', a.id, ['key_custodian']],
      ['foreign', b.id, ['procurement_officer', 'key_custodian', 'committee_member']],
    ];
    for (const [name, authorityId, roles] of people) {
      const u = await makeUser(t, { roles: [{ authorityId, roles }] });
      ids[name] = u.id;
      emails[name] = u.email;
    }
    const bidderUser = await makeUser(t, {
      companies: [{ companyId: company.id, roles: ['company_admin'] }],
    });
    ids.company = bidderUser.id;
    emails.company = bidderUser.email;
    for (const [name, email] of Object.entries(emails)) s[name] = await login(t, email);
    const keys = await registerCustodianKeys(t, a.id, [
      ids.c1 ?? '',
      ids.c2 ?? '',
      ids.c3 ?? '',
      ids.spare ?? '',
    ]);
    for (const w of ['c1', 'c2', 'c3', 'spare']) identities.set(w, keys.get(ids[w] ?? '')?.identity ?? '');

    const now = t.clock.now();
    deadline = new Date(now.getTime() + 20 * DAY);
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
    const input = {
      ...tenderPayload(now),
      tenderDeadline: deadline.toISOString(),
      openingAt: openingAt.toISOString(),
    };
    tenderId = (await call('POST', '', input)).id;
    draftId = (await call('POST', '', tenderPayload(now))).id;
    await recordRequiredDocuments(t, a.id, tenderId, ids.officer ?? '');
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
    target = { ocid, quorum: notice.notice.sealing.quorum, custodians: notice.notice.sealing.custodians };
    for (const n of [1, 2]) {
      const bidder = await makeCompany(t, validNif());
      await t.db.db
        .updateTable('company')
        .set({ legal_name: `Licitadora ${n} SL` })
        .where('id', '=', bidder.id)
        .execute();
      // Bid 1 states its price in offer.json, which the C record reads out (art. 157.4 LCSP).
      const bidId = newId();
      const offer = offerBytes(makeOffer({ ocid, bidId, lots: [{ lot: 1, price: '98765.43', values: [] }] }));
      await insertSealedBid(t, {
        authorityId: a.id,
        tenderId,
        target,
        bidId,
        companyId: bidder.id,
        submittedBy: ids.officer ?? '',
        envelopes: {
          A: [`A ${n}`],
          B: [`B ${n}`],
          C: n === 1 ? [`C ${n}`, { name: OFFER_FILE_NAME, content: offer }] : [`C ${n}`],
        },
      });
    }
  });
  afterAll(async () => t?.close());

  const pageUrl = (tender = tenderId, authority = a.id) => `/office/${authority}/tenders/${tender}/opening`;
  const page = (who: string | null, url = pageUrl()) =>
    t.app.inject({ url, headers: who ? { cookie: s[who]?.cookie ?? '' } : {} });
  const stateOf = (body: string, e: string) =>
    new RegExp(`id="state-${e}" data-state="(\\w+)"`).exec(body)?.[1];
  const signInAgain = async () => {
    for (const [name, email] of Object.entries(emails)) s[name] = await login(t, email);
  };

  /** What the custodian's browser does (custodian-open.ts), with Node: unwrap and submit. */
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

  it('links the opening page from the published file, not from a draft', async () => {
    const file = await page('officer', `/office/${a.id}/tenders/${tenderId}`);
    expect(file.statusCode).toBe(200);
    expect(file.body).toContain(`href="${pageUrl()}" id="opening-page"`);
    const draft = await page('officer', `/office/${a.id}/tenders/${draftId}`);
    expect(draft.body).not.toContain('id="opening-page"');
    const draftOpening = await page('officer', pageUrl(draftId));
    expect(draftOpening.statusCode).toBe(200);
    expect(draftOpening.body).toContain('id="not-published"');
  });

  it('shows the page to the authority’s staff only: custodians get the decryption step, others 404', async () => {
    const c1 = await page('c1');
    expect(c1.statusCode).toBe(200);
    expect(c1.body).toContain('id="custodian-tool"');
    expect(c1.body).toContain('/assets/js/custodian-open.js');
    expect(c1.body).toContain('<meta name="csrf-token"');
    expect(c1.body).toContain('id="your-position"');
    for (const who of ['committee', 'officer', 'spare']) {
      const res = await page(who);
      expect(res.statusCode, who).toBe(200);
      expect(res.body, who).not.toContain('id="custodian-tool"');
      expect(res.body, who).not.toContain('custodian-open.js');
    }
    expect((await page('foreign')).statusCode).toBe(404);
    expect((await page('company')).statusCode).toBe(404);
    expect((await page('c1', pageUrl(newId()))).statusCode).toBe(404);
    expect((await page('c1', pageUrl('not-a-uuid'))).statusCode).toBe(404);
    const anonymous = await page(null);
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toContain('/sign-in?next=');
  });

  it('says every envelope waits for the opening time before it, in each language', async () => {
    for (const lang of LOCALES) {
      const res = await page('c1', `${pageUrl()}?lang=${lang}`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain(`<html lang="${lang}">`);
      for (const e of ['A', 'B', 'C']) expect(stateOf(res.body, e), `${lang} ${e}`).toBe('not_yet');
      expect(res.body).not.toContain('class="open-envelope"');
    }
    // After the deadline but before the opening time the authority set: still not openable.
    t.clock.set(new Date(deadline.getTime() + 60_000));
    await signInAgain();
    expect(stateOf((await page('c1')).body, 'A')).toBe('not_yet');
  });

  it('opens A for the custodians at the opening time, counts submissions, then shows the record', async () => {
    t.clock.set(openingAt);
    let res = await page('c1');
    expect(stateOf(res.body, 'A')).toBe('open');
    expect(stateOf(res.body, 'B')).toBe('earlier');
    expect(stateOf(res.body, 'C')).toBe('earlier');
    expect(res.body).toContain('id="open-A"');
    expect(res.body).not.toContain('id="open-B"');
    expect(res.body).toMatch(/data-state="open">[^<]*0[^<]*2/);
    expect((await page('committee')).body).not.toContain('id="open-A"');

    await submitAs('c1', 'A');
    res = await page('c2');
    expect(res.body).toMatch(/data-state="open">[^<]*1[^<]*2/);
    await submitAs('c2', 'A');
    res = await page('c3');
    expect(stateOf(res.body, 'A')).toBe('opened');
    expect(res.body).toContain(`href="/tenders/${ocid}#openings" id="record-A"`);
    // B waits for the committee to admit or exclude every bid of A.
    expect(stateOf(res.body, 'B')).toBe('qualification');
    expect(stateOf(res.body, 'C')).toBe('earlier');
    const qualification = `/api/v1/authorities/${a.id}/tenders/${tenderId}/qualification`;
    const listed = (await t.app.inject({ url: qualification, headers: s.committee?.headers })).json() as {
      bids: { bidId: string }[];
    };
    for (const bid of listed.bids) {
      const ok = await t.app.inject({
        method: 'POST',
        url: `${qualification}/${bid.bidId}`,
        headers: s.committee?.headers,
        payload: { version: 0, decision: 'admit' },
      });
      expect(ok.statusCode, ok.body).toBe(200);
    }
    expect(stateOf((await page('c3')).body, 'B')).toBe('open');
  });

  it('lets a committee member record the B report once B is open, with a required text', async () => {
    const before = await page('committee');
    expect(before.body).not.toContain('id="b-report-form"');
    await submitAs('c2', 'B');
    await submitAs('c3', 'B');
    let res = await page('committee');
    expect(stateOf(res.body, 'B')).toBe('opened');
    expect(stateOf(res.body, 'C')).toBe('report');
    expect(res.body).toContain('id="b-report-form"');
    // Custodians and officers read the state but get no form.
    expect((await page('c1')).body).not.toContain('id="b-report-form"');
    expect((await page('officer')).body).not.toContain('id="b-report-form"');

    const post = (who: string, text: string) =>
      t.app.inject({
        method: 'POST',
        url: `${pageUrl()}/b-report`,
        headers: { ...s[who]?.headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: s[who]?.csrf ?? '', 'b-report': text }).toString(),
      });
    const empty = await post('committee', '  ');
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('id="error-summary"');
    expect(empty.body).toContain('href="#b-report"');
    expect(stateOf((await page('committee')).body, 'C')).toBe('report');
    expect((await post('foreign', 'Acta 3/2026')).statusCode).toBe(404);
    expect((await post('c1', 'Acta 3/2026')).statusCode).toBe(403);
    // Not before every judgement score is in: the page says how many are missing.
    const judgement = `/api/v1/authorities/${a.id}/tenders/${tenderId}/judgement`;
    const sheet = (await t.app.inject({ url: judgement, headers: s.committee?.headers })).json() as {
      missing: string[];
    };
    expect(sheet.missing.length).toBeGreaterThan(0);
    const early = await post('committee', 'Acta de la mesa 3/2026');
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain('id="error-summary"');
    expect(early.body).toContain(`Encara falten ${sheet.missing.length} puntuacions`);
    for (const key of sheet.missing) {
      const [bidId, lot, criterion] = key.split('/');
      const scored = await t.app.inject({
        method: 'PUT',
        url: `${judgement}/${bidId}/lots/${lot}/criteria/${criterion}`,
        headers: s.committee?.headers,
        payload: { points: '25', justification: 'Proposta tècnica suficient' },
      });
      expect(scored.statusCode, scored.body).toBe(200);
    }
    const ok = await post('committee', 'Acta de la mesa 3/2026');
    expect(ok.statusCode, ok.body).toBe(303);
    expect(ok.headers.location).toBe(`${pageUrl()}?done=approved`);
    res = await page('committee', `${pageUrl()}?done=approved`);
    expect(res.body).toContain('id="notice"');
    expect(res.body).not.toContain('id="b-report-form"');
    expect(stateOf(res.body, 'C')).toBe('open');
  });

  it('lists the opening records on the public tender page', async () => {
    await submitAs('c1', 'C');
    await submitAs('c3', 'C');
    expect(stateOf((await page('c1')).body, 'C')).toBe('opened');
    for (const lang of LOCALES) {
      const res = await t.app.inject({ url: `/tenders/${ocid}?lang=${lang}` });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('id="openings"');
      for (const e of ['A', 'B', 'C']) expect(res.body).toContain(`id="opening-${e}"`);
      expect(res.body).toContain('Licitadora 1 SL');
      expect(res.body).toContain('Licitadora 2 SL');
      expect(res.body).toMatch(/98[.,\s\u202f]?765[.,]43/);
    }
  });
});
