import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney, type Locale } from '../../src/platform/i18n/i18n.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import { type EvaluatedTender, formaliseLot, openedTender } from '../helpers/evaluation.js';

const TITLES: Record<Locale, { award: string; contracts: string; amendment: string; extension: string }> = {
  ca: {
    award: 'Adjudicació',
    contracts: 'Contractes',
    amendment: 'Prevista al plec',
    extension: 'Pròrrogues',
  },
  es: {
    award: 'Adjudicación',
    contracts: 'Contratos',
    amendment: 'Prevista en el pliego',
    extension: 'Prórrogas',
  },
  en: {
    award: 'Award',
    contracts: 'Contracts',
    amendment: 'Foreseen in the specifications',
    extension: 'Extensions',
  },
};

/**
 * The public tender page's "Award" and "Contracts" sections (issue 5 point 8): absent while no act
 * is published; after the award and formalisation of lot 1 (test/helpers/evaluation.ts, 45,000.00 €
 * excl. VAT to Bidder 1 SL), an amendment of +4,000.00 € and an extension, in ca, es and en.
 */
describe(`public award and contracts on the tender page (${driverName})`, () => {
  let t: TestApp;
  let e: EvaluatedTender;
  let contractId = '';

  const page = async (lang: Locale) => {
    const res = await t.app.inject({ url: `/tenders/${e.ocid}?lang=${lang}` });
    expect(res.statusCode, res.body).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    e = await openedTender(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('shows neither section while the tender has no award', async () => {
    for (const lang of ['ca', 'es', 'en'] as const) {
      const body = await page(lang);
      expect(body).not.toContain('id="award"');
      expect(body).not.toContain('id="contracts"');
      expect(body).not.toContain(`/api/v1/tenders/${e.ocid}/awards`);
    }
  });

  it('shows the award and the contract with its amendment and extension in every language', async () => {
    ({ contractId } = await formaliseLot(t, e));
    const base = `/api/v1/authorities/${e.authorityId}/contracts/${contractId}`;
    const event = async (payload: object) => {
      const current = await t.app.inject({ url: base, headers: e.sessions.officer?.headers });
      const { version } = current.json() as { version: number };
      const res = await t.app.inject({
        method: 'POST',
        url: `${base}/events`,
        headers: e.sessions.officer?.headers,
        payload: { version, ...payload },
      });
      expect(res.statusCode, res.body).toBe(200);
    };
    await event({ type: 'start', endDate: '2028-12-31' });
    await event({
      type: 'amendment',
      legalGround: 'art_204',
      valueChange: '4000.00',
      reasons: 'Ampliació del servei prevista al plec',
    });
    await event({ type: 'extension', newEndDate: '2029-06-30', reasons: 'Pròrroga prevista al plec' });

    // A self-employed winner's NIF is shown masked by the public acts (LOPDGDD DA 7ª), in the page
    // and in the public JSON, never in full.
    // The winner is made a self-employed person (a DNI-based NIF) for this check.
    const contract = await t.db.db
      .selectFrom('contract')
      .select('company_id')
      .where('id', '=', contractId)
      .executeTakeFirstOrThrow();
    const digits = String(10_000_000 + Math.floor(Math.random() * 89_999_999));
    const winner = { tax_id: `${digits}${'TRWAGMYFPDXBNJZSQVHLCKE'[Number(digits) % 23]}` };
    await t.db.db
      .updateTable('company')
      .set({ tax_id: winner.tax_id, tax_id_kind: 'NIF' })
      .where('id', '=', contract.company_id)
      .execute();
    const masked = `***${winner.tax_id.slice(3, 7)}**`;
    const json = [
      (await t.app.inject({ url: `/api/v1/tenders/${e.ocid}/awards` })).body,
      (await t.app.inject({ url: `/api/v1/tenders/${e.ocid}/contracts` })).body,
    ];
    for (const text of [...json, await page('ca')]) {
      expect(text).not.toContain(winner.tax_id);
    }
    expect(json[0]).toContain(masked);
    expect(json[1]).toContain(masked);

    for (const lang of ['ca', 'es', 'en'] as const) {
      const body = await page(lang);
      expect(body).toContain(`<html lang="${lang}">`);
      const award = body.slice(body.indexOf('<section aria-labelledby="award-h" id="award">'));
      expect(award).toContain(`<h2 id="award-h">${TITLES[lang].award}</h2>`);
      expect(award).toContain('Bidder 1 SL');
      expect(award).toContain(formatMoney(lang, '45000.00'));
      expect(award).toContain('Oferta amb la millor relació qualitat-preu');
      expect(award).toContain(`href="/api/v1/tenders/${e.ocid}/awards"`);
      const contracts = body.slice(body.indexOf('<section aria-labelledby="contracts-h" id="contracts">'));
      expect(body.indexOf('id="contracts"')).toBeGreaterThan(body.indexOf('id="award"'));
      expect(contracts).toContain(`<h2 id="contracts-h">${TITLES[lang].contracts}</h2>`);
      expect(contracts).toContain(`id="contract-${contractId}"`);
      expect(contracts).toContain(formatMoney(lang, '49000.00'));
      expect(contracts).toContain(`+${formatMoney(lang, '4000.00')}`);
      expect(contracts).toContain(TITLES[lang].amendment);
      expect(contracts).toContain('Ampliació del servei prevista al plec');
      expect(contracts).toContain(`<caption>${TITLES[lang].extension}`);
      expect(contracts).toContain('<time datetime="2029-06-30">');
      expect(contracts).toContain('<th scope="row">');
      expect(contracts).toContain(`href="/api/v1/tenders/${e.ocid}/contracts"`);
    }
  });
});
