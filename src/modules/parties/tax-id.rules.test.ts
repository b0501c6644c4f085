import { describe, it, expect } from 'vitest';
import {
  normalizeTaxId,
  validateEuVat,
  validateSpanishTaxId,
  validateTaxId,
  type TaxIdKind,
  type TaxIdResult,
} from './tax-id.rules.js';

type Reason = Extract<TaxIdResult, { ok: false }>['reason'];

// Check characters below were computed by hand (working in the comments) and
// cross-checked against python-stdnum.
const validSpanish: ReadonlyArray<[id: string, kind: TaxIdKind, why: string]> = [
  ['12345678Z', 'NIF', '12345678 % 23 = 14 -> Z'],
  ['00000000T', 'NIF', '0 % 23 = 0 -> T'],
  ['87654321X', 'NIF', '87654321 % 23 = 10 -> X'],
  ['99999999R', 'NIF', '99999999 % 23 = 1 -> R'],
  ['X1234567L', 'NIE', 'X=0: 01234567 % 23 = 19 -> L'],
  ['Y1234567X', 'NIE', 'Y=1: 11234567 % 23 = 10 -> X'],
  ['Z1234567R', 'NIE', 'Z=2: 21234567 % 23 = 1 -> R'],
  ['X0000000T', 'NIE', '0 % 23 = 0 -> T'],
  ['K1234567L', 'NIF', 'K: 1234567 % 23 = 19 -> L'],
  ['L1234567L', 'NIF', 'L: 1234567 % 23 = 19 -> L'],
  ['M1234567L', 'NIF', 'M: 1234567 % 23 = 19 -> L'],
  ['M0000000T', 'NIF', 'M: 0 -> T'],
  ['A58818501', 'CIF', 'odd 5,8,8,0 -> 1+7+7+0=15; even 8+1+5=14; 29 -> 1'],
  ['B12345674', 'CIF', 'odd 1,3,5,7 -> 2+6+1+5=14; even 2+4+6=12; 26 -> 4'],
  ['G00000000', 'CIF', 'sum 0 -> digit 0'],
  ['H20000048', 'CIF', 'odd 2,0,0,4 -> 4+0+0+8=12; even 0; 12 -> 8'],
  ['J98765431', 'CIF', 'odd 9,7,5,3 -> 9+5+1+6=21; even 8+6+4=18; 39 -> 1'],
  ['U55555551', 'CIF', 'odd 5x4 -> 1x4=4; even 15; 19 -> 1'],
  ['V11111119', 'CIF', 'odd 1x4 -> 2x4=8; even 3; 11 -> 9'],
  ['P2807900B', 'CIF', 'odd 2,0,9,0 -> 4+0+9+0=13; even 8+7+0=15; 28 -> 2 -> B'],
  ['Q2818014I', 'CIF', 'odd 2,1,0,4 -> 4+2+0+8=14; even 8+8+1=17; 31 -> 9 -> I'],
  ['N0000000J', 'CIF', 'sum 0 -> 0 -> J'],
  ['R4100000A', 'CIF', 'odd 4,0,0,0 -> 8; even 1; 9 -> 1 -> A'],
  ['S1234560I', 'CIF', 'odd 1,3,5,0 -> 2+6+1+0=9; even 2+4+6=12; 21 -> 9 -> I'],
  ['W0032484H', 'CIF', 'odd 0,3,4,4 -> 0+6+8+8=22; even 0+2+8=10; 32 -> 8 -> H'],
];

const invalidSpanish: ReadonlyArray<[id: string, reason: Reason, why: string]> = [
  ['12345678A', 'CHECKSUM', 'DNI letter should be Z'],
  ['87654321Z', 'CHECKSUM', 'DNI letter should be X'],
  ['X1234567A', 'CHECKSUM', 'NIE letter should be L'],
  ['Y1234567L', 'CHECKSUM', 'Y prefix changes the letter to X'],
  ['K1234567A', 'CHECKSUM', 'K letter should be L'],
  ['A58818502', 'CHECKSUM', 'CIF control should be 1'],
  ['B12345675', 'CHECKSUM', 'CIF control should be 4'],
  ['P2807900C', 'CHECKSUM', 'CIF control letter should be B'],
  ['A5881850A', 'CHECKSUM', 'A takes a digit control, not the letter form'],
  ['P28079002', 'CHECKSUM', 'P takes a letter control, not the digit form'],
  ['1234567Z', 'FORMAT', 'DNI with 7 digits'],
  ['123456789Z', 'FORMAT', 'DNI with 9 digits'],
  ['12345678', 'FORMAT', 'DNI without letter'],
  ['X12345678L', 'FORMAT', 'NIE with 8 digits'],
  ['B1234567', 'FORMAT', 'CIF without control'],
  ['B123456745', 'FORMAT', 'CIF too long'],
  ['I1234567A', 'FORMAT', 'I is not an entity letter'],
  ['B1234567K', 'FORMAT', 'K is not a CIF control letter'],
  ['12345678Ñ', 'FORMAT', 'non-ASCII letter'],
  ['ESB12345674', 'FORMAT', 'VAT prefix is not accepted here'],
  ['', 'FORMAT', 'empty'],
];

