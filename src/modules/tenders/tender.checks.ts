import { Dec } from '../../platform/money.js';
import { EXPERT_COMMITTEE_MINIMUM } from '../evaluation/expert.rules.js';
import { validateFormula } from '../evaluation/formula.rules.js';
import { PROCEDURES } from '../procedures/procedure.catalogue.js';
import {
  checkProcedure,
  isHarmonised,
  judgementWeightCap,
  minimumRequestPeriod,
  minimumTenderPeriod,
  thresholdOn,
} from '../procedures/procedure.rules.js';
import type { PeriodRule, ThresholdKey } from '../procedures/procedure.types.js';
import { CPV_MATCH_DIGITS, splittingWindowStart } from '../minor/minor-contract.rules.js';
import { envelopeSource, fileEnvelopes } from './bid-document.rules.js';
import { modificationsExcess } from './estimated-value.rules.js';
import { abnormalProblems, isPriceOnly } from './criterion-formula.rules.js';
import type { CheckFinding, DocumentKind, Lot, RecentMinorContract, TenderDraft } from './tender.types.js';

export type CheckContext = {
  /** The instant the checks run (publication is assumed to happen now). */
  now: Date;
  /** The calendar day of `now` in the authority's time zone, ISO. */
  today: string;
  /** The authority's cap on the price weight, percent (Barcelona: 35). */
  priceWeightCap: string;
  /** Earliest deadline allowed by a minimum period starting at `start`, from the business-day calendar. */
  earliestDeadline: (start: Date, rule: Pick<PeriodRule, 'days' | 'unit'>) => Date;
  /** Minor contracts of the authority awarded in the last 12 months. */
  recentMinorContracts: readonly RecentMinorContract[];
};

/** Share below a threshold within which a value suggests the contract was cut to slip under it. */
const NEAR_THRESHOLD_SHARE = new Dec('0.05');

const REQUIRED_DOCUMENTS: Record<'published' | 'menor', DocumentKind[]> = {
  // Memoria justificativa, PCAP and PPT (arts. 63.3.a, 116.3–4, 121–124).
  published: ['memoria_justificativa', 'pcap', 'ppt'],
  // Report of need (art. 118.2).
  menor: ['informe_necesidad'],
};

const sum = (values: string[]) => values.reduce((acc, v) => acc.plus(v), new Dec(0));

function thresholdsFor(draft: TenderDraft): ThresholdKey[] {
  const worksLike = draft.contractType === 'works' || draft.contractType === 'works_concession';
  return worksLike
    ? ['minor_works', 'abbreviated_works', 'simplified_works', 'harmonised_works']
    : [
        'minor_services_supplies',
        'abbreviated_services_supplies',
        'simplified_services_supplies',
        'harmonised_services_supplies',
      ];
}

/**
 * Runs every pre-publication check on a draft. Pure: the clock, the calendar and the records it
 * needs are passed in. Errors block publication; warnings are shown and recorded.
 */
