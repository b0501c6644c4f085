/**
 * The award of each lot after envelope C (issue 5 point 6; arts. 150–153 LCSP): the ranking of
 * scoring.service is frozen into the lot's award when the committee proposes the best-ranked bid;
 * the committee asks for its documentation (10 business days, art. 150.2) and records whether it
 * was presented; the contracting body awards with reasons (art. 151), notifies, waits the
 * standstill where the special appeal lies (art. 153.3, 15 business days), and formalises the
 * contract, or declares the lot void (art. 150.3). The transitions are award.rules.ts `nextAward`;
 * this file adds the policy, the version guard, the ranking and the contract row. Award,
 * notification, void and formalisation are published acts (arts. 151, 154): their audit events
 * are public, and GET /api/v1/tenders/:ocid/awards shows them, nothing else.
 *
 * Roles: the committee (mesa, art. 326.2) proposes and checks documentation; the contracting body
 * (its procurement officer) awards, notifies, starts the standstill, clears and formalises,
 * declares void and records appeals (evaluation.policy.ts).
 *
 * Notification (art. 151.1): when the award is notified, every bidder of the lot is mailed, after
 * the transaction commits, the decision, the link to its published reasons and, where the special
 * appeal lies, the end of the standstill (art. 153.3), in each user's language.
 */
