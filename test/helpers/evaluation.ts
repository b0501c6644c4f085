/**
 * A tender taken quickly through the evaluation to a formalised contract, for the suites of the
 * stages after it (the setup of test/api/award.test.ts, reduced): one lot with formula criteria
 * only (envelopes A and C), bids admitted, C opened, the best offer proposed, its documentation
 * checked, awarded, notified, the standstill passed (the special appeal lies: services above
 * 100,000 €) and the contract formalised.
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { fromBase64 } from '../../src/modules/sealing/bytes.js';
import { makeOffer, OFFER_FILE_NAME, offerBytes } from '../../src/modules/sealing/offer.rules.js';
import type { EnvelopeLetter, SealingTarget, SharePayload } from '../../src/modules/sealing/sealing.types.js';
import { unwrapShare } from '../../src/modules/sealing/shares.js';
import type { AuthorityRole } from '../../src/platform/context.js';
import { newId } from '../../src/platform/ids.js';
import { login, makeAuthority, makeCompany, makeUser, type Session, type TestApp } from './app.js';
import { registerCustodianKeys } from './custody.js';
import { insertSealedBid } from './opening-bids.js';
import { validNif } from './tax-ids.js';
import { ABNORMAL_NOTICE, loadDemoCpv, PRICE_F1, SOCIAL_STEPS, tenderPayload } from './tenders.js';

const DAY = 86_400_000;
const names = (text: string) => ({ ca: `${text} (ca)`, es: `${text} (es)`, en: `${text} (en)` });

export type EvaluationPeople = 'officer' | 'committee' | 'c1' | 'c2' | 'c3' | 'foreign';

export type EvaluatedTender = {
  authorityId: string;
  /** Another authority, whose officer and committee member is `foreign`. */
  otherAuthorityId: string;
  tenderId: string;
  ocid: string;
  /** Bid ids in the order of `prices` (lot 1). */
  bidIds: string[];
  ids: Record<EvaluationPeople, string>;
  emails: Record<EvaluationPeople, string>;
  sessions: Record<string, Session>;
  /** Signs everyone in again (after a jump of the clock), each round from its own address. */
  relogin: () => Promise<void>;
};

/**
 * Publishes a one-lot tender, seals one bid per price, opens A (every bid admitted) and C. The
 * clock of `t` is left just after the opening.
 */
