/**
 * The phase before sealed bids in the procedures that invite (issue 5; LCSP arts. 160–171):
 * companies ask to participate by the notice's deadline (art. 162), the committee selects
 * candidates with reasons, the contracting body invites them (art. 163) — or, without
 * publication, the companies it chooses (art. 168) — and, in the negotiated procedures, puts
 * negotiation rounds to every invited company alike (art. 169). The binding final offers are the
 * sealed bids, due at the tender deadline; only invited companies may submit them (bid.service.ts
 * asks `mayBid` of invitation.gate.ts). Every change is audited in its transaction; events that name a company are
 * embargoed like bids until the first envelope opens (docs/SEALING.md).
 */
import { createHash } from 'node:crypto';
import type { ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { formatDateTime, translator } from '../../platform/i18n/i18n.js';
import { type MailMessage, type NoticeMail, sendNotices } from '../../platform/mail.js';
import type { Tx } from '../../platform/db/tx.js';
import { companyRecipients } from '../parties/company-recipients.repo.js';
import { tenderMailFacts } from '../tenders/tender.repo.js';
import { recordEvent } from '../audit/audit.service.js';
import { bidderEmbargo } from '../bids/bid.service.js';
import { authorizeOnBid } from '../bids/bid.policy.js';
import { earliestDeadline, localDate } from '../calendar/calendar.rules.js';
import { authorityCalendar } from '../calendar/calendar.service.js';
import { PROCEDURES } from '../procedures/procedure.catalogue.js';
import { bidsByInvitation, isHarmonised, minimumTenderPeriod } from '../procedures/procedure.rules.js';
import type { ContractType, ProcedureCode } from '../procedures/procedure.types.js';
import { normalizeTaxId, validateSpanishTaxId } from '../parties/tax-id.rules.js';
import { authorizeOnSelection } from './selection.policy.js';
import {
  companiesNamed,
  companyIdsByTaxId,
  insertInvitations,
  insertRequest,
  insertResponse,
  insertRound,
  isInvited,
  listInvitations,
  listRequests,
  listResponses,
  listRounds,
  lockRequest,
  markInvited,
  type RequestRow,
  type RoundRow,
  requestOfCompany,
  type SelectionTenderRow,
  saveDecision,
  tenderByOcid,
  tenderOfAuthority,
} from './selection.repo.js';
import {
  assertRequestsClosed,
  assertTakesRequests,
  checkDecision,
  checkInvitation,
  checkResponse,
  checkRound,
  type SelectionDecision,
  type SelectionTender,
} from './selection.rules.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function factsOf(t: SelectionTenderRow): SelectionTender {
  return {
    procedure: t.procedure as ProcedureCode,
    status: t.status,
    participationDeadline: t.participation_deadline,
    tenderDeadline: t.tender_deadline,
    invitedAt: t.invited_at,
  };
}

async function authorityTender(
  db: ServiceContext['db'],
  authorityId: string,
  tenderId: string,
  lock = false,
): Promise<SelectionTenderRow> {
  const t = await tenderOfAuthority(db, authorityId, tenderId, lock);
  if (!t) throw new DomainError('NOT_FOUND', 'Tender not found');
  return t;
}

/** A tender the public knows by its ocid (published or cancelled; drafts do not exist). */
async function publicTender(db: ServiceContext['db'], ocid: string, lock: 'share' | 'none' = 'none') {
  const t = await tenderByOcid(db, ocid, lock);
  if (!t?.ocid || (t.status !== 'published' && t.status !== 'cancelled')) {
    throw new DomainError('NOT_FOUND', 'Tender not found');
  }
  return { ...t, ocid: t.ocid };
}

// --- requests to participate (art. 162) ---

export type ParticipationRequestView = {
  id: string;
  company: { id: string; legalName: string; taxId: string };
  statement: string;
  submittedAt: string;
  decision: SelectionDecision | null;
  reasons: string | null;
  decidedAt: string | null;
  version: number;
};

