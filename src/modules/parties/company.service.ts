import type { CompanyRole, ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import type { Tx } from '../../platform/db/tx.js';
import { withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { Mailer } from '../../platform/mail.js';
import { recordEvent } from '../audit/audit.service.js';
import { createInvitedUser, prepareInvitee, sendInvitation } from '../identity/invitation.service.js';
import { checkPasswordPolicy, hashPassword } from '../identity/password.js';
import { sessionCache } from '../identity/session-cache.js';
import { findUserByEmail, insertUser } from '../identity/user.repo.js';
import { authorizeOnCompany } from './company.policy.js';
import type { CompanyMemberView, CompanyRegistration, CompanyView } from './company.types.js';
import { type TaxIdKind, validateSpanishTaxId, validateTaxId } from './tax-id.rules.js';

/** CPV codes: eight digits and an optional check digit (Reg. (EC) 213/2008). The check digit is verified by the procurement-file module. */
const CPV_RE = /^\d{8}(-\d)?$/;

function checkCpvs(cpvs: string[] | undefined): string[] {
  const list = [...new Set(cpvs ?? [])];
  const bad = list.filter((c) => !CPV_RE.test(c));
  if (bad.length > 0)
    throw new DomainError('UNPROCESSABLE', 'Invalid CPV codes', { field: 'cpvInterests', values: bad });
  return list;
}

async function presentCompany(db: Db | Tx, id: string): Promise<CompanyView> {
  const c = await db.selectFrom('company').selectAll().where('id', '=', id).executeTakeFirst();
  if (!c) throw new DomainError('NOT_FOUND', 'Company not found');
  const emails = await db
    .selectFrom('company_email')
    .select(['id', 'email', 'purpose'])
    .where('company_id', '=', id)
    .orderBy('created_at')
    .execute();
  return {
    id: c.id,
    legalName: c.legal_name,
    taxId: c.tax_id,
    taxIdKind: c.tax_id_kind,
    country: c.country,
    isSme: c.is_sme,
    address: { street: c.street, locality: c.locality, postalCode: c.postal_code, region: c.region },
    cpvInterests: c.cpv_interests,
    emails,
    createdAt: c.created_at.toISOString(),
  };
}

/**
 * The one stored form of a tax id. A Spanish VAT number is the NIF/NIE/CIF with an "ES" prefix
 * (ESB12345674 is B12345674, one legal person), so it is stored without the prefix: the unique
 * index on `tax_id` then refuses the same company registered under either form, even in a race.
 */
function canonicalTaxId(tax: { kind: TaxIdKind; normalized: string; country: string }): {
  taxId: string;
  kind: TaxIdKind;
} {
  if (tax.country === 'ES' && tax.kind === 'VAT') {
    const spanish = validateSpanishTaxId(tax.normalized.slice(2));
    if (spanish.ok) return { taxId: spanish.normalized, kind: spanish.kind };
  }
  return { taxId: tax.normalized, kind: tax.kind };
}

/**
 * Registers a company and its first administrator in one transaction. Anyone may register: it
 * is how companies, many of them SMEs, come to bid. The tax id must be a valid Spanish NIF/NIE/CIF
 * or an EU VAT number; one account per tax id.
 */
export async function registerCompany(
  ctx: ServiceContext,
  input: CompanyRegistration,
): Promise<{ company: CompanyView; userId: string }> {
  const tax = validateTaxId(input.taxId);
  if (!tax.ok) {
    throw new DomainError('INVALID_TAX_ID', 'The tax id is not a valid NIF, NIE, CIF or EU VAT number', {
      field: 'taxId',
      reason: tax.reason,
    });
  }
  const canonical = canonicalTaxId(tax);
  checkPasswordPolicy(input.admin.password, input.admin.email);
  const cpvs = checkCpvs(input.cpvInterests);
  const db = ctx.db as Db;
  if (await findUserByEmail(db, input.admin.email)) {
    throw new DomainError('EMAIL_TAKEN', 'This email is already registered', { field: 'admin.email' });
  }
  const passwordHash = await hashPassword(input.admin.password);
  const companyId = newId();
  const userId = newId();
  await withTransaction(db, async (trx) => {
    const existing = await trx
      .selectFrom('company')
      .select('id')
      .where('tax_id', '=', canonical.taxId)
      .executeTakeFirst();
    if (existing)
      throw new DomainError('TAX_ID_TAKEN', 'A company with this tax id is already registered', {
        field: 'taxId',
      });
    try {
      await trx
        .insertInto('company')
        .values({
          id: companyId,
          legal_name: input.legalName,
          tax_id: canonical.taxId,
          tax_id_kind: canonical.kind,
          country: tax.country,
          is_sme: input.isSme,
          street: input.address.street,
          locality: input.address.locality,
          postal_code: input.address.postalCode,
          region: input.address.region ?? '',
          cpv_interests: cpvs,
        })
        .execute();
      await insertUser(trx, {
        id: userId,
        email: input.admin.email,
        name: input.admin.name,
        passwordHash,
        locale: input.admin.locale ?? 'ca',
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DomainError('CONFLICT', 'The tax id or email was registered meanwhile');
      throw err;
    }
    await trx
      .insertInto('company_member')
      .values({ company_id: companyId, user_id: userId, roles: ['company_admin'] })
      .execute();
    const emails = [
      ...new Set([input.admin.email, ...(input.contactEmails ?? [])].map((e) => e.toLowerCase())),
    ];
    for (const email of emails) {
      await trx.insertInto('company_email').values({ id: newId(), company_id: companyId, email }).execute();
    }
    const actorCtx = { ...ctx, actor: { kind: 'system' as const, label: 'registration' } };
    await recordEvent(trx, actorCtx, {
      action: 'user.created',
      objectType: 'user',
      objectId: userId,
      companyId,
      data: { email: input.admin.email },
    });
    await recordEvent(trx, actorCtx, {
      action: 'company.registered',
      objectType: 'company',
      objectId: companyId,
      companyId,
      data: { taxId: canonical.taxId, legalName: input.legalName, isSme: input.isSme },
    });
  });
  return { company: await presentCompany(db, companyId), userId };
}

export async function getCompany(ctx: ServiceContext, id: string): Promise<CompanyView> {
  authorizeOnCompany(ctx.actor, 'company.read', id);
  return presentCompany(ctx.db, id);
}

export type CompanyPatch = {
  legalName?: string | undefined;
  isSme?: boolean | undefined;
  address?: { street: string; locality: string; postalCode: string; region?: string | undefined } | undefined;
  cpvInterests?: string[] | undefined;
};

/** Updates a company's profile. The tax id never changes: a new tax id is a new legal person. */
export async function updateCompany(
  ctx: ServiceContext,
  id: string,
  patch: CompanyPatch,
): Promise<CompanyView> {
  authorizeOnCompany(ctx.actor, 'company.update', id);
  const cpvs = patch.cpvInterests ? checkCpvs(patch.cpvInterests) : undefined;
  await withTransaction(ctx.db as Db, async (trx) => {
    const set: Record<string, unknown> = {};
    const changes: Record<string, string | string[] | boolean | null> = {};
    if (patch.legalName !== undefined) set.legal_name = changes.legal_name = patch.legalName;
    if (patch.isSme !== undefined) set.is_sme = changes.is_sme = patch.isSme;
    if (patch.address) {
      set.street = changes.street = patch.address.street;
      set.locality = changes.locality = patch.address.locality;
      set.postal_code = changes.postal_code = patch.address.postalCode;
      set.region = changes.region = patch.address.region ?? '';
    }
    if (cpvs) set.cpv_interests = changes.cpv_interests = cpvs;
    if (Object.keys(set).length === 0) return;
    await trx
      .updateTable('company')
      .set({ ...set, updated_at: ctx.clock.now() })
      .where('id', '=', id)
      .execute();
    await recordEvent(trx, ctx, {
      action: 'company.updated',
      objectType: 'company',
      objectId: id,
      companyId: id,
      data: { changes },
    });
  });
  return presentCompany(ctx.db, id);
}

export async function listCompanyMembers(
  ctx: ServiceContext,
  companyId: string,
): Promise<CompanyMemberView[]> {
  authorizeOnCompany(ctx.actor, 'company.members', companyId);
  const rows = await ctx.db
    .selectFrom('company_member')
    .innerJoin('app_user', 'app_user.id', 'company_member.user_id')
    .select(['app_user.id', 'app_user.email', 'app_user.name', 'company_member.roles'])
    .where('company_member.company_id', '=', companyId)
    .orderBy('app_user.name')
    .execute();
  return rows.map((r) => ({ userId: r.id, email: r.email, name: r.name, roles: r.roles as CompanyRole[] }));
}

/** Adds a user to the company; a new email gets an invitation to set a password. */
export async function addCompanyMember(
  ctx: ServiceContext,
  mailer: Mailer,
  publicUrl: string,
  companyId: string,
  input: { email: string; name: string; roles: CompanyRole[] },
): Promise<CompanyMemberView> {
  authorizeOnCompany(ctx.actor, 'company.members', companyId);
  const db = ctx.db as Db;
  const invitee = await prepareInvitee(db, input.email);
  const userId = invitee.userId;
  const roles = [...new Set(input.roles)];
  await withTransaction(db, async (trx) => {
    await createInvitedUser(trx, ctx, invitee, { email: input.email, name: input.name, companyId });
    const already = await trx
      .selectFrom('company_member')
      .select('user_id')
      .where('company_id', '=', companyId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (already) throw new DomainError('MEMBERSHIP_EXISTS', 'This person already belongs to the company');
    await trx
      .insertInto('company_member')
      .values({ company_id: companyId, user_id: userId, roles })
      .execute();
    await recordEvent(trx, ctx, {
      action: 'company.member_added',
      objectType: 'company',
      objectId: companyId,
      companyId,
      data: { userId, roles },
    });
  });
  sessionCache.invalidateUser(userId);
  await sendInvitation(ctx, mailer, publicUrl, invitee, input.email);
  return { userId, email: input.email, name: invitee.existingName ?? input.name, roles };
}

export async function addCompanyEmail(
  ctx: ServiceContext,
  companyId: string,
  input: { email: string; purpose: string },
): Promise<CompanyView> {
  authorizeOnCompany(ctx.actor, 'company.update', companyId);
  await withTransaction(ctx.db as Db, async (trx) => {
    try {
      await trx
        .insertInto('company_email')
        .values({
          id: newId(),
          company_id: companyId,
          email: input.email.toLowerCase(),
          purpose: input.purpose,
        })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new DomainError('CONFLICT', 'This email is already listed');
      throw err;
    }
    await recordEvent(trx, ctx, {
      action: 'company.email_added',
      objectType: 'company',
      objectId: companyId,
      companyId,
      data: { email: input.email.toLowerCase() },
    });
  });
  return presentCompany(ctx.db, companyId);
}

export async function removeCompanyEmail(
  ctx: ServiceContext,
  companyId: string,
  emailId: string,
): Promise<CompanyView> {
  authorizeOnCompany(ctx.actor, 'company.update', companyId);
  await withTransaction(ctx.db as Db, async (trx) => {
    const row = await trx
      .selectFrom('company_email')
      .select(['id', 'email'])
      .where('company_id', '=', companyId)
      .where('id', '=', emailId)
      .executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', 'Email not found');
    await trx.deleteFrom('company_email').where('id', '=', row.id).execute();
    await recordEvent(trx, ctx, {
      action: 'company.email_removed',
      objectType: 'company',
      objectId: companyId,
      companyId,
      data: { email: row.email },
    });
  });
  return presentCompany(ctx.db, companyId);
}