export async function openedTender(
  t: TestApp,
  prices: readonly string[] = ['45000.00', '46000.00'],
): Promise<EvaluatedTender> {
  await loadDemoCpv(t);
  const a = await makeAuthority(t);
  const b = await makeAuthority(t);
  await t.db.db.updateTable('authority').set({ approval_chain: [] }).where('id', '=', a.id).execute();
  const people: [EvaluationPeople, string, AuthorityRole[]][] = [
    ['officer', a.id, ['procurement_officer']],
    ['committee', a.id, ['committee_member']],
    ['c1', a.id, ['key_custodian']],
    ['c2', a.id, ['key_custodian']],
    ['c3', a.id, ['key_custodian']],
    ['foreign', b.id, ['procurement_officer', 'committee_member']],
  ];
  const ids = {} as Record<EvaluationPeople, string>;
  const emails = {} as Record<EvaluationPeople, string>;
  for (const [name, authorityId, roles] of people) {
    const u = await makeUser(t, { roles: [{ authorityId, roles }] });
    ids[name] = u.id;
    emails[name] = u.email;
  }
  const s: Record<string, Session> = {};
  let signIns = 0;
  const relogin = async () => {
    signIns += 1;
    for (const [name, email] of Object.entries(emails)) {
      s[name] = await login(t, email, undefined, { remoteAddress: `10.8.${signIns}.1` });
    }
  };
  await relogin();
  const identities = new Map<string, string>();
  const keys = await registerCustodianKeys(t, a.id, [ids.c1, ids.c2, ids.c3]);
  for (const c of ['c1', 'c2', 'c3'] as const) identities.set(c, keys.get(ids[c])?.identity ?? '');

  const now = t.clock.now();
  const deadline = new Date(now.getTime() + 20 * DAY);
  const openingAt = new Date(deadline.getTime() + 2 * 3_600_000);
  const criteria = [
    {
      kind: 'price' as const,
      evaluation: 'formula' as const,
      weight: '35',
      name: names('Preu'),
      formula: PRICE_F1,
    },
    {
      kind: 'quality' as const,
      evaluation: 'formula' as const,
      weight: '65',
      name: names('Criteris socials'),
      formula: SOCIAL_STEPS,
    },
  ];
  const call = (method: 'POST' | 'PUT', p: string, payload: object) =>
    t.app.inject({
      method,
      url: `/api/v1/authorities/${a.id}/tenders${p}`,
      headers: s.officer?.headers,
      payload,
    });
  const created = await call('POST', '', {
    ...tenderPayload(now),
    tenderDeadline: deadline.toISOString(),
    openingAt: openingAt.toISOString(),
    singleLotJustification: 'Un sol servei indivisible',
    lots: [
      {
        number: 1,
        title: names('Lot 1'),
        estimatedValue: '180000',
        budgetExclVat: '150000',
        mainCpv: '90910000-9',
        abnormal: ABNORMAL_NOTICE,
        criteria,
      },
    ],
  });
  expect(created.statusCode, created.body).toBe(201);
  const tenderId = (created.json() as { id: string }).id;
  for (const kind of ['memoria_justificativa', 'pcap', 'ppt']) {
    await t.db.db
      .insertInto('tender_document')
      .values({
        id: newId(),
        tender_id: tenderId,
        authority_id: a.id,
        kind,
        title: kind,
        file_name: `${kind}.pdf`,
        content_type: 'application/pdf',
        size_bytes: 10,
        sha256: createHash('sha256').update(`${tenderId}${kind}`).digest('hex'),
        uploaded_by: ids.officer,
      })
      .execute();
  }
  const assigned = await call('PUT', `/${tenderId}/assignments`, {
    version: 1,
    committee: [ids.committee],
    custodians: [ids.c1, ids.c2, ids.c3],
  });
  expect(assigned.statusCode, assigned.body).toBe(200);
  const submitted = await call('POST', `/${tenderId}/submit`, {
    version: (assigned.json() as { version: number }).version,
  });
  expect(submitted.statusCode, submitted.body).toBe(200);
  const published = await call('POST', `/${tenderId}/publish`, {
    version: (submitted.json() as { version: number }).version,
  });
  expect(published.statusCode, published.body).toBe(200);
  const ocid = (published.json() as { ocid: string }).ocid;
  const notice = (await t.app.inject({ url: `/api/v1/tenders/${ocid}` })).json() as {
    notice: { sealing: { quorum: number; custodians: SealingTarget['custodians'] } };
  };
  const target: SealingTarget = {
    ocid,
    quorum: notice.notice.sealing.quorum,
    custodians: notice.notice.sealing.custodians,
  };

  const bidIds: string[] = [];
  for (const [i, price] of prices.entries()) {
    const bidId = newId();
    const company = await makeCompany(t, validNif());
    await t.db.db
      .updateTable('company')
      .set({ legal_name: `Bidder ${i + 1} SL` })
      .where('id', '=', company.id)
      .execute();
    const offer = makeOffer({
      ocid,
      bidId,
      lots: [{ lot: 1, price, values: [{ criterion: 2, value: '3' }] }],
    });
    await insertSealedBid(t, {
      authorityId: a.id,
      tenderId,
      target,
      companyId: company.id,
      submittedBy: ids.officer,
      bidId,
      lots: [1],
      envelopes: {
        A: [`A-${i}`],
        C: [`C-${i}`, { name: OFFER_FILE_NAME, content: offerBytes(offer) }],
      },
    });
    bidIds.push(bidId);
  }

  t.clock.set(new Date(openingAt.getTime() + 60_000));
  await relogin();
  const open = async (envelope: EnvelopeLetter) => {
    for (const who of ['c1', 'c2']) {
      const url = `/api/v1/authorities/${a.id}/tenders/${tenderId}/opening/${envelope}/shares`;
      const mine = await t.app.inject({ url: `${url}/mine`, headers: s[who]?.headers });
      expect(mine.statusCode, mine.body).toBe(200);
      const shares: { bidId: string; share: SharePayload }[] = [];
      for (const x of (mine.json() as { shares: { bidId: string; ciphertext: string }[] }).shares) {
        const share = await unwrapShare(fromBase64(x.ciphertext) as Uint8Array, identities.get(who) ?? '', {
          ocid,
          bidId: x.bidId,
          envelope,
        });
        shares.push({ bidId: x.bidId, share });
      }
      const res = await t.app.inject({ method: 'POST', url, headers: s[who]?.headers, payload: { shares } });
      expect(res.statusCode, res.body).toBe(200);
    }
  };
  await open('A');
  for (const bidId of bidIds) {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/authorities/${a.id}/tenders/${tenderId}/qualification/${bidId}`,
      headers: s.committee?.headers,
      payload: { version: 0, decision: 'admit' },
    });
    expect(res.statusCode, res.body).toBe(200);
  }
  await open('C');
  return {
    authorityId: a.id,
    otherAuthorityId: b.id,
    tenderId,
    ocid,
    bidIds,
    ids,
    emails,
    sessions: s,
    relogin,
  };
}

/**
 * Awards lot 1 of an opened tender to its best offer and formalises the contract: proposal,
 * documentation, award, notification, the 15-day standstill (the clock jumps past it), signature.
 * Returns the contract id and the instant of signature.
 */
export async function formaliseLot(
  t: TestApp,
  e: EvaluatedTender,
): Promise<{ contractId: string; signedAt: Date }> {
  const url = `/api/v1/authorities/${e.authorityId}/tenders/${e.tenderId}/awards/1`;
  let version = 0;
  const step = async (who: string, payload: object) => {
    const res = await t.app.inject({
      method: 'POST',
      url,
      headers: e.sessions[who]?.headers,
      payload: { version, ...payload },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { version: number; standstillEnds: string | null; contractId: string | null };
    version = body.version;
    return body;
  };
  await step('committee', { event: 'propose' });
  await step('committee', { event: 'request_documentation' });
  await step('committee', { event: 'documentation_ok' });
  await step('officer', { event: 'award', reasons: 'Oferta amb la millor relació qualitat-preu' });
  await step('officer', { event: 'notify' });
  const standstill = await step('officer', { event: 'start_standstill' });
  t.clock.set(new Date(new Date(standstill.standstillEnds ?? '').getTime() + 60_000));
  await e.relogin();
  await step('officer', { event: 'clear_for_formalisation' });
  const signedAt = new Date(t.clock.now().getTime() - 30_000);
  const formalised = await step('officer', { event: 'formalise', signedAt: signedAt.toISOString() });
  return { contractId: formalised.contractId ?? '', signedAt };
}

/** `openedTender` then `formaliseLot`: a formalised contract, quickly. */
export async function formalisedContract(t: TestApp, prices?: readonly string[]) {
  const e = await openedTender(t, prices);
  const contract = await formaliseLot(t, e);
  return { ...e, ...contract };
}
