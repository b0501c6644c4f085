import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDateTime, formatMoney } from '../../src/platform/i18n/i18n.js';
import { newId } from '../../src/platform/ids.js';
import type { MailMessage } from '../../src/platform/mail.js';
import { Dec } from '../../src/platform/money.js';
import { buildTestApp, makeUser, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import {
  admitAll,
  type Cast,
  draftFor,
  judgeAndApprove,
  makeCast,
  openStage,
  type ProcedureCase,
  type PublishedFile,
  publishFile,
  submitBid,
} from '../helpers/lifecycle.js';

/**
 * Notification of the award (art. 151 LCSP) through the API: when the contracting body notifies
 * the award of a lot, every bidder of the lot — each user of each bidding company, and the
 * company's address designated for notifications — is mailed after the step commits, in the
 * user's language, with the decision, the link to its published reasons and, where the special
 * appeal lies, the end of the standstill (art. 153.3).
 */

type AwardView = { version: number; status: string; standstillEnds: string | null; specialAppeal: boolean };

const REASONS = 'Oferta amb la millor relació qualitat-preu segons els criteris publicats';

describe(`award notification mails (${driverName})`, () => {
  let t: TestApp;
  let cast: Cast;

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    cast = await makeCast(t);
  }, 60_000);
  afterAll(async () => t.close());

  const awardUrl = (file: PublishedFile) =>
    `/api/v1/authorities/${cast.authorityId}/tenders/${file.tenderId}/awards/1`;
  const current = async (file: PublishedFile) => {
    const res = await t.app.inject({
      url: `/api/v1/authorities/${cast.authorityId}/tenders/${file.tenderId}/awards`,
      headers: cast.s.officer?.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { lots: (AwardView & { lot: number })[] }).lots.find(
      (l) => l.lot === 1,
    ) as AwardView;
  };
  const step = async (file: PublishedFile, who: 'committee' | 'officer', payload: object, version?: number) =>
    t.app.inject({
      method: 'POST',
      url: awardUrl(file),
      headers: cast.s[who]?.headers,
      payload: { version: version ?? (await current(file)).version, ...payload },
    });
  const ok = async (file: PublishedFile, who: 'committee' | 'officer', payload: object) => {
    const res = await step(file, who, payload);
    expect(res.statusCode, `${JSON.stringify(payload)} ${res.body}`).toBe(200);
    return res.json() as AwardView;
  };

  /** Publishes a file of `spec`, takes one bid per price, opens and evaluates it up to the award decision. */
  const toAwardDecision = async (spec: ProcedureCase, prices: string[]) => {
    const file = await publishFile(t, cast, draftFor(spec, t.clock.now()));
    const bids = [];
    for (const price of prices) bids.push(await submitBid(t, file, { price, newHires: '3' }));
    t.clock.set(new Date(file.openingAt.getTime() + 60_000));
    await cast.relogin();
    const ids = bids.map((b) => b.bidId);
    for (const [i, envelope] of file.envelopes.entries()) {
      await openStage(t, cast, file, envelope);
      if (i === 0) await admitAll(t, cast, file, ids);
      if (envelope === 'B') {
        await judgeAndApprove(
          t,
          cast,
          file,
          ids.map((id) => [id, '20'] as [string, string]),
        );
      }
    }
    await ok(file, 'committee', { event: 'propose' });
    await ok(file, 'committee', { event: 'request_documentation' });
    await ok(file, 'committee', { event: 'documentation_ok' });
    await ok(file, 'officer', { event: 'award', reasons: REASONS });
    return { file, bids };
  };

  const publicUrl = () => t.app.deps.config.publicUrl;
  const linkOf = (file: PublishedFile) =>
    `${publicUrl()}/tenders/${encodeURIComponent(file.ocid)}#award-lot-1`;
  const reference = async (file: PublishedFile) =>
    (
      await t.db.db
        .selectFrom('tender')
        .select('reference')
        .where('id', '=', file.tenderId)
        .executeTakeFirstOrThrow()
    ).reference;

  describe('a lot where the special appeal lies (standstill)', () => {
    let file: PublishedFile;
    let bids: Awaited<ReturnType<typeof submitBid>>[];
    let sent: MailMessage[] = [];
    let second: { email: string };
    const designated = `avisos-${newId().slice(0, 8)}@bidder2.example`;
    let notified: AwardView;
    const prices = ['100000.00', '104000.00', '108000.00'];

    beforeAll(async () => {
      ({ file, bids } = await toAwardDecision(
        {
          procedure: 'abierto_simplificado',
          estimatedValue: '120000.00',
          envelopes: ['B', 'C'],
          specialAppeal: true,
        },
        prices,
      ));
      const [b1, b2, b3] = bids;
      // Bidder 1 reads Spanish and has a colleague who reads English; bidder 2 keeps Catalan and
      // designated an address for notifications; bidder 3 reads English.
      await t.db.db
        .updateTable('app_user')
        .set({ locale: 'es' })
        .where('id', '=', b1?.bidder.userId ?? '')
        .execute();
      await t.db.db
        .updateTable('app_user')
        .set({ locale: 'en' })
        .where('id', '=', b3?.bidder.userId ?? '')
        .execute();
      second = await makeUser(t, {
        companies: [{ companyId: b1?.bidder.companyId ?? '', roles: ['bidder'] }],
      });
      await t.db.db.updateTable('app_user').set({ locale: 'en' }).where('email', '=', second.email).execute();
      await t.db.db
        .insertInto('company_email')
        .values({ id: newId(), company_id: b2?.bidder.companyId ?? '', email: designated })
        .execute();
      // A user of a company that did not bid is never told.
      await makeUser(t, { companies: [] });
    }, 120_000);

    it('mails nobody before the notification step, nor when the step is refused', async () => {
      expect(t.mail.sent).toEqual([]);
      const stale = await step(file, 'officer', { event: 'notify' }, 0);
      expect(stale.statusCode, stale.body).toBe(409);
      const wrongRole = await step(file, 'committee', { event: 'notify' });
      expect(wrongRole.statusCode, wrongRole.body).toBe(403);
      expect(t.mail.sent).toEqual([]);
    });

    it('mails every user of every bidding company and the designated address once the award is notified', async () => {
      notified = await ok(file, 'officer', { event: 'notify' });
      expect(notified.status).toBe('notified');
      sent = [...t.mail.sent];
      const [b1, b2, b3] = bids;
      expect(sent.map((m) => m.to).sort()).toEqual(
        [b1?.bidder.email, second.email, b2?.bidder.email, designated, b3?.bidder.email].sort(),
      );
    });

    it('writes each mail in its recipient’s language, with the decision, the reasons and the link', async () => {
      const ref = await reference(file);
      const to = (email: string | undefined) => sent.find((m) => m.to === email);
      const [b1, b2, b3] = bids;
      const es = to(b1?.bidder.email);
      expect(es?.subject).toBe(`Adjudicación del lote 1 del expediente ${ref}`);
      expect(es?.text).toContain('Su oferta');
      expect(es?.text).toContain('es la adjudicataria de este lote');
      expect(es?.text).toContain(formatMoney('es', prices[0] ?? ''));
      expect(to(second.email)?.subject).toBe(`Award of lot 1 of file ${ref}`);
      expect(to(second.email)?.text).toContain('is the one awarded this lot');
      expect(to(b2?.bidder.email)?.subject).toBe(`Adjudicació del lot 1 de l’expedient ${ref}`);
      expect(to(b2?.bidder.email)?.text).toContain('no ha resultat adjudicatària');
      expect(to(designated)?.subject).toBe(`Adjudicació del lot 1 de l’expedient ${ref}`);
      expect(to(b3?.bidder.email)?.text).toContain('was not awarded this lot');
      for (const m of sent) {
        expect(m.text).toContain(REASONS);
        expect(m.text).toContain(linkOf(file));
        expect(m.text).toContain('art. 151');
      }
    });

    it('gives the end of the standstill that the next step then fixes', async () => {
      const standstill = await ok(file, 'officer', { event: 'start_standstill' });
      const ends = new Date(standstill.standstillEnds ?? '');
      expect(ends.getTime()).toBeGreaterThan(t.clock.now().getTime());
      const [b1, b2, b3] = bids;
      expect(sent.find((m) => m.to === b1?.bidder.email)?.text).toContain(formatDateTime('es', ends));
      expect(sent.find((m) => m.to === b2?.bidder.email)?.text).toContain(formatDateTime('ca', ends));
      expect(sent.find((m) => m.to === b3?.bidder.email)?.text).toContain(formatDateTime('en', ends));
      expect(sent.find((m) => m.to === b3?.bidder.email)?.text).toContain('art. 153.3');
      // The later steps mail nobody.
      expect(t.mail.sent).toHaveLength(sent.length);
    });

    it('the public page the mail links to shows the decision and its reasons', async () => {
      const res = await t.app.inject({ url: `/tenders/${encodeURIComponent(file.ocid)}` });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('id="award-lot-1"');
      expect(res.body).toContain(REASONS);
    });
  });

  describe('a lot without the special appeal', () => {
    it('mails the bidders without any standstill, and a failed message neither fails the step nor stops the others', async () => {
      t.mail.sent.length = 0;
      const { file, bids } = await toAwardDecision(
        {
          procedure: 'abierto_simplificado_abreviado',
          estimatedValue: '50000.00',
          envelopes: ['C'],
          specialAppeal: false,
        },
        ['40000.00', '41000.00'].map((p) => new Dec(p).toFixed(2)),
      );
      expect(t.mail.sent).toEqual([]);
      const [b1, b2] = bids;
      const original = t.mail.send;
      t.mail.send = async (message) => {
        if (message.to === b1?.bidder.email) throw new Error('mailbox unavailable');
        return original(message);
      };
      try {
        const notified = await ok(file, 'officer', { event: 'notify' });
        expect(notified).toMatchObject({ status: 'notified', specialAppeal: false, standstillEnds: null });
      } finally {
        t.mail.send = original;
      }
      expect(t.mail.sent.map((m) => m.to)).toEqual([b2?.bidder.email]);
      const [mail] = t.mail.sent;
      expect(mail?.text).toContain(linkOf(file));
      expect(mail?.text).not.toContain('153.3');
      expect(mail?.text).not.toContain('art. 44');
      expect(t.logs.join('')).toContain('award notification mail not sent');
      const status = await t.db.db
        .selectFrom('lot_award')
        .select('status')
        .where('tender_id', '=', file.tenderId)
        .executeTakeFirstOrThrow();
      expect(status.status).toBe('notified');
    });
  });
});
