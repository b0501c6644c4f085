import {
  generateCustodianKeyPair,
  recipientFingerprint,
} from '../../src/modules/custody/custodian-key.crypto.js';
import { newId } from '../../src/platform/ids.js';
import type { TestApp } from './app.js';

/**
 * Registers a fresh public key for each custodian directly (no HTTP), as a custodian would
 * through `PUT …/custodian-keys/me`: a file can be published only when all its custodians have
 * one. Returns each custodian's age identity and recipient, for tests that open bids.
 */
export async function registerCustodianKeys(
  t: TestApp,
  authorityId: string,
  userIds: readonly string[],
): Promise<Map<string, { keyId: string; identity: string; recipient: string }>> {
  const out = new Map<string, { keyId: string; identity: string; recipient: string }>();
  for (const userId of userIds) {
    const { identity, recipient } = generateCustodianKeyPair();
    const keyId = newId();
    await t.db.db
      .insertInto('custodian_key')
      .values({
        id: keyId,
        authority_id: authorityId,
        user_id: userId,
        recipient,
        fingerprint: recipientFingerprint(recipient),
        created_at: t.clock.now(),
      })
      .execute();
    out.set(userId, { keyId, identity, recipient });
  }
  return out;
}
