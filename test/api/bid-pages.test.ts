import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReceiptCommand } from '../../src/modules/bids/receipt.verify.js';
import { escapeHtml } from '../../src/platform/http/html.js';
import { LOCALES, translator } from '../../src/platform/i18n/i18n.js';
import { newId } from '../../src/platform/ids.js';
import { buildTestApp, login, makeUser, type Session, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import {
  type Bidder,
  commitVersion,
  makeBidder,
  publishSealedTender,
  receipts,
  relogin,
  type SealedTender,
  sealBid,
  uploadBid,
} from '../helpers/sealed-bids.js';
import { tenderPayload } from '../helpers/tenders.js';

/**
 * The company's bid page (/tenders/:ocid/bid, src/modules/bids/bid.pages.ts) through HTTP: who may
 * see it, what it shows from the published notice, the company's receipts with their downloads
 * (verified offline as `contracta receipt verify` does), the withdrawal form, and the page after
 * the deadline. The sealing itself runs in the browser: test/browser/bid-seal.test.ts.
 */
describe(`bid pages (${driverName})`, () => {
  let t: TestApp;
  let tender: SealedTender;
  let bidder: Bidder;
  let other: Bidder;
  let work: string;
  let bidId = '';
  const page = (session: Session | undefined, url: string) =>
    t.app.inject({ url, headers: session ? { cookie: session.cookie } : {} });
  const bidPage = () => `/tenders/${tender.ocid}/bid`;

  beforeAll(async () => {
    t = await buildTestApp();
    tender = await publishSealedTender(t);
    bidder = await makeBidder(t);
    other = await makeBidder(t, 'company_admin');
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'contracta-bid-pages-'));
  });
  afterAll(async () => {
    await t.close();
    await fs.rm(work, { recursive: true, force: true });
  });

  it.each(LOCALES)('renders the sealing form for a bidder in %s', async (locale) => {
    const tr = translator(locale);
    const res = await page(bidder.session, `${bidPage()}?lang=${locale}`);
    expect(res.statusCode).toBe(200);
    const body = res.body;
    expect(body).toContain(`<html lang="${locale}">`);
    expect(body).toContain(escapeHtml(tr('bidding.title')));
    expect(body).toContain('<script type="module" src="/assets/js/bid-seal.js">');
    expect(body).toContain('<meta name="csrf-token"');
    expect(body).toContain('<noscript>');
    expect(body).toContain(escapeHtml(tr('bidding.noscript')));
    expect(body).toContain(`data-ocid="${tender.ocid}"`);
    expect(body).toContain(`data-company="${bidder.companyId}"`);
    expect(body).toContain(`data-envelopes="${tender.envelopes.join(',')}"`);
    expect(body).toContain('data-formula="C"');
    // A fresh bid: no id yet (the browser chooses one), no receipts.
    expect(body).toContain('data-bid=""');
    expect(body).toContain(escapeHtml(tr('bidding.receipts.none')));
    for (const e of tender.envelopes) expect(body).toContain(`id="files-${e}"`);
    // The demo tender has two lots: a checkbox and a price field each.
    for (const lot of [1, 2]) {
      expect(body).toContain(`id="lot-${lot}"`);
      expect(body).toContain(`id="price-${lot}"`);
    }
    // The deadline in Madrid time and in UTC, the quorum of the frozen sealing target.
    expect(body).toContain(`datetime="${tender.deadline.toISOString()}"`);
    expect(body).toContain(' UTC');
    expect(body).toContain(escapeHtml(tr('bidding.facts.quorum', { quorum: 2, count: 3 })));
    // The script's texts travel in the page, escaped into an attribute, in its language.
    expect(body).toContain(escapeHtml(JSON.stringify(tr('bidding.error.DEADLINE_PASSED'))).slice(1, -1));
  });

  it('sends visitors to the sign-in and refuses users who bid for no company', async () => {
    const anon = await page(undefined, bidPage());
    expect(anon.statusCode).toBe(303);
    expect(anon.headers.location).toBe(`/sign-in?next=${encodeURIComponent(bidPage())}`);
    const staff = await page(tender.officer, bidPage());
    expect(staff.statusCode).toBe(403);
    expect(staff.headers['content-type']).toMatch(/text\/html/);
    // Another company's id in the query names nothing this user may act for.
    const foreign = await page(bidder.session, `${bidPage()}?companyId=${other.companyId}`);
    expect(foreign.statusCode).toBe(404);
  });

  it('is a 404 for an unknown ocid, a malformed one and an unpublished tender', async () => {
    const unknown = `${tender.ocid.slice(0, 12)}${newId()}`;
    expect((await page(bidder.session, `/tenders/${unknown}/bid`)).statusCode).toBe(404);
    expect((await page(bidder.session, '/tenders/not-an-ocid/bid')).statusCode).toBe(404);
    const draft = await t.app.inject({
      method: 'POST',
      url: `/api/v1/authorities/${tender.authorityId}/tenders`,
      headers: tender.officer.headers,
      payload: tenderPayload(t.clock.now(), { reference: 'DRAFT-BID-PAGE' }),
    });
    expect(draft.statusCode).toBe(201);
    const draftOcid = `${tender.ocid.slice(0, 12)}${(draft.json() as { id: string }).id}`;
    const res = await page(bidder.session, `/tenders/${draftOcid}/bid`);
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('bid-form');
  });

  it('links the public tender page to the bid page while bids are received', async () => {
    const anon = await page(undefined, `/tenders/${tender.ocid}`);
    expect(anon.body).toContain(`href="/sign-in?next=${encodeURIComponent(bidPage())}"`);
    const mine = await page(bidder.session, `/tenders/${tender.ocid}`);
    expect(mine.body).toContain(`href="${bidPage()}"`);
    const staff = await page(tender.officer, `/tenders/${tender.ocid}`);
    expect(staff.body).not.toContain('id="bid-link"');
  });

  it("shows the company's receipts, downloadable and verifiable offline", async () => {
    const bid = await sealBid(tender, { lots: [1, 2], text: (e) => `Oferta sobre ${e}` });
    bidId = bid.bidId;
    await uploadBid(t, tender, bidder, bid);
    expect((await commitVersion(t, tender, bidder, bid)).statusCode).toBe(201);

    const res = await page(bidder.session, `${bidPage()}?lang=en`);
    expect(res.statusCode).toBe(200);
    // A new submission replaces this bid: the page hands its id to the script.
    expect(res.body).toContain(`data-bid="${bid.bidId}"`);
    expect(res.body).toContain('id="replace-note"');
    expect(res.body).toContain('id="receipt-v1"');
    expect(res.body).toContain(translator('en')('bidding.receipts.kind.submission'));
    expect(res.body).toContain('id="withdraw-form"');
    const href = `/tenders/${tender.ocid}/bid/receipts/1?companyId=${bidder.companyId}`;
    expect(res.body).toContain(`href="${href}" download="receipt-${tender.ocid}-v1.json"`);

    const file = await page(bidder.session, href);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toMatch(/^application\/json/);
    expect(file.headers['content-disposition']).toBe(`attachment; filename="receipt-${tender.ocid}-v1.json"`);
    // Byte for byte what the API gives for that version.
    const api = receipts(t, tender, bidder.session, bid.bidId);
    const fromApi = ((await api).json() as { file: unknown }[])[0]?.file;
    expect(file.body).toBe(JSON.stringify(fromApi));
    // Verified offline with the keys the platform publishes, saved to a file.
    const keys = (await t.app.inject({ url: '/api/v1/receipt-keys' })).json() as {
      keys: { publicKeyPem: string }[];
    };
    const keyFile = path.join(work, 'keys.pem');
    await fs.writeFile(keyFile, keys.keys.map((k) => k.publicKeyPem).join('\n'));
    const receiptFile = path.join(work, `receipt-${tender.ocid}-v1.json`);
    await fs.writeFile(receiptFile, file.body);
    const lines = await verifyReceiptCommand(receiptFile, { key: keyFile });
    expect(lines[0]).toMatch(/VALID receipt/);

    // Another company sees none of it, and may not download it.
    const theirs = await page(other.session, bidPage());
    expect(theirs.body).not.toContain(bid.bidId);
    expect(theirs.body).toContain('id="no-receipts"');
    const stolen = await page(
      other.session,
      `/tenders/${tender.ocid}/bid/receipts/1?companyId=${bidder.companyId}`,
    );
    expect(stolen.statusCode).toBe(404);
    expect((await page(bidder.session, `/tenders/${tender.ocid}/bid/receipts/2`)).statusCode).toBe(404);
  });

  it('withdraws the bid only when confirmed, and lists the withdrawal receipt', async () => {
    const post = (fields: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: `${bidPage()}/withdraw?lang=en`,
        headers: { cookie: bidder.session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: bidder.session.csrf, ...fields }).toString(),
      });
    const unconfirmed = await post({ companyId: bidder.companyId });
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.body).toContain('id="error-summary"');
    expect(unconfirmed.body).toContain(translator('en')('bidding.withdraw.confirmMissing'));
    const before = await receipts(t, tender, bidder.session, bidId);
    expect((before.json() as unknown[]).length).toBe(1);

    const done = await post({ companyId: bidder.companyId, confirm: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`${bidPage()}?companyId=${bidder.companyId}&done=withdrawn#receipts`);
    const res = await page(
      bidder.session,
      `${done.headers.location as string}&lang=en`.replace('#receipts', ''),
    );
    expect(res.body).toContain(translator('en')('bidding.withdraw.done'));
    expect(res.body).toContain('id="receipt-v2"');
    expect(res.body).toContain(translator('en')('bidding.receipts.kind.withdrawal'));
    expect(res.body).toContain(translator('en')('bidding.form.withdrawnNote'));
    expect(res.body).not.toContain('id="withdraw-form"');
    // Withdrawing again: refused by the service, shown on the page.
    const again = await post({ companyId: bidder.companyId, confirm: 'yes' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain(translator('en')('bidding.error.INVALID_TRANSITION'));
  });

  it('lets a user of several companies choose which one bids', async () => {
    const both = await makeUser(t, {
      companies: [
        { companyId: bidder.companyId, roles: ['bidder'] },
        { companyId: other.companyId, roles: ['company_admin'] },
      ],
    });
    const s = await login(t, both.email);
    const res = await page(s, bidPage());
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('id="choose-company"');
    const chosen = await page(s, `${bidPage()}?companyId=${other.companyId}`);
    expect(chosen.body).toContain(`data-company="${other.companyId}"`);
  });
  it('offers no form after the deadline, and still lists the receipts', async () => {
    t.clock.set(new Date(tender.deadline.getTime() + 60_000));
    await relogin(t, bidder);
    const res = await page(bidder.session, `${bidPage()}?lang=es`);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('id="bid-form"');
    expect(res.body).not.toContain('/assets/js/bid-seal.js');
    expect(res.body).toContain(escapeHtml(translator('es')('bidding.closed.deadline')));
    expect(res.body).toContain('id="receipt-v1"');
    expect(res.body).toContain('id="receipt-v2"');
    const pub = await page(bidder.session, `/tenders/${tender.ocid}`);
    expect(pub.body).not.toContain('id="bid-link"');
  });
});
