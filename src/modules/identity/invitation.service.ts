import { randomBytes } from 'node:crypto';
import type { ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import type { Tx } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { Mailer } from '../../platform/mail.js';
import { recordEvent } from '../audit/audit.service.js';
import { INVITATION_TTL_MS, issueResetToken } from './auth.service.js';
import { hashPassword } from './password.js';
import { findUserByEmail, insertUser } from './user.repo.js';

/**
 * A person being given access by an administrator (of an authority or of a company): an existing
 * account, or a new one created with an unusable random password and invited by mail to set it.
 */
export type Invitee = { userId: string; existingName: string | null; placeholderHash: string | null };

/** Looks the email up, and prepares a new account's placeholder hash outside any transaction (scrypt is slow). */
export async function prepareInvitee(db: Db | Tx, email: string): Promise<Invitee> {
  const existing = await findUserByEmail(db, email);
  if (existing) return { userId: existing.id, existingName: existing.name, placeholderHash: null };
  return {
    userId: newId(),
    existingName: null,
    placeholderHash: await hashPassword(randomBytes(24).toString('base64url')),
  };
}

/** Inside the granting transaction: creates the new account, if any, with its audit event. */
export async function createInvitedUser(
  trx: Tx,
  ctx: ServiceContext,
  invitee: Invitee,
  input: { email: string; name: string; authorityId?: string; companyId?: string },
): Promise<void> {
  if (!invitee.placeholderHash) return;
  await insertUser(trx, {
    id: invitee.userId,
    email: input.email,
    name: input.name,
    passwordHash: invitee.placeholderHash,
  }).catch((err: unknown) => {
    if (isUniqueViolation(err)) throw new DomainError('EMAIL_TAKEN', 'This email is already registered');
    throw err;
  });
  await recordEvent(trx, ctx, {
    action: 'user.created',
    objectType: 'user',
    objectId: invitee.userId,
    authorityId: input.authorityId ?? null,
    companyId: input.companyId ?? null,
    data: { email: input.email },
  });
}

/** After commit: mails a new account its invitation (a reset link valid for 7 days). */
export async function sendInvitation(
  ctx: ServiceContext,
  mailer: Mailer,
  publicUrl: string,
  invitee: Invitee,
  email: string,
): Promise<void> {
  if (!invitee.placeholderHash) return;
  const token = await issueResetToken(ctx.db as Db, ctx, invitee.userId, INVITATION_TTL_MS);
  await mailer.send({
    to: email,
    subject: 'Contracta: invitació / invitación / invitation',
    text: `${publicUrl}/password-reset/${token}\n\nSet your password within 7 days.`,
  });
}