export function checkTender(draft: TenderDraft, ctx: CheckContext): CheckFinding[] {
  const out: CheckFinding[] = [];
  const facts = {
    contractType: draft.contractType,
    estimatedValue: draft.estimatedValue,
    intellectualServices: draft.intellectualServices,
    socialServices: draft.socialServices,
  };
  const def = PROCEDURES[draft.procedure];

  for (const v of checkProcedure(draft.procedure, facts, ctx.today)) {
    out.push({
      code: 'PROCEDURE_NOT_ALLOWED',
      severity: 'error',
      source: v.source,
      details: { reason: v.code, ...(v.limit ? { limit: v.limit } : {}) },
    });
  }

  // Tender period (arts. 156, 159, 164) counted on the authority's business-day calendar.
  const periodFacts = {
    harmonised: isHarmonised(facts, ctx.today),
    contractType: draft.contractType,
    urgent: draft.urgent,
    priorInformationNotice: draft.priorInformationNotice,
    routinePurchase: draft.routinePurchase,
    electronicSubmission: true,
  };
  const rule = minimumTenderPeriod(draft.procedure, periodFacts);
  // Every procedure with sealed bids needs their deadline, the negotiated one without publication
  // too (its invitation states it, art. 169): bids are taken only before it.
  if ((def.published || def.envelopes !== 'none') && !draft.tenderDeadline) {
    out.push({ code: 'DEADLINE_MISSING', severity: 'error', source: def.articles });
  }
  // Two-phase procedures: requests to participate first, due by the notice's deadline, which must
  // leave the minimum of art. 161 (counted here from publication; the catalogue's rule says from
  // the dispatch to the EU Official Journal, which the platform does the same day).
  if (def.twoPhase) {
    if (!draft.participationDeadline) {
      out.push({ code: 'PARTICIPATION_DEADLINE_MISSING', severity: 'error', source: 'LCSP art. 161' });
    } else {
      const requestRule = minimumRequestPeriod(draft.procedure, periodFacts);
      const earliest = requestRule && ctx.earliestDeadline(ctx.now, requestRule);
      if (requestRule && earliest && draft.participationDeadline < earliest) {
        out.push({
          code: 'REQUEST_PERIOD_TOO_SHORT',
          severity: 'error',
          source: requestRule.source,
          details: {
            minimumDays: requestRule.days,
            unit: requestRule.unit,
            earliest: earliest.toISOString(),
          },
        });
      }
      if (draft.tenderDeadline && draft.participationDeadline >= draft.tenderDeadline) {
        out.push({ code: 'PARTICIPATION_AFTER_TENDER_DEADLINE', severity: 'error', source: 'LCSP art. 163' });
      }
    }
  }
  if (rule && draft.tenderDeadline) {
    // Counted from the invitation where the rule says so (art. 164.1): no invitation can leave
    // before requests close, so the period starts at the participation deadline at the earliest.
    // The invitation itself checks the period again from the instant it is sent.
    const start =
      rule.from === 'invitation' && draft.participationDeadline ? draft.participationDeadline : ctx.now;
    const earliest = ctx.earliestDeadline(start, rule);
    if (draft.tenderDeadline < earliest) {
      out.push({
        code: 'TENDER_PERIOD_TOO_SHORT',
        severity: 'error',
        source: rule.source,
        details: { minimumDays: rule.days, unit: rule.unit, earliest: earliest.toISOString() },
      });
    }
  }
  if (draft.questionsDeadline && draft.tenderDeadline && draft.questionsDeadline >= draft.tenderDeadline) {
    out.push({ code: 'QUESTIONS_AFTER_DEADLINE', severity: 'error', source: 'LCSP art. 138.3' });
  }

  // Lots: division is the default; a single lot needs its reasons in the file (art. 99.3).
  if (def.published && draft.lots.length === 1 && !draft.singleLotJustification?.trim()) {
    out.push({ code: 'SINGLE_LOT_WITHOUT_JUSTIFICATION', severity: 'error', source: 'LCSP art. 99.3' });
  }
  const lotsValue = sum(draft.lots.map((l) => l.estimatedValue));
  if (lotsValue.greaterThan(draft.estimatedValue)) {
    out.push({
      code: 'LOTS_EXCEED_VALUE',
      severity: 'error',
      source: 'LCSP art. 101.12',
      details: { lots: lotsValue.toFixed(2), estimatedValue: new Dec(draft.estimatedValue).toFixed(2) },
    });
  }

  const excess = draft.valueBreakdown ? modificationsExcess(draft.valueBreakdown) : undefined;
  if (excess && draft.valueBreakdown) {
    out.push({
      code: 'MODIFICATIONS_ABOVE_LIMIT',
      severity: 'error',
      source: 'LCSP art. 204.1',
      details: { modifications: new Dec(draft.valueBreakdown.modifications).toFixed(2), limit: excess.limit },
    });
  }

  const judgementCap = judgementWeightCap(draft.procedure, facts);
  for (const lot of def.envelopes === 'none' ? [] : draft.lots) {
    if (lot.criteria.length === 0) {
      out.push({ code: 'NO_CRITERIA', severity: 'error', source: 'LCSP art. 145.1', lot: lot.number });
      continue;
    }
    const total = sum(lot.criteria.map((c) => c.weight));
    if (!total.equals(100)) {
      out.push({
        code: 'WEIGHTS_NOT_100',
        severity: 'error',
        source: 'LCSP art. 146.1',
        lot: lot.number,
        details: { total: total.toFixed(2) },
      });
    }
    const price = sum(
      lot.criteria.filter((c) => c.kind === 'price' || c.kind === 'cost').map((c) => c.weight),
    );
    if (price.greaterThan(ctx.priceWeightCap)) {
      out.push({
        code: 'PRICE_WEIGHT_ABOVE_CAP',
        // The authority's policy (Barcelona caps price at 35 %) yields to a written reason.
        severity: draft.priceWeightJustification?.trim() ? 'warning' : 'error',
        source: 'Authority policy on price weight',
        lot: lot.number,
        details: { price: price.toFixed(2), cap: new Dec(ctx.priceWeightCap).toFixed(2) },
      });
    }
    const judgement = sum(lot.criteria.filter((c) => c.evaluation === 'judgement').map((c) => c.weight));
    if (judgementCap && judgement.greaterThan(judgementCap)) {
      out.push({
        code: 'JUDGEMENT_WEIGHT_ABOVE_CAP',
        severity: 'error',
        source: def.articles,
        lot: lot.number,
        details: { judgement: judgement.toFixed(2), cap: judgementCap.toFixed(2) },
      });
    }
    if (judgement.greaterThan(total.minus(judgement))) {
      // More weight on judgement than on formulas: a committee of at least three experts must score
      // B (art. 146.2.a). Assignments freeze at publication, so a file without them could never
      // approve its judgement report: publication waits for them.
      out.push({
        code: 'EXPERT_COMMITTEE_REQUIRED',
        severity: draft.experts >= EXPERT_COMMITTEE_MINIMUM ? 'warning' : 'error',
        source: 'LCSP art. 146.2.a',
        lot: lot.number,
        details: { experts: draft.experts, minimum: EXPERT_COMMITTEE_MINIMUM },
      });
    }
    out.push(...formulaFindings(lot), ...abnormalFindings(lot));
  }

  // Splitting risk: a value just under a threshold (art. 99.2 forbids splitting to lower the value).
  const value = new Dec(draft.estimatedValue);
  for (const key of thresholdsFor(draft)) {
    const limit = thresholdOn(key, ctx.today);
    if (
      value.lessThan(limit) &&
      value.greaterThanOrEqualTo(limit.times(new Dec(1).minus(NEAR_THRESHOLD_SHARE)))
    ) {
      out.push({
        code: 'VALUE_NEAR_THRESHOLD',
        severity: 'warning',
        source: 'LCSP art. 99.2',
        details: { threshold: key, limit: limit.toFixed(2) },
      });
    }
  }

  // Same object (CPV division, first two digits… here the same 8-digit code) and same company as
  // a minor contract of the last 12 months (art. 118.3 as amended by RDL 3/2020).
  if (draft.procedure === 'menor') {
    // The same window as the award guard: calendar months back from the authority's local day.
    const since = splittingWindowStart(ctx.today);
    // The same CPV group as the award guard of the fast path (minor-contract.rules.ts), so that
    // the warning here and the block there speak of the same contracts.
    const cpv = draft.mainCpv.slice(0, CPV_MATCH_DIGITS);
    const matches = ctx.recentMinorContracts.filter(
      (m) =>
        m.awardedOn >= since &&
        m.mainCpv.slice(0, CPV_MATCH_DIGITS) === cpv &&
        draft.invitedCompanyIds.includes(m.companyId),
    );
    if (matches.length > 0) {
      out.push({
        code: 'MINOR_CONTRACT_SPLITTING',
        severity: 'warning',
        source: 'LCSP art. 118.3',
        details: { contracts: matches.map((m) => m.id) },
      });
    }
  }

  const required = REQUIRED_DOCUMENTS[draft.procedure === 'menor' ? 'menor' : 'published'];
  const missing = required.filter((k) => !draft.documents.includes(k));
  if (missing.length > 0) {
    out.push({
      code: 'MANDATORY_DOCUMENTS_MISSING',
      severity: 'error',
      source: 'LCSP arts. 63.3, 116, 118.2',
      details: { missing },
    });
  }

  // Every document bidders must submit needs an envelope the file has: B exists only with
  // judgement criteria (art. 157.2), C with formula criteria, A only in ordinary procedures
  // (art. 157.1; the simplified ones have one or two envelopes, art. 159.4.d). A document in an
  // envelope that does not exist could never be uploaded.
  const envelopes = fileEnvelopes(draft.procedure, draft.lots);
  const misplaced = new Map<string, string[]>();
  for (const d of draft.bidDocuments) {
    if (!envelopes.includes(d.envelope))
      misplaced.set(d.envelope, [...(misplaced.get(d.envelope) ?? []), d.name]);
  }
  for (const [envelope, documents] of [...misplaced].sort(([a], [b]) => a.localeCompare(b))) {
    out.push({
      code: 'BID_DOCUMENT_WITHOUT_ENVELOPE',
      severity: 'error',
      source: envelopeSource(draft.procedure),
      details: { envelope, envelopes, documents },
    });
  }

  // Opening needs the simultaneous action of at least two authorised persons (Dir. 2014/24 Annex IV; LCSP DA 17ª).
  if (def.published && (draft.custodians.quorum < 2 || draft.custodians.quorum > draft.custodians.count)) {
    out.push({
      code: 'CUSTODIAN_QUORUM_INVALID',
      severity: 'error',
      source: 'LCSP DA 17ª; Dir. 2014/24 Annex IV',
      details: { quorum: draft.custodians.quorum, custodians: draft.custodians.count },
    });
  }
  // Bids are sealed to the custodians' public keys when the notice is published: a custodian
  // without a key could not receive a share, and the opening would need the others only.
  if (def.published && draft.custodians.withKey < draft.custodians.count) {
    out.push({
      code: 'CUSTODIAN_KEY_MISSING',
      severity: 'error',
      source: 'LCSP DA 17ª; Dir. 2014/24 Annex IV',
      details: { custodians: draft.custodians.count, withKey: draft.custodians.withKey },
    });
  }
  return out;
}

