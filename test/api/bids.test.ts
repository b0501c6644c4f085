import { createHash, createPublicKey } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupStorage } from '../../src/modules/bids/bid-cleanup.js';
import { bidderEmbargo } from '../../src/modules/bids/bid.service.js';
import { verifyReceiptFile } from '../../src/modules/bids/receipt.signing.js';
import { keyIdOf } from '../../src/platform/signing-key.js';
import { buildTestApp, login, makeUser, rowCounts, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import {
  type Bidder,
  commitment,
  commitVersion,
  makeBidder,
  publishSealedTender,
  receipts,
  relogin,
  type SealedBid,
  type SealedTender,
  sealBid,
  uploadBid,
  uploadPiece,
  withdraw,
} from '../helpers/sealed-bids.js';

type ReceiptBody = {
  receipt: {
    version: number;
    sequence: number;
    bidId: string;
    receivedAt: string;
    lots: number[];
    keyId: string;
  };
  signature: string;
};

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function storedFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(e.name);
    }
  };
  await walk(dir);
  return out;
}

describe(`sealed bid submission (${driverName})`, () => {
  let t: TestApp;
  let tender: SealedTender;
  let alpha: Bidder;
  let beta: Bidder;
  let alphaBid: SealedBid;

  const verifyKeys = () => {
    const publicKey = createPublicKey(t.app.deps.signingKey.current.privateKey);
    return [{ keyId: keyIdOf(publicKey), publicKey }];
  };

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    tender = await publishSealedTender(t);
    alpha = await makeBidder(t, 'bidder');
    beta = await makeBidder(t, 'company_admin');
  });
  afterAll(async () => t.close());

  it('takes a sealed bid: pieces streamed and hashed, then the version with a signed receipt', async () => {
    expect(tender.envelopes).toEqual(['A', 'B', 'C']);
    alphaBid = await sealBid(tender, { lots: [1, 2], text: (e) => `alpha ${e}` });
    const piece = alphaBid.envelopes[0]?.ciphertexts[0] as Uint8Array;
    const up = await uploadPiece(t, tender, alpha, alphaBid.bidId, piece);
    expect(up.statusCode, up.body).toBe(201);
    expect(up.json()).toEqual({ sha256: sha(piece), size: piece.length });
    await uploadBid(t, tender, alpha, alphaBid);

    const before = await rowCounts(t);
    const res = await commitVersion(t, tender, alpha, alphaBid);
    expect(res.statusCode, res.body).toBe(201);
    const file = res.json() as ReceiptBody;
    expect(file.receipt).toMatchObject({
      v: 1,
      kind: 'contracta.bid-receipt',
      ocid: tender.ocid,
      tenderId: tender.tenderId,
      bidId: alphaBid.bidId,
      version: 1,
      sequence: 1,
      lots: [1, 2],
      company: { id: alpha.companyId, taxId: alpha.taxId },
      receivedAt: t.clock.now().toISOString(),
      envelopes: alphaBid.envelopes.map((e) => ({
        envelope: e.manifest.envelope,
        manifestSha256: e.manifestSha256,
        files: e.manifest.files.map((f) => f.sha256),
        shares: e.shares.map((s) => s.sha256),
      })),
    });
    // Verifies offline with the platform's public key.
    expect(verifyReceiptFile(file, verifyKeys())).toMatchObject({ ok: true });

    const after = await rowCounts(t);
    expect(after.bid).toBe((before.bid ?? 0) + 1);
    expect(after.bid_version).toBe((before.bid_version ?? 0) + 1);
    expect(after.bid_envelope).toBe((before.bid_envelope ?? 0) + 3);
    // One file and three shares per envelope.
    expect(after.bid_blob).toBe((before.bid_blob ?? 0) + 12);
    expect(after.audit_event).toBe((before.audit_event ?? 0) + 1);
    const event = await t.db.db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', 'bid.submitted')
      .executeTakeFirstOrThrow();
    // Written now, under the tender's bidder embargo: no reader learns who bid before A opens.
    expect(event.authority_id).toBe(tender.authorityId);
    expect(event.company_id).toBe(alpha.companyId);
    expect(event.embargo).toBe(bidderEmbargo(tender.tenderId));

    const listed = await receipts(t, tender, alpha.session, alphaBid.bidId);
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual([{ version: 1, kind: 'submission', sequence: 1, file }]);
  });

  it('replaces a bid with a new version (the last counts), numbered in order of receipt', async () => {
    t.clock.advance(60_000);
    const replacement = await sealBid(tender, {
      bidId: alphaBid.bidId,
      lots: [2],
      text: (e) => `alpha v2 ${e}`,
    });
    await uploadBid(t, tender, alpha, replacement);
    const res = await commitVersion(t, tender, alpha, replacement);
    expect(res.statusCode, res.body).toBe(201);
    expect((res.json() as ReceiptBody).receipt).toMatchObject({ version: 2, sequence: 2, lots: [2] });
    const bid = await t.db.db
      .selectFrom('bid')
      .selectAll()
      .where('id', '=', alphaBid.bidId)
      .executeTakeFirstOrThrow();
    expect(bid).toMatchObject({ status: 'submitted', current_version: 2 });
    alphaBid = replacement;
  });

  it('keeps a bid to its company: other companies and the authority’s staff get nothing', async () => {
    const staff = await makeUser(t, {
      roles: [{ authorityId: tender.authorityId, roles: ['procurement_officer', 'key_custodian'] }],
    });
    const staffSession = await login(t, staff.email);
    const before = await rowCounts(t);
    // Beta reuses alpha's bid id: refused before and after uploading.
    const stolen = await sealBid(tender, { bidId: alphaBid.bidId, text: () => 'beta' });
    const piece = stolen.envelopes[0]?.ciphertexts[0] as Uint8Array;
    const up = await uploadPiece(t, tender, beta, stolen.bidId, piece);
    expect(up.statusCode).toBe(409);
    expect(up.json()).toMatchObject({ code: 'BID_ID_TAKEN' });
    const commit = await commitVersion(t, tender, beta, stolen);
    expect(commit.statusCode).toBe(409);
    expect(commit.json()).toMatchObject({ code: 'BID_ID_TAKEN' });
    expect((await receipts(t, tender, beta.session, alphaBid.bidId)).statusCode).toBe(404);
    expect((await withdraw(t, tender, beta, alphaBid.bidId)).statusCode).toBe(404);
    // A member of another company acting for alpha's company: not a member, so no such company.
    const asAlpha = await commitVersion(t, tender, beta, alphaBid, { companyId: alpha.companyId });
    expect(asAlpha.statusCode).toBe(404);

    // The authority's staff: no company role, so bids do not exist for them.
    expect((await receipts(t, tender, staffSession, alphaBid.bidId)).statusCode).toBe(404);
    const staffUpload = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/tenders/${tender.ocid}/bids/${alphaBid.bidId}/blobs/${sha(piece)}?companyId=${alpha.companyId}`,
      headers: { ...staffSession.headers, 'content-type': 'application/octet-stream' },
      payload: Buffer.from(piece),
    });
    expect(staffUpload.statusCode).toBe(404);
    expect((await receipts(t, tender, undefined, alphaBid.bidId)).statusCode).toBe(401);
    expect(await rowCounts(t)).toEqual(before);
    expect(await storedFiles(path.join(t.blobDir, 'sha256'))).not.toContain(sha(piece));
  });

  it('refuses bad manifests and missing pieces with stable codes, writing nothing', async () => {
    const bid = await sealBid(tender, { lots: [1], text: (e) => `beta ${e}` });
    const other = await sealBid(tender, { lots: [1], text: (e) => `other ${e}` });
    const manifests = bid.envelopes.map((e) => ({ manifest: e.manifest as unknown }));
    const before = await rowCounts(t);
    // Nothing uploaded yet: the pieces are missing.
    const missing = await commitVersion(t, tender, beta, bid);
    expect(missing.statusCode).toBe(422);
    expect(missing.json()).toMatchObject({ code: 'BLOB_MISSING' });
    await uploadBid(t, tender, beta, bid);
    const tampered = structuredClone(bid.envelopes[1]?.manifest) as unknown as Record<string, unknown>;
    tampered.quorum = 3;
    const cases: [string, Parameters<typeof commitVersion>[4], number, string][] = [
      ['an envelope missing', { envelopes: manifests.slice(0, 2) }, 422, 'MANIFEST_INVALID'],
      [
        'an envelope twice',
        { envelopes: [manifests[0], manifests[0], manifests[1]] as never },
        422,
        'MANIFEST_INVALID',
      ],
      [
        'another bid’s manifest',
        { envelopes: [manifests[0], manifests[1], { manifest: other.envelopes[2]?.manifest }] as never },
        422,
        'MANIFEST_INVALID',
      ],
      ['other lots than sealed', { lots: [2] }, 422, 'MANIFEST_INVALID'],
      ['a lot the tender lacks', { lots: [7] }, 422, 'UNPROCESSABLE'],
      [
        'a changed quorum',
        { envelopes: [manifests[0], { manifest: tampered }, manifests[2]] as never },
        422,
        'MANIFEST_INVALID',
      ],
      [
        'not a manifest',
        { envelopes: [{ manifest: { v: 1 } }, manifests[1], manifests[2]] as never },
        422,
        'MANIFEST_INVALID',
      ],
      ['a wrong body', { envelopes: [] }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [what, overrides, status, code] of cases) {
      const res = await commitVersion(t, tender, beta, bid, overrides);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
      expect(res.json(), what).toMatchObject({ code });
    }
    // A manifest whose file hash names a piece never uploaded.
    const forged = structuredClone(bid.envelopes[0]?.manifest) as NonNullable<
      SealedBid['envelopes'][number]['manifest']
    >;
    (forged.files[0] as { sha256: string }).sha256 = '0'.repeat(64);
    const res = await commitVersion(t, tender, beta, bid, {
      envelopes: [{ manifest: forged }, manifests[1], manifests[2]] as never,
    });
    expect(res.json()).toMatchObject({ code: 'BLOB_MISSING' });
    expect(await rowCounts(t)).toEqual(before);

    // A piece whose bytes do not match the hash in the URL is not kept.
    const bytes = new TextEncoder().encode('not what was announced');
    const wrong = await uploadPiece(t, tender, beta, bid.bidId, bytes, 'a'.repeat(64));
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({ code: 'BLOB_HASH_MISMATCH' });
    expect(await t.app.deps.blobStore.has(sha(bytes))).toBe(false);

    // An oversized "share" (custodians download all theirs at once at the opening) is refused.
    const huge = new Uint8Array(9_000).fill(1);
    expect((await uploadPiece(t, tender, beta, bid.bidId, huge, sha(huge))).statusCode).toBe(201);
    const bloated = structuredClone(bid.envelopes[0]?.manifest) as NonNullable<
      SealedBid['envelopes'][number]['manifest']
    >;
    (bloated.shares[0] as { sha256: string }).sha256 = sha(huge);
    const tooBig = await commitVersion(t, tender, beta, bid, {
      envelopes: [{ manifest: bloated }, manifests[1], manifests[2]] as never,
    });
    expect(tooBig.statusCode, tooBig.body).toBe(422);
    expect(tooBig.json()).toMatchObject({ code: 'MANIFEST_INVALID' });
    expect(await rowCounts(t)).toEqual(before);

    // The well-formed bid goes through.
    const ok = await commitVersion(t, tender, beta, bid);
    expect(ok.statusCode, ok.body).toBe(201);
    expect((ok.json() as ReceiptBody).receipt).toMatchObject({ sequence: 3, version: 1 });
    // The same company cannot open a second bid for the tender.
    const second = await sealBid(tender, { text: () => 'second' });
    await uploadBid(t, tender, beta, second);
    const dup = await commitVersion(t, tender, beta, second);
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'CONFLICT', details: { bidId: bid.bidId } });
  });

  it('withdraws a bid before the deadline with a signed withdrawal receipt', async () => {
    const gamma = await makeBidder(t);
    const bid = await sealBid(tender, { text: (e) => `gamma ${e}` });
    await uploadBid(t, tender, gamma, bid);
    expect((await commitVersion(t, tender, gamma, bid)).statusCode).toBe(201);
    const res = await withdraw(t, tender, gamma, bid.bidId);
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as { receipt: Record<string, unknown>; signature: string };
    expect(body.receipt).toMatchObject({
      kind: 'contracta.bid-withdrawal-receipt',
      version: 2,
      withdraws: 1,
      sequence: 5,
    });
    // The same verifier (and `contracta receipt verify`) checks withdrawal receipts; a changed one fails.
    expect(verifyReceiptFile(body, verifyKeys())).toMatchObject({ ok: true });
    expect(
      verifyReceiptFile({ ...body, receipt: { ...body.receipt, withdraws: 2 } }, verifyKeys()),
    ).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    const again = await withdraw(t, tender, gamma, bid.bidId);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'INVALID_TRANSITION' });
    const list = (await receipts(t, tender, gamma.session, bid.bidId)).json() as { kind: string }[];
    expect(list.map((r) => r.kind)).toEqual(['submission', 'withdrawal']);
  });

  it('enforces the deadline by the server clock: 1 ms before accepted, 1 ms after refused, nothing stored', async () => {
    t.clock.set(new Date(tender.deadline.getTime() - 60_000));
    const delta = await makeBidder(t);
    await relogin(t, alpha);
    const early = await sealBid(tender, { text: (e) => `delta ${e}` });
    await uploadBid(t, tender, delta, early);
    expect((await commitment(t, tender)).json()).toMatchObject({ code: 'COMMITMENT_NOT_YET' });
    t.clock.set(new Date(tender.deadline.getTime() - 1));
    const justInTime = await commitVersion(t, tender, delta, early);
    expect(justInTime.statusCode, justInTime.body).toBe(201);
    expect((justInTime.json() as ReceiptBody).receipt.receivedAt).toBe(
      new Date(tender.deadline.getTime() - 1).toISOString(),
    );

    // A piece whose last byte arrives at the deadline: refused and removed.
    const late = await sealBid(tender, { bidId: early.bidId, text: (e) => `delta late ${e}` });
    const bytes = late.envelopes[0]?.ciphertexts[0] as Uint8Array;
    let sent = false;
    const slow = new Readable({
      read() {
        if (sent) {
          t.clock.set(tender.deadline);
          this.push(null);
          return;
        }
        sent = true;
        this.push(Buffer.from(bytes));
      },
    });
    const before = await rowCounts(t);
    const slowRes = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/tenders/${tender.ocid}/bids/${early.bidId}/blobs/${sha(bytes)}?companyId=${delta.companyId}`,
      headers: { ...delta.session.headers, 'content-type': 'application/octet-stream' },
      payload: slow,
    });
    expect(slowRes.statusCode, slowRes.body).toBe(409);
    expect(slowRes.json()).toMatchObject({ code: 'DEADLINE_PASSED' });
    expect(await t.app.deps.blobStore.has(sha(bytes))).toBe(false);

    t.clock.set(new Date(tender.deadline.getTime() + 1));
    const refused = [
      await uploadPiece(t, tender, delta, early.bidId, late.envelopes[1]?.ciphertexts[0] as Uint8Array),
      await commitVersion(t, tender, delta, early),
      await commitVersion(t, tender, alpha, alphaBid),
      await withdraw(t, tender, alpha, alphaBid.bidId),
    ];
    for (const res of refused) {
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json()).toMatchObject({ code: 'DEADLINE_PASSED' });
    }
    expect(await t.app.deps.blobStore.has(sha(late.envelopes[1]?.ciphertexts[0] as Uint8Array))).toBe(false);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('publishes the commitment after the deadline: counts per lot and hashes, no identities, once', async () => {
    const res = await commitment(t, tender);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      commitment: {
        bids: number;
        lots: { lot: number; bids: number }[];
        manifests: string[];
        ciphertexts: string[];
      };
      sha256: string;
    };
    // alpha (lot 2), beta (lot 1), delta (lot 1); gamma withdrew.
    expect(body.commitment.bids).toBe(3);
    expect(body.commitment.lots).toEqual([
      { lot: 1, bids: 2 },
      { lot: 2, bids: 1 },
    ]);
    expect(body.commitment.manifests).toHaveLength(9);
    expect(body.commitment.manifests).toContain(alphaBid.envelopes[0]?.manifestSha256);
    expect(body.commitment.ciphertexts).toHaveLength(36);
    expect([...body.commitment.ciphertexts].sort()).toEqual(body.commitment.ciphertexts);
    for (const b of [alpha, beta]) {
      expect(res.body).not.toContain(b.companyId);
      expect(res.body).not.toContain(b.taxId);
    }
    const events = () =>
      t.db.db
        .selectFrom('audit_event')
        .selectAll()
        .where('action', '=', 'bid.commitment_published')
        .execute();
    expect(await events()).toHaveLength(1);
    expect((await events())[0]).toMatchObject({ authority_id: tender.authorityId, is_public: true });
    const again = await commitment(t, tender);
    expect(again.json()).toEqual(body);
    expect(await events()).toHaveLength(1);
  });

  it('cleans up stored content no row references, after the grace period only', async () => {
    const orphan = new TextEncoder().encode('an abandoned piece');
    // Stored directly: uploads are closed after the deadline.
    const stored = await t.app.deps.blobStore.put(Readable.from([Buffer.from(orphan)]), { maxBytes: 1000 });
    const young = await cleanupStorage({ db: t.db.db, store: t.app.deps.blobStore, now: new Date() });
    expect(young.removed).toEqual([]);
    const later = new Date(Date.now() + 2 * 3_600_000);
    const report = await cleanupStorage({
      db: t.db.db,
      store: t.app.deps.blobStore,
      now: later,
      graceMinutes: 60,
    });
    expect(report.removed).toContain(stored.sha256);
    expect(await t.app.deps.blobStore.has(stored.sha256)).toBe(false);
    // Every piece of every committed version stays.
    const pieces = await t.db.db.selectFrom('bid_blob').select('sha256').execute();
    for (const p of pieces) expect(await t.app.deps.blobStore.has(p.sha256)).toBe(true);
  });
});