const validVat: ReadonlyArray<[vat: string, country: string]> = [
  ['ATU13585627', 'AT'],
  ['BE0403170701', 'BE'],
  ['BE1000000021', 'BE'], // 10000000 % 97 = 76; 97 - 76 = 21
  ['BG175074752', 'BG'],
  ['CY10259033P', 'CY'],
  ['CZ25123891', 'CZ'],
  ['DE136695976', 'DE'],
  ['DK13585628', 'DK'],
  ['EE100931558', 'EE'],
  ['EL094014201', 'GR'],
  ['ESB12345674', 'ES'],
  ['ES12345678Z', 'ES'],
  ['ESX1234567L', 'ES'],
  ['FI20774740', 'FI'],
  ['FR40303265045', 'FR'],
  ['FRK7399859412', 'FR'],
  ['HR33392005961', 'HR'],
  ['HU12892312', 'HU'],
  ['IE6433435F', 'IE'],
  ['IE3628739UA', 'IE'],
  ['IE8D79739I', 'IE'],
  ['IT00743110157', 'IT'],
  ['LT119511515', 'LT'],
  ['LU20260743', 'LU'],
  ['LV40003521600', 'LV'],
  ['MT11679112', 'MT'],
  ['NL004495445B01', 'NL'],
  ['PL8567346215', 'PL'],
  ['PT501964843', 'PT'],
  ['RO18547290', 'RO'],
  ['SE556188840401', 'SE'],
  ['SI50223054', 'SI'],
  ['SK2022749619', 'SK'],
  ['XI980780684', 'GB'],
  ['XIGD001', 'GB'],
];

const invalidVat: ReadonlyArray<[vat: string, reason: Reason, why: string]> = [
  ['US123456789', 'COUNTRY', 'not an EU prefix'],
  ['GB980780684', 'COUNTRY', 'GB left the EU VAT area; only XI is accepted'],
  ['GR094014201', 'COUNTRY', 'Greece uses EL, not its ISO code'],
  ['12345678Z', 'COUNTRY', 'missing prefix'],
  ['B12345674', 'COUNTRY', 'missing prefix'],
  ['', 'FORMAT', 'empty'],
  ['DE', 'FORMAT', 'prefix only'],
  ['DE13669597', 'FORMAT', 'DE with 8 digits'],
  ['DE1366959761', 'FORMAT', 'DE with 10 digits'],
  ['DE036695976', 'FORMAT', 'DE never starts with 0'],
  ['DE136695977', 'CHECKSUM', 'DE check digit should be 6'],
  ['ATU1358562', 'FORMAT', 'AT with 7 digits'],
  ['AT13585627', 'FORMAT', 'AT without U'],
  ['BE2403170701', 'FORMAT', 'BE must start with 0 or 1'],
  ['BE403170701', 'FORMAT', 'BE with 9 digits'],
  ['BE0403170702', 'CHECKSUM', 'BE mod 97 mismatch'],
  ['FRIO303265045', 'FORMAT', 'I and O are not used in the FR key'],
  ['FR4030326504', 'FORMAT', 'FR SIREN with 8 digits'],
  ['IT00743110158', 'CHECKSUM', 'IT Luhn mismatch'],
  ['IT0074311015', 'FORMAT', 'IT with 10 digits'],
  ['NL004495445A01', 'FORMAT', 'NL needs B before the suffix'],
  ['NL004495445B1', 'FORMAT', 'NL suffix needs 2 digits'],
  ['PT501964844', 'CHECKSUM', 'PT check digit should be 3'],
  ['SE556188840402', 'FORMAT', 'SE must end in 01'],
  ['XIGD500', 'FORMAT', 'GD range is 000-499'],
  ['ESB12345675', 'CHECKSUM', 'ES body fails the CIF check'],
  ['ES12345678A', 'CHECKSUM', 'ES body fails the DNI check'],
  ['ESX1234567A', 'CHECKSUM', 'ES body fails the NIE check'],
  ['ESB1234567', 'FORMAT', 'ES body too short'],
  ['ESI1234567A', 'FORMAT', 'ES body is not a NIF/NIE/CIF'],
];

