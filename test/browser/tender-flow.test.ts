import { DateTime } from 'luxon';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCALES, type Locale } from '../../src/platform/i18n/i18n.js';
import { samplePdf } from '../../src/platform/storage/sample-files.js';
import { demoSuite, expectAccessible } from './browser.js';

/**
 * The first half of the procurement cycle, in each language, as people do it in Chromium: an
 * officer drafts an open procedure with two lots, the approval chain approves it, the officer
 * publishes it, a company finds it by a word typed without its accent and asks a question, the
 * officer answers, and the public page shows the answer. axe-core checks every page on the way.
 */

const demo = demoSuite();

type Person = 'officer' | 'technical' | 'legal' | 'financial' | 'bidder' | 'visitor';
const EMAILS: Record<Exclude<Person, 'visitor'>, string> = {
  officer: 'officer@barcelona.example',
  technical: 'technical@barcelona.example',
  legal: 'legal@barcelona.example',
  financial: 'financial@barcelona.example',
  bidder: 'bidder@neteges-valles.example',
};
/** One browser context per person, signed in once (sign-in is rate limited) and reused in every language. */
const people = new Map<Person, { context: BrowserContext; page: Page }>();

beforeAll(async () => {
  for (const person of Object.keys(EMAILS) as (keyof typeof EMAILS)[]) {
    const page = await demo.signIn(EMAILS[person]);
    people.set(person, { context: page.context(), page });
  }
  const context = await demo.browser.newContext();
  demo.track(context);
  people.set('visitor', { context, page: await context.newPage() });
});

/** The person's page, switched to the language through the switcher's link. */
async function as(person: Person, locale: Locale): Promise<Page> {
  const p = people.get(person);
  if (!p) throw new Error(`no page for ${person}`);
  await p.page.goto(`${demo.base}/lang/${locale}?next=/`);
  return p.page;
}

/** A datetime-local value in Madrid time, `days` from now at the given hour. */
function madrid(days: number, hour: number): string {
  return DateTime.now()
    .setZone('Europe/Madrid')
    .plus({ days })
    .set({ hour, minute: 0, second: 0, millisecond: 0 })
    .toFormat("yyyy-LL-dd'T'HH:mm");
}

// Each language gets its own file; the accented word is the same, so the company types it plain.
const TITLES: Record<Locale, { ca: string; es: string; en: string }> = {
  ca: {
    ca: 'Neteja de la plaça de les Glòries (prova ca)',
    es: 'Limpieza de la plaza de las Glòries (prueba ca)',
    en: 'Cleaning of Plaça de les Glòries (test ca)',
  },
  es: {
    ca: 'Neteja dels jardins de les Glòries (prova es)',
    es: 'Limpieza de los jardines de las Glòries (prueba es)',
    en: 'Cleaning of the Glòries gardens (test es)',
  },
  en: {
    ca: 'Neteja del túnel de les Glòries (prova en)',
    es: 'Limpieza del túnel de las Glòries (prueba en)',
    en: 'Cleaning of the Glòries tunnel (test en)',
  },
};

const CRITERIA = [
  {
    kind: 'price',
    evaluation: 'formula',
    weight: '35',
    names: ['Preu', 'Precio', 'Price'],
    formula: 'F1',
    params: '',
  },
  {
    kind: 'quality',
    evaluation: 'formula',
    weight: '25',
    names: ['Criteris socials', 'Criterios sociales', 'Social criteria'],
    formula: 'threshold',
    params: 'steps=1:0.5, 3:1',
  },
  {
    kind: 'quality',
    evaluation: 'judgement',
    weight: '40',
    names: ['Memòria tècnica', 'Memoria técnica', 'Technical proposal'],
    formula: '',
    params: '',
  },
] as const;

