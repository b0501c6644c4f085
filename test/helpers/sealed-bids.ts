import { createHash } from 'node:crypto';
import { generateCustodianKey, type CustodianKey } from '../../src/modules/sealing/custodian-key.js';
import { sealEnvelopeToMemory } from '../../src/modules/sealing/envelope.seal.js';
import type {
  EnvelopeLetter,
  SealedEnvelope,
  SealingTarget,
} from '../../src/modules/sealing/sealing.types.js';
import { newId } from '../../src/platform/ids.js';
import { login, makeAuthority, makeCompany, makeUser, type Session, type TestApp } from './app.js';
import { validNif } from './tax-ids.js';
import { loadDemoCpv, tenderPayload, recordRequiredDocuments } from './tenders.js';

export type SealedTender = {
  authorityId: string;
  tenderId: string;
  ocid: string;
  deadline: Date;
  envelopes: EnvelopeLetter[];
  target: SealingTarget;
  /** Custodians' keys by index 1..n (made with the sealing library, registered through the API). */
  keys: CustodianKey[];
  officer: Session;
};

/**
 * A published open tender (two lots, envelopes A, B, C) whose three custodians (quorum 2)
 * registered keys made with the sealing library through the custody API: the notice's sealing
 * target is what bids are sealed to.
 */
export async function publishSealedTender(t: TestApp): Promise<SealedTender> {
  await loadDemoCpv(t);
  const authority = await makeAuthority(t);
  const authorityId = authority.id;
  await t.db.db.updateTable('authority').set({ approval_chain: [] }).where('id', '=', authorityId).execute();
  const officerUser = await makeUser(t, { roles: [{ authorityId, roles: ['procurement_officer'] }] });
  const officer = await login(t, officerUser.email);
  const byUser = new Map<string, CustodianKey>();
  const custodianIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    const u = await makeUser(t, { roles: [{ authorityId, roles: ['key_custodian'] }] });
    const s = await login(t, u.email);
    const key = await generateCustodianKey();
    const res = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/authorities/${authorityId}/custodian-keys/me`,
      headers: s.headers,
      payload: { recipient: key.recipient },
    });
    if (res.statusCode !== 200) throw new Error(`key registration failed: ${res.body}`);
    byUser.set(u.id, key);
    custodianIds.push(u.id);
  }
  const base = `/api/v1/authorities/${authorityId}/tenders`;
  const call = async (method: 'GET' | 'POST' | 'PUT', path: string, payload?: object) => {
    const res = await t.app.inject({
      method,
      url: `${base}${path}`,
      headers: officer.headers,
      ...(payload ? { payload } : {}),
    });
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${res.body}`);
    return res.json() as { id: string; version: number; ocid: string | null; tenderDeadline: string };
  };
  const created = await call('POST', '', tenderPayload(t.clock.now()));
  await recordRequiredDocuments(t, authorityId, created.id, officerUser.id);
  const assigned = await call('PUT', `/${created.id}/assignments`, {
    version: 1,
    committee: [],
    custodians: custodianIds,
  });
  const approved = await call('POST', `/${created.id}/submit`, { version: assigned.version });
  const published = await call('POST', `/${created.id}/publish`, { version: approved.version });
  const ocid = published.ocid ?? '';
  const notice = (await t.app.inject({ url: `/api/v1/tenders/${ocid}` })).json() as {
    notice: {
      envelopes: EnvelopeLetter[];
      tenderDeadline: string;
      sealing: { quorum: number; custodians: { index: number; keyId: string; recipient: string }[] };
    };
  };
  const target: SealingTarget = {
    ocid,
    quorum: notice.notice.sealing.quorum,
    custodians: notice.notice.sealing.custodians.map((c) => ({
      index: c.index,
      keyId: c.keyId,
      recipient: c.recipient,
    })),
  };
  const keys = target.custodians.map((c) => {
    const key = [...byUser.values()].find((k) => k.recipient === c.recipient);
    if (!key) throw new Error('custodian key not found');
    return key;
  });
  return {
    authorityId,
    tenderId: created.id,
    ocid,
    deadline: new Date(notice.notice.tenderDeadline),
    envelopes: notice.notice.envelopes,
    target,
    keys,
    officer,
  };
}

