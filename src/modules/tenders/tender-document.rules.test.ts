import { describe, expect, it } from 'vitest';
import { FILE_FORMATS } from '../../platform/storage/content-type.js';
import { contentDisposition, DOCUMENT_CONTENT_TYPES, safeFileName } from './tender-document.rules.js';

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

describe('Content-Disposition', () => {
  it('is always an attachment, with an ASCII fallback and the exact UTF-8 name', () => {
    expect(contentDisposition('Plec clàusules (v2).pdf')).toBe(
      `attachment; filename="Plec clausules (v2).pdf"; filename*=UTF-8''Plec%20cl%C3%A0usules%20%28v2%29.pdf`,
    );
  });

  it('cannot be broken out of by quotes, backslashes or line breaks', () => {
    const header = contentDisposition('a"; filename="evil.html\\\r\n.pdf');
    expect(header).toBe(
      `attachment; filename="a_; filename=_evil.html___.pdf"; filename*=UTF-8''a%22%3B%20filename%3D%22evil.html%5C%0D%0A.pdf`,
    );
    expect(header).not.toMatch(/[\r\n]/);
  });
});

describe('accepted document types', () => {
  it('are all formats the content sniffer knows', () => {
    const known = FILE_FORMATS.map((f) => f.mime);
    expect(DOCUMENT_CONTENT_TYPES.filter((t) => !known.includes(t))).toEqual([]);
  });
});
