import { describe, expect, it } from 'vitest';
import { contentDisposition } from './documents.js';

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
