/**
 * CPV codes (Common Procurement Vocabulary, Reg. (EC) 213/2008): eight digits and a check digit,
 * written "45000000-7". The published check-digit formula does not reproduce the official list,
 * so the check digit is verified against the loaded vocabulary (`cpv_code`), not computed.
 */
export type CpvParts = { code: string; checkDigit: string | null };

const CPV_RE = /^(\d{8})(?:-(\d))?$/;

/** Splits "45000000-7" into its code and check digit; undefined when the structure is wrong. */
export function parseCpv(value: string): CpvParts | undefined {
  const m = CPV_RE.exec(value.trim());
  if (!m) return undefined;
  return { code: m[1] as string, checkDigit: m[2] ?? null };
}

export type CpvProblem = 'FORMAT' | 'UNKNOWN' | 'CHECK_DIGIT';

/**
 * Checks a CPV against the vocabulary: the structure, that the code exists, and that a given
 * check digit is the official one. `known` maps each code to its check digit.
 */
export function checkCpv(value: string, known: ReadonlyMap<string, string>): CpvProblem | undefined {
  const parts = parseCpv(value);
  if (!parts) return 'FORMAT';
  const digit = known.get(parts.code);
  if (digit === undefined) return 'UNKNOWN';
  if (parts.checkDigit !== null && parts.checkDigit !== digit) return 'CHECK_DIGIT';
  return undefined;
}

/** The canonical written form, with the official check digit. */
export function formatCpv(code: string, checkDigit: string): string {
  return `${code}-${checkDigit}`;
}
