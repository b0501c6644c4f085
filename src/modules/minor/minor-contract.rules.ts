import { createHash } from 'node:crypto';
import { canonicalJson } from '../../platform/canonical-json.js';
import { DomainError } from '../../platform/errors.js';
import { Dec } from '../../platform/money.js';
import { PROCEDURES } from '../procedures/procedure.catalogue.js';
import { thresholdOn } from '../procedures/procedure.rules.js';
import type { ContractType, ThresholdKey } from '../procedures/procedure.types.js';
import type {
  MinorAwardFacts,
  MinorEvent,
  MinorStatus,
  PriorMinorAward,
  RankedSuggestion,
  SplittingResult,
  SuggestionCandidate,
} from './minor-contract.types.js';

/**
 * Companies to invite to quote. The LCSP itself requires no competition in a minor contract
 * (art. 118), but Barcelona's practice is to ask at least three companies; fewer needs written
 * reasons in the file. [D] A constant until an authority needs another number (then a setting).
 */
export const MIN_INVITATIONS = 3;

/**
 * The splitting guard looks back this many months. [D] One year, the period the pre-publication
 * check MINOR_CONTRACT_SPLITTING (tender.checks.ts) uses too.
 */
export const SPLITTING_WINDOW_MONTHS = 12;

/**
 * Leading CPV digits that make two contracts "the same object" for the guard and the suggestions:
 * 3 is the CPV group (2 = division, 4 = class). Reg. (EC) 213/2008 Annex I describes the levels.
 */
export const CPV_MATCH_DIGITS = 3;

/** Written reasons must say something: a few words at least. */
export const MIN_JUSTIFICATION_LENGTH = 10;

/**
 * The transition table of one request round, as a pure function. Invitations and quotes keep the
 * request open; an award or a void closes the round for good (the award is final; after a void
 * the same file may start a new round, see startMinorContract).
 */
export function nextMinorStatus(from: MinorStatus, event: MinorEvent): MinorStatus {
  if (from === 'inviting') {
    switch (event.type) {
      case 'invite':
      case 'quote':
        return 'inviting';
      case 'award':
        return 'awarded';
      case 'void':
        return 'void';
    }
  }
  throw new DomainError(
    'INVALID_TRANSITION',
    `A ${from} minor contract cannot take the step "${event.type}"`,
    {
      from,
      event: event.type,
    },
  );
}

/** True when the text holds real reasons (not blank, not a word or two). */
export function isJustified(text: string | null | undefined): boolean {
  return (text?.trim().length ?? 0) >= MIN_JUSTIFICATION_LENGTH;
}

/** Refuses fewer invitations than the minimum unless the file gives written reasons. */
export function checkInvitationCount(
  count: number,
  justification: string | null | undefined,
  minimum = MIN_INVITATIONS,
): void {
  if (count >= minimum || isJustified(justification)) return;
  throw new DomainError('MINOR_TOO_FEW_INVITATIONS', `Invite at least ${minimum} companies or give reasons`, {
    minimum,
    invited: count,
    field: 'justification',
  });
}

/** Quotes are received strictly before the deadline; at the deadline the request is closed. */
export function isQuotingOpen(now: Date, deadline: Date): boolean {
  return now.getTime() < deadline.getTime();
}

/**
 * Whether the quotes of a round are still sealed to the authority: until the deadline; and for
 * ever when the round was voided before its deadline (no one ever got to see those quotes, and a
 * new round may ask the same companies again: the void one must not steer it).
 */
export function quotesSealed(
  now: Date,
  round: { status: string; quote_deadline: Date; voided_at: Date | null },
): boolean {
  if (isQuotingOpen(now, round.quote_deadline)) return true;
  return (
    round.status === 'void' &&
    round.voided_at !== null &&
    round.voided_at.getTime() < round.quote_deadline.getTime()
  );
}

/** Refuses a quote or an invitation once the deadline has passed. */
export function assertQuotingOpen(now: Date, deadline: Date): void {
  if (!isQuotingOpen(now, deadline)) {
    throw new DomainError('DEADLINE_PASSED', 'The quote deadline is over', {
      deadline: deadline.toISOString(),
    });
  }
}

