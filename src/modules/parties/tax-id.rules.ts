/**
 * Tax identifier rules for parties (bidders, contracting authorities, persons).
 *
 * Pure functions, no I/O: Spanish NIF/NIE/CIF checksums and EU VAT number
 * formats. No online VIES lookup happens here; a format-valid VAT number may
 * still be unregistered.
 */

export type TaxIdKind = 'NIF' | 'NIE' | 'CIF' | 'VAT';

export type TaxIdResult =
  | { ok: true; kind: TaxIdKind; normalized: string; country: string }
  | { ok: false; reason: 'FORMAT' | 'CHECKSUM' | 'COUNTRY' };

type FailureReason = Extract<TaxIdResult, { ok: false }>['reason'];

const success = (kind: TaxIdKind, normalized: string, country: string): TaxIdResult => ({
  ok: true,
  kind,
  normalized,
  country,
});

const failure = (reason: FailureReason): TaxIdResult => ({ ok: false, reason });

/**
 * Canonical form used for validation and storage: trimmed, upper-cased, with
 * whitespace, dots and hyphens removed (users paste "b-12.345.674", "ES B12345674").
 *
 * @param raw - identifier as typed by the user
 * @returns the normalised identifier (empty string for blank or non-string input)
 */
export function normalizeTaxId(raw: string): string {
  // Guard for untyped callers (form/JSON payloads) that may pass null/undefined.
  if (typeof raw !== 'string') return '';
  return raw
    .trim()
    .toUpperCase()
    .replace(/[\s.-]+/g, '');
}

// --- Spain -----------------------------------------------------------------
// NIF composition: Real Decreto 1065/2007, arts. 18-22 (DNI + letter, NIE,
// K/L/M). Entity NIF (formerly CIF) letters and control: Orden EHA/451/2008.

/** Mod-23 control letters; index = number % 23. */
const NIF_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';
/** CIF control letters; index = control digit. */
const CIF_LETTERS = 'JABCDEFGHI';
/** Entities whose CIF control must be a letter (Orden EHA/451/2008); all others take a digit. */
const CIF_LETTER_CONTROL = 'NPQRSW';

const DNI_RE = /^\d{8}[A-Z]$/;
const NIE_RE = /^[XYZ]\d{7}[A-Z]$/;
const KLM_RE = /^[KLM]\d{7}[A-Z]$/;
const CIF_RE = /^[ABCDEFGHJNPQRSUVW]\d{7}[0-9A-J]$/;

function mod23Letter(digits: string): string {
  // At most 8 digits, so Number() is exact.
  return NIF_LETTERS.charAt(Number(digits) % 23);
}

function cifControlDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(i) - 48;
    if (i % 2 === 0) {
      // 1st, 3rd, 5th, 7th digit: doubled, then its digits summed (18 -> 1+8).
      const doubled = d * 2;
      sum += doubled > 9 ? doubled - 9 : doubled;
    } else {
      sum += d;
    }
  }
  return (10 - (sum % 10)) % 10;
}

function validateNormalizedSpanish(id: string): TaxIdResult {
  if (DNI_RE.test(id)) {
    return id.charAt(8) === mod23Letter(id.slice(0, 8)) ? success('NIF', id, 'ES') : failure('CHECKSUM');
  }
  if (NIE_RE.test(id)) {
    // X/Y/Z stand for a leading 0/1/2 in the mod-23 computation.
    const prefix = String('XYZ'.indexOf(id.charAt(0)));
    return id.charAt(8) === mod23Letter(prefix + id.slice(1, 8))
      ? success('NIE', id, 'ES')
      : failure('CHECKSUM');
  }
  if (KLM_RE.test(id)) {
    // K/L/M NIFs (no DNI/NIE) reuse the DNI mod-23 rule on their 7 digits.
    return id.charAt(8) === mod23Letter(id.slice(1, 8)) ? success('NIF', id, 'ES') : failure('CHECKSUM');
  }
  if (CIF_RE.test(id)) {
    const control = cifControlDigit(id.slice(1, 8));
    const expected = CIF_LETTER_CONTROL.includes(id.charAt(0))
      ? CIF_LETTERS.charAt(control)
      : String(control);
    // A control of the wrong type for the entity (letter vs digit) is a bad check character.
    return id.charAt(8) === expected ? success('CIF', id, 'ES') : failure('CHECKSUM');
  }
  return failure('FORMAT');
}

