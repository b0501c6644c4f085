import { describe, expect, it } from 'vitest';
import { translator } from '../../platform/i18n/i18n.js';
import { diffValue } from './tenders-public.labels.js';

const t = translator('en');
const text = (v: unknown) => String(v);

describe('diffValue', () => {
  it('formats the instants of date fields', () => {
    expect(text(diffValue(t, 'en', 'tenderDeadline', '2026-12-16T13:00:00.000Z'))).toContain(
      '<time datetime="2026-12-16T13:00:00.000Z">',
    );
  });

  it('leaves a title that looks like a date, or an impossible date, as text (never throws)', () => {
    expect(text(diffValue(t, 'en', 'title.ca', '2026-12-16T13:00:00Z'))).toBe('2026-12-16T13:00:00Z');
    expect(text(diffValue(t, 'en', 'tenderDeadline', '2026-13-01T00:00:00Z'))).toBe('2026-13-01T00:00:00Z');
  });
});