/**
 * Quotes stay sealed to the authority until the deadline, so that no quote can be steered by
 * another (equal treatment, art. 1 LCSP); the award waits for it too.
 */
export function assertQuotesUnsealed(now: Date, deadline: Date): void {
  if (isQuotingOpen(now, deadline)) {
    throw new DomainError('QUOTES_SEALED', 'Quotes are sealed until the quote deadline', {
      deadline: deadline.toISOString(),
    });
  }
}

/** The minor-contract threshold that applies to a contract type (art. 118.1), from the catalogue. */
export function minorThresholdKey(contractType: ContractType): ThresholdKey {
  const limit = PROCEDURES.menor.valueLimits[contractType];
  if (!limit) {
    throw new DomainError('UNPROCESSABLE', `A ${contractType} contract cannot be a minor contract`, {
      contractType,
      source: PROCEDURES.menor.articles,
    });
  }
  return limit.threshold;
}

export function minorThreshold(contractType: ContractType, day: string): Dec {
  return thresholdOn(minorThresholdKey(contractType), day);
}

/**
 * Checks an award's amount: positive, strictly below the minor-contract threshold in force that
 * day (art. 118.1: "inferior a"), and not above the file's estimated value (the approved spending).
 */
export function checkAwardAmount(facts: MinorAwardFacts): void {
  const amount = new Dec(facts.amountExclVat);
  if (!amount.greaterThan(0)) {
    throw new DomainError('UNPROCESSABLE', 'The amount must be positive', { field: 'amountExclVat' });
  }
  const threshold = minorThreshold(facts.contractType, facts.day);
  if (amount.greaterThanOrEqualTo(threshold)) {
    throw new DomainError('MINOR_THRESHOLD_EXCEEDED', 'The amount reaches the minor-contract threshold', {
      amount: amount.toFixed(2),
      threshold: threshold.toFixed(2),
      source: 'LCSP art. 118.1',
    });
  }
  if (amount.greaterThan(facts.estimatedValue)) {
    throw new DomainError('UNPROCESSABLE', 'The amount is above the estimated value of the file', {
      reason: 'AMOUNT_ABOVE_ESTIMATED_VALUE',
      amount: amount.toFixed(2),
      estimatedValue: new Dec(facts.estimatedValue).toFixed(2),
    });
  }
}

/**
 * The amount including VAT at the file's own rate (its budget with VAT over its budget without),
 * rounded half-up to the cent. A budget of zero has no rate: the amount is taken as exempt.
 */
export function amountInclVat(amountExclVat: string, budgetExclVat: string, budgetInclVat: string): string {
  const base = new Dec(budgetExclVat);
  if (base.isZero()) return new Dec(amountExclVat).toFixed(2);
  return new Dec(amountExclVat).times(budgetInclVat).dividedBy(base).toDecimalPlaces(2).toFixed(2);
}

/**
 * The file's VAT rate in percent, two decimals: its budget with VAT over its budget without (art.
 * 100.1 LCSP: the budget is given with VAT). A budget of zero has no rate: 0, as exempt.
 */
export function fileVatRate(budgetExclVat: string, budgetInclVat: string): string {
  const base = new Dec(budgetExclVat);
  if (base.isZero()) return '0.00';
  return new Dec(budgetInclVat).dividedBy(base).minus(1).times(100).toDecimalPlaces(2).toFixed(2);
}

/**
 * A quote's amount with VAT at the rate the company stated (0 when exempt): the VAT is rounded
 * half-up to the cent and added, as on an invoice.
 */
export function quoteInclVat(amountExclVat: string, vatRate: string): string {
  const base = new Dec(amountExclVat);
  return base.plus(base.times(vatRate).dividedBy(100).toDecimalPlaces(2)).toFixed(2);
}