/**
 * Validates a Spanish tax id without country prefix: NIF (DNI or K/L/M),
 * NIE or CIF, including its control character.
 *
 * @param raw - identifier as typed; normalised with {@link normalizeTaxId}
 * @returns `ok` with kind and `country: 'ES'`, or the failure reason
 *   (`FORMAT` for an unrecognised shape, `CHECKSUM` for a wrong control character)
 */
export function validateSpanishTaxId(raw: string): TaxIdResult {
  return validateNormalizedSpanish(normalizeTaxId(raw));
}

// --- EU VAT ----------------------------------------------------------------
// Prefixes per Council Directive 2006/112/EC art. 215 (ISO 3166 codes, except
// EL for Greece); XI is Northern Ireland under the Withdrawal Agreement's
// Ireland/Northern Ireland Protocol.

interface VatRule {
  /** ISO 3166-1 alpha-2 country of the VAT prefix. */
  readonly country: string;
  /** Shape of the part after the prefix. */
  readonly pattern: RegExp;
  /** Optional check-digit test, only for well-documented national algorithms. */
  readonly checksum?: (body: string) => boolean;
}

function digitAt(s: string, i: number): number {
  return s.charCodeAt(i) - 48;
}

/** BE: the last two digits are 97 - (first eight digits mod 97). */
function belgianChecksum(body: string): boolean {
  return (Number(body.slice(0, 8)) + Number(body.slice(8))) % 97 === 0;
}