function presentRequest(r: RequestRow): ParticipationRequestView {
  return {
    id: r.id,
    company: { id: r.company_id, legalName: r.legal_name, taxId: r.tax_id },
    statement: r.statement,
    submittedAt: r.submitted_at.toISOString(),
    decision: (r.decision as SelectionDecision | null) ?? null,
    reasons: r.reasons,
    decidedAt: r.decided_at?.toISOString() ?? null,
    version: r.version,
  };
}

/**
 * A company asks to participate, with its statement of how it meets the notice's selection
 * criteria (solvency, art. 162), strictly before the deadline. One request per company; the
 * tender row is share-locked so that the deadline read is the one in force at commit.
 */
export async function requestParticipation(
  ctx: ServiceContext,
  input: { ocid: string; companyId: string; statement: string },
): Promise<{ id: string; submittedAt: string }> {
  const actor = authorizeOnBid(ctx.actor, 'bid.submit', input.companyId);
  const statement = input.statement.trim();
  if (statement.length === 0) {
    throw new DomainError('UNPROCESSABLE', 'The statement is empty', { field: 'statement' });
  }
  return withTransaction(ctx.db as Db, async (trx) => {
    const t = await publicTender(trx, input.ocid, 'share');
    const now = ctx.clock.now();
    assertTakesRequests(factsOf(t), now);
    const id = newId();
    const inserted = await insertRequest(trx, {
      id,
      tender_id: t.id,
      authority_id: t.authority_id,
      company_id: input.companyId,
      statement,
      submitted_by: actor.userId,
      submitted_at: now,
    });
    if (!inserted) throw new DomainError('CONFLICT', 'This company has asked to participate already');
    await recordEvent(trx, ctx, {
      action: 'participation.requested',
      objectType: 'tender',
      objectId: t.id,
      authorityId: t.authority_id,
      companyId: input.companyId,
      // Names a candidate: nobody reads it before the first envelope opens, like a bid.
      embargo: bidderEmbargo(t.id),
      data: { requestId: id, submittedAt: now.toISOString(), statementSha256: sha256(statement) },
    });
    return { id, submittedAt: now.toISOString() };
  });
}

/** The requests, once none can arrive any more (committee, officer, auditors). */
export async function listParticipationRequests(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
): Promise<{
  participationDeadline: string | null;
  invitedAt: string | null;
  requests: ParticipationRequestView[];
}> {
  authorizeOnSelection(ctx.actor, 'selection.read', authorityId);
  const t = await authorityTender(ctx.db, authorityId, tenderId);
  assertRequestsClosed(factsOf(t), ctx.clock.now());
  const rows = await listRequests(ctx.db, authorityId, tenderId);
  return {
    participationDeadline: t.participation_deadline?.toISOString() ?? null,
    invitedAt: t.invited_at?.toISOString() ?? null,
    requests: rows.map(presentRequest),
  };
}

/** The committee selects or rejects one candidate, with reasons (a rejection must give them). */
export async function decideParticipation(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
  requestId: string,
  input: { version: number; decision: SelectionDecision; reasons?: string | undefined },
): Promise<ParticipationRequestView> {
  const actor = authorizeOnSelection(ctx.actor, 'selection.decide', authorityId);
  await withTransaction(ctx.db as Db, async (trx) => {
    // The tender row first, locked: the invitation takes the same lock, so no decision lands
    // after the list of candidates was closed.
    const t = await authorityTender(trx, authorityId, tenderId, true);
    const now = ctx.clock.now();
    const reasons = checkDecision(factsOf(t), now, input.decision, input.reasons);
    const request = await lockRequest(trx, authorityId, tenderId, requestId);
    if (!request) throw new DomainError('NOT_FOUND', 'Request not found');
    if (request.version !== input.version) {
      throw new DomainError('STALE_VERSION', 'The request was decided meanwhile', {
        current: request.version,
      });
    }
    await saveDecision(trx, requestId, request.version, {
      decision: input.decision,
      reasons,
      decided_by: actor.userId,
      decided_at: now,
    });
    await recordEvent(trx, ctx, {
      action: 'participation.decided',
      objectType: 'tender',
      objectId: tenderId,
      authorityId,
      companyId: request.company_id,
      embargo: bidderEmbargo(tenderId),
      data: { requestId, companyId: request.company_id, decision: input.decision, reasons: reasons ?? '' },
    });
  });
  const rows = await listRequests(ctx.db, authorityId, tenderId);
  const row = rows.find((r) => r.id === requestId);
  if (!row) throw new DomainError('NOT_FOUND', 'Request not found');
  return presentRequest(row);
}

