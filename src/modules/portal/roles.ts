import type { TFunction } from 'i18next';
import type { AuthorityRole, CompanyRole } from '../../platform/context.js';

const ROLE_KEYS: Record<AuthorityRole | CompanyRole, string> = {
  authority_admin: 'role.authority_admin',
  procurement_officer: 'role.procurement_officer',
  approver_technical: 'role.approver_technical',
  approver_legal: 'role.approver_legal',
  approver_financial: 'role.approver_financial',
  committee_member: 'role.committee_member',
  key_custodian: 'role.key_custodian',
  auditor: 'role.auditor',
  company_admin: 'role.company_admin',
  bidder: 'role.bidder',
};

export function roleLabel(t: TFunction, role: string): string {
  const key = ROLE_KEYS[role as AuthorityRole];
  return key ? t(key) : role;
}