describe.each(LOCALES)('procurement file to public answer, in %s', (locale) => {
  let tenderUrl = '';
  let tenderId = '';
  let ocid = '';
  let questionId = '';
  const title = TITLES[locale];
  const answer = {
    ca: 'Sí: el servei inclou la neteja de les zones verdes.',
    es: 'Sí: el servicio incluye la limpieza de las zonas verdes.',
    en: 'Yes: the service includes cleaning the green areas.',
  }[locale];

  it('an officer drafts an open procedure with two lots, documents and custodians', async () => {
    const page = await as('officer', locale);
    await page.goto(`${demo.base}/office`);
    await page.waitForURL(/\/office\/[0-9a-f-]{36}\/tenders$/);
    await expectAccessible(page, `${locale}-office-list`);
    await page.click('#new-tender');
    await page.fill('#reference', `2026/E2E-${locale.toUpperCase()}`);
    await page.selectOption('#procedure', 'abierto');
    await page.selectOption('#contractType', 'services');
    await page.fill('#titleCa', title.ca);
    await page.fill('#titleEs', title.es);
    await page.fill('#titleEn', title.en);
    await page.fill('#descriptionCa', 'Neteja viària i de mobiliari urbà a l’entorn de la plaça.');
    await page.fill('#descriptionEs', 'Limpieza viaria y de mobiliario urbano en el entorno de la plaza.');
    await page.fill('#descriptionEn', 'Street and street-furniture cleaning around the square.');
    await page.fill('#mainCpv', '90910000-9');
    await page.fill('#valueBase', '150000');
    await page.fill('#valueExtensions', '30000');
    await page.fill('#budgetExclVat', '150000');
    await page.fill('#budgetInclVat', '181500');
    await page.fill('#durationMonths', '24');
    await page.fill('#questionsDeadline', madrid(20, 14));
    await page.fill('#tenderDeadline', madrid(30, 14));
    // A second lot and two more criteria per lot: each button re-renders the form, keeping what was typed.
    await page.click('#add-lot');
    await page.click('#lot1-add-criterion');
    await page.click('#lot1-add-criterion');
    await page.click('#lot2-add-criterion');
    await page.click('#lot2-add-criterion');
    expect(await page.inputValue('#titleCa')).toBe(title.ca);
    for (const n of [1, 2]) {
      await page.fill(`#lot${n}-titleCa`, `Zona ${n}`);
      await page.fill(`#lot${n}-titleEs`, `Zona ${n}`);
      await page.fill(`#lot${n}-titleEn`, `Area ${n}`);
      await page.fill(`#lot${n}-estimatedValue`, '90000');
      await page.fill(`#lot${n}-budgetExclVat`, '75000');
      await page.fill(`#lot${n}-mainCpv`, '90910000-9');
      for (const [j, c] of CRITERIA.entries()) {
        const id = `#lot${n}-criterion${j + 1}`;
        await page.selectOption(`${id}-kind`, c.kind);
        await page.selectOption(`${id}-evaluation`, c.evaluation);
        await page.fill(`${id}-weight`, c.weight);
        await page.fill(`${id}-nameCa`, c.names[0]);
        await page.fill(`${id}-nameEs`, c.names[1]);
        await page.fill(`${id}-nameEn`, c.names[2]);
        await page.selectOption(`${id}-formula`, c.formula);
        await page.fill(`${id}-formulaParams`, c.params);
      }
      // Several criteria: the notice's own test for abnormally low offers (art. 149.2.b).
      await page.selectOption(`#lot${n}-abnormal`, 'notice');
      await page.fill(`#lot${n}-abnormalBelowMean`, '10');
    }
    await expectAccessible(page, `${locale}-office-new-file`);
    await page.click('#save');
    await page.waitForURL(/\/office\/[0-9a-f-]{36}\/tenders\/[0-9a-f-]{36}\?done=created$/);
    tenderUrl = page.url().split('?')[0] ?? '';
    tenderId = tenderUrl.split('/').at(-1) ?? '';
    expect(await page.getAttribute('#tender-status', 'data-status')).toBe('draft');
    // The server computed the estimated value from its art. 101 parts.
    expect(await page.textContent('#tender-estimated-value')).toMatch(/180[.,\s\u202f]?000/);

    for (const kind of ['memoria_justificativa', 'pcap', 'ppt'] as const) {
      await page.selectOption('#doc-kind', kind);
      await page.fill('#doc-title', kind.toUpperCase());
      await page.setInputFiles('#doc-file', {
        name: `${kind}.pdf`,
        mimeType: 'application/pdf',
        buffer: samplePdf(`${kind} ${locale}`),
      });
      await page.click('#upload-document');
      await page.waitForURL((u) => u.pathname === new URL(tenderUrl).pathname);
    }
    for (const box of await page.locator('input[id^="custodian-"]').all()) await box.check();
    for (const box of await page.locator('input[id^="committee-"]').all()) await box.check();
    await page.click('#assign');
    await page.waitForURL((u) => u.pathname === new URL(tenderUrl).pathname);
    await expect.poll(() => page.locator('[data-severity="error"]').count()).toBe(0);
    await expectAccessible(page, `${locale}-office-file-draft`);
    await page.click('#submit-tender');
    await page.waitForURL((u) => u.pathname === new URL(tenderUrl).pathname);
    expect(await page.getAttribute('#tender-status', 'data-status')).toBe('in_approval');
  });

  it('the approval chain approves it from their inboxes, and the officer publishes it', async () => {
    for (const approver of ['technical', 'legal', 'financial'] as const) {
      const page = await as(approver, locale);
      await page.goto(`${demo.base}/office/approvals`);
      if (approver === 'technical') await expectAccessible(page, `${locale}-office-approvals`);
      await page.click(`#approve-${tenderId}`);
      await page.waitForURL(/\/office\/approvals/);
      expect(await page.locator(`#inbox-${tenderId}`).count()).toBe(0);
    }
    const page = await as('officer', locale);
    await page.goto(tenderUrl);
    expect(await page.getAttribute('#tender-status', 'data-status')).toBe('approved');
    await page.click('#publish-tender');
    await page.waitForURL((u) => u.pathname === new URL(tenderUrl).pathname);
    expect(await page.getAttribute('#tender-status', 'data-status')).toBe('published');
    const href = (await page.getAttribute('#public-page', 'href')) ?? '';
    ocid = href.split('/').at(-1) ?? '';
    expect(ocid).toMatch(/^ocds-[a-z0-9]{6}-[0-9a-f-]{36}$/);
  });

  it('a company finds it by a word without its accent and asks a question', async () => {
    const page = await as('bidder', locale);
    await page.goto(`${demo.base}/tenders`);
    await page.fill('#q', 'glories');
    await page.click('#search-submit');
    await page.waitForURL(/\/tenders\?/);
    await expectAccessible(page, `${locale}-public-search`);
    const link = page.locator('li.result h3 a', { hasText: title[locale] });
    await expect.poll(() => link.count()).toBe(1);
    await link.click();
    await page.waitForURL(`${demo.base}/tenders/${ocid}`);
    expect(await page.textContent('h1')).toContain(title[locale]);
    await page.fill('#question', `${locale}: inclou la neteja de les zones verdes?`);
    await page.click('#ask-submit');
    await page.waitForURL(/done=asked/);
    expect(await page.locator('#confirmation').count()).toBe(1);
    await expectAccessible(page, `${locale}-public-tender-asked`);
  });

  it('the officer answers it on the file page', async () => {
    const page = await as('officer', locale);
    await page.goto(tenderUrl);
    const question = page.locator('[id^="question-"]', { hasText: `${locale}: inclou la neteja` });
    await expect.poll(() => question.count()).toBe(1);
    questionId = ((await question.getAttribute('id')) ?? '').replace(/^question-/, '');
    await page.fill(`#answer-${questionId}`, answer);
    await page.click(`#answer-button-${questionId}`);
    await page.waitForURL((u) => u.pathname === new URL(tenderUrl).pathname);
    await expectAccessible(page, `${locale}-office-file-published`);
  });

  it('the public page shows the answer, without who asked', async () => {
    const page = await as('visitor', locale);
    await page.goto(`${demo.base}/tenders/${ocid}`);
    expect(await page.textContent(`#answer-${questionId}`)).toContain(answer);
    const main = (await page.textContent('main')) ?? '';
    expect(main).not.toContain('Neteges del Vallès');
    expect(main).not.toContain('bidder@');
    await expectAccessible(page, `${locale}-public-tender-answered`);
  });
});
