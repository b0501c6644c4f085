import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Column types of the database, kept by hand next to `migrations/`. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** numeric columns travel as strings so that no float ever touches a decimal. */
type Numeric = ColumnType<string, string | undefined, string>;

export type ConsortiumTable = {
  id: string;
  slug: string;
  name_ca: string;
  name_es: string;
  name_en: string;
  created_at: Timestamp;
};

export type AuthorityTable = {
  id: string;
  slug: string;
  consortium_id: string | null;
  name_ca: string;
  name_es: string;
  name_en: string;
  dir3_code: string;
  ocid_prefix: string;
  price_weight_cap: Numeric;
  time_zone: ColumnType<string, string | undefined, string>;
  holiday_region: ColumnType<string, string | undefined, string>;
  approval_chain: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export type AuthorityHolidayTable = {
  authority_id: string;
  day: ColumnType<string, string, string>;
  name: string;
};

export type AppUserTable = {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  is_platform_admin: ColumnType<boolean, boolean | undefined, boolean>;
  locale: ColumnType<string, string | undefined, string>;
  failed_logins: ColumnType<number, number | undefined, number>;
  locked_until: NullableTimestamp;
  disabled_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export type MembershipTable = {
  authority_id: string;
  user_id: string;
  roles: string[];
  created_at: Timestamp;
};

export type CompanyTable = {
  id: string;
  legal_name: string;
  tax_id: string;
  tax_id_kind: string;
  country: string;
  is_sme: boolean;
  street: string;
  locality: string;
  postal_code: string;
  region: ColumnType<string, string | undefined, string>;
  cpv_interests: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export type CompanyEmailTable = {
  id: string;
  company_id: string;
  email: string;
  purpose: ColumnType<string, string | undefined, string>;
  created_at: Timestamp;
};

export type CompanyMemberTable = {
  company_id: string;
  user_id: string;
  roles: string[];
  created_at: Timestamp;
};

export type UserSessionTable = {
  id_hash: string;
  user_id: string;
  active_authority_id: string | null;
  active_company_id: string | null;
  ip: string;
  user_agent: ColumnType<string, string | undefined, string>;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
};

export type PasswordResetTokenTable = {
  token_hash: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
};

export type ApiTokenTable = {
  id: string;
  user_id: string;
  authority_id: string | null;
  company_id: string | null;
  name: string;
  token_hash: string;
  token_prefix: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
};

export type AuditEventTable = {
  seq: Generated<string>;
  id: string;
  occurred_at: Timestamp;
  action: string;
  actor_user_id: string | null;
  actor_kind: string;
  authority_id: string | null;
  company_id: string | null;
  object_type: string;
  object_id: string;
  ip: string | null;
  user_agent: string | null;
  data: ColumnType<unknown, string, never>;
  is_public: ColumnType<boolean, boolean | undefined, never>;
  canonical: string;
};

export type SchemaMigrationTable = {
  version: number;
  name: string;
  checksum: string;
  applied_at: Timestamp;
};

export type Database = {
  consortium: ConsortiumTable;
  authority: AuthorityTable;
  authority_holiday: AuthorityHolidayTable;
  app_user: AppUserTable;
  membership: MembershipTable;
  company: CompanyTable;
  company_email: CompanyEmailTable;
  company_member: CompanyMemberTable;
  user_session: UserSessionTable;
  password_reset_token: PasswordResetTokenTable;
  api_token: ApiTokenTable;
  audit_event: AuditEventTable;
  schema_migration: SchemaMigrationTable;
};

export type AuthorityRow = Selectable<AuthorityTable>;
export type AppUserRow = Selectable<AppUserTable>;
export type CompanyRow = Selectable<CompanyTable>;
export type NewCompany = Insertable<CompanyTable>;
export type AuthorityUpdate = Updateable<AuthorityTable>;
