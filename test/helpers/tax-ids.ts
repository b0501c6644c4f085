import { randomInt } from 'node:crypto';

const NIF_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

const base = randomInt(0, 99_999) * 1000;
let next = 0;

/**
 * A valid Spanish DNI-style NIF (8 digits and the mod-23 letter), different on every call within
 * one test file, so that each registration has its own tax id.
 */
export function validNif(): string {
  next += 1;
  if (next >= 1000) throw new Error('validNif: more than 999 ids in one file');
  const digits = String(base + next).padStart(8, '0');
  return `${digits}${NIF_LETTERS.charAt(Number(digits) % 23)}`;
}

/** The CIF control digit of entity letters that take a digit (A, B, ...), over its seven digits. */
export function cifControlDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[i]);
    if (i % 2 === 0) {
      const doubled = d * 2;
      sum += doubled > 9 ? doubled - 9 : doubled;
    } else {
      sum += d;
    }
  }
  return (10 - (sum % 10)) % 10;
}
