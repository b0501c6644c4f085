/**
 * Types of the sealing protocol v1 (docs/SEALING.md). Everything here is plain data: the manifest and
 * the share payload are written as canonical JSON (src/platform/canonical-json.ts) so that their bytes
 * and hashes are the same on the bidder's browser, the CLI and the server.
 */

/** The envelopes of a bid in legal opening order: A (administrative/ESPD), B (judgement), C (formula). */
export type EnvelopeLetter = 'A' | 'B' | 'C';
export const ENVELOPE_LETTERS: readonly EnvelopeLetter[] = ['A', 'B', 'C'];

/** One key custodian of a tender: position 1..n, the server's key id and the age X25519 recipient. */
export type SealingCustodian = { index: number; keyId: string; recipient: string };

/** What a published tender fixes for sealing (its `sealing` field): k of n custodians, frozen at publication. */
export type SealingTarget = { ocid: string; quorum: number; custodians: SealingCustodian[] };

export type ManifestFile = {
  /** File name as given by the bidder (no directory part). */
  name: string;
  /** Plaintext size in bytes. */
  size: number;
  /** Size in bytes of the age ciphertext. */
  ciphertextSize: number;
  /** Lowercase hex SHA-256 of the age ciphertext (never of the plaintext, which would leak equality). */
  sha256: string;
};

export type ManifestShare = { index: number; sha256: string };

/** The manifest of one sealed envelope; uploaded in clear next to the ciphertexts. */
export type EnvelopeManifest = {
  v: 1;
  ocid: string;
  bidId: string;
  lots: number[];
  envelope: EnvelopeLetter;
  /** age recipient (`age1…`) of the fresh envelope identity E; lets the opener check a reconstructed E. */
  envelopeRecipient: string;
  quorum: number;
  custodians: { index: number; recipient: string }[];
  files: ManifestFile[];
  /** SHA-256 of each encrypted share (the age file addressed to custodian `index`). */
  shares: ManifestShare[];
};

/**
 * The plaintext of one share, as a custodian decrypts it and submits it at the opening. The context
 * (ocid, bidId, envelope, index) binds the share to one envelope of one bid: a share moved elsewhere is
 * refused (SHARE_FOREIGN) before any reconstruction is attempted.
 */
export type SharePayload = {
  v: 1;
  ocid: string;
  bidId: string;
  envelope: EnvelopeLetter;
  index: number;
  /** Standard base64 of the raw Shamir share (secret bytes followed by the x coordinate). */
  share: string;
};

/** What the opening receives from a custodian: the decrypted share payload. */
export type ShareSubmission = SharePayload;

/** One plaintext file to seal. `content` may be a stream so that large files are never held whole. */
export type PlainFile = { name: string; content: Uint8Array | ReadableStream<Uint8Array> };

/** One encrypted share ready to upload: the age file addressed to custodian `index`. */
export type EncryptedShare = { index: number; ciphertext: Uint8Array; sha256: string };

/** The result of sealing one envelope (the ciphertexts themselves went to the caller's sink). */
export type SealedEnvelope = {
  manifest: EnvelopeManifest;
  /** Canonical JSON bytes of the manifest: what is uploaded and hashed into the receipt. */
  manifestBytes: Uint8Array;
  manifestSha256: string;
  shares: EncryptedShare[];
};

/** A decrypted file, released only after the whole ciphertext authenticated and matched the manifest. */
export type OpenedFile = { name: string; size: number; plaintext: Uint8Array };
