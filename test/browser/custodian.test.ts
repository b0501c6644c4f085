import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { identityToRecipient } from 'age-encryption';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { verifyReceiptCommand } from '../../src/modules/bids/receipt.verify.js';
import { loadIdentity } from '../../src/modules/sealing/custodian-key.js';
import type { EnvelopeLetter, SealingTarget } from '../../src/modules/sealing/sealing.types.js';
import type { Locale } from '../../src/platform/i18n/i18n.js';
import { newId } from '../../src/platform/ids.js';
import type { Session } from '../helpers/app.js';
import { sealBid } from '../helpers/sealed-bids.js';
import { apiSession, demoSuite, expectAccessible } from './browser.js';

/**
 * Issue 4's browser acceptance for custodians: a custodian makes a key in Chromium (passphrase,
 * encrypted file downloaded, public key registered, the CLI's loader opens the file); then, on a
 * published demo file with sealed bids submitted through the API, two of three custodians (each in
 * their own browser, with the demo identity files) open A, then B, a committee member approves the
 * B report, two open C, and the public page shows the records. axe-core on every page; the flows
 * run in Catalan, the pages render and pass axe in Spanish and English too.
 */

const demo = demoSuite();

const PASSPHRASE = 'cavall correcte bateria grapa 42';

/**
 * Every request body and URL the page sends from now on, as text (latin1, so binary bodies keep
 * their bytes): to check that a secret never leaves the browser.
 */
function recordSent(page: Page): () => string {
  const sent: string[] = [];
  page.on('request', (r) => {
    sent.push(r.url());
    const body = r.postDataBuffer();
    if (body) sent.push(body.toString('latin1'));
  });
  return () => sent.join('\n');
}

/** A fresh browser context signed in as `email` (the demo password), in `locale`. */
const signIn = (email: string, locale: Locale = 'ca') => demo.signIn(email, locale);
const inLocale = demo.inLocale;

/** An API session of the user with this id (the demo password). */
async function apiSessionOf(userId: string): Promise<Session> {
  const user = await demo.app.deps.database.db
    .selectFrom('app_user')
    .select('email')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  return apiSession(demo.app, user.email);
}

