/**
 * The committee's computation after envelope C opens, per lot (LCSP arts. 146, 149, 150.1): the
 * offers read out at the opening of C (offer.json), screened for abnormally low prices with the
 * notice's parameters (RGLCAP art. 85 by default), scored with the formulas exactly as the notice
 * publishes them, added to the judgement points of the approved report on B, and ranked with the
 * art. 147 tie-breaks. Pure computation on published records: it changes nothing, so it can be
 * recomputed at any time and always gives the same result. Offers the committee rejected as
 * abnormally low (abnormal-review.service.ts) drop out of the price computation and the ranking
 * (art. 149.6; D6: the rejected offer is not O_min); accepted ones stay, marked for monitoring
 * during execution (art. 149.7; E5). The screening itself always runs on every readable offer.
 */
import type { ServiceContext } from '../../platform/context.js';
import { DomainError } from '../../platform/errors.js';
import { Dec } from '../../platform/money.js';
import { openingRows } from '../opening/opening.repo.js';
import { publishedTender } from '../opening/opening.service.js';
import type { OpeningRecord } from '../opening/opening.types.js';
import { currentNotice } from '../opening/opening.repo.js';
import { abnormalReviewsOf } from './abnormal-review.repo.js';
import type { AbnormalReviewStatus } from './abnormal-review.types.js';
import { presumedAbnormal } from './abnormal.rules.js';
import type { AbnormalResult, AbnormalRule, AbnormalSettings } from './abnormal.types.js';
import { authorizeOnEvaluation } from './evaluation.policy.js';
import { parseFormulaSpec, scoreOffers } from './formula.rules.js';
import { publishedJudgementReport } from './judgement.service.js';
import { ART_147_2_TIE_BREAK, rankOffers, sumPoints } from './ranking.rules.js';
import type { RankingResult } from './ranking.types.js';

type NoticeCriterion = { kind?: string; evaluation?: string; weight?: string; formula?: unknown };
type NoticeLot = {
  number: number;
  budgetExclVat?: string;
  criteria?: NoticeCriterion[];
  abnormal?: AbnormalRule;
  abnormalSettings?: Partial<AbnormalSettings>;
};

export type LotOfferScore = {
  bidId: string;
  company: string;
  price: string;
  /** Points per criterion position (formula criteria computed here, judgement from the report). */
  points: { criterion: number; evaluation: 'formula' | 'judgement'; points: string }[];
  judgementPoints: string;
  formulaPoints: string;
  total: string;
  presumedAbnormal: boolean;
  /** The review of the presumption (art. 149.4): null when not presumed abnormal. */
  abnormalReview: AbnormalReviewStatus | null;
  /** Rejected as abnormally low: out of the formulas and the ranking, no points (D6, art. 149.6). */
  excluded: boolean;
  /** Accepted although presumed abnormal: to be monitored during execution (art. 149.7; E5). */
  monitoring: boolean;
  rank: number | null;
};

export type LotScoring = {
  lot: number;
  budget: string;
  offers: LotOfferScore[];
  abnormal: AbnormalResult;
  ranking: RankingResult;
  /** Bids of the lot whose offer could not be read at the opening (and why): they cannot be scored. */
  unreadable: { bidId: string; company: string; problem: string }[];
};

export type ScoringView = { ocid: string; lots: LotScoring[] };

export async function lotScoring(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
): Promise<ScoringView> {
  authorizeOnEvaluation(ctx.actor, 'evaluation.read', authorityId);
  return computeScoring(ctx.db, authorityId, tenderId);
}