// --- invitation (arts. 163, 168, 169) ---

export type InvitationListView = {
  invitedAt: string | null;
  companies: { id: string; legalName: string; taxId: string; invitedAt: string }[];
};

async function invitationView(db: ServiceContext['db'], t: SelectionTenderRow): Promise<InvitationListView> {
  const rows = await listInvitations(db, t.id);
  return {
    invitedAt: t.invited_at?.toISOString() ?? null,
    companies: rows.map((r) => ({
      id: r.company_id,
      legalName: r.legal_name,
      taxId: r.tax_id,
      invitedAt: r.invited_at.toISOString(),
    })),
  };
}

/** The minimum tender period from an invitation sent `now`, if the procedure sets one (art. 164.1). */
async function earliestFromInvitation(db: ServiceContext['db'], t: SelectionTenderRow, now: Date) {
  const facts = {
    contractType: t.contract_type as ContractType,
    estimatedValue: t.estimated_value,
    intellectualServices: t.intellectual_services,
    socialServices: t.social_services,
  };
  // Harmonised or not as on the day of publication: the notice's thresholds bind the procedure.
  const today = localDate(t.published_at ?? now, 'Europe/Madrid');
  const rule = minimumTenderPeriod(t.procedure as ProcedureCode, {
    harmonised: isHarmonised(facts, today),
    contractType: facts.contractType,
    urgent: t.urgent,
    priorInformationNotice: t.prior_information_notice,
    routinePurchase: t.routine_purchase,
    electronicSubmission: true,
  });
  if (rule?.from !== 'invitation') return undefined;
  return earliestDeadline(now, rule, await authorityCalendar(db, t.authority_id));
}

/**
 * Sends the invitations, once: in a two-phase procedure to every selected candidate (the body
 * names none), without publication to the companies the body lists. From then on only these
 * companies may bid (bid.service.ts).
 */
export async function invite(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
  input: { companyIds?: string[] | undefined; fewerCandidatesReason?: string | undefined },
  mail: NoticeMail,
): Promise<InvitationListView> {
  const actor = authorizeOnSelection(ctx.actor, 'selection.invite', authorityId);
  const notices = await withTransaction(ctx.db as Db, async (trx) => {
    const t = await authorityTender(trx, authorityId, tenderId, true);
    const facts = factsOf(t);
    const now = ctx.clock.now();
    const requests = await listRequests(trx, authorityId, tenderId);
    let invited: { companyId: string; requestId: string | null }[];
    if (t.participation_deadline) {
      if (input.companyIds !== undefined) {
        throw new DomainError('UNPROCESSABLE', 'The selected candidates are invited; name no companies', {
          field: 'companyIds',
        });
      }
      invited = requests
        .filter((r) => r.decision === 'selected')
        .map((r) => ({ companyId: r.company_id, requestId: r.id }));
    } else {
      const ids = [...new Set(input.companyIds ?? [])];
      // An invitation names registered companies only.
      const known = await companiesNamed(trx, ids);
      const unknown = ids.filter((id) => !known.has(id));
      if (unknown.length > 0) {
        throw new DomainError('UNPROCESSABLE', 'Unknown companies', { field: 'companyIds', unknown });
      }
      invited = ids.map((companyId) => ({ companyId, requestId: null }));
    }
    const reason = checkInvitation(facts, now, {
      companyIds: invited.map((i) => i.companyId),
      undecided: requests.filter((r) => r.decision === null).length,
      fewerCandidatesReason: input.fewerCandidatesReason,
      earliestDeadline: await earliestFromInvitation(trx, t, now),
    });
    await insertInvitations(
      trx,
      invited.map((i) => ({
        tender_id: tenderId,
        authority_id: authorityId,
        company_id: i.companyId,
        request_id: i.requestId,
        invited_by: actor.userId,
        invited_at: now,
      })),
    );
    await markInvited(trx, tenderId, now);
    await recordEvent(trx, ctx, {
      action: 'tender.invited',
      objectType: 'tender',
      objectId: tenderId,
      authorityId,
      embargo: bidderEmbargo(tenderId),
      data: {
        companyIds: invited.map((i) => i.companyId),
        minimumCandidates: PROCEDURES[facts.procedure].minimumCandidates ?? null,
        fewerCandidatesReason: reason,
        tenderDeadline: t.tender_deadline?.toISOString() ?? '',
      },
    });
    // Read in the invitation's transaction, mailed after it commits: nobody is told of an
    // invitation that was rolled back.
    return selectionNotices(trx, t, {
      invited: invited.map((i) => i.companyId),
      rejected: requests.filter((r) => r.decision === 'rejected'),
      publicUrl: mail.publicUrl,
    });
  });
  await sendNotices(mail, notices);
  return invitationView(ctx.db, await authorityTender(ctx.db, authorityId, tenderId));
}