describe('custodian key made in the browser', () => {
  const keyPage = () => `/office/${demo.authorityId}/custodian-key`;

  it('generates a key with a passphrase, offers the encrypted file, then registers the public key', async () => {
    const db = demo.app.deps.database.db;
    // A new custodian of Barcelona, so that the demo custodians keep the keys the demo files were sealed to.
    const demoCustodian = await db
      .selectFrom('app_user')
      .select('password_hash')
      .where('email', '=', 'custodian1@barcelona.example')
      .executeTakeFirstOrThrow();
    const userId = newId();
    await db
      .insertInto('app_user')
      .values({
        id: userId,
        email: 'new-custodian@barcelona.example',
        name: 'Nova Custòdia',
        password_hash: demoCustodian.password_hash,
        is_platform_admin: false,
      })
      .execute();
    await db
      .insertInto('membership')
      .values({ authority_id: demo.authorityId, user_id: userId, roles: ['key_custodian'] })
      .execute();

    const page = await signIn('new-custodian@barcelona.example', 'ca');
    const sent = recordSent(page);
    await page.goto(`${demo.base}${keyPage()}`);
    await expect.poll(() => page.isVisible('#keygen-form')).toBe(true);
    expect(await page.isVisible('#no-key')).toBe(true);
    await expectAccessible(page, 'ca-custodian-key');

    // Too short: the error summary names the field, nothing is generated.
    await page.fill('#passphrase', 'curta');
    await page.fill('#passphrase-confirm', 'curta');
    await page.click('#keygen-generate');
    await page.waitForSelector('#error-summary');
    expect(await page.getAttribute('#passphrase', 'aria-invalid')).toBe('true');
    expect(await page.isVisible('#keygen-result')).toBe(false);
    await expectAccessible(page, 'ca-custodian-key-error');
    await page.fill('#passphrase', PASSPHRASE);
    await page.fill('#passphrase-confirm', `${PASSPHRASE}!`);
    await page.click('#keygen-generate');
    await expect.poll(() => page.isVisible('#passphrase-confirm-error')).toBe(true);

    await page.fill('#passphrase', PASSPHRASE);
    await page.fill('#passphrase-confirm', PASSPHRASE);
    await page.click('#keygen-generate');
    await page.waitForSelector('#keygen-result', { state: 'visible', timeout: 90_000 });
    const fingerprint = (await page.textContent('#keygen-fingerprint')) ?? '';
    const recipient = (await page.textContent('#keygen-recipient')) ?? '';
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    // Registration is offered only once the file was taken; nothing is registered before.
    expect(await page.isVisible('#keygen-register')).toBe(false);
    expect(await page.isVisible('#keygen-compare')).toBe(false);
    expect(await db.selectFrom('custodian_key').select('id').where('user_id', '=', userId).execute()).toEqual(
      [],
    );
    await expectAccessible(page, 'ca-custodian-key-generated');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#keygen-download')]);
    expect(download.suggestedFilename()).toBe(`contracta-custodian-${fingerprint}.age`);
    const file = await download.path();
    const armored = fs.readFileSync(file, 'utf8');
    expect(armored.startsWith('-----BEGIN AGE ENCRYPTED FILE-----')).toBe(true);
    expect(armored).not.toContain('AGE-SECRET-KEY-');
    await page.click('#keygen-register');
    await expect.poll(() => page.textContent('#keygen-server-fingerprint')).toBe(fingerprint);
    expect(await page.textContent('#keygen-compare-local')).toBe(fingerprint);
    await expectAccessible(page, 'ca-custodian-key-registered');

    const stored = await db
      .selectFrom('custodian_key')
      .select(['recipient', 'fingerprint'])
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ recipient, fingerprint });
    await page.reload();
    expect(await page.textContent('#key-fingerprint')).toBe(fingerprint);

    // The CLI's loader (contracta custodian open --identity FILE) opens the file with the passphrase.
    const identity = await loadIdentity(armored, PASSPHRASE);
    expect(await identityToRecipient(identity)).toBe(recipient);
    await expect(loadIdentity(armored, `${PASSPHRASE}?`)).rejects.toMatchObject({ code: 'UNPROCESSABLE' });
    // Neither the identity nor the passphrase reached the server's database or its audit trail.
    // Nor did the page send them anywhere: not in a request body, not in a URL.
    expect(sent()).toContain(recipient);
    expect(sent()).not.toContain('AGE-SECRET-KEY-');
    expect(sent()).not.toContain(PASSPHRASE);
    const audit = await db.selectFrom('audit_event').select('canonical').execute();
    const text = JSON.stringify(audit);
    expect(text.includes('AGE-SECRET-KEY-')).toBe(false);
    expect(text.includes(PASSPHRASE)).toBe(false);

    for (const locale of ['es', 'en'] as const) {
      await inLocale(page, locale, keyPage());
      await expect.poll(() => page.isVisible('#keygen-form')).toBe(true);
      await expectAccessible(page, `${locale}-custodian-key`);
    }
  });
});

type Notice = {
  envelopes: EnvelopeLetter[];
  lots: { number: number }[];
  sealing?: SealingTarget & { custodians: (SealingTarget['custodians'][number] & { fingerprint: string })[] };
};