/** DE: ISO 7064 MOD 11,10 over the first eight digits. */
function germanChecksum(body: string): boolean {
  let product = 10;
  for (let i = 0; i < 8; i++) {
    let sum = (digitAt(body, i) + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  return (11 - product) % 10 === digitAt(body, 8);
}

/** IT: partita IVA uses the Luhn algorithm over all eleven digits. */
function italianChecksum(body: string): boolean {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const d = digitAt(body, i);
    if (i % 2 === 1) {
      const doubled = d * 2;
      sum += doubled > 9 ? doubled - 9 : doubled;
    } else {
      sum += d;
    }
  }
  return sum % 10 === 0;
}

/** PT: NIF mod 11 with weights 9..2; a result of 10 or 11 becomes 0. */
function portugueseChecksum(body: string): boolean {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += digitAt(body, i) * (9 - i);
  return ((11 - (sum % 11)) % 11) % 10 === digitAt(body, 8);
}

const VAT_RULES: ReadonlyMap<string, VatRule> = new Map<string, VatRule>([
  ['AT', { country: 'AT', pattern: /^U\d{8}$/ }],
  ['BE', { country: 'BE', pattern: /^[01]\d{9}$/, checksum: belgianChecksum }],
  ['BG', { country: 'BG', pattern: /^\d{9,10}$/ }],
  ['CY', { country: 'CY', pattern: /^\d{8}[A-Z]$/ }],
  ['CZ', { country: 'CZ', pattern: /^\d{8,10}$/ }],
  // DE and PT numbers never start with 0.
  ['DE', { country: 'DE', pattern: /^[1-9]\d{8}$/, checksum: germanChecksum }],
  ['DK', { country: 'DK', pattern: /^\d{8}$/ }],
  ['EE', { country: 'EE', pattern: /^\d{9}$/ }],
  ['EL', { country: 'GR', pattern: /^\d{9}$/ }],
  // ES body is checked as a Spanish NIF/NIE/CIF in validateEuVat.
  ['ES', { country: 'ES', pattern: /^[0-9A-Z]\d{7}[0-9A-Z]$/ }],
  ['FI', { country: 'FI', pattern: /^\d{8}$/ }],
  // FR: 2-character key (digits or letters except I and O) + 9-digit SIREN.
  ['FR', { country: 'FR', pattern: /^[0-9A-HJ-NP-Z]{2}\d{9}$/ }],
  ['HR', { country: 'HR', pattern: /^\d{11}$/ }],
  ['HU', { country: 'HU', pattern: /^\d{8}$/ }],
  // IE: 7 digits + 1-2 letters, or the older digit/letter/5 digits/letter form.
  ['IE', { country: 'IE', pattern: /^(?:\d{7}[A-W][A-W]?|\d[A-Z+*]\d{5}[A-W])$/ }],
  ['IT', { country: 'IT', pattern: /^\d{11}$/, checksum: italianChecksum }],
  ['LT', { country: 'LT', pattern: /^(?:\d{9}|\d{12})$/ }],
  ['LU', { country: 'LU', pattern: /^\d{8}$/ }],
  ['LV', { country: 'LV', pattern: /^\d{11}$/ }],
  ['MT', { country: 'MT', pattern: /^\d{8}$/ }],
  ['NL', { country: 'NL', pattern: /^\d{9}B\d{2}$/ }],
  ['PL', { country: 'PL', pattern: /^\d{10}$/ }],
  ['PT', { country: 'PT', pattern: /^[1-9]\d{8}$/, checksum: portugueseChecksum }],
  ['RO', { country: 'RO', pattern: /^[1-9]\d{1,9}$/ }],
  ['SE', { country: 'SE', pattern: /^\d{10}01$/ }],
  ['SI', { country: 'SI', pattern: /^\d{8}$/ }],
  ['SK', { country: 'SK', pattern: /^\d{10}$/ }],
  // XI: UK formats (9 or 12 digits, government departments GD000-499, health authorities HA500-999).
  ['XI', { country: 'GB', pattern: /^(?:\d{9}|\d{12}|GD[0-4]\d{2}|HA[5-9]\d{2})$/ }],
]);

function validateNormalizedVat(id: string): TaxIdResult {
  if (id === '') return failure('FORMAT');
  const rule = VAT_RULES.get(id.slice(0, 2));
  if (rule === undefined) return failure('COUNTRY');
  const body = id.slice(2);
  if (!rule.pattern.test(body)) return failure('FORMAT');
  if (rule.country === 'ES') {
    const spanish = validateNormalizedSpanish(body);
    if (!spanish.ok) return spanish;
  } else if (rule.checksum !== undefined && !rule.checksum(body)) {
    return failure('CHECKSUM');
  }
  return success('VAT', id, rule.country);
}

/**
 * Validates an EU VAT number, which must carry its country prefix
 * (e.g. `DE136695976`, `ESB12345674`, `EL…` for Greece, `XI…` for Northern Ireland).
 *
 * Checks the national format; ES numbers must also pass the Spanish NIF/NIE/CIF
 * check, and BE, DE, IT and PT numbers their national check digit. No VIES lookup.
 *
 * @param raw - VAT number as typed; normalised with {@link normalizeTaxId}
 * @returns `ok` with `kind: 'VAT'`, the prefixed normalised number and the ISO
 *   country (`GR` for `EL`, `GB` for `XI`); or `COUNTRY` when the prefix is
 *   missing or not an EU VAT prefix, `FORMAT` (also for empty input), or `CHECKSUM`
 */
export function validateEuVat(raw: string): TaxIdResult {
  return validateNormalizedVat(normalizeTaxId(raw));
}

/**
 * Validates either a Spanish NIF/NIE/CIF without prefix or a prefixed EU VAT
 * number. Two leading letters mean a VAT prefix; Spanish ids never start that way.
 *
 * @param raw - identifier as typed; normalised with {@link normalizeTaxId}
 * @returns the result of {@link validateEuVat} or {@link validateSpanishTaxId}
 */
export function validateTaxId(raw: string): TaxIdResult {
  const id = normalizeTaxId(raw);
  return /^[A-Z]{2}/.test(id) ? validateNormalizedVat(id) : validateNormalizedSpanish(id);
}
