import type { ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { type Tx, withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { recordEvent } from '../audit/audit.service.js';
import { sealedFilesOfCustodian } from '../tenders/tender-workflow.repo.js';
import { recipientFingerprint } from './custodian-key.crypto.js';
import { authorizeOnCustody } from './custodian-key.policy.js';
import { presentCustodianKey } from './custodian-key.presenter.js';
import {
  findActiveKeyRow,
  findKeyRow,
  insertKey,
  listKeyRows,
  lockCustodians,
  recipientKnown,
  revokeKeyRow,
} from './custodian-key.repo.js';
import { checkRecipient } from './custodian-key.rules.js';
import type { CustodianKeyView } from './custodian-key.types.js';

/**
 * Refuses to retire a custodian's key while a published file's bids are sealed to it: their
 * shares are encrypted to that key, and without it the quorum for those bids could not be reached.
 */
async function requireNotSealing(trx: Tx, authorityId: string, userId: string): Promise<void> {
  const files = await sealedFilesOfCustodian(trx, authorityId, userId);
  if (files.length > 0) {
    throw new DomainError(
      'CUSTODIAN_KEY_IN_USE',
      'Bids of published files are sealed to this key; it can change once they are opened',
      { tenders: files.map((f) => ({ id: f.id, reference: f.reference })) },
    );
  }
}

async function revoke(
  trx: Tx,
  ctx: ServiceContext,
  key: { id: string; user_id: string; fingerprint: string },
  authorityId: string,
  by: string,
  reason: 'replaced' | 'revoked',
): Promise<void> {
  const now = ctx.clock.now();
  if (!(await revokeKeyRow(trx, authorityId, key.id, by, now))) {
    throw new DomainError('INVALID_TRANSITION', 'The key was revoked already');
  }
  await recordEvent(trx, ctx, {
    action: 'custodian_key.revoked',
    objectType: 'custodian_key',
    objectId: key.id,
    authorityId,
    data: { userId: key.user_id, fingerprint: key.fingerprint, reason },
  });
}

/**
 * A key custodian registers their own public key (an age X25519 recipient) for the authority.
 * Registering the key that is already active changes nothing; another key replaces it (the old
 * one is kept, revoked), unless bids are sealed to the old one. A recipient registered before in
 * the authority, by anyone, is refused: a revoked key may have been compromised, and two
 * custodians sharing a key would make one person enough to open bids.
 */
export async function registerOwnCustodianKey(
  ctx: ServiceContext,
  authorityId: string,
  input: { recipient: string },
): Promise<CustodianKeyView> {
  const actor = authorizeOnCustody(ctx.actor, 'custody.register_own', authorityId);
  const checked = checkRecipient(input.recipient);
  if (!checked.ok) {
    throw new DomainError('CUSTODIAN_KEY_INVALID', 'Not an age X25519 recipient (age1…)', {
      field: 'recipient',
      problem: checked.problem,
    });
  }
  const recipient = checked.recipient;
  const keyId = await withTransaction(ctx.db as Db, async (trx) => {
    // Serialises key changes of one custodian with each other and with a publication that is
    // freezing this custodian's key (publishTender takes the same lock, shared).
    await lockCustodians(trx, authorityId, [actor.userId], 'update');
    const active = await findActiveKeyRow(trx, authorityId, actor.userId);
    if (active?.recipient === recipient) return active.id;
    if (await recipientKnown(trx, authorityId, recipient)) {
      throw new DomainError('CUSTODIAN_KEY_TAKEN', 'This key was registered in the authority before', {
        field: 'recipient',
      });
    }
    if (active) {
      await requireNotSealing(trx, authorityId, actor.userId);
      await revoke(trx, ctx, active, authorityId, actor.userId, 'replaced');
    }
    const id = newId();
    const fingerprint = recipientFingerprint(recipient);
    try {
      await insertKey(trx, {
        id,
        authorityId,
        userId: actor.userId,
        recipient,
        fingerprint,
        at: ctx.clock.now(),
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new DomainError('CUSTODIAN_KEY_TAKEN', 'This key was registered in the authority before', {
          field: 'recipient',
        });
      }
      throw err;
    }
    await recordEvent(trx, ctx, {
      action: 'custodian_key.registered',
      objectType: 'custodian_key',
      objectId: id,
      authorityId,
      data: { userId: actor.userId, recipient, fingerprint, replaces: active?.id ?? null },
    });
    return id;
  });
  const row = await findKeyRow(ctx.db, authorityId, keyId);
  if (!row) throw new DomainError('NOT_FOUND', 'Custodian key not found');
  return presentCustodianKey(row);
}

/** The signed-in custodian's active key in the authority, or null when they have none. */
export async function getOwnCustodianKey(
  ctx: ServiceContext,
  authorityId: string,
): Promise<CustodianKeyView | null> {
  const actor = authorizeOnCustody(ctx.actor, 'custody.register_own', authorityId);
  const row = await findActiveKeyRow(ctx.db, authorityId, actor.userId);
  return row ? presentCustodianKey(row) : null;
}

/** Every key of the authority, active and revoked, with who holds it (its staff). */
export async function listCustodianKeys(
  ctx: ServiceContext,
  authorityId: string,
): Promise<CustodianKeyView[]> {
  authorizeOnCustody(ctx.actor, 'custody.list', authorityId);
  return (await listKeyRows(ctx.db, authorityId)).map(presentCustodianKey);
}

/**
 * The authority's administrator revokes a custodian's key (a custodian who leaves, a lost
 * device), unless bids are sealed to it. The custodian then registers a new one.
 */
export async function revokeCustodianKey(
  ctx: ServiceContext,
  authorityId: string,
  keyId: string,
): Promise<CustodianKeyView> {
  const actor = authorizeOnCustody(ctx.actor, 'custody.revoke', authorityId);
  await withTransaction(ctx.db as Db, async (trx) => {
    const key = await findKeyRow(trx, authorityId, keyId);
    if (!key) throw new DomainError('NOT_FOUND', 'Custodian key not found');
    await lockCustodians(trx, authorityId, [key.user_id], 'update');
    if (key.revoked_at) throw new DomainError('INVALID_TRANSITION', 'The key was revoked already');
    await requireNotSealing(trx, authorityId, key.user_id);
    await revoke(trx, ctx, key, authorityId, actor.userId, 'revoked');
  });
  const row = await findKeyRow(ctx.db, authorityId, keyId);
  if (!row) throw new DomainError('NOT_FOUND', 'Custodian key not found');
  return presentCustodianKey(row);
}
