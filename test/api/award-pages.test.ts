import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../src/modules/calendar/calendar.rules.js';
import { localInputFromInstant } from '../../src/modules/portal/backoffice-tender-form.js';
import { LOCALES, translator } from '../../src/platform/i18n/i18n.js';
import { newId } from '../../src/platform/ids.js';
import { samplePdf } from '../../src/platform/storage/sample-files.js';
import {
  buildTestApp,
  login,
  makeCompany,
  makeUser,
  rowCounts,
  type Session,
  type TestApp,
} from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import { type EvaluatedTender, openedTender } from '../helpers/evaluation.js';
import { validNif } from '../helpers/tax-ids.js';

type Review = { bidId: string; lot: number; status: string; version: number };
type LotAward = {
  lot: number;
  status: string;
  version: number;
  rankingStatus: string;
  draw: string[] | null;
  candidate: string | null;
  standstillEnds: string | null;
  contractId: string | null;
};
type Contract = { id: string; status: string; version: number; totalExclVat: string; paidExclVat: string };

const ca = translator('ca');

/**
 * The office pages after envelope C (abnormal-review.pages.ts, award.pages.ts, contract.pages.ts)
 * on a one-lot tender of 150,000 € with three offers: 30,000 € is presumed abnormally low (more
 * than 10 % below the mean), the two of 45,000 € tie. The committee rejects the abnormal offer,
 * records the draw, proposes and checks the documentation; the officer awards, notifies, waits the
 * standstill and formalises; then records the contract's start, an amendment and a payment. Every
 * form: an invalid post is refused with its error and writes nothing, a valid one redirects (303).
 */
