import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatMoney, LOCALE_PARTS, LOCALES, RESOURCES, translator } from './i18n.js';

const SRC = path.resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'locales' ? [] : sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const code = sourceFiles(SRC)
  .map((f) => fs.readFileSync(f, 'utf8'))
  .join('\n');
const catalan = Object.keys(RESOURCES.ca);

describe('translations', () => {
  it('has the same keys in Catalan, Spanish and English', () => {
    for (const locale of LOCALES) {
      expect(Object.keys(RESOURCES[locale]).sort(), locale).toEqual([...catalan].sort());
    }
  });

  it('defines each key in one area file only', () => {
    for (const locale of LOCALES) {
      const seen = new Map<string, number>();
      for (const part of LOCALE_PARTS[locale]) {
        for (const key of Object.keys(part)) seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      expect(
        [...seen].filter(([, n]) => n > 1).map(([k]) => k),
        locale,
      ).toEqual([]);
    }
  });

  it('has no empty translation', () => {
    for (const locale of LOCALES) {
      const empty = Object.entries(RESOURCES[locale]).filter(
        ([, v]) => typeof v !== 'string' || v.trim() === '',
      );
      expect(empty, locale).toEqual([]);
    }
  });

  it('defines every key the code uses', () => {
    const used = [...code.matchAll(/\bt\(\s*'([A-Za-z0-9_.]+)'/g)].map((m) => m[1] as string);
    expect(used.length).toBeGreaterThan(50);
    const missing = [...new Set(used)].filter((k) => !catalan.includes(k));
    expect(missing).toEqual([]);
  });

  it('uses every key it defines (each appears literally in the code)', () => {
    const unused = catalan.filter((k) => !code.includes(`'${k}'`));
    expect(unused).toEqual([]);
  });

  it('keeps the same interpolation variables in every language', () => {
    const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    for (const key of catalan) {
      const expected = vars(RESOURCES.ca[key] ?? '');
      for (const locale of LOCALES) {
        expect(vars(RESOURCES[locale][key] ?? ''), `${locale}:${key}`).toEqual(expected);
      }
    }
  });

  it('translates and interpolates per language', () => {
    expect(translator('ca')('nav.signIn')).toBe('Iniciar la sessió');
    expect(translator('es')('nav.signIn')).toBe('Iniciar sesión');
    expect(translator('en')('layout.signedInAs', { name: 'Ada' })).toBe('Signed in as Ada');
  });

  it('formats money from decimal strings without float rounding', () => {
    expect(formatMoney('en', '1234567.89')).toBe('€1,234,567.89');
    // A value a binary double cannot hold exactly still prints as written.
    expect(formatMoney('en', '90071992547409.93')).toBe('€90,071,992,547,409.93');
    expect(formatMoney('es', '12345.5')).toMatch(/^12\.345,50\s€$/);
  });
});