/** Where the formula findings come from: objective criteria whose formula the pliego states (arts. 145.5, 146.2.b). */
const FORMULA_SOURCE = 'LCSP arts. 145.5, 146.2.b; procurement-rules.md §5';

/**
 * Each formula criterion carries the formula its notice publishes, valid, of the right family;
 * judgement criteria carry none. Findings name the criterion by its 1-based position in the lot.
 */
function formulaFindings(lot: Lot): CheckFinding[] {
  const out: CheckFinding[] = [];
  lot.criteria.forEach((c, i) => {
    const at = { lot: lot.number, details: { criterion: i + 1, name: c.name } };
    if (c.evaluation === 'judgement') {
      // Judgement criteria are scored by the committee's reasoned report (art. 146.2.a–b), not by
      // a formula: a formula published with one would tell bidders a computation nobody runs.
      if (c.formula !== undefined) {
        out.push({ code: 'FORMULA_NOT_ALLOWED', severity: 'error', source: 'LCSP art. 146.2', ...at });
      }
      return;
    }
    if (c.formula === undefined) {
      out.push({ code: 'FORMULA_MISSING', severity: 'error', source: FORMULA_SOURCE, ...at });
      return;
    }
    // The criterion's weight is its P_max (points out of 100).
    const problems = validateFormula(c.formula, { maxPoints: c.weight });
    if (problems.length > 0) {
      out.push({
        code: 'FORMULA_INVALID',
        severity: 'error',
        source: FORMULA_SOURCE,
        lot: lot.number,
        details: {
          criterion: i + 1,
          name: c.name,
          problems: problems.map((p) => (p.path ? `${p.code}:${p.path}` : p.code)),
        },
      });
      return;
    }
    const spec = c.formula;
    // Price formulas work on the discount over the budget (B_i, §5): only the price criterion has
    // one. Other criteria (quality, delivery, cost) are scored on their own figure by a scale.
    if ((c.kind === 'price') !== (spec.kind === 'price')) {
      out.push({
        code: 'FORMULA_KIND_MISMATCH',
        severity: 'error',
        source: FORMULA_SOURCE,
        lot: lot.number,
        details: { criterion: i + 1, name: c.name, kind: c.kind, formula: spec.kind },
      });
      return;
    }
    // F5 (satiety) and F6 (root) flatten the scores of the best offers: accepted by some tribunals
    // (TACRC 976/2018, 97/2019, 822/2019) but contested doctrine (§5 [OBCP-FORM]; F6 is not
    // proportional, against D5 [TARCYL-61]). A warning: the officer may keep it with reasons.
    if (spec.kind === 'price' && (spec.formula === 'F5' || spec.formula === 'F6')) {
      out.push({
        code: 'FORMULA_CONTESTED',
        severity: 'warning',
        source: 'procurement-rules.md §5 (TACRC 976/2018; D5)',
        lot: lot.number,
        details: { criterion: i + 1, name: c.name, formula: spec.formula },
      });
    }
  });
  return out;
}

