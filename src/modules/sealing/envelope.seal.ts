/**
 * Sealing one envelope on the bidder's device (protocol v1, docs/SEALING.md):
 *  1. a fresh age X25519 identity E per envelope;
 *  2. every file age-encrypted to E, streamed: plaintext is read chunk by chunk and the ciphertext is
 *     handed to the caller's sink as a stream, its SHA-256 and size measured on the way through;
 *  3. E's UTF-8 bytes split k-of-n (Shamir), share i wrapped with its context and age-encrypted to
 *     custodian i;
 *  4. the manifest (canonical JSON) naming E's recipient and the hashes of every ciphertext and share.
 * E itself is never returned: once this function ends nobody holds the envelope key, only the shares.
 * Isomorphic (no node:*): the browser page and `contracta bid seal` both call this.
 */
import { Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { DomainError } from '../../platform/errors.js';
import { meter, readAll, sha256Hex, toStream } from './bytes.js';
import {
  assertValidFileName,
  assertValidTarget,
  isEnvelopeLetter,
  isUuid,
  manifestBytes,
  normaliseLots,
} from './manifest.rules.js';
import type {
  EncryptedShare,
  EnvelopeLetter,
  EnvelopeManifest,
  ManifestFile,
  PlainFile,
  SealedEnvelope,
  SealingTarget,
} from './sealing.types.js';
import { sharePayload, splitIdentity, wrapShare } from './shares.js';

export type SealEnvelopeInput = {
  target: SealingTarget;
  /** UUID chosen by the client before sealing; the server accepts it once per company and tender. */
  bidId: string;
  lots: readonly number[];
  envelope: EnvelopeLetter;
  files: readonly PlainFile[];
};

/**
 * Receives each file's ciphertext stream and must read it to the end (write it to disk, upload it)
 * before resolving. Files are sealed one after the other, in the order given.
 */
export type CiphertextSink = (
  file: { position: number; name: string },
  ciphertext: ReadableStream<Uint8Array>,
) => Promise<void>;

function invalid(message: string, details?: unknown): never {
  throw new DomainError('UNPROCESSABLE', message, details);
}

export async function sealEnvelope(input: SealEnvelopeInput, sink: CiphertextSink): Promise<SealedEnvelope> {
  const { target, bidId, envelope, files } = input;
  assertValidTarget(target);
  if (!isUuid(bidId)) invalid('The bid id must be a lowercase UUID', { bidId });
  if (!isEnvelopeLetter(envelope)) invalid('The envelope must be A, B or C', { envelope });
  const lots = normaliseLots(input.lots);
  if (files.length === 0 || files.length > 1000) invalid('An envelope holds between 1 and 1000 files');
  const names = new Set<string>();
  for (const f of files) {
    assertValidFileName(f.name);
    if (names.has(f.name)) invalid('Two files of the envelope have the same name', { name: f.name });
    names.add(f.name);
  }

  let identity: string | null = await generateX25519Identity();
  const envelopeRecipient = await identityToRecipient(identity);

  const manifestFiles: ManifestFile[] = [];
  let position = 0;
  for (const file of files) {
    const plain = meter();
    const cipher = meter();
    const encrypter = new Encrypter();
    encrypter.addRecipient(envelopeRecipient);
    // With a stream as input, age 0.3 returns a lazily-pulled stream: memory stays at a few 64 KiB
    // chunks whatever the file size, as long as the sink applies back-pressure.
    const ciphertext = await encrypter.encrypt(toStream(file.content).pipeThrough(plain.stream));
    await sink({ position, name: file.name }, ciphertext.pipeThrough(cipher.stream));
    // digest() throws if the sink returned before reading the whole stream: a manifest must never
    // describe bytes that were not produced.
    const sha256 = cipher.digest();
    const size = plain.bytes();
    if (cipher.bytes() !== ciphertext.size(size))
      throw new Error('age ciphertext size differs from its plaintext');
    manifestFiles.push({ name: file.name, size, ciphertextSize: cipher.bytes(), sha256 });
    position += 1;
  }

  const n = target.custodians.length;
  const rawShares = await splitIdentity(identity, n, target.quorum);
  identity = null; // E is not needed any more; only its shares leave this function.
  const context = { ocid: target.ocid, bidId, envelope };
  const shares: EncryptedShare[] = [];
  for (const custodian of target.custodians) {
    const raw = rawShares[custodian.index - 1] as Uint8Array;
    const ciphertext = await wrapShare(sharePayload(context, custodian.index, raw), custodian.recipient);
    raw.fill(0);
    shares.push({ index: custodian.index, ciphertext, sha256: sha256Hex(ciphertext) });
  }

  const manifest: EnvelopeManifest = {
    v: 1,
    ocid: target.ocid,
    bidId,
    lots,
    envelope,
    envelopeRecipient,
    quorum: target.quorum,
    custodians: target.custodians.map((c) => ({ index: c.index, recipient: c.recipient })),
    files: manifestFiles,
    shares: shares.map((s) => ({ index: s.index, sha256: s.sha256 })),
  };
  const bytes = manifestBytes(manifest);
  return { manifest, manifestBytes: bytes, manifestSha256: sha256Hex(bytes), shares };
}

/** Convenience for small envelopes (tests, previews): the ciphertexts are collected in memory. */
export async function sealEnvelopeToMemory(
  input: SealEnvelopeInput,
): Promise<SealedEnvelope & { ciphertexts: Uint8Array[] }> {
  const ciphertexts: Uint8Array[] = [];
  const sealed = await sealEnvelope(input, async ({ position }, stream) => {
    ciphertexts[position] = await readAll(stream);
  });
  return { ...sealed, ciphertexts };
}