/** The computation of `lotScoring` without the policy check (the caller did it), on `db` or a transaction. */
export async function computeScoring(
  db: ServiceContext['db'],
  authorityId: string,
  tenderId: string,
): Promise<ScoringView> {
  const t = await publishedTender(db, authorityId, tenderId);
  const openings = await openingRows(db, tenderId);
  const c = openings.map((o) => JSON.parse(o.record) as OpeningRecord).find((r) => r.envelope === 'C');
  if (!c)
    throw new DomainError('INVALID_TRANSITION', 'Envelope C is not open yet', { reason: 'c_not_opened' });
  const notice = JSON.parse((await currentNotice(db, authorityId, tenderId)) ?? '{}') as {
    lots?: NoticeLot[];
  };
  const report = t.stages.includes('B') ? await publishedJudgementReport(db, authorityId, tenderId) : null;
  const reviews = new Map(
    (await abnormalReviewsOf(db, authorityId, tenderId)).map((r) => [
      `${r.bid_id}:${r.lot}`,
      r.status as AbnormalReviewStatus,
    ]),
  );

  const lots: LotScoring[] = [];
  for (const lot of notice.lots ?? []) {
    const budget = lot.budgetExclVat ?? '0';
    const criteria = lot.criteria ?? [];
    const inLot = c.bids.filter((b) => b.outcome === 'opened' && b.lots.includes(lot.number));
    const unreadable: LotScoring['unreadable'] = [];
    const offers: { bidId: string; company: string; price: string; values: Map<number, string> }[] = [];
    for (const b of inLot) {
      const mine = b.offer?.lots?.find((l) => l.lot === lot.number);
      if (!mine) {
        unreadable.push({
          bidId: b.bidId,
          company: b.company.legalName,
          problem: b.offer?.problem ?? 'missing',
        });
        continue;
      }
      offers.push({
        bidId: b.bidId,
        company: b.company.legalName,
        price: mine.price,
        values: new Map(mine.values.map((v) => [v.criterion, v.value])),
      });
    }
    const abnormal = presumedAbnormal({
      budget,
      offers: offers.map((o) => ({ id: o.bidId, amount: o.price })),
      rule: lot.abnormal ?? 'rglcap85',
      ...(lot.abnormalSettings ? { settings: lot.abnormalSettings } : {}),
    });
    // D6: an offer presumed abnormal and rejected after the review takes no part in the formulas
    // (it is not O_min, nor in any mean) nor in the ranking (art. 149.6). Only presumed offers can
    // have a review, so a stray row could not exclude anyone.
    const reviewOf = (bidId: string): AbnormalReviewStatus | null =>
      abnormal.offers.find((a) => a.id === bidId)?.abnormal
        ? (reviews.get(`${bidId}:${lot.number}`) ?? 'presumed')
        : null;
    const inPlay = offers.filter((o) => reviewOf(o.bidId) !== 'rejected');
    const points = new Map<string, LotOfferScore['points']>(inPlay.map((o) => [o.bidId, []]));
    criteria.forEach((criterion, i) => {
      const position = i + 1;
      if (criterion.evaluation === 'judgement') {
        for (const o of inPlay) {
          const judged = report?.report.scores.find(
            (s) => s.bidId === o.bidId && s.lot === lot.number && s.criterion === position,
          );
          points
            .get(o.bidId)
            ?.push({ criterion: position, evaluation: 'judgement', points: judged?.points ?? '0.00' });
        }
        return;
      }
      const spec = parseFormulaSpec(criterion.formula, { maxPoints: criterion.weight ?? '0' });
      const inputs =
        spec.kind === 'price'
          ? inPlay.map((o) => ({ id: o.bidId, amount: o.price }))
          : inPlay.flatMap((o) => {
              const v = o.values.get(position);
              return v === undefined ? [] : [{ id: o.bidId, amount: v }];
            });
      const result = scoreOffers(spec, { maxPoints: criterion.weight ?? '0', budget, offers: inputs });
      for (const o of inPlay) {
        // An offer that states no value for a formula criterion earns nothing for it.
        const scored =
          result.scores.find((s) => s.id === o.bidId)?.points ?? new Dec(0).toFixed(spec.decimals);
        points.get(o.bidId)?.push({ criterion: position, evaluation: 'formula', points: scored });
      }
    });
    const totals = inPlay.map((o) => {
      const p = points.get(o.bidId) ?? [];
      return {
        id: o.bidId,
        judgementPoints: sumPoints(p.filter((x) => x.evaluation === 'judgement').map((x) => x.points)),
        formulaPoints: sumPoints(p.filter((x) => x.evaluation === 'formula').map((x) => x.points)),
      };
    });
    const ranking = rankOffers({ offers: totals, tieBreak: ART_147_2_TIE_BREAK });
    lots.push({
      lot: lot.number,
      budget,
      abnormal,
      ranking,
      unreadable,
      offers: offers.map((o) => {
        const tot = totals.find((x) => x.id === o.bidId);
        const review = reviewOf(o.bidId);
        const ranked = ranking.ranking.find((r) => r.id === o.bidId);
        return {
          bidId: o.bidId,
          company: o.company,
          price: o.price,
          points: points.get(o.bidId) ?? [],
          judgementPoints: tot?.judgementPoints ?? '0',
          formulaPoints: tot?.formulaPoints ?? '0',
          total: ranked?.total ?? '0',
          presumedAbnormal: review !== null,
          abnormalReview: review,
          excluded: review === 'rejected',
          monitoring: review === 'accepted',
          rank: ranked?.rank ?? null,
        };
      }),
    });
  }
  return { ocid: t.ocid, lots };
}
