import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromBase64 } from '../../src/modules/sealing/bytes.js';
import { loadIdentity } from '../../src/modules/sealing/custodian-key.js';
import { sealEnvelopeToMemory } from '../../src/modules/sealing/envelope.seal.js';
import { makeOffer, OFFER_FILE_NAME, offerBytes } from '../../src/modules/sealing/offer.rules.js';
import type { EnvelopeLetter, SealingTarget } from '../../src/modules/sealing/sealing.types.js';
import { encodeSharePayload, unwrapShare } from '../../src/modules/sealing/shares.js';
import { newId } from '../../src/platform/ids.js';
import { apiSession, demoSuite, expectAccessible } from './browser.js';

/**
 * Issue 5's browser acceptance for the committee: on a published demo file of Barcelona with two
 * bids submitted through the API (offers sealed with offer.json), the custodians open the envelopes
 * through the API (custodian.test.ts covers doing it in the browser), and a committee member, in
 * Chromium, qualifies both bids on the qualification page, scores the judgement criteria and
 * approves the report on the judgement page, then reads the scoring; the public page shows the
 * evaluation. axe-core on every page, in Catalan, Spanish and English.
 */

const demo = demoSuite();

type Notice = {
  envelopes: EnvelopeLetter[];
  lots: { number: number }[];
  sealing?: SealingTarget;
};

const signIn = (email: string) => demo.signIn(email);
const inLocale = demo.inLocale;

async function emailOf(userId: string): Promise<string> {
  const row = await demo.app.deps.database.db
    .selectFrom('app_user')
    .select('email')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  return row.email;
}