export type Bidder = { companyId: string; taxId: string; session: Session; userId: string; email: string };

export async function makeBidder(t: TestApp, role: 'bidder' | 'company_admin' = 'bidder'): Promise<Bidder> {
  const taxId = validNif();
  const company = await makeCompany(t, taxId);
  const user = await makeUser(t, { companies: [{ companyId: company.id, roles: [role] }] });
  return {
    companyId: company.id,
    taxId,
    session: await login(t, user.email),
    userId: user.id,
    email: user.email,
  };
}

/** Signs the bidder in again (after the test clock moved past the session's lifetime). */
export async function relogin(t: TestApp, bidder: Bidder): Promise<void> {
  bidder.session = await login(t, bidder.email);
}

export type SealedBid = {
  bidId: string;
  lots: number[];
  envelopes: (SealedEnvelope & { ciphertexts: Uint8Array[] })[];
};

/** Seals every envelope of the tender with the sealing library, each holding one file with `text`. */
export async function sealBid(
  tender: SealedTender,
  opts: { bidId?: string; lots?: number[]; text: (envelope: EnvelopeLetter) => string },
): Promise<SealedBid> {
  const bidId = opts.bidId ?? newId();
  const lots = opts.lots ?? [1];
  const envelopes = [];
  for (const envelope of tender.envelopes) {
    envelopes.push(
      await sealEnvelopeToMemory({
        target: tender.target,
        bidId,
        lots,
        envelope,
        files: [{ name: `sobre-${envelope}.txt`, content: new TextEncoder().encode(opts.text(envelope)) }],
      }),
    );
  }
  return { bidId, lots, envelopes };
}

const bidsUrl = (tender: SealedTender, bidId: string) => `/api/v1/tenders/${tender.ocid}/bids/${bidId}`;

export function uploadPiece(
  t: TestApp,
  tender: SealedTender,
  bidder: Bidder,
  bidId: string,
  bytes: Uint8Array,
  sha256 = createHash('sha256').update(bytes).digest('hex'),
) {
  return t.app.inject({
    method: 'PUT',
    url: `${bidsUrl(tender, bidId)}/blobs/${sha256}?companyId=${bidder.companyId}`,
    headers: { ...bidder.session.headers, 'content-type': 'application/octet-stream' },
    payload: Buffer.from(bytes),
  });
}

/** Uploads every ciphertext and encrypted share of a sealed bid; throws on any refusal. */
export async function uploadBid(t: TestApp, tender: SealedTender, bidder: Bidder, bid: SealedBid) {
  for (const e of bid.envelopes) {
    for (const piece of [...e.ciphertexts, ...e.shares.map((s) => s.ciphertext)]) {
      const res = await uploadPiece(t, tender, bidder, bid.bidId, piece);
      if (res.statusCode !== 201) throw new Error(`upload refused: ${res.statusCode} ${res.body}`);
    }
  }
}

export function commitVersion(
  t: TestApp,
  tender: SealedTender,
  bidder: Bidder,
  bid: SealedBid,
  overrides: { lots?: number[]; envelopes?: { manifest: unknown }[]; companyId?: string } = {},
) {
  return t.app.inject({
    method: 'POST',
    url: `${bidsUrl(tender, bid.bidId)}/versions`,
    headers: bidder.session.headers,
    payload: {
      companyId: overrides.companyId ?? bidder.companyId,
      lots: overrides.lots ?? bid.lots,
      envelopes: overrides.envelopes ?? bid.envelopes.map((e) => ({ manifest: e.manifest })),
    },
  });
}

export function withdraw(t: TestApp, tender: SealedTender, bidder: Bidder, bidId: string) {
  return t.app.inject({
    method: 'POST',
    url: `${bidsUrl(tender, bidId)}/withdraw`,
    headers: bidder.session.headers,
    payload: { companyId: bidder.companyId },
  });
}

export function receipts(t: TestApp, tender: SealedTender, session: Session | undefined, bidId: string) {
  return t.app.inject({ url: `${bidsUrl(tender, bidId)}/receipts`, headers: session?.headers ?? {} });
}

export function commitment(t: TestApp, tender: SealedTender) {
  return t.app.inject({ url: `/api/v1/tenders/${tender.ocid}/bids/commitment` });
}
