import { describe, expect, it } from 'vitest';
import { FILE_FORMATS } from '../../platform/storage/content-type.js';
import { DOCUMENT_CONTENT_TYPES, safeFileName } from './tender-document.rules.js';

describe('document file names', () => {
  it.each([
    ['Plec clàusules.pdf', 'Plec clàusules.pdf'],
    ['C:\\Users\\anna\\Desktop\\PCAP 2026.pdf', 'PCAP 2026.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['.htaccess', 'htaccess'],
    ['  informe\tde   necessitat.odt  ', 'informe de necessitat.odt'],
    // A right-to-left override would show "annexfdp.exe" as "annexexe.pdf".
    ['annex\u202Efdp.exe', 'annexfdp.exe'],
    ['nul\u0000byte.pdf', 'nulbyte.pdf'],
    // Decomposed "à" (a + combining grave) is stored composed.
    ['cla\u0300usules.pdf', 'clàusules.pdf'],
    ['', 'document'],
    ['...', 'document'],
  ])('%j → %j', (raw, expected) => {
    expect(safeFileName(raw)).toBe(expected);
  });

  it('shortens a long name to 200 characters, keeping the extension', () => {
    const name = safeFileName(`${'à'.repeat(300)}.docx`);
    expect([...name]).toHaveLength(200);
    expect(name.endsWith('à.docx')).toBe(true);
  });
});

describe('accepted document types', () => {
  it('are all formats the content sniffer knows', () => {
    const known = FILE_FORMATS.map((f) => f.mime);
    expect(DOCUMENT_CONTENT_TYPES.filter((t) => !known.includes(t))).toEqual([]);
  });
});
