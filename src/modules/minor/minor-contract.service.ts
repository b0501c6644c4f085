import { randomBytes } from 'node:crypto';
import type { ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { type Tx, withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { Dec, parsePercentage } from '../../platform/money.js';
import { liftEmbargo, recordEvent } from '../audit/audit.service.js';
import { localDate } from '../calendar/calendar.rules.js';
import type { ContractType } from '../procedures/procedure.types.js';
import { publishMinorAward } from '../ocds/ocds-minor.publish.js';
import { authorizeOnMinor, authorizeQuoting } from './minor-contract.policy.js';
import {
  type CompanyInvitationView,
  type MinorContractView,
  presentCompanyInvitation,
  presentMinorContract,
  presentQuarterLine,
  type QuoteView,
} from './minor-contract.presenter.js';
import {
  awardsBetween,
  existingCompanyIds,
  findAward,
  findMinorContract,
  findMinorFile,
  invitationsOfCompany,
  invitedCompanyIds,
  listInvitations,
  listMinorFiles,
  listQuotes,
  type MinorContractRow,
  type MinorFileRow,
  priorAwards,
  suggestionCandidates,
} from './minor-contract.repo.js';
import {
  assertQuotesUnsealed,
  assertQuotingOpen,
  checkAwardAmount,
  checkInvitationCount,
  checkSplitting,
  cpvPrefix,
  fileVatRate,
  isJustified,
  isQuotingOpen,
  MIN_INVITATIONS,
  minorThreshold,
  nextMinorStatus,
  quarterOf,
  quarterRange,
  quoteCommitment,
  quoteInclVat,
  quotesSealed,
  rankSuggestions,
  splittingGuard,
  splittingWindowStart,
} from './minor-contract.rules.js';
import type { MinorStatus, QuarterlyLine, RankedSuggestion } from './minor-contract.types.js';

/**
 * The audit embargo of a round's quote events: they name the companies that quoted, which stays
 * sealed until the round is closed and its quotes opened (recordQuotesOpened lifts it).
 */
const quotesEmbargo = (tenderId: string, round: number): string => `minor-quotes:${tenderId}:${round}`;

/** Art. 29.8 LCSP: a minor contract lasts at most one year and cannot be extended. */
const MAX_DURATION_MONTHS = 12;

async function authorityToday(db: Db | Tx, authorityId: string, now: Date): Promise<string> {
  const a = await db
    .selectFrom('authority')
    .select('time_zone')
    .where('id', '=', authorityId)
    .executeTakeFirstOrThrow();
  return localDate(now, a.time_zone);
}

/** The file, refused unless it is a minor contract of this authority. */
async function minorFile(db: Db | Tx, authorityId: string, tenderId: string, forUpdate = false) {
  const file = await findMinorFile(db, authorityId, tenderId, { forUpdate });
  if (!file) throw new DomainError('NOT_FOUND', 'Tender not found');
  if (file.procedure !== 'menor') {
    throw new DomainError('UNPROCESSABLE', 'The file is not a minor contract', {
      reason: 'NOT_A_MINOR_CONTRACT',
      procedure: file.procedure,
    });
  }
  return file;
}

/** Invitations, quotes and award go on only while the approved file stays approved (an edit sends it back to the chain). */
function requireApproved(file: MinorFileRow): void {
  if (file.status !== 'approved') {
    throw new DomainError('INVALID_TRANSITION', `A ${file.status} file cannot take this step`, {
      tenderStatus: file.status,
    });
  }
}

async function started(db: Db | Tx, authorityId: string, tenderId: string, forUpdate = false) {
  const m = await findMinorContract(db, authorityId, tenderId, { forUpdate });
  if (!m) {
    throw new DomainError('INVALID_TRANSITION', 'No company has been invited yet', { from: 'not_started' });
  }
  return m;
}

/** Unknown company ids are refused as not found, like any forged id. */
async function requireCompanies(db: Db | Tx, ids: readonly string[]): Promise<void> {
  const found = await existingCompanyIds(db, ids);
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) throw new DomainError('NOT_FOUND', 'Company not found', { companyIds: missing });
}

async function buildView(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
): Promise<MinorContractView> {
  const file = await minorFile(ctx.db, authorityId, tenderId);
  const now = ctx.clock.now();
  const today = await authorityToday(ctx.db, authorityId, now);
  const [m, award] = await Promise.all([
    findMinorContract(ctx.db, authorityId, tenderId),
    findAward(ctx.db, authorityId, tenderId),
  ]);
  // Only the current round shows: a void round's invitations and quotes count for nothing.
  const invitations = m ? await listInvitations(ctx.db, authorityId, tenderId, m.round) : [];
  const sealed = !m || quotesSealed(now, m);
  const quoteRows = m && !sealed ? await listQuotes(ctx.db, authorityId, tenderId, m.round) : [];
  let quotes: QuoteView[] = [];
  if (!sealed) {
    const prior = await priorAwards(ctx.db, authorityId, splittingWindowStart(today), tenderId);
    const contractType = file.contract_type as ContractType;
    const threshold = minorThreshold(contractType, today);
    quotes = quoteRows.map((q) => {
      const guard = splittingGuard(
        { companyId: q.company_id, mainCpv: file.main_cpv, amountExclVat: q.amount_excl_vat, contractType },
        prior,
        today,
      );
      return {
        id: q.id,
        companyId: q.company_id,
        legalName: q.legal_name,
        taxId: q.tax_id,
        isSme: q.is_sme,
        amountExclVat: q.amount_excl_vat,
        vatRate: q.vat_rate,
        amountInclVat: q.amount_incl_vat,
        note: q.note,
        submittedAt: q.submitted_at.toISOString(),
        thresholdExceeded: new Dec(q.amount_excl_vat).greaterThanOrEqualTo(threshold),
        aboveEstimate: new Dec(q.amount_excl_vat).greaterThan(file.estimated_value),
        splitting: {
          reachesThreshold: guard.reachesThreshold,
          cumulative: guard.cumulative,
          contracts: guard.matches.map((x) => x.tenderId),
        },
      };
    });
  }
  const quoted = new Set(quoteRows.map((q) => q.company_id));
  return presentMinorContract({
    file,
    minor: m ?? null,
    threshold: minorThreshold(file.contract_type as ContractType, today).toFixed(2),
    minInvitations: MIN_INVITATIONS,
    sealed,
    invitations: invitations.map((i) => ({
      companyId: i.company_id,
      legalName: i.legal_name,
      taxId: i.tax_id,
      isSme: i.is_sme,
      invitedAt: i.invited_at.toISOString(),
      // Who has quoted is sealed too until the deadline, and so is how many.
      hasQuoted: sealed ? null : quoted.has(i.company_id),
    })),
    // [D] The count stays sealed too: nothing in the LCSP needs the authority to know it before
    // the deadline, and it would tell an officer whether a favoured company quotes alone
    // (equal treatment, art. 1 LCSP; no access to offers before the deadline, DA 17ª).
    quoteCount: sealed ? null : quoteRows.length,
    quotes,
    award: award ?? null,
  });
}

/** The fast path of a minor file as its staff sees it. Quotes are sealed until the deadline. */
export async function getMinorContract(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
): Promise<MinorContractView> {
  authorizeOnMinor(ctx.actor, 'minor.read', authorityId);
  return buildView(ctx, authorityId, tenderId);
}

/** The authority's minor files, with the state of each one's fast path. */
export async function listMinorContracts(ctx: ServiceContext, authorityId: string) {
  authorizeOnMinor(ctx.actor, 'minor.read', authorityId);
  const rows = await listMinorFiles(ctx.db, authorityId);
  return rows.map((r) => ({
    tenderId: r.id,
    reference: r.reference,
    tenderStatus: r.status,
    status: (r.minor_status ?? 'not_started') as MinorStatus | 'not_started',
    title: { ca: r.title_ca, es: r.title_es, en: r.title_en },
    estimatedValue: r.estimated_value,
    quoteDeadline: r.quote_deadline?.toISOString() ?? null,
  }));
}

export type StartInput = { quoteDeadline: string; companyIds: string[]; justification?: string | undefined };

/**
 * Opens the request for quotes of an approved minor file: the companies invited and the deadline.
 * At least MIN_INVITATIONS companies, or written reasons (kept in the file and the audit trail).
 * After a void request the file may ask again: a new round, the void one kept as history.
 */
export async function startMinorContract(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
  input: StartInput,
): Promise<MinorContractView> {
  const actor = authorizeOnMinor(ctx.actor, 'minor.invite', authorityId);
  const companyIds = [...new Set(input.companyIds)];
  const justification = input.justification?.trim() || null;
  await withTransaction(ctx.db as Db, async (trx) => {
    const file = await minorFile(trx, authorityId, tenderId, true);
    requireApproved(file);
    const previous = await findMinorContract(trx, authorityId, tenderId, { forUpdate: true });
    if (previous && previous.status !== 'void') {
      throw new DomainError('INVALID_TRANSITION', 'Companies have already been invited', {
        from: previous.status,
      });
    }
    const round = (previous?.round ?? 0) + 1;
    if (file.duration_months !== null && file.duration_months > MAX_DURATION_MONTHS) {
      throw new DomainError('UNPROCESSABLE', 'A minor contract lasts at most 12 months', {
        reason: 'DURATION_TOO_LONG',
        durationMonths: file.duration_months,
        source: 'LCSP art. 29.8',
      });
    }
    const now = ctx.clock.now();
    const deadline = new Date(input.quoteDeadline);
    if (deadline <= now) {
      throw new DomainError('DEADLINE_IN_PAST', 'quoteDeadline is in the past', { field: 'quoteDeadline' });
    }
    checkInvitationCount(companyIds.length, justification);
    await requireCompanies(trx, companyIds);
    await trx
      .insertInto('minor_contract')
      .values({
        tender_id: tenderId,
        authority_id: authorityId,
        round,
        status: 'inviting',
        quote_deadline: deadline,
        invitation_justification: justification,
        started_by: actor.userId,
        started_at: now,
      })
      .execute();
    await trx
      .insertInto('minor_invitation')
      .values(
        companyIds.map((companyId) => ({
          tender_id: tenderId,
          authority_id: authorityId,
          round,
          company_id: companyId,
          invited_by: actor.userId,
          invited_at: now,
        })),
      )
      .execute();
    await recordEvent(trx, ctx, {
      action: 'minor.started',
      objectType: 'tender',
      objectId: tenderId,
      authorityId,
      data: { round, quoteDeadline: deadline.toISOString(), companyIds, justification },
    });
  });
  return buildView(ctx, authorityId, tenderId);
}

/** Invites more companies while quotes are still open. Companies already invited are skipped. */
export async function inviteCompanies(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
  input: { companyIds: string[] },
): Promise<MinorContractView> {
  const actor = authorizeOnMinor(ctx.actor, 'minor.invite', authorityId);
  await withTransaction(ctx.db as Db, async (trx) => {
    const file = await minorFile(trx, authorityId, tenderId, true);
    const m = await started(trx, authorityId, tenderId, true);
    nextMinorStatus(m.status as MinorStatus, { type: 'invite' });
    requireApproved(file);
    const now = ctx.clock.now();
    assertQuotingOpen(now, m.quote_deadline);
    const already = new Set(await invitedCompanyIds(trx, authorityId, tenderId, m.round));
    const fresh = [...new Set(input.companyIds)].filter((id) => !already.has(id));
    if (fresh.length === 0) {
      throw new DomainError('UNPROCESSABLE', 'These companies are already invited', { field: 'companyIds' });
    }
    await requireCompanies(trx, fresh);
    await trx
      .insertInto('minor_invitation')
      .values(
        fresh.map((companyId) => ({
          tender_id: tenderId,
          authority_id: authorityId,
          round: m.round,
          company_id: companyId,
          invited_by: actor.userId,
          invited_at: now,
        })),
      )
      .execute();
    await trx
      .updateTable('minor_contract')
      .set({ version: m.version + 1 })
      .where('tender_id', '=', tenderId)
      .where('round', '=', m.round)
      .where('authority_id', '=', authorityId)
      .execute();
    await recordEvent(trx, ctx, {
      action: 'minor.invited',
      objectType: 'tender',
      objectId: tenderId,
      authorityId,
      data: { round: m.round, companyIds: fresh },
    });
  });
  return buildView(ctx, authorityId, tenderId);
}

/**
 * Companies to invite: those whose CPV interests cover the file's main CPV, SMEs first, without
 * the ones already invited. Each carries whether awarding it would trip the splitting guard.
 */
export async function suggestCompanies(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
): Promise<(RankedSuggestion & { recentMinorAwards: number; recentAmount: string })[]> {
  authorizeOnMinor(ctx.actor, 'minor.invite', authorityId);
  const file = await minorFile(ctx.db, authorityId, tenderId);
  const today = await authorityToday(ctx.db, authorityId, ctx.clock.now());
  const m = await findMinorContract(ctx.db, authorityId, tenderId);
  const [candidates, invited, prior] = await Promise.all([
    suggestionCandidates(ctx.db, cpvPrefix(file.main_cpv, 2)),
    // Those already invited to the current round; after a void round, a new one may ask anyone.
    m && m.status !== 'void' ? invitedCompanyIds(ctx.db, authorityId, tenderId, m.round) : [],
    priorAwards(ctx.db, authorityId, splittingWindowStart(today), tenderId),
  ]);
  const group = cpvPrefix(file.main_cpv);
  return rankSuggestions(candidates, file.main_cpv, new Set(invited)).map((s) => {
    const mine = prior.filter((p) => p.companyId === s.id && cpvPrefix(p.mainCpv) === group);
    return {
      ...s,
      recentMinorAwards: mine.length,
      recentAmount: mine.reduce((acc, p) => acc.plus(p.amountExclVat), new Dec(0)).toFixed(2),
    };
  });
}

/**
 * An invited company submits (or replaces) its quote before the deadline, with its VAT rate (the
 * file's by default; 0 when exempt). A company that was not invited to the current round gets 404:
 * the request for quotes does not exist for it.
 *
 * Sealing (DA 17ª LCSP: no access to offers before the deadline; art. 1, equal treatment): the
 * audit event of a submission is written under an audit embargo (`quotesEmbargo`), so nobody who
 * reads audit events — the authority's auditors and administrators, platform administrators —
 * learns before the round closes who quoted (not even through the acting user or address) nor how
 * many did. It carries a commitment with a random nonce, not brute-forceable over amounts. The
 * event minor.quotes_opened, written when the round is awarded or voided after its deadline, lifts
 * the embargo and lists the quotes with their nonces, so each commitment can be checked.
 */
export async function submitQuote(
  ctx: ServiceContext,
  companyId: string,
  tenderId: string,
  input: { amountExclVat: string; vatRate?: string | undefined; note?: string | undefined },
): Promise<CompanyInvitationView> {
  const actor = authorizeQuoting(ctx.actor, companyId);
  const amount = new Dec(input.amountExclVat);
  if (!amount.greaterThan(0)) {
    throw new DomainError('UNPROCESSABLE', 'The amount must be positive', { field: 'amountExclVat' });
  }
  const statedRate = input.vatRate === undefined ? undefined : parsePercentage(input.vatRate);
  if (input.vatRate !== undefined && !statedRate) {
    throw new DomainError('UNPROCESSABLE', 'The VAT rate is a percentage from 0 to 100', {
      field: 'vatRate',
    });
  }
  const note = input.note?.trim() ?? '';
  let round = 0;
  await withTransaction(ctx.db as Db, async (trx) => {
    // The company's invitation to the latest round it was asked to.
    const invitation = await trx
      .selectFrom('minor_invitation')
      .select(['authority_id', 'round'])
      .where('company_id', '=', companyId)
      .where('tender_id', '=', tenderId)
      .orderBy('round', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!invitation) throw new DomainError('NOT_FOUND', 'Invitation not found');
    const authorityId = invitation.authority_id;
    const m = await started(trx, authorityId, tenderId, true);
    // Invited to an earlier, void round only: the current request was not sent to it.
    if (m.round !== invitation.round) throw new DomainError('NOT_FOUND', 'Invitation not found');
    round = m.round;
    nextMinorStatus(m.status as MinorStatus, { type: 'quote' });
    const file = await minorFile(trx, authorityId, tenderId);
    requireApproved(file);
    const now = ctx.clock.now();
    assertQuotingOpen(now, m.quote_deadline);
    const previous = await trx
      .selectFrom('minor_quote')
      .select('id')
      .where('tender_id', '=', tenderId)
      .where('round', '=', m.round)
      .where('company_id', '=', companyId)
      .executeTakeFirst();
    const quoteId = previous?.id ?? newId();
    const amountText = amount.toFixed(2);
    const vatRate = statedRate?.toFixed(2) ?? fileVatRate(file.budget_excl_vat, file.budget_incl_vat);
    const inclVat = quoteInclVat(amountText, vatRate);
    // A fresh nonce for every version, so that the commitments of a replaced quote are unlinkable.
    const nonce = randomBytes(32).toString('hex');
    const columns = {
      amount_excl_vat: amountText,
      vat_rate: vatRate,
      amount_incl_vat: inclVat,
      note,
      commitment_nonce: nonce,
      submitted_by: actor.userId,
      submitted_at: now,
    };
    if (previous) {
      await trx.updateTable('minor_quote').set(columns).where('id', '=', quoteId).execute();
    } else {
      await trx
        .insertInto('minor_quote')
        .values({
          id: quoteId,
          tender_id: tenderId,
          authority_id: authorityId,
          round: m.round,
          company_id: companyId,
          ...columns,
        })
        .execute();
    }
    const commitmentSha256 = quoteCommitment({
      nonce,
      tenderId,
      round: m.round,
      companyId,
      quoteId,
      amountExclVat: amountText,
      vatRate,
      amountInclVat: inclVat,
      note,
      submittedAt: now.toISOString(),
    });
    await recordEvent(trx, ctx, {
      action: 'minor.quote_submitted',
      objectType: 'tender',
      objectId: tenderId,
      authorityId,
      companyId,
      // Names the company and its commitment: unreadable until the round's quotes are opened.
      embargo: quotesEmbargo(tenderId, m.round),
      data: { round: m.round, quoteId, commitmentSha256, replaced: previous !== undefined },
    });
  });
  const row = (await invitationsOfCompany(ctx.db, companyId, tenderId)).find((r) => r.round === round);
  if (!row) throw new DomainError('NOT_FOUND', 'Invitation not found');
  return presentCompanyInvitation(row, companyId, ctx.clock.now());
}

/**
 * Writes, in the authority's trail, which companies quoted in a round and what, with each quote's
 * nonce: the opening of the sealed quotes. Called when a round is closed (award, or void after the
 * deadline); a round voided before its deadline is never opened.
 */
async function recordQuotesOpened(
  trx: Tx,
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
  m: MinorContractRow,
): Promise<void> {
  const rows = await listQuotes(trx, authorityId, tenderId, m.round);
  await liftEmbargo(trx, ctx, quotesEmbargo(tenderId, m.round));
  await recordEvent(trx, ctx, {
    action: 'minor.quotes_opened',
    objectType: 'tender',
    objectId: tenderId,
    authorityId,
    data: {
      round: m.round,
      quoteDeadline: m.quote_deadline.toISOString(),
      quotes: rows.map((q) => ({
        quoteId: q.id,
        companyId: q.company_id,
        amountExclVat: q.amount_excl_vat,
        vatRate: q.vat_rate,
        amountInclVat: q.amount_incl_vat,
        note: q.note,
        submittedAt: q.submitted_at.toISOString(),
        // Null for a quote submitted before migration 0008 (no nonce then).
        nonce: q.commitment_nonce,
      })),
    },
  });
}

/** A company's invitations to quote, with its own quote; other companies' quotes never show. */
export async function listCompanyInvitations(
  ctx: ServiceContext,
  companyId: string,
): Promise<CompanyInvitationView[]> {
  authorizeQuoting(ctx.actor, companyId);
  const rows = await invitationsOfCompany(ctx.db, companyId);
  const now = ctx.clock.now();
  return rows.map((r) => presentCompanyInvitation(r, companyId, now));
}

export type AwardInput = {
  quoteId: string;
  justification: string;
  splittingJustification?: string | undefined;
};

/**
 * Awards the minor contract to one quote, after the deadline, with reasons. Guards: the amount is
 * below the threshold of art. 118.1 and within the file's estimated value; and the 12-month
 * splitting guard (arts. 99.2, 118.3), which needs written reasons when it matches.
 */
export async function awardMinorContract(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
  input: AwardInput,
): Promise<MinorContractView> {
  const actor = authorizeOnMinor(ctx.actor, 'minor.award', authorityId);
  const justification = input.justification.trim();
  if (!isJustified(justification)) {
    throw new DomainError('UNPROCESSABLE', 'The award needs its reasons', { field: 'justification' });
  }
  const splittingJustification = input.splittingJustification?.trim() || null;
  await withTransaction(ctx.db as Db, async (trx) => {
    const file = await minorFile(trx, authorityId, tenderId, true);
    const m = await started(trx, authorityId, tenderId, true);
    nextMinorStatus(m.status as MinorStatus, { type: 'award' });
    requireApproved(file);
    const now = ctx.clock.now();
    assertQuotesUnsealed(now, m.quote_deadline);
    const quote = await trx
      .selectFrom('minor_quote')
      .select(['id', 'company_id', 'amount_excl_vat', 'vat_rate', 'amount_incl_vat'])
      .where('authority_id', '=', authorityId)
      .where('tender_id', '=', tenderId)
      .where('round', '=', m.round)
      .where('id', '=', input.quoteId)
      .executeTakeFirst();
    if (!quote) throw new DomainError('NOT_FOUND', 'Quote not found');
    // One award at a time per authority, so two awards cannot both pass the splitting guard.
    const authority = await trx
      .selectFrom('authority')
      .select('time_zone')
      .where('id', '=', authorityId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const today = localDate(now, authority.time_zone);
    const contractType = file.contract_type as ContractType;
    checkAwardAmount({
      contractType,
      estimatedValue: file.estimated_value,
      amountExclVat: quote.amount_excl_vat,
      day: today,
    });
    const prior = await priorAwards(trx, authorityId, splittingWindowStart(today), tenderId);
    const guard = splittingGuard(
      {
        companyId: quote.company_id,
        mainCpv: file.main_cpv,
        amountExclVat: quote.amount_excl_vat,
        contractType,
      },
      prior,
      today,
    );
    checkSplitting(guard, splittingJustification);
    // The amount with VAT as quoted (art. 63.4 lists it), not inferred from the file's budget.
    const inclVat = quote.amount_incl_vat;
    const keptSplittingReasons = guard.reachesThreshold ? splittingJustification : null;
    await trx
      .insertInto('minor_award')
      .values({
        tender_id: tenderId,
        authority_id: authorityId,
        round: m.round,
        company_id: quote.company_id,
        quote_id: quote.id,
        main_cpv: file.main_cpv,
        contract_type: file.contract_type,
        duration_months: file.duration_months,
        amount_excl_vat: quote.amount_excl_vat,
        amount_incl_vat: inclVat,
        justification,
        splitting_justification: keptSplittingReasons,
        awarded_by: actor.userId,
        awarded_at: now,
        awarded_on: today,
      })
      .execute();
    await trx
      .updateTable('minor_contract')
      .set({ status: 'awarded', version: m.version + 1 })
      .where('tender_id', '=', tenderId)
      .where('round', '=', m.round)
      .where('authority_id', '=', authorityId)
      .execute();
    await recordQuotesOpened(trx, ctx, authorityId, tenderId, m);
    const eventId = await recordEvent(trx, ctx, {
      action: 'minor.awarded',
      objectType: 'tender',
      objectId: tenderId,
      authorityId,
      companyId: quote.company_id,
      // The award is public: it goes into the quarterly list (art. 63.4).
      isPublic: true,
      data: {
        round: m.round,
        companyId: quote.company_id,
        quoteId: quote.id,
        amountExclVat: quote.amount_excl_vat,
        vatRate: quote.vat_rate,
        amountInclVat: inclVat,
        justification,
        splittingJustification: keptSplittingReasons,
        splittingMatches: guard.matches.map((x) => x.tenderId),
      },
    });
    // Its OCDS release, committed with it (issue 6).
    await publishMinorAward(trx, { authorityId, tenderId, round: m.round, eventId });
  });
  return buildView(ctx, authorityId, tenderId);
}

/** Closes a request for quotes without award (no suitable quote, need gone), with reasons. */
export async function voidMinorContract(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
  input: { reason: string },
): Promise<MinorContractView> {
  authorizeOnMinor(ctx.actor, 'minor.award', authorityId);
  const reason = input.reason.trim();
  if (!isJustified(reason)) {
    throw new DomainError('UNPROCESSABLE', 'Voiding needs its reasons', { field: 'reason' });
  }
  await withTransaction(ctx.db as Db, async (trx) => {
    await minorFile(trx, authorityId, tenderId, true);
    const m = await started(trx, authorityId, tenderId, true);
    await closeRound(trx, ctx, authorityId, tenderId, m, { reason, tenderCancelled: false });
  });
  return buildView(ctx, authorityId, tenderId);
}

/** Voids a round in the caller's transaction, with its event; opens its quotes if the deadline passed. */
async function closeRound(
  trx: Tx,
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
  m: MinorContractRow,
  cause: { reason: string; tenderCancelled: boolean },
): Promise<void> {
  nextMinorStatus(m.status as MinorStatus, { type: 'void' });
  const now = ctx.clock.now();
  await trx
    .updateTable('minor_contract')
    .set({ status: 'void', void_reason: cause.reason, voided_at: now, version: m.version + 1 })
    .where('tender_id', '=', tenderId)
    .where('round', '=', m.round)
    .where('authority_id', '=', authorityId)
    .execute();
  if (!isQuotingOpen(now, m.quote_deadline)) await recordQuotesOpened(trx, ctx, authorityId, tenderId, m);
  await recordEvent(trx, ctx, {
    action: 'minor.voided',
    objectType: 'tender',
    objectId: tenderId,
    authorityId,
    data: { round: m.round, reason: cause.reason, tenderCancelled: cause.tenderCancelled },
  });
}

/**
 * Called by the cancellation of a minor file (cancelTender, art. 152 LCSP), in its transaction:
 * an open request for quotes is voided with the cancellation's reasons, so that it does not stay
 * "inviting" on a cancelled file. The caller has authorised the cancellation and locked the file.
 */
export async function voidMinorRequestOnCancel(
  trx: Tx,
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
  reason: string,
): Promise<void> {
  const m = await findMinorContract(trx, authorityId, tenderId, { forUpdate: true });
  if (m?.status !== 'inviting') return;
  await closeRound(trx, ctx, authorityId, tenderId, m, { reason, tenderCancelled: true });
}

export type QuarterlyList = {
  authorityId: string;
  year: number;
  /** Null when the whole year was asked for. */
  quarter: number | null;
  from: string;
  to: string;
  contracts: QuarterlyLine[];
};

/**
 * The public quarterly list of an authority's minor contracts (art. 63.4 LCSP): object, duration,
 * amount with and without VAT, awardee and date, ordered by awardee. Without a period, the
 * current quarter in the authority's time zone.
 */
export async function quarterlyList(
  ctx: ServiceContext,
  authorityId: string,
  period: { year?: number | undefined; quarter?: number | undefined },
): Promise<QuarterlyList> {
  const authority = await ctx.db
    .selectFrom('authority')
    .select(['id', 'time_zone'])
    .where('id', '=', authorityId)
    .executeTakeFirst();
  if (!authority) throw new DomainError('NOT_FOUND', 'Authority not found');
  const current = quarterOf(localDate(ctx.clock.now(), authority.time_zone));
  const year = period.year ?? current.year;
  // A year without a quarter is the whole year; nothing at all is the current quarter.
  const quarter = period.quarter ?? (period.year === undefined ? current.quarter : null);
  const { from, to } =
    quarter === null ? { from: `${year}-01-01`, to: `${year}-12-31` } : quarterRange(year, quarter);
  const rows = await awardsBetween(ctx.db, authorityId, from, to);
  return { authorityId, year, quarter, from, to, contracts: rows.map(presentQuarterLine) };
}

/**
 * Feeds the pre-publication checks (tender.checks.ts): this authority's minor awards of the last
 * 12 months, and the companies invited to the file's current round (none after a void round).
 */
export async function minorFactsForChecks(db: Db | Tx, authorityId: string, tenderId: string, today: string) {
  const m = await findMinorContract(db, authorityId, tenderId);
  const [prior, invited] = await Promise.all([
    priorAwards(db, authorityId, splittingWindowStart(today), tenderId),
    m && m.status !== 'void' ? invitedCompanyIds(db, authorityId, tenderId, m.round) : [],
  ]);
  return {
    recentMinorContracts: prior.map((p) => ({
      id: p.tenderId,
      mainCpv: p.mainCpv,
      companyId: p.companyId,
      awardedOn: p.awardedOn,
      amount: p.amountExclVat,
    })),
    invitedCompanyIds: invited,
  };
}
