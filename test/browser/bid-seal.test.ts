import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyReceiptCommand } from '../../src/modules/bids/receipt.verify.js';
import { translator } from '../../src/platform/i18n/i18n.js';
import { demoSuite, expectAccessible } from './browser.js';

/**
 * A demo company seals and submits a two-envelope bid in Chromium (issue 4): the files are
 * encrypted in the page by src/browser/bid-seal.ts, uploaded, committed, and the signed receipt is
 * shown, downloaded and verified offline with `contracta receipt verify` against the platform's
 * published key saved to a file. Then a replacement (same bid id, version 2), the page's own
 * checks, the page without JavaScript, and axe-core on every state, in ca, es and en.
 */

const demo = demoSuite();
let context: BrowserContext;
let page: Page;
/** A published demo tender with two envelopes, a sealing target and its deadline ahead. */
let ocid = '';
let envelopes: string[] = [];
let lots: number[] = [];

beforeAll(async () => {
  page = await demo.signIn('bidder@neteges-valles.example');
  context = page.context();

  const db = demo.app.deps.database.db;
  const published = await db
    .selectFrom('tender')
    .select(['id', 'ocid', 'tender_deadline'])
    .where('status', '=', 'published')
    .where('tender_deadline', '>', new Date(Date.now() + 86_400_000))
    .orderBy('ocid')
    .execute();
  for (const t of published) {
    const n = await db
      .selectFrom('tender_notice')
      .select('canonical')
      .where('tender_id', '=', t.id)
      .orderBy('version', 'desc')
      .executeTakeFirstOrThrow();
    const notice = JSON.parse(n.canonical) as {
      envelopes?: string[];
      sealing?: unknown;
      lots?: { number: number }[];
    };
    if (notice.sealing && notice.envelopes?.length === 2) {
      ocid = t.ocid ?? '';
      envelopes = notice.envelopes;
      lots = (notice.lots ?? []).map((l) => l.number);
      break;
    }
  }
  if (!ocid) throw new Error('the demo has no open two-envelope tender with a sealing target');
});

/** The bid page in a language, once its script has shown the form. */
async function openBidPage(locale: 'ca' | 'es' | 'en'): Promise<void> {
  await page.goto(`${demo.base}/lang/${locale}?next=${encodeURIComponent(`/tenders/${ocid}/bid`)}`);
  await page.waitForSelector('#bid-form', { state: 'visible' });
}

/** Fills the form: the first lot, one file per envelope, a price typed with a decimal comma. */
async function fillBid(tag: string, price: string): Promise<void> {
  const first = lots[0] ?? 1;
  if (lots.length > 1) await page.check(`#lot-${first}`);
  for (const e of envelopes) {
    await page.setInputFiles(`#files-${e}`, {
      name: `sobre-${e}-${tag}.txt`,
      mimeType: 'text/plain',
      buffer: Buffer.from(`Oferta de prova ${tag}, sobre ${e}\n`.repeat(200)),
    });
  }
  await page.fill(`#price-${first}`, price);
}

/** Downloads the receipt the page offers and verifies it offline with the published key. */
async function downloadAndVerify(version: number): Promise<string[]> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#r-download')]);
  expect(download.suggestedFilename()).toBe(`receipt-${ocid}-v${version}.json`);
  const file = path.join(demo.dataDir, download.suggestedFilename());
  await download.saveAs(file);
  const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { receipt: { keyId: string } };
  const keys = (await (await fetch(`${demo.base}/api/v1/receipt-keys`)).json()) as {
    keys: { keyId: string; publicKeyPem: string }[];
  };
  const key = keys.keys.find((k) => k.keyId === saved.receipt.keyId);
  if (!key) throw new Error('the receipt names no published key');
  const keyFile = path.join(demo.dataDir, `receipt-key-${key.keyId}.pem`);
  fs.writeFileSync(keyFile, key.publicKeyPem);
  return verifyReceiptCommand(file, { key: keyFile });
}

