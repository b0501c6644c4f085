/**
 * External authorities (0023) hold imported third-party OCDS and nothing else: nobody may be given a
 * role in one or start a file in it. The services ask here first, for the stable code
 * AUTHORITY_READ_ONLY; the database's triggers (SQLSTATE CR001) refuse whatever path forgets to,
 * and the HTTP error handler answers that refusal with the same code.
 */
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';

/** Throws AUTHORITY_READ_ONLY when `authorityId` is an external authority (an unknown id passes: the caller's 404). */
export async function assertAuthorityWritable(db: Db | Tx, authorityId: string): Promise<void> {
  const row = await db
    .selectFrom('authority')
    .select('is_external')
    .where('id', '=', authorityId)
    .executeTakeFirst();
  if (row?.is_external)
    throw new DomainError(
      'AUTHORITY_READ_ONLY',
      'This authority holds third-party open data imported into the platform: it is read-only',
    );
}