/**
 * The mails of an invitation: each invited company is invited to tender with the deadline and the
 * way to its page (art. 163); each rejected candidate is told why (art. 155). Every user of the
 * company in their language, and its designated addresses (parties/company-recipients.repo.ts).
 */
async function selectionNotices(
  trx: Tx,
  t: SelectionTenderRow,
  c: { invited: readonly string[]; rejected: readonly RequestRow[]; publicUrl: string },
): Promise<{ companyId: string; message: MailMessage }[]> {
  const facts = await tenderMailFacts(trx, t.authority_id, t.id);
  if (!facts || !t.ocid) return [];
  const names = new Map(c.rejected.map((r) => [r.company_id, r.legal_name]));
  for (const [id, company] of await companiesNamed(trx, c.invited)) names.set(id, company);
  const recipients = await companyRecipients(trx, [...c.invited, ...c.rejected.map((r) => r.company_id)]);
  const url = `${c.publicUrl}/tenders/${encodeURIComponent(t.ocid)}/participation`;
  const out: { companyId: string; message: MailMessage }[] = [];
  const compose = (companyId: string, kind: 'invited' | 'rejected', reasons: string | null) => {
    for (const r of recipients.get(companyId) ?? []) {
      const tr = translator(r.locale);
      const vars = {
        authority: { ca: facts.name_ca, es: facts.name_es, en: facts.name_en }[r.locale],
        company: names.get(companyId) ?? '',
        reference: facts.reference,
        title: { ca: facts.title_ca, es: facts.title_es, en: facts.title_en }[r.locale],
      };
      const lines =
        kind === 'invited'
          ? [
              tr('selectionMail.invitedIntro', vars),
              tr('selectionMail.deadline', {
                date: t.tender_deadline ? formatDateTime(r.locale, t.tender_deadline) : '—',
              }),
              '',
              tr('selectionMail.link', { url }),
            ]
          : [
              tr('selectionMail.rejectedIntro', vars),
              '',
              tr('selectionMail.reasons', { reasons: reasons ?? '' }),
            ];
      lines.push('', tr('selectionMail.footer'));
      out.push({
        companyId,
        message: {
          to: r.to,
          subject:
            kind === 'invited'
              ? tr('selectionMail.invitedSubject', vars)
              : tr('selectionMail.rejectedSubject', vars),
          text: `${lines.join('\n')}\n`,
        },
      });
    }
  };
  for (const id of c.invited) compose(id, 'invited', null);
  for (const r of c.rejected) compose(r.company_id, 'rejected', r.reasons);
  return out;
}

/**
 * The companies an officer names by tax id for an invitation without publication (art. 168),
 * as the invitation form takes them: each id normalised as at registration (a Spanish VAT number
 * "ES…" is the NIF it carries), then looked up. Returns the ids found, in the order given, and
 * the tax ids that name no registered company. Only the officer who may invite asks.
 */