describe(`abnormal-offer review, award and contract pages (${driverName})`, () => {
  let t: TestApp;
  let e: EvaluatedTender;
  const s: Record<string, Session> = {};
  const extra: Record<string, string> = {};
  let abnormal: string;
  let tiedA: string;
  let tiedB: string;
  let contractId = '';
  let round = 0;

  const signInAll = async () => {
    await e.relogin();
    Object.assign(s, e.sessions);
    round += 1;
    for (const [name, email] of Object.entries(extra)) {
      s[name] = await login(t, email, undefined, { remoteAddress: `10.66.${round}.1` });
    }
  };

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    e = await openedTender(t, ['30000.00', '45000.00', '45000.00']);
    [abnormal, tiedA, tiedB] = e.bidIds as [string, string, string];
    const company = await makeCompany(t, validNif());
    const people: [string, Parameters<typeof makeUser>[1]][] = [
      ['auditor', { roles: [{ authorityId: e.authorityId, roles: ['auditor'] }] }],
      ['outsider', { roles: [{ authorityId: e.authorityId, roles: ['committee_member'] }] }],
      ['bidder', { companies: [{ companyId: company.id, roles: ['company_admin'] }] }],
    ];
    for (const [name, opts] of people) extra[name] = (await makeUser(t, opts)).email;
    await signInAll();
  });
  afterAll(async () => t?.close());

  const office = (p: string) => `/office/${e.authorityId}/tenders/${e.tenderId}/${p}`;
  const api = (p: string) => `/api/v1/authorities/${e.authorityId}${p}`;
  const page = (who: string | null, url: string) =>
    t.app.inject({ url, headers: who ? { cookie: s[who]?.cookie ?? '' } : {} });
  const post = (who: string, url: string, fields: [string, string][]) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { ...s[who]?.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams([['_csrf', s[who]?.csrf ?? ''], ...fields]).toString(),
    });
  const review = async () => {
    const res = await t.app.inject({
      url: api(`/tenders/${e.tenderId}/abnormal-offers`),
      headers: s.officer?.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    const lots = (res.json() as { lots: { lot: number; offers: Review[] }[] }).lots;
    return lots[0]?.offers.find((o) => o.bidId === abnormal) as Review;
  };
  const lot1 = async () => {
    const res = await t.app.inject({
      url: api(`/tenders/${e.tenderId}/awards`),
      headers: s.officer?.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { lots: LotAward[] }).lots.find((l) => l.lot === 1) as LotAward;
  };
  const contract = async () => {
    const res = await t.app.inject({ url: api(`/contracts/${contractId}`), headers: s.officer?.headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Contract;
  };
  /** A post that must be refused with 4xx, show `expected` and write nothing. */
  const refused = async (
    who: string,
    url: string,
    fields: [string, string][],
    status: number,
    expected: string[],
  ) => {
    const before = await rowCounts(t);
    const res = await post(who, url, fields);
    expect(res.statusCode, res.body.slice(0, 400)).toBe(status);
    for (const x of expected) expect(res.body).toContain(x);
    expect(await rowCounts(t)).toEqual(before);
    return res;
  };
  /** A post that must redirect (PRG) to `to`, whose page then shows the notice. */
  const accepted = async (who: string, url: string, fields: [string, string][], to: string) => {
    const res = await post(who, url, fields);
    expect(res.statusCode, /<div class="error-summary"[\s\S]*?<\/div>/.exec(res.body)?.[0] ?? res.body).toBe(
      303,
    );
    expect(res.headers.location).toContain(to);
    const next = await page(who, String(res.headers.location));
    expect(next.statusCode).toBe(200);
    expect(next.body).toContain('id="notice"');
    return next;
  };

  describe('abnormal-offer review', () => {
    const key = () => `${abnormal}-1`;
    const url = () => office(`abnormal-offers/${abnormal}/1`);

    it('renders in ca, es and en; the committee acts, the officer, auditors and outsiders read', async () => {
      for (const lang of LOCALES) {
        const res = await page('committee', `${office('abnormal-offers')}?lang=${lang}`);
        expect(res.statusCode).toBe(200);
        expect(res.body).toContain(`<html lang="${lang}">`);
        expect(res.body).toContain(translator(lang)('award.abnormal.lead'));
        expect(res.body).toContain(`id="offer-${key()}" data-status="presumed"`);
        expect(res.body).toContain(`id="request_justification-${key()}"`);
        // Only the presumed offer is listed.
        expect(res.body).not.toContain(`id="offer-${tiedA}-1"`);
      }
      for (const who of ['officer', 'auditor', 'outsider']) {
        const res = await page(who, office('abnormal-offers'));
        expect(res.statusCode, who).toBe(200);
        expect(res.body, who).toContain('id="read-only"');
        expect(res.body, who).not.toContain('id="form-request_justification');
      }
    });

    it('refuses other authorities, companies, custodians and anonymous visitors', async () => {
      for (const p of ['abnormal-offers', 'award']) {
        expect((await page('foreign', office(p))).statusCode, p).toBe(404);
        expect((await page('bidder', office(p))).statusCode, p).toBe(404);
        expect((await page('c1', office(p))).statusCode, p).toBe(403);
        expect((await page('committee', `/office/${e.authorityId}/tenders/${newId()}/${p}`)).statusCode).toBe(
          404,
        );
        expect((await page('committee', `/office/${e.authorityId}/tenders/nope/${p}`)).statusCode).toBe(404);
        const anonymous = await page(null, office(p));
        expect(anonymous.statusCode).toBe(303);
        expect(anonymous.headers.location).toContain('/sign-in?next=');
      }
      const step: [string, string][] = [
        ['version', '0'],
        ['event', 'request_justification'],
        ['days', '5'],
      ];
      // The page never writes by itself: the service refuses those who may not act.
      await refused('officer', url(), step, 403, []);
      await refused('outsider', url(), step, 403, []);
      await refused('foreign', url(), step, 404, []);
      await refused('bidder', url(), step, 404, []);
    });

    it('runs the review on the page: request, justification, report, rejection', async () => {
      const bad = await refused(
        'committee',
        url(),
        [
          ['version', '0'],
          ['event', 'request_justification'],
          ['days', 'cinc'],
        ],
        422,
        ['id="error-summary"', `href="#request_justification-${key()}-days"`, 'value="cinc"'],
      );
      expect(bad.body).toContain(ca('award.error.days', { max: 30 }));
      // More business days than the law allows (30 outside the simplified procedures).
      await refused(
        'committee',
        url(),
        [
          ['version', '0'],
          ['event', 'request_justification'],
          ['days', '31'],
        ],
        422,
        [`href="#request_justification-${key()}-days"`],
      );
      await accepted(
        'committee',
        url(),
        [
          ['version', '0'],
          ['event', 'request_justification'],
          ['days', '5'],
        ],
        '/abnormal-offers?done=reviewed',
      );
      expect((await review()).status).toBe('justification_requested');
      // A second post with the old version: someone acted meanwhile.
      await refused(
        'committee',
        url(),
        [
          ['version', '0'],
          ['event', 'request_justification'],
          ['days', '5'],
        ],
        409,
        [ca('award.conflict')],
      );
      await accepted(
        'committee',
        url(),
        [
          ['version', '1'],
          ['event', 'receive_justification'],
        ],
        'done=reviewed',
      );
      await refused(
        'committee',
        url(),
        [
          ['version', '2'],
          ['event', 'record_technical_report'],
          ['summary', 'curt'],
        ],
        422,
        [
          `href="#record_technical_report-${key()}-conclusion-accept"`,
          `href="#record_technical_report-${key()}-summary"`,
        ],
      );
      const reported = await accepted(
        'committee',
        url(),
        [
          ['version', '2'],
          ['event', 'record_technical_report'],
          ['conclusion', 'reject'],
          ['summary', 'Els costos salarials són inferiors al conveni col·lectiu del sector'],
        ],
        'done=reviewed',
      );
      expect(reported.body).toContain(`id="form-reject-${key()}"`);
      expect(reported.body).toContain(`id="form-accept-${key()}"`);
      await refused(
        'committee',
        url(),
        [
          ['version', '3'],
          ['event', 'reject'],
          ['reasons', 'El preu no cobreix els costos salarials del conveni'],
        ],
        422,
        [`href="#reject-${key()}-grounds-incomplete"`],
      );
      const done = await accepted(
        'committee',
        url(),
        [
          ['version', '3'],
          ['event', 'reject'],
          ['grounds', 'breaches_environmental_social_labour'],
          ['grounds', 'inadequate_assumptions'],
          ['reasons', 'El preu no cobreix els costos salarials del conveni'],
        ],
        'done=reviewed',
      );
      expect(done.body).toContain(`id="offer-${key()}" data-status="rejected"`);
      expect(done.body).toContain(ca('award.abnormal.ground.breaches_environmental_social_labour'));
      expect((await review()).status).toBe('rejected');
    });
  });

  describe('award', () => {
    const url = (suffix = '') => office(`award/1${suffix}`);

    it('renders the ranking in ca, es and en with the draw form for the committee only', async () => {
      for (const lang of LOCALES) {
        const res = await page('committee', `${office('award')}?lang=${lang}`);
        expect(res.statusCode).toBe(200);
        expect(res.body).toContain(`<html lang="${lang}">`);
        expect(res.body).toContain(translator(lang)('award.award.lead'));
        expect(res.body).toContain('id="lot-1" data-status="ranking"');
        expect(res.body).toContain('id="form-draw-1"');
        // The rejected offer is out of the ranking (art. 149.6).
        expect(res.body).not.toContain(`id="rank-1-${abnormal}"`);
        expect(res.body).toContain(`id="rank-1-${tiedA}"`);
      }
      for (const who of ['auditor', 'outsider']) {
        const res = await page(who, office('award'));
        expect(res.body, who).toContain('id="read-only"');
        expect(res.body, who).not.toContain('id="form-draw-1"');
      }
      // The officer sees the contracting body's steps only (declare void), not the committee's.
      const officer = await page('officer', office('award'));
      expect(officer.body).not.toContain('id="form-draw-1"');
      expect(officer.body).toContain('id="form-declare_void-1"');
    });

    it('records the draw: a repeated number is refused, an order is recorded', async () => {
      await refused(
        'committee',
        url('/draw'),
        [
          ['version', '0'],
          [`order-${tiedA}`, '1'],
          [`order-${tiedB}`, '1'],
        ],
        422,
        ['id="error-summary"', `href="#draw-1-`, ca('award.error.draw', { n: 2 })],
      );
      await refused(
        'officer',
        url('/draw'),
        [
          ['version', '0'],
          [`order-${tiedA}`, '1'],
          [`order-${tiedB}`, '2'],
        ],
        403,
        [],
      );
      await accepted(
        'committee',
        url('/draw'),
        [
          ['version', '0'],
          [`order-${tiedA}`, '2'],
          [`order-${tiedB}`, '1'],
        ],
        'done=drawn',
      );
      const lot = await lot1();
      expect(lot.draw).toEqual([tiedB, tiedA]);
      expect(lot.rankingStatus).toBe('ranked');
    });

    it('takes the award to formalisation, each role its own steps, refusals shown on the page', async () => {
      const step = async (who: string, event: string, fields: [string, string][] = []) => {
        const { version } = await lot1();
        return accepted(
          who,
          url(),
          [['version', String(version)], ['event', event], ...fields],
          'done=stepped',
        );
      };
      const proposed = await step('committee', 'propose');
      expect(proposed.body).toContain('id="lot-1" data-status="proposed"');
      expect((await lot1()).candidate).toBe(tiedB);
      await step('committee', 'request_documentation');
      const v = String((await lot1()).version);
      await refused(
        'committee',
        url(),
        [
          ['version', v],
          ['event', 'documentation_failed'],
          ['reasons', 'no'],
        ],
        422,
        ['href="#documentation_failed-1-reasons"'],
      );
      await step('committee', 'documentation_ok');
      const w = String((await lot1()).version);
      // The committee cannot award: the contracting body does (art. 150.3).
      await refused(
        'committee',
        url(),
        [
          ['version', w],
          ['event', 'award'],
          ['reasons', 'Millor relació qualitat-preu'],
        ],
        403,
        [],
      );
      await refused(
        'officer',
        url(),
        [
          ['version', w],
          ['event', 'award'],
          ['reasons', 'curt'],
        ],
        422,
        ['href="#award-1-reasons"', ca('award.error.reasons', { min: 10, max: 4000 })],
      );
      await step('officer', 'award', [['reasons', 'Oferta amb la millor relació qualitat-preu']]);
      await step('officer', 'notify');
      const standstill = await step('officer', 'start_standstill');
      expect(standstill.body).toContain('id="standstill-hint-1"');
      // Before the standstill ends the step is refused, with the reason in words.
      await refused(
        'officer',
        url(),
        [
          ['version', String((await lot1()).version)],
          ['event', 'clear_for_formalisation'],
        ],
        409,
        [ca('award.reason.standstill_not_over'), 'href="#lot-1-h"'],
      );
      // Two hours after the standstill: the signature form takes whole minutes.
      t.clock.set(new Date(new Date((await lot1()).standstillEnds ?? '').getTime() + 2 * 3_600_000));
      await signInAll();
      const ready = await step('officer', 'clear_for_formalisation');
      expect(ready.body).toContain('id="formalise-1-signedAt"');
      const x = String((await lot1()).version);
      await refused(
        'officer',
        url(),
        [
          ['version', x],
          ['event', 'formalise'],
          ['signedAt', 'ahir'],
        ],
        422,
        ['href="#formalise-1-signedAt"'],
      );
      // Signed within the standstill: the service's refusal, on the field.
      await refused(
        'officer',
        url(),
        [
          ['version', x],
          ['event', 'formalise'],
          [
            'signedAt',
            localInputFromInstant(new Date(t.clock.now().getTime() - 30 * 86_400_000).toISOString()),
          ],
        ],
        422,
        ['href="#formalise-1-signedAt"', ca('award.error.signedAt')],
      );
      const signedAt = localInputFromInstant(new Date(t.clock.now().getTime() - 3_600_000).toISOString());
      const formalised = await step('officer', 'formalise', [['signedAt', signedAt]]);
      contractId = (await lot1()).contractId ?? '';
      expect(contractId).not.toBe('');
      expect(formalised.body).toContain(`href="/office/${e.authorityId}/contracts/${contractId}"`);
      expect(formalised.body).toContain('id="lot-1" data-status="formalised"');
    });
  });

  describe('contracts', () => {
    const list = () => `/office/${e.authorityId}/contracts`;
    const one = () => `${list()}/${contractId}`;
    const events = () => `${one()}/events`;

    it('lists and shows contracts to the officer, auditors and admins; others 403/404', async () => {
      const officer = await page('officer', list());
      expect(officer.statusCode).toBe(200);
      expect(officer.body).toContain(`id="contract-${contractId}" data-status="formalised"`);
      expect((await page('officer', `${list()}?tenderId=${e.tenderId}`)).body).toContain('id="filtered"');
      expect((await page('officer', `${list()}?tenderId=${newId()}`)).body).toContain('id="no-contracts"');
      // The office navigation links the authority's contracts.
      expect(officer.body).toContain(`href="/office/${e.authorityId}/contracts"`);
      for (const lang of LOCALES) {
        const res = await page('officer', `${one()}?lang=${lang}`);
        expect(res.statusCode).toBe(200);
        expect(res.body).toContain(`<html lang="${lang}">`);
        expect(res.body).toContain(translator(lang)('award.contract.status.formalised'));
        expect(res.body).toContain('id="form-start"');
      }
      const auditor = await page('auditor', one());
      expect(auditor.statusCode).toBe(200);
      expect(auditor.body).toContain('id="read-only"');
      expect(auditor.body).not.toContain('id="form-start"');
      for (const url of [list(), one()]) {
        expect((await page('committee', url)).statusCode, url).toBe(403);
        expect((await page('foreign', url.replace(e.authorityId, e.otherAuthorityId))).statusCode).toBe(
          url === list() ? 200 : 404,
        );
        expect((await page('foreign', url)).statusCode, url).toBe(404);
        expect((await page('bidder', url)).statusCode, url).toBe(404);
        expect((await page(null, url)).statusCode, url).toBe(303);
      }
      expect((await page('officer', `${list()}/${newId()}`)).statusCode).toBe(404);
      expect((await page('officer', `${list()}/nope`)).statusCode).toBe(404);
    });

    it('records events on the page: invalid posts write nothing, valid ones change the contract', async () => {
      const version = async () => String((await contract()).version);
      await refused(
        'auditor',
        events(),
        [
          ['version', '0'],
          ['type', 'start'],
        ],
        403,
        [],
      );
      await refused(
        'committee',
        events(),
        [
          ['version', '0'],
          ['type', 'start'],
        ],
        403,
        [],
      );
      await refused(
        'officer',
        events(),
        [
          ['version', '0'],
          ['type', 'start'],
          ['endDate', '2029-13-45'],
        ],
        422,
        ['href="#start-endDate"', ca('award.error.day')],
      );
      await accepted(
        'officer',
        events(),
        [
          ['version', '0'],
          ['type', 'start'],
          ['endDate', '2029-12-31'],
        ],
        'done=recorded',
      );
      expect((await contract()).status).toBe('in_execution');
      const amend = async (fields: [string, string][]) => [
        ['version', await version()] as [string, string],
        ['type', 'amendment'] as [string, string],
        ...fields,
      ];
      /** An amendment with the same reasons; its legal ground, value change and documents vary. */
      const amendment = (legalGround: string, valueChange: string, documents: string[] = []) =>
        amend([
          ['legalGround', legalGround],
          ['groundCase', ''],
          ['valueChange', valueChange],
          ['reasons', 'Ampliació del servei a un nou equipament municipal'],
          ...documents.map((d): [string, string] => ['documents', d]),
        ]);
      await refused('officer', events(), await amendment('art_205', 'mil'), 422, [
        'href="#amendment-groundCase"',
        'href="#amendment-valueChange"',
      ]);
      // Above 20 % of the initial price (45,000 €): the service's art. 204.1 guard.
      const limit = await refused('officer', events(), await amendment('art_204', '9000,01'), 422, [
        'href="#amendment-valueChange"',
        ca('award.reason.art_204_limit'),
      ]);
      expect(limit.body).toContain('9.000,00');
      // The amendment's documents: uploaded first with the page's own form (multipart, the CSRF
      // token in the query string), then ticked in the amendment form.
      const contractPage = `/office/${e.authorityId}/contracts/${contractId}`;
      const uploadOnPage = (who: string, title: string, file: Buffer, type = 'application/pdf') => {
        const boundary = 'award-pages-contract-doc';
        const payload = Buffer.concat([
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n${title}\r\n` +
              `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="informe.pdf"\r\nContent-Type: ${type}\r\n\r\n`,
          ),
          file,
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]);
        return t.app.inject({
          method: 'POST',
          url: `${contractPage}/documents?_csrf=${encodeURIComponent(s[who]?.csrf ?? '')}`,
          headers: {
            cookie: s[who]?.cookie ?? '',
            'content-type': `multipart/form-data; boundary=${boundary}`,
          },
          payload,
        });
      };
      const empty = await page('officer', contractPage);
      expect(empty.body).toContain('id="document-form"');
      expect(empty.body).toContain('id="amendment-documents-none"');
      // The auditor reads the documents but has no form, and cannot upload.
      expect((await page('auditor', contractPage)).body).not.toContain('id="document-form"');
      const pdf = samplePdf('Informe jurídic de la modificació');
      const digest = createHash('sha256').update(pdf).digest('hex');
      const countsBefore = await rowCounts(t);
      expect((await uploadOnPage('auditor', 'Informe', pdf)).statusCode).toBe(403);
      // A type the documents do not take: the page again, the error on the file field, nothing written.
      const wrongType = await uploadOnPage('officer', 'Informe', Buffer.from('PK'), 'application/zip');
      expect(wrongType.statusCode).toBe(415);
      expect(wrongType.body).toContain('href="#cdoc-file"');
      expect(wrongType.body).toContain('value="Informe"');
      const noTitle = await uploadOnPage('officer', '', pdf);
      expect(noTitle.statusCode).toBe(400);
      expect(noTitle.body).toContain('href="#cdoc-title"');
      expect(noTitle.body).toContain(ca('award.contract.docs.titleRequired'));
      expect(await rowCounts(t)).toEqual(countsBefore);
      const up = await uploadOnPage('officer', 'Informe jurídic', pdf);
      expect(up.statusCode, up.body.slice(0, 400)).toBe(303);
      expect(up.headers.location).toContain('done=uploaded');
      const withDocument = await page('officer', String(up.headers.location).split('#')[0] ?? '');
      expect(withDocument.body).toContain(ca('award.contract.docs.uploaded'));
      expect(withDocument.body).toContain(`id="amendment-documents-${digest}"`);
      expect(withDocument.body).toContain('data-published="no"');
      // Not a digest at all (a hand-made post): refused by the page, nothing written.
      await refused('officer', events(), await amendment('art_204', '4500,50', ['informe.pdf']), 422, [
        'href="#amendment-h"',
        ca('award.error.documents'),
      ]);
      // A digest of no document of this contract: the service refuses it, nothing written.
      await refused('officer', events(), await amendment('art_204', '4500,50', ['cd'.repeat(32)]), 422, [
        `href="#amendment-documents-${digest}"`,
        ca('award.reason.unknown_document'),
      ]);
      const amended = await accepted(
        'officer',
        events(),
        await amendment('art_204', '4500,50', [digest]),
        'done=recorded',
      );
      expect(amended.body).toContain('data-type="amendment"');
      expect(amended.body).toContain('data-published="yes"');
      expect(
        (await t.app.inject({ url: `/api/v1/tenders/${e.ocid}/contracts/${contractId}/documents/${digest}` }))
          .statusCode,
      ).toBe(200);
      expect((await contract()).totalExclVat).toBe('49500.50');
      const pay = async (amount: string): Promise<[string, string][]> => [
        ['version', await version()] as [string, string],
        ['type', 'payment'] as [string, string],
        ['amount', amount],
        ['paidOn', localDate(t.clock.now(), 'Europe/Madrid')],
        ['invoiceRef', 'FRA-2026-118'],
      ];
      await refused('officer', events(), await pay('60000'), 422, [ca('award.reason.payments_exceed_total')]);
      await refused('officer', events(), await pay('-5'), 422, ['href="#payment-amount"']);
      await accepted('officer', events(), await pay('12000'), 'done=recorded');
      expect((await contract()).paidExclVat).toBe('12000.00');
      const suspended = await accepted(
        'officer',
        events(),
        [
          ['version', await version()],
          ['type', 'suspension'],
          ['reasons', 'Obres a l’equipament que impedeixen prestar el servei'],
        ],
        'done=recorded',
      );
      expect(suspended.body).toContain('id="contract-status" data-status="suspended"');
      expect(suspended.body).toContain('id="form-resumption"');
      // A stale version is a conflict, shown on the page.
      await refused(
        'officer',
        events(),
        [
          ['version', '1'],
          ['type', 'resumption'],
        ],
        409,
        [ca('award.conflict')],
      );
      for (const lang of LOCALES) {
        const res = await page('officer', `${one()}?lang=${lang}`);
        expect(res.body).toContain(translator(lang)('award.contract.event.amendment'));
        expect(res.body).toContain(translator(lang)('award.contract.ground.art_204'));
      }
    });
  });
});
