import { Dec } from '../../platform/money.js';
import { PROCEDURES } from './procedure.catalogue.js';
import {
  type ContractType,
  type EnvelopeCode,
  PROCEDURE_CODES,
  type PeriodFacts,
  type PeriodRule,
  type ProcedureCode,
  type ProcedureFacts,
  type ThresholdKey,
  type ThresholdRow,
} from './procedure.types.js';
import { THRESHOLDS } from './thresholds.data.js';

/** The threshold in force on a day (ISO date, in the authority's time zone). */
export function thresholdOn(
  key: ThresholdKey,
  day: string,
  table: readonly ThresholdRow[] = THRESHOLDS,
): Dec {
  const row = table.find(
    (r) => r.key === key && r.validFrom <= day && (r.validTo === undefined || day <= r.validTo),
  );
  if (!row) throw new Error(`No ${key} threshold in force on ${day}`);
  return new Dec(row.amount);
}

const isWorksLike = (t: ContractType) =>
  t === 'works' || t === 'works_concession' || t === 'services_concession';

/**
 * Whether a contract is harmonised (sujeto a regulación armonizada, arts. 19–22): its estimated
 * value reaches the EU threshold ("equal to or greater than", Dir. 2014/24 art. 4).
 * Concessions follow the works threshold (art. 20); Annex IV social services have their own.
 */
export function isHarmonised(
  facts: ProcedureFacts,
  day: string,
  table: readonly ThresholdRow[] = THRESHOLDS,
): boolean {
  const value = new Dec(facts.estimatedValue);
  const key: ThresholdKey = facts.socialServices
    ? 'harmonised_social_services'
    : isWorksLike(facts.contractType)
      ? 'harmonised_works'
      : 'harmonised_services_supplies';
  return value.greaterThanOrEqualTo(thresholdOn(key, day, table));
}

/**
 * Whether the special appeal (recurso especial) is open against the contract: works and
 * concessions above 3 M€, services and supplies above 100 k€ (art. 44.1.a, strictly above).
 * It also decides the 15-business-day standstill before formalisation (art. 153.3).
 */
export function isSpecialAppealEligible(
  facts: ProcedureFacts,
  day: string,
  table: readonly ThresholdRow[] = THRESHOLDS,
): boolean {
  const key: ThresholdKey = isWorksLike(facts.contractType)
    ? 'special_appeal_works'
    : 'special_appeal_services_supplies';
  return new Dec(facts.estimatedValue).greaterThan(thresholdOn(key, day, table));
}

export type ProcedureViolation = {
  code:
    | 'CONTRACT_TYPE_NOT_ALLOWED'
    | 'VALUE_ABOVE_LIMIT'
    | 'INTELLECTUAL_SERVICES_EXCLUDED'
    | 'INVALID_VALUE';
  source: string;
  /** The limit, in euros, when the value is above it. */
  limit?: string;
};

/** Why a procedure cannot be used for these facts on this day; empty when it can. */
export function checkProcedure(
  code: ProcedureCode,
  facts: ProcedureFacts,
  day: string,
  table: readonly ThresholdRow[] = THRESHOLDS,
): ProcedureViolation[] {
  const def = PROCEDURES[code];
  const out: ProcedureViolation[] = [];
  let value: Dec;
  try {
    value = new Dec(facts.estimatedValue);
  } catch {
    return [{ code: 'INVALID_VALUE', source: 'LCSP art. 101' }];
  }
  if (value.isNegative() || !value.isFinite()) return [{ code: 'INVALID_VALUE', source: 'LCSP art. 101' }];
  if (!def.contractTypes.includes(facts.contractType)) {
    out.push({ code: 'CONTRACT_TYPE_NOT_ALLOWED', source: def.articles });
  }
  const limit = def.valueLimits[facts.contractType];
  if (limit) {
    const row = table.find(
      (r) => r.key === limit.threshold && r.validFrom <= day && (r.validTo === undefined || day <= r.validTo),
    );
    const amount = thresholdOn(limit.threshold, day, table);
    const within = limit.comparison === 'lt' ? value.lessThan(amount) : value.lessThanOrEqualTo(amount);
    if (!within)
      out.push({ code: 'VALUE_ABOVE_LIMIT', source: row?.source ?? def.articles, limit: amount.toFixed(2) });
  }
  if (def.excludesIntellectualServices && facts.intellectualServices) {
    out.push({ code: 'INTELLECTUAL_SERVICES_EXCLUDED', source: def.articles });
  }
  return out;
}

