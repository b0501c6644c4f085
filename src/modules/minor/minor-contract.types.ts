import type { ContractType } from '../procedures/procedure.types.js';

/**
 * The fast path of a minor contract after its file is approved: companies are invited to quote
 * until a deadline, then one quote is awarded, or the request is voided. `not_started` is the
 * approved file before any invitation (no row yet).
 */
export type MinorStatus = 'inviting' | 'awarded' | 'void';

export type MinorEvent = { type: 'invite' } | { type: 'quote' } | { type: 'award' } | { type: 'void' };

/** A minor contract awarded earlier by the same authority, as the splitting guard sees it. */
export type PriorMinorAward = {
  tenderId: string;
  companyId: string;
  mainCpv: string;
  /** Euros excluding VAT, decimal string. */
  amountExclVat: string;
  /** Local calendar day of the award, ISO. */
  awardedOn: string;
};

/** What the splitting guard found for one candidate award. */
export type SplittingResult = {
  /** Earlier awards to the same company in the same CPV group within the window. */
  matches: PriorMinorAward[];
  /** Their amounts plus the candidate's, excluding VAT, two decimals. */
  cumulative: string;
  threshold: string;
  /** The cumulative amount reaches the threshold: the award needs written reasons (art. 118.3). */
  reachesThreshold: boolean;
};

/** A company as the suggestion ranking sees it. */
export type SuggestionCandidate = {
  id: string;
  legalName: string;
  taxId: string;
  isSme: boolean;
  cpvInterests: readonly string[];
};

export type RankedSuggestion = SuggestionCandidate & {
  /** Leading CPV digits shared with the file's main CPV (2 = division, 3 = group, …). */
  matchDigits: number;
  matchedInterest: string;
};

export type MinorAwardFacts = {
  contractType: ContractType;
  /** The file's estimated value (art. 101), excluding VAT. */
  estimatedValue: string;
  /** The quote to award, excluding VAT. */
  amountExclVat: string;
  /** Local day of the award, ISO: the threshold in force that day applies. */
  day: string;
};

/** One line of the quarterly list of minor contracts (art. 63.4 LCSP). */
export type QuarterlyLine = {
  tenderId: string;
  reference: string;
  object: { ca: string; es: string; en: string };
  contractType: string;
  mainCpv: string;
  durationMonths: number | null;
  amountExclVat: string;
  amountInclVat: string;
  awardee: { name: string; taxId: string };
  awardedOn: string;
};
