import { Readable } from 'node:stream';
import { sealEnvelopeToMemory } from '../../src/modules/sealing/envelope.seal.js';
import type {
  EnvelopeLetter,
  PlainFile,
  SealedEnvelope,
  SealingTarget,
} from '../../src/modules/sealing/sealing.types.js';
import { newId } from '../../src/platform/ids.js';
import type { TestApp } from './app.js';

export type InsertedBid = {
  bidId: string;
  versionId: string;
  envelopes: Map<EnvelopeLetter, SealedEnvelope & { bidEnvelopeId: string; ciphertexts: Uint8Array[] }>;
};

const utf8 = (s: string) => new TextEncoder().encode(s);

async function put(t: TestApp, bytes: Uint8Array) {
  return t.app.deps.blobStore.put(Readable.from([Buffer.from(bytes)]), { maxBytes: 1 << 30 });
}

/**
 * Seals a bid with the sealing library (as the bidder's client would) and stores it directly: the
 * ciphertexts and encrypted shares into the app's blob store, then the bid, version, envelope and
 * blob rows. No HTTP and no receipt signing, so that the opening tests do not depend on the
 * submission routes (bid.routes.ts). The receipt columns get placeholders.
 */
export async function insertSealedBid(
  t: TestApp,
  opts: {
    authorityId: string;
    tenderId: string;
    target: SealingTarget;
    companyId: string;
    submittedBy: string;
    lots?: number[];
    envelopes: Partial<Record<EnvelopeLetter, (string | PlainFile)[]>>;
    bidId?: string;
  },
): Promise<InsertedBid> {
  const db = t.db.db;
  const bidId = opts.bidId ?? newId();
  const lots = opts.lots ?? [1];
  const now = t.clock.now();
  const last = await db
    .selectFrom('bid_version')
    .select((eb) => eb.fn.max('sequence').as('s'))
    .where('tender_id', '=', opts.tenderId)
    .executeTakeFirst();
  const sequence = Number(last?.s ?? 0) + 1;
  const versionId = newId();
  await db
    .insertInto('bid')
    .values({
      id: bidId,
      tender_id: opts.tenderId,
      authority_id: opts.authorityId,
      company_id: opts.companyId,
      status: 'submitted',
      current_version: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db
    .insertInto('bid_version')
    .values({
      id: versionId,
      bid_id: bidId,
      tender_id: opts.tenderId,
      authority_id: opts.authorityId,
      version: 1,
      kind: 'submission',
      sequence,
      lots,
      received_at: now,
      submitted_by: opts.submittedBy,
      receipt: '{}',
      signature: 'test',
      key_id: '0000000000000000',
    })
    .execute();
  const envelopes: InsertedBid['envelopes'] = new Map();
  for (const [letter, files] of Object.entries(opts.envelopes) as [
    EnvelopeLetter,
    (string | PlainFile)[],
  ][]) {
    const plain: PlainFile[] = files.map((f, i) =>
      typeof f === 'string' ? { name: `file-${letter}-${i + 1}.txt`, content: utf8(f) } : f,
    );
    const sealed = await sealEnvelopeToMemory({
      target: opts.target,
      bidId,
      lots,
      envelope: letter,
      files: plain,
    });
    const bidEnvelopeId = newId();
    await db
      .insertInto('bid_envelope')
      .values({
        id: bidEnvelopeId,
        bid_version_id: versionId,
        tender_id: opts.tenderId,
        authority_id: opts.authorityId,
        envelope: letter,
        manifest: new TextDecoder().decode(sealed.manifestBytes),
        manifest_sha256: sealed.manifestSha256,
        envelope_recipient: sealed.manifest.envelopeRecipient,
      })
      .execute();
    const pieces = [
      ...sealed.ciphertexts.map((c, i) => ({ kind: 'file', position: i + 1, bytes: c })),
      ...sealed.shares.map((x) => ({ kind: 'share', position: x.index, bytes: x.ciphertext })),
    ];
    for (const p of pieces) {
      const stored = await put(t, p.bytes);
      await db
        .insertInto('bid_blob')
        .values({
          bid_envelope_id: bidEnvelopeId,
          authority_id: opts.authorityId,
          kind: p.kind,
          position: p.position,
          sha256: stored.sha256,
          size_bytes: stored.size,
        })
        .execute();
    }
    envelopes.set(letter, { ...sealed, bidEnvelopeId });
  }
  return { bidId, versionId, envelopes };
}