describe('a committee member qualifies, scores and approves the report on the pages', () => {
  let tenderId = '';
  let ocid = '';
  let notice: Notice;
  const identityFile = (n: number) =>
    path.join(demo.dataDir, 'demo-custodian-identities', `custodian${n}@barcelona.example.txt`);
  const office = (p: string) => `/office/${demo.authorityId}/tenders/${tenderId}/${p}`;

  /** A published demo file of Barcelona with envelopes A, B, C sealed to the demo custodians' keys. */
  async function pickTender(): Promise<void> {
    const db = demo.app.deps.database.db;
    const recipients = [1, 2, 3].map(
      (n) => /# public key: (age1\w+)/.exec(fs.readFileSync(identityFile(n), 'utf8'))?.[1] ?? '',
    );
    const tenders = await db
      .selectFrom('tender')
      .select(['id', 'ocid'])
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
      const n = JSON.parse(row.canonical) as Notice & {
        sealing?: { custodians: { recipient: string }[] };
      };
      const keys = n.sealing?.custodians.map((c) => c.recipient) ?? [];
      if (
        ['A', 'B', 'C'].every((e) => n.envelopes?.includes(e as EnvelopeLetter)) &&
        recipients.every((r) => keys.includes(r)) &&
        keys.length === 3
      ) {
        tenderId = tender.id;
        ocid = tender.ocid ?? '';
        notice = n;
        return;
      }
    }
    throw new Error('no published demo file with envelopes A, B, C and the demo custodians');
  }

  /** Seals a bid (with its offer.json in C) and submits it through the bids API, as the CLI does. */
  async function submitBid(email: string, price: string): Promise<void> {
    const db = demo.app.deps.database.db;
    const member = await db
      .selectFrom('company_member as m')
      .innerJoin('app_user as u', 'u.id', 'm.user_id')
      .select(['m.company_id'])
      .where('u.email', '=', email)
      .executeTakeFirstOrThrow();
    const session = await apiSession(demo.app, email);
    const sealing = notice.sealing as SealingTarget;
    const target = { ocid, quorum: sealing.quorum, custodians: sealing.custodians };
    const bidId = newId();
    const lot = notice.lots[0]?.number ?? 1;
    const envelopes = [];
    for (const envelope of notice.envelopes) {
      const files = [
        { name: `sobre-${envelope}.txt`, content: new TextEncoder().encode(`Oferta ${envelope}`) },
      ];
      if (envelope === 'C') {
        files.push({
          name: OFFER_FILE_NAME,
          // A copy on its own ArrayBuffer, the type the sealing input takes.
          content: new Uint8Array(offerBytes(makeOffer({ ocid, bidId, lots: [{ lot, price, values: [] }] }))),
        });
      }
      envelopes.push(await sealEnvelopeToMemory({ target, bidId, lots: [lot], envelope, files }));
    }
    const url = `/api/v1/tenders/${ocid}/bids/${bidId}`;
    for (const e of envelopes) {
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
        lots: [lot],
        envelopes: envelopes.map((e) => ({ manifest: e.manifest })),
      },
    });
    expect(res.statusCode, res.body).toBe(201);
  }

  /** What a custodian's device does for one stage: decrypt their shares and submit them. */
  async function openAs(n: number, envelope: EnvelopeLetter): Promise<void> {
    const session = await apiSession(demo.app, `custodian${n}@barcelona.example`);
    const identity = await loadIdentity(fs.readFileSync(identityFile(n), 'utf8'));
    const url = `/api/v1/authorities/${demo.authorityId}/tenders/${tenderId}/opening/${envelope}/shares`;
    const mine = await demo.app.inject({ url: `${url}/mine`, headers: session.headers });
    expect(mine.statusCode, mine.body).toBe(200);
    const body = mine.json() as { custodianIndex: number; shares: { bidId: string; ciphertext: string }[] };
    const shares = [];
    for (const x of body.shares) {
      const payload = await unwrapShare(fromBase64(x.ciphertext) as Uint8Array, identity, {
        ocid,
        bidId: x.bidId,
        envelope,
        index: body.custodianIndex,
      });
      shares.push({ bidId: x.bidId, share: encodeSharePayload(payload) });
    }
    const res = await demo.app.inject({ method: 'POST', url, headers: session.headers, payload: { shares } });
    expect(res.statusCode, res.body).toBe(200);
  }

  it('qualifies, scores, approves the report and reads the scoring, axe clean in ca, es and en', async () => {
    await pickTender();
    await submitBid('bidder@neteges-valles.example', '48250.50');
    await submitBid('admin@jardins-maresme.example', '51000');
    // The server runs on the system clock: the deadline and opening time move to now (as in custodian.test.ts).
    const now = new Date();
    await demo.app.deps.database.db
      .updateTable('tender')
      .set({ tender_deadline: now, opening_at: now })
      .where('id', '=', tenderId)
      .execute();
    await openAs(1, 'A');
    await openAs(2, 'A');

    const email = 'committee@barcelona.example';
    const member = await demo.app.deps.database.db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    const page = await signIn(email);

    // The workspace is linked from the opening page.
    await inLocale(page, 'ca', office('opening'));
    await page.click('#committee-workspace');
    await page.waitForURL((u) => u.pathname === office('qualification'));
    const bidIds = await page.$$eval('#qualification-table tbody tr', (rows) =>
      rows.map((r) => (r as unknown as { id: string }).id.replace('row-', '')),
    );
    expect(bidIds).toHaveLength(2);
    for (const locale of ['es', 'en', 'ca'] as const) {
      await inLocale(page, locale, office('qualification'));
      await expectAccessible(page, `${locale}-committee-qualification`);
    }
    // An exclusion without grounds and with too short reasons is refused with an error summary.
    const [b1, b2] = bidIds as [string, string];
    await page.fill(`#reasons-${b1}`, 'curt');
    await page.click(`#exclude-${b1}`);
    await page.waitForSelector('#error-summary');
    expect(await page.textContent('#error-summary')).toBeTruthy();
    await expectAccessible(page, 'ca-committee-qualification-error');
    for (const bidId of bidIds) {
      await page.goto(`${demo.base}${office('qualification')}`);
      await page.click(`#admit-${bidId}`);
      await page.waitForSelector('#notice');
      expect(await page.getAttribute(`#row-${bidId}`, 'data-status')).toBe('admitted');
    }
    expect(await page.textContent('#qualification-state')).toBeTruthy();
    await expectAccessible(page, 'ca-committee-qualification-done');

    await openAs(2, 'B');
    await openAs(3, 'B');

    // The scoring sheet: the member scores their own criteria on the page; other members of the
    // demo committee (if any) score through the API.
    const judgementApi = `/api/v1/authorities/${demo.authorityId}/tenders/${tenderId}/judgement`;
    const chair = await apiSession(demo.app, email);
    const sheet = (await demo.app.inject({ url: judgementApi, headers: chair.headers })).json() as {
      missing: string[];
    };
    expect(sheet.missing.length).toBeGreaterThan(0);
    const mine = sheet.missing.filter((k) => {
      const memberId = k.split('/')[3];
      return memberId === undefined || memberId === member.id;
    });
    expect(mine.length).toBeGreaterThan(0);
    for (const key of sheet.missing.filter((k) => !mine.includes(k))) {
      const [bidId, lot, criterion, memberId] = key.split('/');
      const other = await apiSession(demo.app, await emailOf(memberId ?? ''));
      const res = await demo.app.inject({
        method: 'PUT',
        url: `${judgementApi}/${bidId}/lots/${lot}/criteria/${criterion}`,
        headers: other.headers,
        payload: { points: '10', justification: 'Proposta tècnica clara i ben justificada' },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    for (const locale of ['es', 'en', 'ca'] as const) {
      await inLocale(page, locale, office('judgement'));
      await expectAccessible(page, `${locale}-committee-judgement`);
    }
    const [firstKey] = mine.map((k) => k.split('/').slice(0, 3).join('-'));
    await page.fill(`#points-${firstKey}`, '9999');
    await page.fill(`#justification-${firstKey}`, 'Proposta tècnica clara i ben justificada');
    await page.click(`#score-${firstKey}`);
    await page.waitForSelector('#error-summary');
    await expectAccessible(page, 'ca-committee-judgement-error');
    for (const k of mine) {
      const key = k.split('/').slice(0, 3).join('-');
      await page.goto(`${demo.base}${office('judgement')}`);
      await page.fill(`#points-${key}`, '12,5');
      await page.fill(`#justification-${key}`, 'Proposta tècnica clara i ben justificada');
      await page.click(`#score-${key}`);
      await page.waitForSelector('#notice');
    }
    expect(await page.getAttribute('#missing-count', 'data-missing')).toBe('0');
    // The report: an empty summary is refused, then the approval is recorded and published.
    await page.click('#approve-report');
    await page.waitForSelector('#error-summary');
    await expectAccessible(page, 'ca-committee-report-error');
    await page.fill('#summary', 'Acta de la mesa de contractació 4/2026, informe del sobre B aprovat');
    await page.click('#approve-report');
    await page.waitForSelector('#notice');
    expect(await page.isVisible('#report-json')).toBe(true);
    await expectAccessible(page, 'ca-committee-report-approved');

    await openAs(1, 'C');
    await openAs(3, 'C');
    await page.click('#nav-scoring');
    await page.waitForURL((u) => u.pathname === office('scoring'));
    for (const locale of ['es', 'en', 'ca'] as const) {
      await inLocale(page, locale, office('scoring'));
      expect(await page.isVisible(`#offer-${b1}`)).toBe(true);
      expect(await page.isVisible(`#offer-${b2}`)).toBe(true);
      await expectAccessible(page, `${locale}-committee-scoring`);
    }
    expect(await page.textContent('#main')).toMatch(/48\.250,50/);

    const visitor = await demo.browser.newContext();
    demo.track(visitor);
    const pub = await visitor.newPage();
    for (const locale of ['ca', 'es', 'en'] as const) {
      await pub.goto(`${demo.base}/lang/${locale}?next=${encodeURIComponent(`/tenders/${ocid}`)}`);
      expect(await pub.isVisible('#evaluation')).toBe(true);
      await expectAccessible(pub, `${locale}-public-evaluation`);
    }
  });
});