export async function companiesByTaxId(
  ctx: ServiceContext,
  authorityId: string,
  taxIds: readonly string[],
): Promise<{ companies: { taxId: string; companyId: string }[]; unknown: string[] }> {
  authorizeOnSelection(ctx.actor, 'selection.invite', authorityId);
  const canonical = (raw: string): string => {
    const id = normalizeTaxId(raw);
    if (id.startsWith('ES')) {
      const spanish = validateSpanishTaxId(id.slice(2));
      if (spanish.ok) return spanish.normalized;
    }
    return id;
  };
  const wanted = [...new Set(taxIds.map(canonical).filter((id) => id.length > 0))];
  if (wanted.length === 0) return { companies: [], unknown: [] };
  const byTaxId = await companyIdsByTaxId(ctx.db, wanted);
  return {
    companies: wanted.flatMap((taxId) => {
      const companyId = byTaxId.get(taxId);
      return companyId ? [{ taxId, companyId }] : [];
    }),
    unknown: wanted.filter((taxId) => !byTaxId.has(taxId)),
  };
}

export async function listTenderInvitations(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
): Promise<InvitationListView> {
  authorizeOnSelection(ctx.actor, 'selection.read', authorityId);
  return invitationView(ctx.db, await authorityTender(ctx.db, authorityId, tenderId));
}

// --- the company's view ---

export type CompanyParticipationView = {
  ocid: string;
  /** Whether only invited companies may bid for this tender. */
  byInvitation: boolean;
  participationDeadline: string | null;
  request: {
    id: string;
    submittedAt: string;
    decision: SelectionDecision | null;
    reasons: string | null;
  } | null;
  invited: boolean;
  tenderDeadline: string | null;
  /** Negotiation rounds, the same for every invited company, with this company's answers. */
  rounds: (RoundView & { answer: { text: string; submittedAt: string } | null })[];
};

export type RoundView = {
  id: string;
  number: number;
  subject: string;
  message: string;
  responsesDue: string;
  openedAt: string;
};

function presentRound(r: RoundRow): RoundView {
  return {
    id: r.id,
    number: r.number,
    subject: r.subject,
    message: r.message,
    responsesDue: r.responses_due.toISOString(),
    openedAt: r.opened_at.toISOString(),
  };
}

/**
 * What a company knows of its own participation: its request and the decision on it (told with
 * reasons, art. 155), whether it is invited, and the negotiation rounds once it is.
 */
export async function companyParticipation(
  ctx: ServiceContext,
  input: { ocid: string; companyId: string },
): Promise<CompanyParticipationView> {
  authorizeOnBid(ctx.actor, 'bid.read', input.companyId);
  const t = await publicTender(ctx.db, input.ocid);
  const request = await requestOfCompany(ctx.db, t.id, input.companyId);
  const invited = await isInvited(ctx.db, t.id, input.companyId);
  const rounds = invited ? await listRounds(ctx.db, t.id) : [];
  const answers = invited ? await listResponses(ctx.db, t.id, input.companyId) : [];
  return {
    ocid: t.ocid,
    byInvitation: bidsByInvitation(t.procedure as ProcedureCode),
    participationDeadline: t.participation_deadline?.toISOString() ?? null,
    request: request
      ? {
          id: request.id,
          submittedAt: request.submitted_at.toISOString(),
          // The decision is the company's to know once the invitations leave (art. 155): before
          // that the committee may still change it.
          decision: t.invited_at ? ((request.decision as SelectionDecision | null) ?? null) : null,
          reasons: t.invited_at ? request.reasons : null,
        }
      : null,
    invited,
    tenderDeadline: t.tender_deadline?.toISOString() ?? null,
    rounds: rounds.map((r) => {
      const a = answers.find((x) => x.round_id === r.id);
      return {
        ...presentRound(r),
        answer: a ? { text: a.text, submittedAt: a.submitted_at.toISOString() } : null,
      };
    }),
  };
}

// --- negotiation (art. 169) ---

export type NegotiationView = {
  rounds: (RoundView & {
    answers: { company: { id: string; legalName: string }; text: string; submittedAt: string }[];
  })[];
};