/** The procedures open to these facts on this day, in catalogue order. */
export function allowedProcedures(
  facts: ProcedureFacts,
  day: string,
  table: readonly ThresholdRow[] = THRESHOLDS,
): ProcedureCode[] {
  return PROCEDURE_CODES.filter((code) => checkProcedure(code, facts, day, table).length === 0);
}

/** The cap on judgement-criteria weight (percent), or undefined when the procedure has none. */
export function judgementWeightCap(
  code: ProcedureCode,
  facts: Pick<ProcedureFacts, 'intellectualServices'>,
): Dec | undefined {
  const cap = PROCEDURES[code].judgementWeightCap;
  if (!cap) return undefined;
  return new Dec(
    facts.intellectualServices && cap.intellectualServices ? cap.intellectualServices : cap.default,
  );
}

function ruleApplies(rule: PeriodRule, facts: PeriodFacts): boolean {
  const derived: Record<string, boolean> = {
    harmonised: facts.harmonised,
    priorInformationNotice: facts.priorInformationNotice ?? false,
    urgent: facts.urgent ?? false,
    routinePurchase: facts.routinePurchase ?? false,
    electronicSubmission: facts.electronicSubmission,
    isWorks: facts.contractType === 'works' || facts.contractType === 'works_concession',
    isConcession: facts.contractType === 'works_concession' || facts.contractType === 'services_concession',
  };
  return Object.entries(rule.when ?? {}).every(([k, v]) => derived[k] === v);
}

/** The minimum tender period that applies (first matching rule), or undefined when the invitation sets it. */
export function minimumTenderPeriod(code: ProcedureCode, facts: PeriodFacts): PeriodRule | undefined {
  return PROCEDURES[code].tenderPeriod.find((r) => ruleApplies(r, facts));
}

/** The minimum period for requests to participate, for two-phase procedures. */
export function minimumRequestPeriod(code: ProcedureCode, facts: PeriodFacts): PeriodRule | undefined {
  return PROCEDURES[code].requestPeriod?.find((r) => ruleApplies(r, facts));
}

/**
 * The envelopes a tender has, from its procedure and its criteria: A (administrative, ESPD) in
 * ordinary procedures; B when there are judgement criteria, opened before C so that formula
 * scores cannot influence judgement (art. 146.2.b, art. 157); C for formula criteria.
 * The simplified procedure has one envelope, or two with judgement criteria (art. 159.4.d).
 */
export function envelopesFor(
  code: ProcedureCode,
  criteria: { hasJudgement: boolean; hasFormula: boolean },
): EnvelopeCode[] {
  switch (PROCEDURES[code].envelopes) {
    case 'none':
      return [];
    case 'single':
      return ['C'];
    case 'simplified':
      return criteria.hasJudgement ? ['B', 'C'] : ['C'];
    case 'abc':
      return [
        'A',
        ...(criteria.hasJudgement ? (['B'] as const) : []),
        ...(criteria.hasFormula ? (['C'] as const) : []),
      ];
  }
}

/**
 * Whether only invited companies may bid: the second phase of the restricted procedure and of the
 * procedure with negotiation (arts. 163 and 169.1 LCSP), and the negotiated procedure without
 * publication, where the authority asks the companies it chooses (art. 168). Minor contracts have
 * their own invitations (art. 118) and no sealed bids.
 */
export function bidsByInvitation(code: ProcedureCode): boolean {
  const def = PROCEDURES[code];
  return def.twoPhase || (!def.published && def.envelopes !== 'none');
}
