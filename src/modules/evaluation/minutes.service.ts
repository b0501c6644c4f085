/**
 * The committee's minutes (actas de la mesa, issue 5 points 1 and 8): every act of the committee
 * and the contracting body on a tender after the deadline, in the order it happened, read from the
 * audit trail — the one place each decision was written, in the decision's own transaction — so
 * the minutes cannot say anything the record does not. The public minutes hold the acts published
 * as they happen (art. 63.3.e LCSP: the minutes of the mesa are published in the perfil); the
 * committee, the officer and the authority's auditors also read the internal steps (award
 * proposals, documentation checks). Embargoed events (those naming bidders before the first
 * opening) stay out of both until their embargo lifts. Each entry carries the SHA-256 of its
 * canonical audit event, so anyone can check it against the audit record.
 */
import { createHash } from 'node:crypto';
import type { ServiceContext } from '../../platform/context.js';
import { readEvents } from '../audit/audit.service.js';
import { publishedTaxId } from '../minor/minor-contract.rules.js';
import { DomainError } from '../../platform/errors.js';
import { publicTenderByOcid, tenderForOpening } from '../opening/opening.repo.js';
import { bidCompanies } from './award.repo.js';
import { companiesByIds, tenderObjectIds } from './minutes.repo.js';
import { authorizeOnEvaluation } from './evaluation.policy.js';

/** The acts the minutes collect, in the order the procedure reaches them. */
export const MINUTES_ACTIONS = [
  'bid.commitment_published',
  'participation.decided',
  'tender.invited',
  'negotiation.round_opened',
  'opening.recorded',
  'evaluation.qualification_decided',
  'evaluation.judgement_report_approved',
  'evaluation.abnormal_review_changed',
  'evaluation.award_draw_recorded',
  'evaluation.award_step',
] as const;

export type MinutesAction = (typeof MINUTES_ACTIONS)[number];

/** Longest minutes read at once: far above any real tender (200 bids × every step). */
const MAX_ENTRIES = 20_000;

export type MinutesCompany = { legalName: string; taxId: string };

/**
 * One act. `step` is what happened (the state machine's event or the decision), `status` where it
 * left the bid or lot; the other fields are present where the act has them.
 */
export type MinutesEntry = {
  seq: string;
  occurredAt: string;
  action: MinutesAction;
  eventSha256: string;
  lot: number | null;
  envelope: string | null;
  company: MinutesCompany | null;
  step: string | null;
  status: string | null;
  grounds: string[] | null;
  reasons: string | null;
  items: string[] | null;
  deadline: string | null;
  /** Opening: bids opened and failed; commitment: bids received; invitation: companies invited. */
  counts: { opened?: number; failed?: number; bids?: number; invited?: number } | null;
};

export type MinutesView = { ocid: string | null; entries: MinutesEntry[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const strings = (v: unknown): string[] | null =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;

function entryOf(
  e: { seq: string; occurredAt: string; action: string; data: unknown; canonical: string },
  company: (data: Obj) => MinutesCompany | null,
): MinutesEntry {
  const d = isObj(e.data) ? e.data : {};
  const base: MinutesEntry = {
    seq: e.seq,
    occurredAt: e.occurredAt,
    action: e.action as MinutesAction,
    eventSha256: createHash('sha256').update(e.canonical).digest('hex'),
    lot: num(d.lot),
    envelope: str(d.envelope),
    company: company(d),
    step: str(d.event) ?? str(d.decision),
    status: str(d.status),
    grounds: strings(d.grounds),
    reasons: str(d.reasons) ?? str(d.fewerCandidatesReason) ?? str(d.summary) ?? str(d.conclusion),
    items: strings(d.remediationItems),
    deadline: str(d.deadline) ?? str(d.remediationDeadline) ?? str(d.responsesDue),
    counts: null,
  };
  switch (e.action) {
    case 'opening.recorded': {
      const bids = Array.isArray(d.bids) ? d.bids.filter(isObj) : [];
      return {
        ...base,
        counts: {
          opened: bids.filter((b) => b.outcome === 'opened').length,
          failed: bids.filter((b) => b.outcome !== 'opened').length,
        },
      };
    }
    case 'bid.commitment_published':
      return { ...base, counts: { bids: num(d.bids) ?? 0 } };
    case 'tender.invited':
      return { ...base, counts: { invited: strings(d.companyIds)?.length ?? 0 } };
    case 'negotiation.round_opened':
      return { ...base, step: str(d.subject) };
    default:
      return base;
  }
}

async function minutes(
  db: ServiceContext['db'],
  authorityId: string,
  tenderId: string,
  publicOnly: boolean,
): Promise<MinutesEntry[]> {
  const events = await readEvents(db, {
    authorityId,
    objectIds: await tenderObjectIds(db, authorityId, tenderId),
    actions: MINUTES_ACTIONS,
    publicOnly,
    order: 'asc',
    limit: MAX_ENTRIES,
  });
  const bidIds = [
    ...new Set(
      events.flatMap((e) => {
        const id = isObj(e.data) ? (str(e.data.bidId) ?? str(e.data.candidate)) : null;
        return id ? [id] : [];
      }),
    ),
  ];
  const companies = await bidCompanies(db, authorityId, tenderId, bidIds);
  // Selection decisions name the candidate company (internal minutes only: they are not public).
  const candidateIds = [
    ...new Set(
      events.flatMap((e) => (isObj(e.data) && str(e.data.companyId) ? [String(e.data.companyId)] : [])),
    ),
  ];
  const candidates = await companiesByIds(db, candidateIds);
  const named = (c: { legalName: string; taxId: string; taxIdKind: string } | undefined) =>
    c
      ? // A self-employed bidder's NIF/NIE is personal data (LOPDGDD DA 7ª): masked in public.
        { legalName: c.legalName, taxId: publicOnly ? publishedTaxId(c.taxId, c.taxIdKind) : c.taxId }
      : null;
  return events.map((e) =>
    entryOf(e, (d) => {
      const bid = str(d.bidId) ?? str(d.candidate);
      if (bid) return named(companies.get(bid));
      const company = str(d.companyId);
      return company ? named(candidates.get(company)) : null;
    }),
  );
}

/** The whole minutes of a tender, internal steps included (committee, officer, auditors). */
export async function committeeMinutes(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
): Promise<MinutesView> {
  authorizeOnEvaluation(ctx.actor, 'evaluation.read', authorityId);
  const tender = await tenderForOpening(ctx.db, authorityId, tenderId);
  if (!tender) throw new DomainError('NOT_FOUND', 'Tender not found');
  return { ocid: tender.ocid, entries: await minutes(ctx.db, authorityId, tenderId, false) };
}

/** The published minutes of a tender, for anyone. */
export async function publicMinutes(db: ServiceContext['db'], ocid: string): Promise<MinutesView> {
  const t = await publicTenderByOcid(db, ocid);
  if (!t) throw new DomainError('NOT_FOUND', 'Tender not found');
  return { ocid, entries: await minutes(db, t.authority_id, t.id, true) };
}
