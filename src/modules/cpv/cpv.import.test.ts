import { describe, expect, it } from 'vitest';
import { DomainError } from '../../platform/errors.js';
import { parseCpvCsv } from './cpv.import.js';

describe('CPV import', () => {
  it('reads comma- and semicolon-separated files with quoted labels', () => {
    const comma =
      'code,ca,es,en\n45000000-7,Treballs de construcció,Trabajos de construcción,Construction work\n72000000-5,"Serveis de TI: consultoria, desenvolupament",Servicios TI,IT services\n';
    expect(parseCpvCsv(comma)).toEqual([
      {
        code: '45000000',
        checkDigit: '7',
        ca: 'Treballs de construcció',
        es: 'Trabajos de construcción',
        en: 'Construction work',
      },
      {
        code: '72000000',
        checkDigit: '5',
        ca: 'Serveis de TI: consultoria, desenvolupament',
        es: 'Servicios TI',
        en: 'IT services',
      },
    ]);
    expect(
      parseCpvCsv(
        '\ufeffcode;ca;es;en\n90910000-9;Serveis de neteja;Servicios de limpieza;Cleaning services\n',
      ),
    ).toHaveLength(1);
  });

  it('refuses the whole file when any row is bad, naming the lines', () => {
    const bad = 'code,ca,es,en\n45000000,a,b,c\n72000000-5,a,,c\n72000000-5,a,b,c\n72000000-5,a,b,c\n';
    try {
      parseCpvCsv(bad);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).details).toEqual({
        problems: [
          'line 2: code "45000000" is not NNNNNNNN-D',
          'line 3: a label is missing',
          'line 5: code 72000000 repeated',
        ],
      });
    }
  });

  it('refuses an empty or unreadable file', () => {
    expect(() => parseCpvCsv('code,ca,es,en\n')).toThrow(/no CPV rows/);
    expect(() => parseCpvCsv('code,ca,es,en\n"unterminated,a,b,c\n')).toThrow(/Not a readable CSV/);
  });
});
