import { Dec } from '../../platform/money.js';
import type { ValueBreakdown } from './tender.input.js';

/**
 * The estimated value of a contract (valor estimado, art. 101 LCSP) is the total payable excluding
 * VAT including every option, extension, foreseen modification and prize (101.2). It decides the
 * procedure and whether the contract is harmonised, so it is derived from its components rather
 * than typed in, and the components stay on file for anyone auditing the figure.
 */
export function breakdownTotal(b: ValueBreakdown): string {
  return [b.base, b.options, b.extensions, b.modifications, b.prizes]
    .reduce((acc, v) => acc.plus(v), new Dec(0))
    .toFixed(2);
}

export type EstimatedValueResult =
  | { ok: true; value: string }
  | { ok: false; problem: 'missing' }
  | { ok: false; problem: 'mismatch'; computed: string };

/** The estimated value a file states: the sum of its breakdown, or the figure given alone. */
export function resolveEstimatedValue(
  estimatedValue: string | undefined,
  breakdown: ValueBreakdown | null | undefined,
): EstimatedValueResult {
  if (!breakdown) {
    return estimatedValue === undefined
      ? { ok: false, problem: 'missing' }
      : { ok: true, value: new Dec(estimatedValue).toFixed(2) };
  }
  const computed = breakdownTotal(breakdown);
  if (estimatedValue !== undefined && !new Dec(estimatedValue).equals(computed)) {
    return { ok: false, problem: 'mismatch', computed };
  }
  return { ok: true, value: computed };
}

/** Art. 204.1 LCSP: modifications foreseen in the PCAP may not exceed 20 % of the initial price. */
export const FORESEEN_MODIFICATIONS_CAP = new Dec('0.20');

/** The most the foreseen modifications may add for this base, or undefined when within the cap. */
export function modificationsExcess(b: ValueBreakdown): { limit: string } | undefined {
  const limit = new Dec(b.base).times(FORESEEN_MODIFICATIONS_CAP);
  return new Dec(b.modifications).greaterThan(limit) ? { limit: limit.toFixed(2) } : undefined;
}