describe('a company seals in its browser; two of three custodians open A → B → report → C', () => {
  let tenderId = '';
  let ocid = '';
  const identityFile = (n: number) =>
    path.join(demo.dataDir, 'demo-custodian-identities', `custodian${n}@barcelona.example.txt`);
  const openingPath = () => `/office/${demo.authorityId}/tenders/${tenderId}/opening`;

  /** A published demo file of Barcelona with envelopes A, B, C whose target is the demo custodians' keys. */
  async function pickTender(): Promise<{ id: string; notice: Notice; ocid: string }> {
    const db = demo.app.deps.database.db;
    const recipients = [1, 2, 3].map(
      (n) => /# public key: (age1\w+)/.exec(fs.readFileSync(identityFile(n), 'utf8'))?.[1] ?? '',
    );
    const tenders = await db
      .selectFrom('tender')
      .select(['id', 'ocid', 'tender_deadline'])
      .where('authority_id', '=', demo.authorityId)
      .where('status', '=', 'published')
      .where('tender_deadline', '>', new Date(Date.now() + 3_600_000))
      .execute();
    for (const tender of tenders) {
      const row = await db
        .selectFrom('tender_notice')
        .select('canonical')
        .where('tender_id', '=', tender.id)
        .orderBy('version', 'desc')
        .executeTakeFirstOrThrow();
      const notice = JSON.parse(row.canonical) as Notice;
      const keys = notice.sealing?.custodians.map((c) => c.recipient) ?? [];
      if (
        ['A', 'B', 'C'].every((e) => notice.envelopes?.includes(e as EnvelopeLetter)) &&
        recipients.every((r) => keys.includes(r)) &&
        keys.length === 3
      ) {
        return { id: tender.id, notice, ocid: tender.ocid ?? '' };
      }
    }
    throw new Error('no published demo file with envelopes A, B, C and the demo custodians');
  }

  /** Seals a bid with the sealing library and submits it through the bids API, as a company would. */
  async function submitBid(email: string, notice: Notice, text: string): Promise<string> {
    const db = demo.app.deps.database.db;
    const member = await db
      .selectFrom('company_member as m')
      .innerJoin('app_user as u', 'u.id', 'm.user_id')
      .innerJoin('company as c', 'c.id', 'm.company_id')
      .select(['m.company_id', 'c.legal_name'])
      .where('u.email', '=', email)
      .executeTakeFirstOrThrow();
    const session = await apiSession(demo.app, email);
    const sealing = notice.sealing as SealingTarget;
    const bid = await sealBid(
      {
        authorityId: demo.authorityId,
        tenderId,
        ocid,
        deadline: new Date(),
        envelopes: notice.envelopes,
        target: { ocid, quorum: sealing.quorum, custodians: sealing.custodians },
        keys: [],
        officer: session,
      },
      { lots: [notice.lots[0]?.number ?? 1], text: (e) => `${text} ${e}` },
    );
    const url = `/api/v1/tenders/${ocid}/bids/${bid.bidId}`;
    for (const e of bid.envelopes) {
      for (const piece of [...e.ciphertexts, ...e.shares.map((s) => s.ciphertext)]) {
        const sha = createHash('sha256').update(piece).digest('hex');
        const res = await demo.app.inject({
          method: 'PUT',
          url: `${url}/blobs/${sha}?companyId=${member.company_id}`,
          headers: { ...session.headers, 'content-type': 'application/octet-stream' },
          payload: Buffer.from(piece),
        });
        expect(res.statusCode, res.body).toBe(201);
      }
    }
    const res = await demo.app.inject({
      method: 'POST',
      url: `${url}/versions`,
      headers: session.headers,
      payload: {
        companyId: member.company_id,
        lots: bid.lots,
        envelopes: bid.envelopes.map((e) => ({ manifest: e.manifest })),
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    return member.legal_name;
  }

  /**
   * A company seals and submits its bid on the bid page, in its browser (envelopes A, B and C, a
   * price typed with a decimal comma), then downloads the receipt and verifies it offline with the
   * published key. Returns the company's name.
   */
  async function submitBidInBrowser(email: string, notice: Notice, price: string): Promise<string> {
    const page = await signIn(email, 'ca');
    const sent = recordSent(page);
    await page.goto(`${demo.base}/tenders/${ocid}/bid`);
    await page.waitForSelector('#bid-form', { state: 'visible' });
    const lot = notice.lots[0]?.number ?? 1;
    if (notice.lots.length > 1) await page.check(`#lot-${lot}`);
    for (const e of notice.envelopes) {
      await page.setInputFiles(`#files-${e}`, {
        name: `sobre-${e}.txt`,
        mimeType: 'text/plain',
        buffer: Buffer.from(`Oferta des del navegador, sobre ${e}\n`.repeat(100)),
      });
    }
    await page.fill(`#price-${lot}`, price);
    await expectAccessible(page, 'ca-bid-page-abc');
    await page.click('#bid-submit');
    await page.waitForSelector('#bid-result', { state: 'visible', timeout: 60_000 });
    await expectAccessible(page, 'ca-bid-receipt-abc');
    // Sealed in the browser: the files' text, the price and any envelope key never left it; the
    // pieces and manifests did (the manifest names the offer file, not its content).
    expect(sent()).toContain('offer.json');
    expect(sent()).not.toContain('Oferta des del navegador');
    expect(sent()).not.toContain('48250');
    expect(sent()).not.toContain('AGE-SECRET-KEY-');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#r-download')]);
    const file = path.join(demo.dataDir, download.suggestedFilename());
    await download.saveAs(file);
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      receipt: { keyId: string; envelopes: { envelope: string }[]; company: { id: string } };
    };
    expect(saved.receipt.envelopes.map((e) => e.envelope)).toEqual(notice.envelopes);
    const keys = (await (await fetch(`${demo.base}/api/v1/receipt-keys`)).json()) as {
      keys: { keyId: string; publicKeyPem: string }[];
    };
    const keyFile = path.join(demo.dataDir, 'receipt-key.pem');
    fs.writeFileSync(keyFile, keys.keys.find((k) => k.keyId === saved.receipt.keyId)?.publicKeyPem ?? '');
    expect((await verifyReceiptCommand(file, { key: keyFile }))[0]).toMatch(/VALID receipt/);
    const company = await demo.app.deps.database.db
      .selectFrom('company')
      .select('legal_name')
      .where('id', '=', saved.receipt.company.id)
      .executeTakeFirstOrThrow();
    return company.legal_name;
  }

  /** A custodian decrypts and submits their shares of `envelope` on the opening page. */
  async function openAs(page: Page, n: number, envelope: EnvelopeLetter): Promise<void> {
    await page.goto(`${demo.base}${openingPath()}`);
    await page.waitForSelector(`#open-${envelope}`, { state: 'visible' });
    await page.setInputFiles('#identity-file', identityFile(n));
    await page.click(`#open-${envelope}`);
    await expect.poll(() => page.textContent(`#result-${envelope}`), { timeout: 30_000 }).toMatch(/\d/);
    expect(await page.isVisible('#error-summary')).toBe(false);
  }

  it('two custodians open each stage in their own browsers; the public page shows the records', async () => {
    const picked = await pickTender();
    tenderId = picked.id;
    ocid = picked.ocid;
    // One company seals and submits in its browser, the other through the API (as the CLI does).
    const bidder = await submitBidInBrowser('bidder@neteges-valles.example', picked.notice, '48250,5');
    await submitBid('admin@jardins-maresme.example', picked.notice, 'Oferta 2');

    const custodians = new Map<number, Page>();
    for (const n of [1, 2, 3]) custodians.set(n, await signIn(`custodian${n}@barcelona.example`, 'ca'));
    const c = (n: number) => custodians.get(n) as Page;
    const committee = await signIn('committee@barcelona.example', 'ca');

    // Before the deadline: nothing to open; the page passes axe in each language.
    const first = c(1);
    for (const locale of ['es', 'en', 'ca'] as const) {
      await inLocale(first, locale, openingPath());
      expect(await first.getAttribute('#state-A', 'data-state')).toBe('not_yet');
      await expect.poll(() => first.isVisible('#identity-file')).toBe(true);
      await expectAccessible(first, `${locale}-opening-before-deadline`);
    }
    expect(await first.isVisible('#open-A')).toBe(false);

    // The server runs on the system clock and the law requires a minimum tender period, so the
    // file's deadline and opening time are moved to now through SQL after the bids were
    // submitted (the opening reads them from the tender row).
    const now = new Date();
    await demo.app.deps.database.db
      .updateTable('tender')
      .set({ tender_deadline: now, opening_at: now })
      .where('id', '=', tenderId)
      .execute();

    await openAs(c(1), 1, 'A');
    expect(await c(1).getAttribute('#state-A', 'data-state')).toBe('open');
    await expectAccessible(c(1), 'ca-opening-a-one-custodian');
    await openAs(c(2), 2, 'A');
    await expect.poll(() => c(2).getAttribute('#state-A', 'data-state')).toBe('opened');
    await c(2).waitForSelector('#record-A');

    // B waits until the committee has admitted or excluded every bid of A (art. 157.1–2 LCSP);
    // the committee's workspace is not a page yet, so it qualifies them through the API.
    await c(2).reload();
    expect(await c(2).getAttribute('#state-B', 'data-state')).toBe('qualification');
    await expectAccessible(c(2), 'ca-opening-qualification-pending');
    const chair = await apiSession(demo.app, 'committee@barcelona.example');
    const qualification = `/api/v1/authorities/${demo.authorityId}/tenders/${tenderId}/qualification`;
    const listed = (await demo.app.inject({ url: qualification, headers: chair.headers })).json() as {
      bids: { bidId: string }[];
    };
    expect(listed.bids).toHaveLength(2);
    for (const bid of listed.bids) {
      const admitted = await demo.app.inject({
        method: 'POST',
        url: `${qualification}/${bid.bidId}`,
        headers: chair.headers,
        payload: { version: 0, decision: 'admit' },
      });
      expect(admitted.statusCode, admitted.body).toBe(200);
    }

    await openAs(c(2), 2, 'B');
    await openAs(c(3), 3, 'B');
    await expect.poll(() => c(3).getAttribute('#state-B', 'data-state')).toBe('opened');
    await c(3).reload();
    expect(await c(3).getAttribute('#state-C', 'data-state')).toBe('report');
    expect(await c(3).isVisible('#open-C')).toBe(false);
    await expectAccessible(c(3), 'ca-opening-b-opened');

    // The committee member records the B report's approval; an empty text is refused first.
    await committee.goto(`${demo.base}${openingPath()}`);
    await expectAccessible(committee, 'ca-opening-committee');
    await committee.click('#approve-b-report');
    await committee.waitForSelector('#error-summary');
    await expectAccessible(committee, 'ca-opening-committee-error');
    // Each committee member scores every judgement criterion of each bid (through the API: the
    // scoring workspace is not a page yet); then the report can be approved on the page.
    const judgement = `/api/v1/authorities/${demo.authorityId}/tenders/${tenderId}/judgement`;
    const sheet = (await demo.app.inject({ url: judgement, headers: chair.headers })).json() as {
      missing: string[];
    };
    expect(sheet.missing.length).toBeGreaterThan(0);
    for (const key of sheet.missing) {
      const [bidId, lot, criterion, member] = key.split('/');
      // With a committee assigned, each of its members scores; the demo's committee member is one.
      const session = member ? await apiSessionOf(member) : chair;
      const scored = await demo.app.inject({
        method: 'PUT',
        url: `${judgement}/${bidId}/lots/${lot}/criteria/${criterion}`,
        headers: session.headers,
        payload: { points: '12.5', justification: 'Proposta tècnica clara i ben justificada' },
      });
      expect(scored.statusCode, scored.body).toBe(200);
    }
    await committee.fill('#b-report', 'Acta de la mesa de contractació 3/2026, informe del sobre B aprovat');
    await committee.click('#approve-b-report');
    await committee.waitForSelector('#notice');
    expect(await committee.getAttribute('#state-C', 'data-state')).toBe('open');

    await openAs(c(1), 1, 'C');
    await openAs(c(3), 3, 'C');
    await expect.poll(() => c(3).getAttribute('#state-C', 'data-state')).toBe('opened');
    await c(3).reload();
    for (const e of ['A', 'B', 'C'])
      expect(await c(3).getAttribute(`#state-${e}`, 'data-state')).toBe('opened');
    await expectAccessible(c(3), 'ca-opening-all-opened');

    const visitor = await demo.browser.newContext();
    demo.track(visitor);
    const pub = await visitor.newPage();
    for (const locale of ['ca', 'es', 'en'] as const) {
      await pub.goto(`${demo.base}/lang/${locale}?next=${encodeURIComponent(`/tenders/${ocid}`)}`);
      for (const e of ['A', 'B', 'C']) expect(await pub.isVisible(`#opening-${e}`)).toBe(true);
      expect(await pub.textContent('#openings')).toContain(bidder);
      await expectAccessible(pub, `${locale}-public-openings`);
    }
    const records = (await demo.app.inject({ url: `/api/v1/tenders/${ocid}/openings` })).json() as {
      record: {
        envelope: string;
        custodians: { index: number }[];
        bids: {
          outcome: string;
          company: { legalName: string };
          offer?: { lots: { price: string }[] | null; problem: string | null } | null;
        }[];
      };
    }[];
    expect(records.map((r) => r.record.envelope)).toEqual(['A', 'B', 'C']);
    for (const r of records) {
      expect(r.record.custodians).toHaveLength(2);
      expect(r.record.bids.map((b) => b.outcome)).toEqual(['opened', 'opened']);
    }
    // At C the price typed in the browser is read out from the sealed offer.json; the API-sealed
    // bid has none (the test helper seals no offer), which the record says.
    const atC = records[2]?.record.bids ?? [];
    expect(atC.find((b) => b.company.legalName === bidder)?.offer).toEqual({
      lots: [{ lot: picked.notice.lots[0]?.number ?? 1, price: '48250.50', values: [] }],
      problem: null,
    });
    expect(atC.find((b) => b.company.legalName !== bidder)?.offer).toEqual({
      lots: null,
      problem: 'missing',
    });
    for (const locale of ['ca', 'es', 'en'] as const) {
      await pub.goto(`${demo.base}/lang/${locale}?next=${encodeURIComponent(`/tenders/${ocid}`)}`);
      expect(await pub.textContent('#opening-C')).toMatch(/48[.,\s\u202f\u00a0]?250[.,]50/);
    }
  });
});