describe('normalizeTaxId', () => {
  it.each([
    [' es-b12.345.674 ', 'ESB12345674'],
    ['12.345.678-z', '12345678Z'],
    ['\tx 1234567 l\n', 'X1234567L'],
    ['de 136\u00a0695\u00a0976', 'DE136695976'],
    ['nl004495445b01', 'NL004495445B01'],
    ['   ', ''],
    ['', ''],
  ])('normalises %j to %j', (raw, expected) => {
    expect(normalizeTaxId(raw)).toBe(expected);
  });

  it('is idempotent', () => {
    const once = normalizeTaxId(' b-12.345.674 ');
    expect(normalizeTaxId(once)).toBe(once);
  });
});

describe('validateSpanishTaxId', () => {
  it.each(validSpanish)('accepts %s as %s (%s)', (id, kind) => {
    expect(validateSpanishTaxId(id)).toEqual({ ok: true, kind, normalized: id, country: 'ES' });
  });

  it.each(invalidSpanish)('rejects %j with %s (%s)', (id, reason) => {
    expect(validateSpanishTaxId(id)).toEqual({ ok: false, reason });
  });

  it.each([
    ['12.345.678-z', 'NIF', '12345678Z'],
    [' x-1234567-l ', 'NIE', 'X1234567L'],
    ['b 12.345.674', 'CIF', 'B12345674'],
    ['a-58818501', 'CIF', 'A58818501'],
    ['p2807900b', 'CIF', 'P2807900B'],
  ] as const)('normalises %j before validating', (raw, kind, normalized) => {
    expect(validateSpanishTaxId(raw)).toEqual({ ok: true, kind, normalized, country: 'ES' });
  });
});

describe('validateEuVat', () => {
  it.each(validVat)('accepts %s (country %s)', (vat, country) => {
    expect(validateEuVat(vat)).toEqual({ ok: true, kind: 'VAT', normalized: vat, country });
  });

  it.each(invalidVat)('rejects %j with %s (%s)', (vat, reason) => {
    expect(validateEuVat(vat)).toEqual({ ok: false, reason });
  });

  it.each([
    [' es b-12.345.674 ', 'ESB12345674', 'ES'],
    ['de 136-695-976', 'DE136695976', 'DE'],
    ['el 094.014.201', 'EL094014201', 'GR'],
    ['nl 0044.95.445.b.01', 'NL004495445B01', 'NL'],
    ['atu 1358 5627', 'ATU13585627', 'AT'],
  ])('normalises %j to %s', (raw, normalized, country) => {
    expect(validateEuVat(raw)).toEqual({ ok: true, kind: 'VAT', normalized, country });
  });
});

describe('validateTaxId', () => {
  it.each([
    ['12345678Z', 'NIF', 'ES'],
    ['X1234567L', 'NIE', 'ES'],
    ['M1234567L', 'NIF', 'ES'],
    ['B12345674', 'CIF', 'ES'],
    ['ESB12345674', 'VAT', 'ES'],
    ['DE136695976', 'VAT', 'DE'],
    ['EL094014201', 'VAT', 'GR'],
  ] as const)('routes %s to %s', (id, kind, country) => {
    expect(validateTaxId(id)).toEqual({ ok: true, kind, normalized: id, country });
  });

  it.each([
    ['12345678A', 'CHECKSUM'],
    ['B1234567', 'FORMAT'],
    ['ESB12345675', 'CHECKSUM'],
    ['DE136695977', 'CHECKSUM'],
    ['ZZ123456789', 'COUNTRY'],
    ['', 'FORMAT'],
  ] as const)('rejects %j with %s', (id, reason) => {
    expect(validateTaxId(id)).toEqual({ ok: false, reason });
  });

  it('normalises before routing', () => {
    expect(validateTaxId(' es-b12.345.674 ')).toEqual({
      ok: true,
      kind: 'VAT',
      normalized: 'ESB12345674',
      country: 'ES',
    });
    expect(validateTaxId('12.345.678-z')).toEqual({
      ok: true,
      kind: 'NIF',
      normalized: '12345678Z',
      country: 'ES',
    });
  });

  it('agrees with validateSpanishTaxId and validateEuVat on their inputs', () => {
    for (const [id] of validSpanish) expect(validateTaxId(id)).toEqual(validateSpanishTaxId(id));
    for (const [vat] of validVat) expect(validateTaxId(vat)).toEqual(validateEuVat(vat));
  });
});