/**
 * The pliego must contain the parameters to identify abnormally low offers (art. 149.2): with
 * several criteria, for the offer as a whole (149.2.b; JCCPE 119/18); with price alone, RGLCAP
 * art. 85 applies when none are given (149.2.a), and the notice states it. A lot with several
 * criteria may adopt art. 85 by reference (`'rglcap85'`), as pliegos often do (§6.1.3): what is
 * refused is saying nothing. Lots with no price criterion have no price to find abnormal.
 */
function abnormalFindings(lot: Lot): CheckFinding[] {
  if (lot.abnormal !== undefined || lot.abnormalSettings !== undefined) {
    const problems = abnormalProblems(lot.abnormal ?? 'rglcap85', lot.abnormalSettings);
    if (problems.length === 0) return [];
    return [
      {
        code: 'ABNORMAL_PARAMETERS_INVALID',
        severity: 'error',
        source: 'LCSP art. 149.2',
        lot: lot.number,
        details: { problems: problems.map((p) => `${p.code}:${p.path}`) },
      },
    ];
  }
  const hasPrice = lot.criteria.some((c) => c.kind === 'price' || c.kind === 'cost');
  if (!hasPrice || isPriceOnly(lot.criteria)) return [];
  return [
    {
      code: 'ABNORMAL_PARAMETERS_MISSING',
      severity: 'error',
      source: 'LCSP art. 149.2.b; procurement-rules.md §3 E2',
      lot: lot.number,
    },
  ];
}

/** True when nothing blocks publication. */
export function isPublishable(findings: readonly CheckFinding[]): boolean {
  return findings.every((f) => f.severity !== 'error');
}
