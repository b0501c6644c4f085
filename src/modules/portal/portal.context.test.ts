import { describe, expect, it } from 'vitest';
import { safeNext } from './portal.context.js';

describe('safeNext', () => {
  it('keeps local paths', () => {
    expect(safeNext('/account')).toBe('/account');
    expect(safeNext('/tenders?q=neteja&page=2')).toBe('/tenders?q=neteja&page=2');
  });

  it.each([
    ['another origin', 'https://evil.example/'],
    ['a protocol-relative URL', '//evil.example'],
    ['a backslash', '/\\evil.example'],
    ['a tab browsers drop', '/\t/evil.example'],
    ['a newline', '/\n/evil.example'],
    ['a space', '/ /evil.example'],
    ['nothing', undefined],
    ['a relative path', 'account'],
  ])('refuses %s', (_name, next) => {
    expect(safeNext(next, '/fallback')).toBe('/fallback');
  });
});
