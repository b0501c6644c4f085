import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

type Q = Db | Tx;

const COLUMNS = [
  'k.id',
  'k.authority_id',
  'k.user_id',
  'u.name as user_name',
  'k.recipient',
  'k.fingerprint',
  'k.created_at',
  'k.revoked_at',
  'k.revoked_by',
] as const;

/** Every key of the authority, active and revoked, with its custodian's name. */
export function listKeyRows(db: Q, authorityId: string) {
  return db
    .selectFrom('custodian_key as k')
    .innerJoin('app_user as u', 'u.id', 'k.user_id')
    .select(COLUMNS)
    .where('k.authority_id', '=', authorityId)
    .orderBy('u.name')
    .orderBy('k.created_at', 'desc')
    .orderBy('k.id')
    .execute();
}

export type CustodianKeyRow = Awaited<ReturnType<typeof listKeyRows>>[number];

/** One key of the authority (another authority's key does not exist here). */
export function findKeyRow(db: Q, authorityId: string, keyId: string) {
  return db
    .selectFrom('custodian_key as k')
    .innerJoin('app_user as u', 'u.id', 'k.user_id')
    .select(COLUMNS)
    .where('k.authority_id', '=', authorityId)
    .where('k.id', '=', keyId)
    .executeTakeFirst();
}

/** The active key of one custodian in the authority, if any. */
export function findActiveKeyRow(db: Q, authorityId: string, userId: string) {
  return db
    .selectFrom('custodian_key as k')
    .innerJoin('app_user as u', 'u.id', 'k.user_id')
    .select(COLUMNS)
    .where('k.authority_id', '=', authorityId)
    .where('k.user_id', '=', userId)
    .where('k.revoked_at', 'is', null)
    .executeTakeFirst();
}

/** The active keys of the given custodians in the authority (users without one are absent). */
export async function activeKeysOf(db: Q, authorityId: string, userIds: readonly string[]) {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('custodian_key')
    .select(['id', 'user_id', 'recipient', 'fingerprint'])
    .where('authority_id', '=', authorityId)
    .where('user_id', 'in', [...userIds])
    .where('revoked_at', 'is', null)
    .execute();
}

/** Whether the recipient was ever registered in the authority, by anyone. */
export async function recipientKnown(db: Q, authorityId: string, recipient: string): Promise<boolean> {
  const row = await db
    .selectFrom('custodian_key')
    .select('id')
    .where('authority_id', '=', authorityId)
    .where('recipient', '=', recipient)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertKey(
  db: Q,
  row: { id: string; authorityId: string; userId: string; recipient: string; fingerprint: string; at: Date },
): Promise<void> {
  await db
    .insertInto('custodian_key')
    .values({
      id: row.id,
      authority_id: row.authorityId,
      user_id: row.userId,
      recipient: row.recipient,
      fingerprint: row.fingerprint,
      created_at: row.at,
    })
    .execute();
}

/** Marks an active key revoked; false when it was revoked meanwhile. */
export async function revokeKeyRow(
  db: Q,
  authorityId: string,
  keyId: string,
  by: string,
  at: Date,
): Promise<boolean> {
  const r = await db
    .updateTable('custodian_key')
    .set({ revoked_at: at, revoked_by: by })
    .where('authority_id', '=', authorityId)
    .where('id', '=', keyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Locks the custodians' memberships: `update` while one of their keys changes, `share` while a
 * publication freezes their keys. Either waits for the other, so a file is never published with a
 * key revoked in the same instant.
 */
export async function lockCustodians(
  trx: Tx,
  authorityId: string,
  userIds: readonly string[],
  mode: 'update' | 'share',
): Promise<void> {
  if (userIds.length === 0) return;
  const q = trx
    .selectFrom('membership')
    .select('user_id')
    .where('authority_id', '=', authorityId)
    .where('user_id', 'in', [...userIds])
    .orderBy('user_id');
  await (mode === 'update' ? q.forUpdate() : q.forShare()).execute();
}
