/** A key custodian's public key as the back office and the API show it. */
export type CustodianKeyView = {
  id: string;
  authorityId: string;
  userId: string;
  userName: string;
  /** The age X25519 recipient, `age1…` (public: bidders encrypt shares to it). */
  recipient: string;
  /** First 16 hex digits of the SHA-256 of the recipient. */
  fingerprint: string;
  createdAt: string;
  /** Null while the key is active. */
  revokedAt: string | null;
  revokedBy: string | null;
};

/**
 * One custodian in a tender's sealing target: `index` is the share number (1..n) a bidder's
 * client encrypts to this recipient; `keyId` names the stored key it was frozen from.
 */
export type SealingCustodian = { index: number; keyId: string; recipient: string; fingerprint: string };

/**
 * The sealing target frozen in a published notice (issue 4, protocol v1): envelope keys are split
 * into n shares, one per custodian, any `quorum` of which open the envelope (n ≥ quorum ≥ 2).
 */
export type SealingTarget = { quorum: number; custodians: SealingCustodian[] };
