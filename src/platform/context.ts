import type { Db } from './db/client.js';
import type { Tx } from './db/tx.js';
import type { Clock } from './clock.js';

/** Roles a staff user may hold in one authority. */
export const AUTHORITY_ROLES = [
  'authority_admin',
  'procurement_officer',
  'approver_technical',
  'approver_legal',
  'approver_financial',
  'committee_member',
  'key_custodian',
  'auditor',
] as const;
export type AuthorityRole = (typeof AUTHORITY_ROLES)[number];

/** Roles a user may hold in one company. */
export const COMPANY_ROLES = ['company_admin', 'bidder'] as const;
export type CompanyRole = (typeof COMPANY_ROLES)[number];

export type UserActor = {
  kind: 'user';
  userId: string;
  email: string;
  name: string;
  locale: string;
  isPlatformAdmin: boolean;
  /** Roles per authority id. For an API token scoped to one authority, only that authority. */
  authorityRoles: ReadonlyMap<string, readonly AuthorityRole[]>;
  /** Roles per company id. */
  companyRoles: ReadonlyMap<string, readonly CompanyRole[]>;
  via: 'session' | 'token';
  /** Hash of the session cookie, when signed in through the browser. */
  sessionHash?: string;
  activeAuthorityId?: string | null;
  activeCompanyId?: string | null;
};

export type Actor = { kind: 'anonymous' } | { kind: 'system'; label: string } | UserActor;

export const anonymous: Actor = { kind: 'anonymous' };

/** What a use-case needs besides its input: where to read and write, who acts, and when. */
export type ServiceContext = {
  db: Db | Tx;
  actor: Actor;
  clock: Clock;
  ip: string | null;
  userAgent: string | null;
};