import type { ServiceContext, UserActor } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { type Tx, withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { formatDateTime, formatMoney, type Locale, translator } from '../../platform/i18n/i18n.js';
import { newId } from '../../platform/ids.js';
import { type MailMessage, type NoticeMail, sendNotices } from '../../platform/mail.js';
import { companyRecipients } from '../parties/company-recipients.repo.js';
import { tenderMailFacts } from '../tenders/tender.repo.js';
import { Dec } from '../../platform/money.js';
import { recordEvent } from '../audit/audit.service.js';
import { publishAwardStep } from '../ocds/ocds-award.publish.js';
import { publishContractStage } from '../ocds/ocds-contract.publish.js';
import { authorityCalendar } from '../calendar/calendar.service.js';
import { localDate } from '../calendar/calendar.rules.js';
import { currentNotice, openingRows } from '../opening/opening.repo.js';
import { publishedTender } from '../opening/opening.service.js';
import type { OpeningRecord } from '../opening/opening.types.js';
import { isSpecialAppealEligible } from '../procedures/procedure.rules.js';
import type { ContractType } from '../procedures/procedure.types.js';
import {
  lotBidders,
  bidCompanies,
  insertContract,
  type LotAwardRow,
  lockLotAward,
  lotAwards,
  saveLotAward,
  tenderAwardFacts,
  tenderContracts,
} from './award.repo.js';
import { currentCandidate, initialAward, nextAward, STANDSTILL_DAYS } from './award.rules.js';
import type { AwardEvent, AwardEventType, AwardState, AwardStatus } from './award.types.js';
import { authorizeOnEvaluation, type EvaluationAction } from './evaluation.policy.js';
import { ART_147_2_TIE_BREAK, rankOffers } from './ranking.rules.js';
import type { RankingResult } from './ranking.types.js';
import { type LotScoring, lotScoring } from './scoring.service.js';
import { businessDeadlineOn } from './transition.js';
import { publishedTaxId } from '../minor/minor-contract.rules.js';
import { requireCommitteeSeat } from './committee.js';

/** Steps the committee takes; every other step is the contracting body's. */
const COMMITTEE_STEPS: readonly AwardEventType[] = [
  'propose',
  'request_documentation',
  'documentation_ok',
  'documentation_failed',
  'propose_next',
];

/**
 * Published acts (arts. 151, 154 LCSP): their audit events are public. The committee's proposal,
 * and a proposed bidder's failure to produce its documents, are acts of the mesa in its minutes,
 * published like the decisions (arts. 63.3.e, 150.2 LCSP).
 */
const PUBLIC_STEPS: readonly AwardEventType[] = [
  'propose',
  'propose_next',
  'documentation_failed',
  'award',
  'notify',
  'declare_void',
  'formalise',
];

export function actionOfStep(type: AwardEventType): EvaluationAction {
  return COMMITTEE_STEPS.includes(type) ? 'evaluation.propose_award' : 'evaluation.award';
}

export type RankedBidView = {
  bidId: string;
  company: string;
  price: string;
  total: string;
  rank: number;
};

export type LotAwardView = {
  lot: number;
  status: AwardStatus;
  /** 0 before anyone acted on the lot; send it back with the next step. */
  version: number;
  /** Frozen at `propose`; before it, the live ranking of the scoring (with the draw, if any). */
  ranking: RankedBidView[];
  rankingStatus: 'ranked' | 'needs_draw' | 'frozen';
  ties: string[][];
  draw: string[] | null;
  candidate: string | null;
  failed: { bidId: string; reason: string; at: string }[];
  documentationDeadline: string | null;
  award: { bidId: string; reasons: string; at: string } | null;
  notifiedAt: string | null;
  specialAppeal: boolean;
  standstillEnds: string | null;
  appeal: { lodgedAt: string } | null;
  formalisedAt: string | null;
  void: { reasons: string; at: string } | null;
  contractId: string | null;
};

export type AwardListView = { ocid: string; lots: LotAwardView[] };

// --- state (de)serialisation: the AwardState as JSON, instants as ISO strings ---

type Stored = Omit<
  AwardState,
  | 'failed'
  | 'documentationDeadline'
  | 'award'
  | 'notifiedAt'
  | 'standstillEnds'
  | 'appeal'
  | 'formalisedAt'
  | 'voided'
> & {
  failed: { id: string; reason: string; at: string }[];
  documentationDeadline: string | null;
  award: { id: string; reasons: string; at: string } | null;
  notifiedAt: string | null;
  standstillEnds: string | null;
  appeal: { lodgedAt: string } | null;
  formalisedAt: string | null;
  voided: { reasons: string; at: string } | null;
};

const date = (s: string | null) => (s === null ? null : new Date(s));

function parseState(text: string): AwardState {
  const s = JSON.parse(text) as Stored;
  return {
    ...s,
    failed: s.failed.map((f) => ({ ...f, at: new Date(f.at) })),
    documentationDeadline: date(s.documentationDeadline),
    award: s.award ? { ...s.award, at: new Date(s.award.at) } : null,
    notifiedAt: date(s.notifiedAt),
    standstillEnds: date(s.standstillEnds),
    appeal: s.appeal ? { lodgedAt: new Date(s.appeal.lodgedAt) } : null,
    formalisedAt: date(s.formalisedAt),
    voided: s.voided ? { ...s.voided, at: new Date(s.voided.at) } : null,
  };
}

/** Dates serialise to ISO strings through JSON.stringify. */
const serialise = (state: AwardState) => JSON.stringify(state);

const iso = (d: Date | null) => d?.toISOString() ?? null;

// --- ranking ---

/** The lot's ranking with the committee's recorded draw applied (art. 147.2.d). */
function rankingWithDraw(scored: LotScoring, draw: string[] | null): RankingResult {
  if (draw === null || scored.ranking.status === 'ranked') return scored.ranking;
  return rankOffers({
    offers: scored.offers.map((o) => ({
      id: o.bidId,
      judgementPoints: o.judgementPoints,
      formulaPoints: o.formulaPoints,
    })),
    tieBreak: ART_147_2_TIE_BREAK,
    draw,
  });
}

function rankedView(scored: LotScoring | undefined, ids: readonly string[]): RankedBidView[] {
  return ids.map((id, i) => {
    const o = scored?.offers.find((x) => x.bidId === id);
    return {
      bidId: id,
      company: o?.company ?? '',
      price: o?.price ?? '',
      total: o?.total ?? '',
      rank: i + 1,
    };
  });
}

/** Whether the special appeal lies (art. 44.1.a), on the thresholds in force at publication. */
async function specialAppealOf(db: ServiceContext['db'], authorityId: string, tenderId: string) {
  const t = await tenderAwardFacts(db, authorityId, tenderId);
  if (!t) throw new DomainError('NOT_FOUND', 'Tender not found');
  return isSpecialAppealEligible(
    {
      contractType: t.contract_type as ContractType,
      estimatedValue: t.estimated_value,
      intellectualServices: t.intellectual_services,
      socialServices: t.social_services,
    },
    localDate(t.published_at ?? new Date(), 'Europe/Madrid'),
  );
}

/** The price of `bidId` for `lot` as read out at the opening of C (offer.json, art. 157.4). */
async function offerPrice(db: ServiceContext['db'], tenderId: string, bidId: string, lot: number) {
  const rows = await openingRows(db, tenderId);
  const c = rows.map((o) => JSON.parse(o.record) as OpeningRecord).find((r) => r.envelope === 'C');
  const price = c?.bids.find((b) => b.bidId === bidId)?.offer?.lots?.find((l) => l.lot === lot)?.price;
  return price ?? null;
}

async function noticeLots(db: ServiceContext['db'], authorityId: string, tenderId: string) {
  const notice = JSON.parse((await currentNotice(db, authorityId, tenderId)) ?? '{}') as {
    lots?: { number: number }[];
  };
  return (notice.lots ?? []).map((l) => l.number);
}

function present(
  lot: number,
  row: LotAwardRow | undefined,
  scored: LotScoring | undefined,
  contractId: string | null,
  specialAppeal: boolean,
): LotAwardView {
  const draw = row?.draw ? (JSON.parse(row.draw) as string[]) : null;
  const state = row ? parseState(row.state) : initialAward({ ranking: [], specialAppeal });
  let ranking: RankedBidView[];
  let rankingStatus: LotAwardView['rankingStatus'];
  let ties: string[][] = [];
  if (state.status === 'ranking') {
    const live = scored ? rankingWithDraw(scored, draw) : null;
    rankingStatus = live?.status ?? 'ranked';
    ties = live?.ties ?? [];
    ranking = (live?.ranking ?? []).map((r) => ({ ...rankedView(scored, [r.id])[0]!, rank: r.rank }));
  } else {
    rankingStatus = 'frozen';
    ranking = rankedView(scored, state.ranking);
  }
  return {
    lot,
    status: state.status,
    version: row?.version ?? 0,
    ranking,
    rankingStatus,
    ties,
    draw,
    candidate: currentCandidate(state),
    failed: state.failed.map((f) => ({ bidId: f.id, reason: f.reason, at: f.at.toISOString() })),
    documentationDeadline: iso(state.documentationDeadline),
    award: state.award
      ? { bidId: state.award.id, reasons: state.award.reasons, at: state.award.at.toISOString() }
      : null,
    notifiedAt: iso(state.notifiedAt),
    specialAppeal: state.specialAppeal,
    standstillEnds: iso(state.standstillEnds),
    appeal: state.appeal ? { lodgedAt: state.appeal.lodgedAt.toISOString() } : null,
    formalisedAt: iso(state.formalisedAt),
    void: state.voided ? { reasons: state.voided.reasons, at: state.voided.at.toISOString() } : null,
    contractId,
  };
}

/** Every lot of the tender with its award state; C must be open (the ranking comes from it). */
export async function listAwards(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
): Promise<AwardListView> {
  authorizeOnEvaluation(ctx.actor, 'evaluation.read', authorityId);
  const scoring = await lotScoring(ctx, authorityId, tenderId);
  const rows = await lotAwards(ctx.db, authorityId, tenderId);
  const contracts = await tenderContracts(ctx.db, authorityId, tenderId);
  const specialAppeal = await specialAppealOf(ctx.db, authorityId, tenderId);
  const lots = await noticeLots(ctx.db, authorityId, tenderId);
  return {
    ocid: scoring.ocid,
    lots: lots.map((lot) =>
      present(
        lot,
        rows.find((r) => r.lot === lot),
        scoring.lots.find((l) => l.lot === lot),
        contracts.find((c) => c.lots.includes(lot))?.id ?? null,
        specialAppeal,
      ),
    ),
  };
}

/** Shared opening of a change: policy, tender, lot, committee seat, lock, version. */
async function begin(
  trx: Tx,
  actor: UserActor,
  action: EvaluationAction,
  authorityId: string,
  tenderId: string,
  lot: number,
  version: number,
) {
  const t = await publishedTender(trx, authorityId, tenderId);
  // Nothing is awarded before the offers are read out (art. 157.4): the ranking comes from C.
  if (!(await openingRows(trx, tenderId)).some((o) => o.envelope === 'C')) {
    throw new DomainError('INVALID_TRANSITION', 'Envelope C is not open yet', { reason: 'c_not_opened' });
  }
  if (!(await noticeLots(trx, authorityId, tenderId)).includes(lot)) {
    throw new DomainError('NOT_FOUND', 'The notice of this tender has no such lot');
  }
  if (action === 'evaluation.propose_award') {
    await requireCommitteeSeat(trx, authorityId, tenderId, actor.userId);
  }
  const row = await lockLotAward(trx, authorityId, tenderId, lot);
  const current = row?.version ?? 0;
  if (version !== current) {
    throw new DomainError('CONFLICT', 'The award of this lot changed meanwhile; reload it', {
      version: current,
    });
  }
  return { ocid: t.ocid, row, current };
}

/** The scoring of one lot, read in the change's transaction (PGlite has one connection). */
async function scoredLot(
  ctx: ServiceContext,
  trx: ServiceContext['db'],
  authorityId: string,
  tenderId: string,
  lot: number,
) {
  const scoring = await lotScoring({ ...ctx, db: trx }, authorityId, tenderId);
  const scored = scoring.lots.find((l) => l.lot === lot);
  if (!scored) throw new DomainError('NOT_FOUND', 'The notice of this tender has no such lot');
  return scored;
}

/**
 * Records the committee's draw among offers still tied after every criterion (art. 147.2.d), before
 * the proposal: `order` must name exactly the tied bids, in the order drawn.
 */
export async function recordDraw(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
  lot: number,
  input: { version: number; order: string[] },
): Promise<LotAwardView> {
  const actor = authorizeOnEvaluation(ctx.actor, 'evaluation.propose_award', authorityId);
  const now = ctx.clock.now();
  await withTransaction(ctx.db as Db, async (trx) => {
    const { ocid, row, current } = await begin(
      trx,
      actor,
      'evaluation.propose_award',
      authorityId,
      tenderId,
      lot,
      input.version,
    );
    const state = row ? parseState(row.state) : null;
    if (state && state.status !== 'ranking') {
      throw new DomainError('INVALID_TRANSITION', 'The ranking of this lot is frozen', {
        from: state.status,
        reason: 'ranking_frozen',
      });
    }
    const scored = await scoredLot(ctx, trx, authorityId, tenderId, lot);
    if (scored.ranking.status !== 'needs_draw') {
      throw new DomainError('INVALID_TRANSITION', 'No offers of this lot are tied', { reason: 'no_tie' });
    }
    const tied = new Set(scored.ranking.ties.flat());
    const order = input.order;
    if (
      new Set(order).size !== order.length ||
      order.length !== tied.size ||
      order.some((id) => !tied.has(id))
    ) {
      throw new DomainError('UNPROCESSABLE', 'The draw must order exactly the tied bids', {
        field: 'order',
        tied: [...tied],
      });
    }
    const version = current + 1;
    const specialAppeal = await specialAppealOf(trx, authorityId, tenderId);
    await saveLotAward(trx, {
      tenderId,
      authorityId,
      lot,
      status: 'ranking',
      state: serialise(state ?? initialAward({ ranking: [], specialAppeal })),
      draw: JSON.stringify(order),
      userId: actor.userId,
      at: now,
      version,
    });
    await recordEvent(trx, ctx, {
      action: 'evaluation.award_draw_recorded',
      objectType: 'tender',
      objectId: tenderId,
      authorityId,
      data: { ocid, lot, order, version },
    });
  });
  return lotView(ctx, authorityId, tenderId, lot);
}

/**
 * One step of a lot's award. `version` must be the lot's current version (0 before any step).
 * `propose` freezes the current ranking (ties resolved by the recorded draw) into the lot's award;
 * `formalise` creates the contract with the awarded offer's price from the opening of C; `notify`
 * mails every bidder of the lot through `mail` once the step has committed.
 */
export async function stepAward(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
  lot: number,
  input: { version: number; event: AwardEvent },
  mail: AwardMail,
): Promise<LotAwardView> {
  const action = actionOfStep(input.event.type);
  const actor = authorizeOnEvaluation(ctx.actor, action, authorityId);
  const now = ctx.clock.now();
  const pending: { notice: AwardNotice | null } = { notice: null };
  await withTransaction(ctx.db as Db, async (trx) => {
    const { ocid, row, current } = await begin(trx, actor, action, authorityId, tenderId, lot, input.version);
    const specialAppeal = await specialAppealOf(trx, authorityId, tenderId);
    let state = row ? parseState(row.state) : initialAward({ ranking: [], specialAppeal });
    if (input.event.type === 'propose' && state.status === 'ranking' && state.appeal === null) {
      const scored = await scoredLot(ctx, trx, authorityId, tenderId, lot);
      // An offer presumed abnormally low is neither ranked nor passed over until its review ends
      // (art. 149.4–149.6): its rejection changes every price score (D6), so the ranking is not yet
      // the one to propose from.
      const pending = scored.offers.filter(
        (o) =>
          o.abnormalReview !== null && o.abnormalReview !== 'accepted' && o.abnormalReview !== 'rejected',
      );
      if (pending.length > 0) {
        throw new DomainError('INVALID_TRANSITION', 'Offers presumed abnormally low are still under review', {
          from: state.status,
          event: 'propose',
          reason: 'abnormal_review_pending',
          bids: pending.map((o) => o.bidId),
        });
      }
      const ranking = rankingWithDraw(scored, row?.draw ? (JSON.parse(row.draw) as string[]) : null);
      if (ranking.status !== 'ranked') {
        throw new DomainError('INVALID_TRANSITION', 'Tied offers need the committee’s draw first', {
          from: state.status,
          event: 'propose',
          reason: 'draw_required',
          ties: ranking.ties,
        });
      }
      // Frozen here (art. 150.1): later recomputations of the scoring do not move the proposal.
      state = { ...state, ranking: ranking.ranking.map((r) => r.id), specialAppeal };
    }
    const calendar = await authorityCalendar(trx, authorityId);
    const next = nextAward(state, input.event, { now, businessDeadline: businessDeadlineOn(calendar) });
    if (input.event.type === 'notify') {
      // Read in the step's transaction, mailed after it commits: nobody is told of a notification
      // that was rolled back.
      pending.notice = await awardNotice(
        trx,
        authorityId,
        tenderId,
        lot,
        ocid,
        next,
        businessDeadlineOn(calendar),
      );
    }
    let contractId: string | null = null;
    if (input.event.type === 'formalise') {
      const bidId = next.award?.id ?? '';
      const price = await offerPrice(trx, tenderId, bidId, lot);
      const company = (await bidCompanies(trx, authorityId, tenderId, [bidId])).get(bidId);
      if (price === null || !company) {
        throw new DomainError(
          'INVALID_TRANSITION',
          'The awarded offer cannot be read from the opening of C',
          {
            reason: 'offer_unreadable',
          },
        );
      }
      contractId = newId();
      await insertContract(trx, {
        id: contractId,
        tenderId,
        authorityId,
        lots: [lot],
        bidId,
        companyId: company.id,
        amountExclVat: new Dec(price).toFixed(2),
        signedAt: input.event.signedAt,
        userId: actor.userId,
        at: now,
      });
    }
    const version = current + 1;
    await saveLotAward(trx, {
      tenderId,
      authorityId,
      lot,
      status: next.status,
      state: serialise(next),
      draw: row?.draw ?? null,
      userId: actor.userId,
      at: now,
      version,
    });
    const e = input.event;
    // An upheld special appeal annuls the award (art. 57.2 LCSP): a public act, since the award was.
    const annulled =
      e.type === 'resolve_appeal' && e.outcome === 'upheld' && state.award
        ? { lot, bidId: state.award.id }
        : undefined;
    const eventId = await recordEvent(trx, ctx, {
      action: 'evaluation.award_step',
      objectType: 'tender',
      objectId: tenderId,
      authorityId,
      isPublic: PUBLIC_STEPS.includes(e.type) || annulled !== undefined,
      data: {
        ocid,
        lot,
        event: e.type === 'resolve_appeal' ? `resolve_appeal:${e.outcome}` : e.type,
        status: next.status,
        candidate: currentCandidate(next),
        reasons:
          e.type === 'award' || e.type === 'declare_void'
            ? e.reasons.trim()
            : e.type === 'documentation_failed'
              ? e.reason.trim()
              : null,
        deadline:
          e.type === 'request_documentation'
            ? iso(next.documentationDeadline)
            : e.type === 'start_standstill'
              ? iso(next.standstillEnds)
              : null,
        contractId,
        version,
      },
    });
    // The public steps as OCDS releases, committed with the step (issue 6): award, void,
    // notification, annulment on appeal (ocds-award.publish.ts); the formalisation as the contract.
    await publishAwardStep(trx, { step: e.type, authorityId, tenderId, eventId, annulled });
    if (e.type === 'formalise')
      await publishContractStage(trx, { stage: 'contract', authorityId, tenderId, eventId });
  });
  if (pending.notice) await sendAwardNotice(mail, pending.notice);
  return lotView(ctx, authorityId, tenderId, lot);
}

// --- notification of the award (art. 151 LCSP) ---

/** How the notification of an award reaches the bidders (platform/mail.ts NoticeMail). */
export type AwardMail = NoticeMail;

/** One recipient of the notification: an address, its language and the bidding company it speaks for. */
export type AwardRecipient = { to: string; locale: Locale; companyId: string; company: string; won: boolean };

/** Everything the notification mails say, read in the step's transaction. */
export type AwardNotice = {
  ocid: string;
  lot: number;
  reference: string;
  title: Record<Locale, string>;
  authority: Record<Locale, string>;
  winner: string;
  /** The awarded offer's price excl. VAT as read out at the opening of C; null when unreadable. */
  price: string | null;
  reasons: string;
  /** End of the standstill (art. 153.3: 15 business days from the sending of the notification), or null. */
  standstillEnds: Date | null;
  recipients: AwardRecipient[];
};

async function awardNotice(
  trx: Tx,
  authorityId: string,
  tenderId: string,
  lot: number,
  ocid: string,
  next: AwardState,
  businessDeadline: (from: Date, days: number) => Date,
): Promise<AwardNotice | null> {
  const award = next.award;
  const facts = await tenderMailFacts(trx, authorityId, tenderId);
  if (!award || !facts || !next.notifiedAt) return null;
  const winner = (await bidCompanies(trx, authorityId, tenderId, [award.id])).get(award.id);
  const bids = await lotBidders(trx, authorityId, tenderId, lot);
  const addresses = await companyRecipients(
    trx,
    bids.map((b) => b.company_id),
  );
  const recipients: AwardRecipient[] = bids.flatMap((bid) =>
    (addresses.get(bid.company_id) ?? []).map((r) => ({
      ...r,
      companyId: bid.company_id,
      company: bid.legal_name,
      won: bid.bid_id === award.id,
    })),
  );
  return {
    ocid,
    lot,
    reference: facts.reference,
    title: { ca: facts.title_ca, es: facts.title_es, en: facts.title_en },
    authority: { ca: facts.name_ca, es: facts.name_es, en: facts.name_en },
    winner: winner?.legalName ?? '',
    price: await offerPrice(trx, tenderId, award.id, lot),
    reasons: award.reasons,
    // The same instant `start_standstill` will fix (award.rules.ts), from the same notification.
    standstillEnds: next.specialAppeal ? businessDeadline(next.notifiedAt, STANDSTILL_DAYS) : null,
    recipients,
  };
}

/** The mail one recipient gets, in its language. */
export function awardMailMessage(notice: AwardNotice, r: AwardRecipient, publicUrl: string): MailMessage {
  const t = translator(r.locale);
  const url = `${publicUrl}/tenders/${encodeURIComponent(notice.ocid)}#award-lot-${notice.lot}`;
  const lines = [
    t('awardMail.intro', {
      authority: notice.authority[r.locale],
      lot: notice.lot,
      reference: notice.reference,
      title: notice.title[r.locale],
    }),
    t('awardMail.winner', {
      company: notice.winner,
      price: notice.price === null ? '—' : formatMoney(r.locale, notice.price),
    }),
    r.won
      ? t('awardMail.yoursWon', { company: r.company })
      : t('awardMail.yoursLost', { company: r.company }),
    '',
    t('awardMail.reasons', { reasons: notice.reasons }),
    '',
    t('awardMail.link', { url }),
  ];
  if (notice.standstillEnds) {
    lines.push('', t('awardMail.standstill', { date: formatDateTime(r.locale, notice.standstillEnds) }));
  }
  lines.push('', t('awardMail.footer'));
  return {
    to: r.to,
    subject: t('awardMail.subject', { lot: notice.lot, reference: notice.reference }),
    text: `${lines.join('\n')}\n`,
  };
}

async function sendAwardNotice(mail: AwardMail, notice: AwardNotice): Promise<void> {
  await sendNotices(
    mail,
    notice.recipients.map((r) => ({
      companyId: r.companyId,
      message: awardMailMessage(notice, r, mail.publicUrl),
    })),
  );
}

async function lotView(ctx: ServiceContext, authorityId: string, tenderId: string, lot: number) {
  const list = await listAwards(ctx, authorityId, tenderId);
  const view = list.lots.find((l) => l.lot === lot);
  if (!view) throw new DomainError('INTERNAL', 'The award cannot be read back');
  return view;
}

// --- public acts ---

export type PublicLotAward = {
  lot: number;
  /** What has been published for the lot: awarded (and maybe notified), formalised, or void. */
  stage: 'awarded' | 'formalised' | 'void';
  award: {
    company: { legalName: string; taxId: string };
    price: string;
    reasons: string;
    awardedAt: string;
    notifiedAt: string | null;
  } | null;
  contract: { signedAt: string; amountExclVat: string } | null;
  void: { reasons: string; at: string } | null;
};

/**
 * The published acts of the award of each lot (arts. 151, 154 LCSP): the awarded company, its price
 * and the reasons, the dates of notification and formalisation, the lots declared void. Nothing of
 * the committee's work in between (proposals, documentation, standstill, appeals) is shown.
 */
export async function publicAwards(
  db: ServiceContext['db'],
  authorityId: string,
  tenderId: string,
): Promise<PublicLotAward[]> {
  const rows = await lotAwards(db, authorityId, tenderId);
  const contracts = await tenderContracts(db, authorityId, tenderId);
  const states = rows.map((r) => ({ lot: r.lot, state: parseState(r.state) }));
  const companies = await bidCompanies(
    db,
    authorityId,
    tenderId,
    states.flatMap((s) => (s.state.award ? [s.state.award.id] : [])),
  );
  const out: PublicLotAward[] = [];
  for (const { lot, state } of states) {
    if (state.voided) {
      out.push({
        lot,
        stage: 'void',
        award: null,
        contract: null,
        void: { reasons: state.voided.reasons, at: state.voided.at.toISOString() },
      });
      continue;
    }
    if (!state.award) continue;
    const company = companies.get(state.award.id);
    const contract = contracts.find((c) => c.lots.includes(lot));
    out.push({
      lot,
      stage: contract ? 'formalised' : 'awarded',
      award: {
        // A natural person's NIF/NIE is published masked (LOPDGDD DA 7ª), as in the minor contracts list.
        company: {
          legalName: company?.legalName ?? '',
          taxId: company ? publishedTaxId(company.taxId, company.taxIdKind) : '',
        },
        price: (await offerPrice(db, tenderId, state.award.id, lot)) ?? '',
        reasons: state.award.reasons,
        awardedAt: state.award.at.toISOString(),
        notifiedAt: iso(state.notifiedAt),
      },
      contract: contract
        ? {
            signedAt: contract.signed_at.toISOString(),
            amountExclVat: new Dec(contract.amount_excl_vat).toFixed(2),
          }
        : null,
      void: null,
    });
  }
  return out;
}