describe('sealing and submitting a bid in the browser', () => {
  it('ca: seals a two-envelope bid, shows the receipt, which verifies offline', async () => {
    await openBidPage('ca');
    expect(envelopes).toHaveLength(2);
    await expectAccessible(page, 'ca-bid-page');
    await fillBid('ca', '12345,6');
    await page.click('#bid-submit');
    await page.waitForSelector('#bid-result', { state: 'visible', timeout: 60_000 });
    expect(await page.textContent('#r-version')).toBe('1');
    expect(await page.textContent('#bid-progress')).toContain(
      translator('ca')('bidding.js.done').split('{{')[0] ?? '',
    );
    // Per envelope a manifest, one file and three shares; offer.json is one more file in C.
    expect(await page.locator('#r-envelopes h3').count()).toBe(2);
    expect(await page.locator('#r-envelopes li').count()).toBe(2 * (1 + 1 + 3) + 1);
    expect(await page.textContent('#r-envelopes')).toContain('offer.json');
    await expectAccessible(page, 'ca-bid-receipt');
    const lines = await downloadAndVerify(1);
    expect(lines[0]).toMatch(/VALID receipt/);
    expect(lines.join('\n')).toContain(`Tender:      ${ocid}`);

    // The page lists the receipt and offers to replace or withdraw the bid.
    await openBidPage('ca');
    expect(await page.locator('#receipt-v1').count()).toBe(1);
    expect(await page.locator('#replace-note').count()).toBe(1);
    expect(await page.textContent('#bid-submit')).toBe(translator('ca')('bidding.form.replace'));
    await expectAccessible(page, 'ca-bid-page-with-receipt');
  });

  it('es: a replacement keeps the bid id and gets version 2', async () => {
    await openBidPage('es');
    await expectAccessible(page, 'es-bid-page');
    const bidId = await page.getAttribute('#bid-form', 'data-bid');
    expect(bidId).toMatch(/^[0-9a-f-]{36}$/);
    await fillBid('es', '12000.5');
    await page.click('#bid-submit');
    await page.waitForSelector('#bid-result', { state: 'visible', timeout: 60_000 });
    expect(await page.textContent('#r-version')).toBe('2');
    expect(await page.textContent('#r-bid')).toBe(bidId);
    await expectAccessible(page, 'es-bid-receipt');
    const lines = await downloadAndVerify(2);
    expect(lines[0]).toMatch(/VALID receipt/);
  });

  it('en: the page refuses an incomplete form before sealing anything, in its error summary', async () => {
    await openBidPage('en');
    await expectAccessible(page, 'en-bid-page');
    const first = lots[0] ?? 1;
    if (lots.length > 1) await page.check(`#lot-${first}`);
    await page.fill(`#price-${first}`, '12.345,67');
    await page.click('#bid-submit');
    await page.waitForSelector('#bid-errors', { state: 'visible' });
    const en = translator('en');
    const summary = (await page.textContent('#bid-errors')) ?? '';
    expect(summary).toContain(en('bidding.js.price', { n: first }));
    expect(summary).toContain(
      en('bidding.js.noFiles', { envelope: en(`publicTenders.envelope.${envelopes[0]}`) }),
    );
    // The summary has the focus, and its links lead to the fields.
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement
            .id,
      ),
    ).toBe('bid-errors');
    expect(await page.getAttribute('#bid-errors a >> nth=0', 'href')).toMatch(/^#(price|files)-/);
    await expectAccessible(page, 'en-bid-errors');
  });

  it('en: without JavaScript the page says that sealing needs it, or the CLI', async () => {
    const noJs = await demo.browser.newContext({
      javaScriptEnabled: false,
      storageState: await context.storageState(),
    });
    const p = await noJs.newPage();
    await p.goto(`${demo.base}/tenders/${ocid}/bid?lang=en`);
    expect(await p.isVisible('#bid-noscript')).toBe(true);
    expect(await p.isVisible('#bid-form')).toBe(false);
    expect(await p.textContent('#bid-noscript')).toContain('contracta bid submit');
    await noJs.close();
  });
});