export async function negotiation(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
): Promise<NegotiationView> {
  authorizeOnSelection(ctx.actor, 'selection.read', authorityId);
  const t = await authorityTender(ctx.db, authorityId, tenderId);
  const rounds = await listRounds(ctx.db, t.id);
  const answers = await listResponses(ctx.db, t.id);
  return {
    rounds: rounds.map((r) => ({
      ...presentRound(r),
      answers: answers
        .filter((a) => a.round_id === r.id)
        .map((a) => ({
          company: { id: a.company_id, legalName: a.legal_name },
          text: a.text,
          submittedAt: a.submitted_at.toISOString(),
        })),
    })),
  };
}

/** Opens a negotiation round: the same subject and message for every invited company. */
export async function openRound(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
  input: { subject: string; message: string; responsesDue: string },
): Promise<RoundView> {
  const actor = authorizeOnSelection(ctx.actor, 'selection.negotiate', authorityId);
  const subject = input.subject.trim();
  const message = input.message.trim();
  if (!subject) throw new DomainError('UNPROCESSABLE', 'The subject is empty', { field: 'subject' });
  if (!message) throw new DomainError('UNPROCESSABLE', 'The message is empty', { field: 'message' });
  const due = new Date(input.responsesDue);
  return withTransaction(ctx.db as Db, async (trx) => {
    const t = await authorityTender(trx, authorityId, tenderId, true);
    const now = ctx.clock.now();
    const previous = await listRounds(trx, tenderId);
    const last = previous.at(-1);
    checkRound(factsOf(t), now, due, last?.responses_due);
    const row = {
      id: newId(),
      tender_id: tenderId,
      authority_id: authorityId,
      number: (last?.number ?? 0) + 1,
      subject,
      message,
      responses_due: due,
      opened_by: actor.userId,
      opened_at: now,
    };
    await insertRound(trx, row);
    await recordEvent(trx, ctx, {
      action: 'negotiation.round_opened',
      objectType: 'tender',
      objectId: tenderId,
      authorityId,
      embargo: bidderEmbargo(tenderId),
      data: {
        roundId: row.id,
        number: row.number,
        subject,
        responsesDue: due.toISOString(),
        messageSha256: sha256(message),
      },
    });
    return presentRound(row);
  });
}

/** An invited company answers a round, once, before the answers are due. */
export async function answerRound(
  ctx: ServiceContext,
  input: { ocid: string; companyId: string; number: number; text: string },
): Promise<{ submittedAt: string }> {
  const actor = authorizeOnBid(ctx.actor, 'bid.submit', input.companyId);
  const text = input.text.trim();
  if (!text) throw new DomainError('UNPROCESSABLE', 'The answer is empty', { field: 'text' });
  return withTransaction(ctx.db as Db, async (trx) => {
    const t = await publicTender(trx, input.ocid, 'share');
    const invited = await isInvited(trx, t.id, input.companyId);
    // To a company not invited the rounds do not exist.
    const round = invited ? (await listRounds(trx, t.id)).find((r) => r.number === input.number) : undefined;
    if (invited && !round) throw new DomainError('NOT_FOUND', 'Round not found');
    const now = ctx.clock.now();
    const answered = round
      ? (await listResponses(trx, t.id, input.companyId)).some((a) => a.round_id === round.id)
      : false;
    checkResponse(now, round?.responses_due ?? now, invited, answered);
    if (!round) throw new DomainError('NOT_FOUND', 'Round not found');
    const inserted = await insertResponse(trx, {
      round_id: round.id,
      tender_id: t.id,
      company_id: input.companyId,
      text,
      submitted_by: actor.userId,
      submitted_at: now,
    });
    if (!inserted) throw new DomainError('CONFLICT', 'This company has answered this round already');
    await recordEvent(trx, ctx, {
      action: 'negotiation.responded',
      objectType: 'tender',
      objectId: t.id,
      authorityId: t.authority_id,
      companyId: input.companyId,
      embargo: bidderEmbargo(t.id),
      data: {
        roundId: round.id,
        number: round.number,
        submittedAt: now.toISOString(),
        textSha256: sha256(text),
      },
    });
    return { submittedAt: now.toISOString() };
  });
}
