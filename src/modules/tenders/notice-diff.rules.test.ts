import { describe, expect, it } from 'vitest';
import { noticeDiff } from './notice-diff.rules.js';

describe('noticeDiff', () => {
  it('reports nothing for equal notices, whatever the publication time', () => {
    const n = { title: { ca: 'Neteja' }, lots: [{ number: 1, value: '100.00' }], publishedAt: 'a' };
    expect(noticeDiff(n, { ...n, publishedAt: 'b' })).toEqual([]);
  });

  it('reports changed, added and removed leaves with their old and new text', () => {
    const before = { tenderDeadline: '2026-12-01T13:00:00.000Z', lots: [{ criteria: [{ weight: '35' }] }] };
    const after = {
      tenderDeadline: '2026-12-15T13:00:00.000Z',
      lots: [{ criteria: [{ weight: '30' }, { weight: '5' }] }],
    };
    expect(noticeDiff(before, after)).toEqual([
      { path: 'lots.1.criteria.1.weight', before: '35', after: '30' },
      { path: 'lots.1.criteria.2.weight', before: null, after: '5' },
      { path: 'tenderDeadline', before: '2026-12-01T13:00:00.000Z', after: '2026-12-15T13:00:00.000Z' },
    ]);
    expect(noticeDiff(after, before).map((c) => c.before)).toEqual(['30', '5', '2026-12-15T13:00:00.000Z']);
  });

  it('orders list positions numerically and shows emptied lists', () => {
    const many = Array.from({ length: 11 }, (_, i) => i);
    const changes = noticeDiff({ a: many }, { a: many.map((x) => (x === 9 || x === 10 ? -1 : x)) });
    expect(changes.map((c) => c.path)).toEqual(['a.10', 'a.11']);
    expect(noticeDiff({ docs: ['x'] }, { docs: [] })).toEqual([
      { path: 'docs', before: null, after: '' },
      { path: 'docs.1', before: 'x', after: null },
    ]);
  });
});
