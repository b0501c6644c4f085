import type { CustodianKeyRow } from './custodian-key.repo.js';
import type { CustodianKeyView } from './custodian-key.types.js';

/** A stored key as the API and pages show it. */
export function presentCustodianKey(row: CustodianKeyRow): CustodianKeyView {
  return {
    id: row.id,
    authorityId: row.authority_id,
    userId: row.user_id,
    userName: row.user_name,
    recipient: row.recipient,
    fingerprint: row.fingerprint,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
    revokedBy: row.revoked_by,
  };
}