/** What a quote's commitment binds: the quote as submitted and a fresh random nonce (hex). */
export type QuoteCommitmentContent = {
  nonce: string;
  tenderId: string;
  round: number;
  companyId: string;
  quoteId: string;
  amountExclVat: string;
  vatRate: string;
  amountInclVat: string;
  note: string;
  submittedAt: string;
};

/**
 * The commitment recorded when a quote is submitted: SHA-256 of the canonical JSON of the quote
 * with a 32-byte random nonce. Without the nonce it cannot be brute-forced over plausible amounts
 * (a bare hash of {amount, note, time} could); once the nonce is revealed at the opening, anyone
 * can recompute it and see that the opened quote is the one received (sealed bids, DA 17ª LCSP).
 */
export function quoteCommitment(content: QuoteCommitmentContent): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/**
 * The awardee's tax id as the public quarterly list shows it. A NIF (DNI, or K/L/M) or NIE names a
 * natural person (a self-employed awardee): LOPDGDD DA 7ª forbids publishing the name with the
 * full number, so only four digits show, the ones the AEPD/APDCAT guidance for DA 7ª points at:
 * positions 4–7 of a DNI (12345678Z → ***4567**), and for a NIE or a K/L/M NIF the
 * digits 4–7 after the initial letter (X1234567L → ****4567*). [K] An ES VAT number of a natural
 * person is the same NIF with a prefix and is masked the same way. Legal persons (CIF, other VAT
 * numbers) are published in full (art. 63.4 LCSP).
 */
export function publishedTaxId(taxId: string, kind: string): string {
  const national = kind === 'VAT' && taxId.startsWith('ES') ? taxId.slice(2) : taxId;
  const natural = kind === 'NIF' || kind === 'NIE' || (kind === 'VAT' && taxId.startsWith('ES'));
  if (!natural) return taxId;
  if (/^\d{8}[A-Z]$/.test(national)) return `***${national.slice(3, 7)}**`;
  if (/^[XYZKLM]\d{7}[A-Z]$/.test(national)) return `****${national.slice(4, 8)}*`;
  // An ES VAT number of an entity (a CIF behind the prefix) is not personal data.
  if (kind === 'VAT') return taxId;
  // A personal id in an unexpected shape: publish no digits rather than too many.
  return '*'.repeat(national.length);
}

/** The leading digits of a CPV code (without its check digit). */
export function cpvPrefix(cpv: string, digits = CPV_MATCH_DIGITS): string {
  return cpv.slice(0, 8).slice(0, digits);
}

/** ISO day `months` calendar months before `day`, clamped to the month's last day (29 Feb → 28 Feb). */
export function monthsBefore(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) - months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const date = new Date(Date.UTC(year, month, Math.min(d, last)));
  return date.toISOString().slice(0, 10);
}

/** First day inside the splitting window ending `today` (inclusive: the same day a year earlier counts). */
export function splittingWindowStart(today: string, months = SPLITTING_WINDOW_MONTHS): string {
  return monthsBefore(today, months);
}

/**
 * The 12-month splitting guard (arts. 99.2 and 118.3 LCSP). Earlier minor awards of the same
 * authority to the same company in the same CPV group within the window are added to the
 * candidate's amount; when the sum reaches the minor-contract threshold, the award looks like an
 * object split to stay under it.
 *
 * [D] Reading taken: since RDL 3/2020 art. 118.3 no longer caps a contractor's minor contracts; it
 * requires the file to justify that the object is not altered to avoid the general rules
 * (procurement-rules.md A4). So a match blocks the award (MINOR_SPLITTING_RISK) unless the officer
 * records written reasons, which are kept with the award and in its public audit event.
 */
