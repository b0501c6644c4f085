import { describe, expect, it } from 'vitest';
import { DEMO_CPV } from './cpv.demo.js';
import { checkCpv, formatCpv, parseCpv } from './cpv.rules.js';

const known = new Map(DEMO_CPV.map((c) => [c.code, c.checkDigit]));

describe('CPV codes', () => {
  it('parses the written form', () => {
    expect(parseCpv('45000000-7')).toEqual({ code: '45000000', checkDigit: '7' });
    expect(parseCpv(' 72000000 ')).toEqual({ code: '72000000', checkDigit: null });
    for (const bad of ['4500000-7', '45000000-77', '45000000/7', 'ABCDEFGH-1', ''])
      expect(parseCpv(bad), bad).toBeUndefined();
  });

  it('accepts a known code with or without its official check digit', () => {
    expect(checkCpv('45000000-7', known)).toBeUndefined();
    expect(checkCpv('90910000', known)).toBeUndefined();
  });

  it('refuses a wrong check digit, an unknown code and a malformed one', () => {
    expect(checkCpv('45000000-8', known)).toBe('CHECK_DIGIT');
    expect(checkCpv('45999999-1', known)).toBe('UNKNOWN');
    expect(checkCpv('45-000000', known)).toBe('FORMAT');
  });

  it('formats with the official check digit', () => {
    expect(formatCpv('72000000', '5')).toBe('72000000-5');
  });

  it('keeps the demo subset free of duplicates and fully labelled', () => {
    expect(new Set(DEMO_CPV.map((c) => c.code)).size).toBe(DEMO_CPV.length);
    for (const c of DEMO_CPV) {
      expect(c.code).toMatch(/^\d{8}$/);
      expect(c.checkDigit).toMatch(/^\d$/);
      expect(c.ca && c.es && c.en, c.code).toBeTruthy();
    }
  });
});
