import { Decimal } from 'decimal.js';

/**
 * Money, scores and percentages are decimals, never binary floats: 0.1 + 0.2 must be 0.3 in a
 * price formula, and rounding must follow the rule chosen, not the CPU.
 */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = Decimal;

const DECIMAL_RE = /^-?\d{1,15}(\.\d{1,6})?$/;

/** Parses a decimal string such as "1234.50". Returns undefined for anything else (no exponents, no floats). */
export function parseDecimal(value: string): Dec | undefined {
  if (!DECIMAL_RE.test(value)) return undefined;
  return new Dec(value);
}

/** A percentage in [0, 100] with up to two decimals, or undefined. */
export function parsePercentage(value: string): Dec | undefined {
  const d = parseDecimal(value);
  if (!d || d.isNegative() || d.greaterThan(100) || d.decimalPlaces() > 2) return undefined;
  return d;
}