export function splittingGuard(
  candidate: { companyId: string; mainCpv: string; amountExclVat: string; contractType: ContractType },
  prior: readonly PriorMinorAward[],
  today: string,
  opts: { months?: number; digits?: number } = {},
): SplittingResult {
  const from = splittingWindowStart(today, opts.months);
  const group = cpvPrefix(candidate.mainCpv, opts.digits);
  const matches = prior.filter(
    (p) =>
      p.companyId === candidate.companyId &&
      cpvPrefix(p.mainCpv, opts.digits) === group &&
      p.awardedOn >= from &&
      p.awardedOn <= today,
  );
  const cumulative = matches.reduce((acc, m) => acc.plus(m.amountExclVat), new Dec(candidate.amountExclVat));
  const threshold = minorThreshold(candidate.contractType, today);
  return {
    matches,
    cumulative: cumulative.toFixed(2),
    threshold: threshold.toFixed(2),
    reachesThreshold: matches.length > 0 && cumulative.greaterThanOrEqualTo(threshold),
  };
}

/** Refuses an award the guard flags, unless written reasons are given. */
export function checkSplitting(result: SplittingResult, justification: string | null | undefined): void {
  if (!result.reachesThreshold || isJustified(justification)) return;
  throw new DomainError('MINOR_SPLITTING_RISK', 'Cumulative minor contracts reach the threshold', {
    cumulative: result.cumulative,
    threshold: result.threshold,
    contracts: result.matches.map((m) => m.tenderId),
    field: 'splittingJustification',
    source: 'LCSP arts. 99.2 and 118.3',
  });
}

/**
 * How many leading digits a company's CPV interest shares with the file's CPV, or 0 when it does
 * not cover it. An interest covers the file when it is a broader code of the same tree (90000000
 * covers 90910000) or a code in the same group (90911000 for a 90910000 file).
 */
export function interestMatch(interest: string, fileCpv: string, digits = CPV_MATCH_DIGITS): number {
  const code = fileCpv.slice(0, 8);
  const raw = interest.slice(0, 8);
  if (!/^\d{8}$/.test(raw) || !/^\d{8}$/.test(code)) return 0;
  // The significant part of a CPV code: its digits before the trailing zeros, division at least.
  const significant = raw.replace(/0+$/, '').padEnd(2, '0');
  let shared = 0;
  while (shared < 8 && raw[shared] === code[shared]) shared += 1;
  if (code.startsWith(significant)) return Math.max(shared, significant.length);
  return shared >= digits ? shared : 0;
}

/**
 * Suggestions for a request for quotes: companies whose CPV interests cover the file, SMEs first
 * (art. 1.3 LCSP asks to make access easier for SMEs), then the closest match, then by name.
 */
export function rankSuggestions(
  candidates: readonly SuggestionCandidate[],
  fileCpv: string,
  exclude: ReadonlySet<string> = new Set(),
  limit = 20,
): RankedSuggestion[] {
  const ranked: RankedSuggestion[] = [];
  for (const c of candidates) {
    if (exclude.has(c.id)) continue;
    let best = 0;
    let matched = '';
    for (const interest of c.cpvInterests) {
      const score = interestMatch(interest, fileCpv);
      if (score > best) {
        best = score;
        matched = interest;
      }
    }
    if (best > 0) ranked.push({ ...c, matchDigits: best, matchedInterest: matched });
  }
  ranked.sort(
    (a, b) =>
      Number(b.isSme) - Number(a.isSme) ||
      b.matchDigits - a.matchDigits ||
      a.legalName.localeCompare(b.legalName, 'ca'),
  );
  return ranked.slice(0, limit);
}

/** The calendar quarter of a day: 1 (Jan–Mar) to 4. */
export function quarterOf(day: string): { year: number; quarter: number } {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return { year: y, quarter: Math.floor((m - 1) / 3) + 1 };
}

/** First and last day (inclusive, ISO) of a quarter. */
export function quarterRange(year: number, quarter: number): { from: string; to: string } {
  if (!Number.isInteger(year) || !Number.isInteger(quarter) || quarter < 1 || quarter > 4) {
    throw new DomainError('UNPROCESSABLE', 'A quarter is 1 to 4', { field: 'quarter' });
  }
  const first = (quarter - 1) * 3;
  const from = new Date(Date.UTC(year, first, 1)).toISOString().slice(0, 10);
  const to = new Date(Date.UTC(year, first + 3, 0)).toISOString().slice(0, 10);
  return { from, to };
}
