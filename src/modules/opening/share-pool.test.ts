import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../platform/clock.js';
import type { SharePayload } from '../sealing/sealing.types.js';
import { createSharePool } from './share-pool.js';

const share = (index: number): SharePayload => ({
  v: 1,
  ocid: 'ocds-x',
  bidId: '00000000-0000-4000-8000-000000000001',
  envelope: 'A',
  index,
  share: 'AAAA',
});

describe('share pool', () => {
  it('holds shares per stage and envelope, expires them after the TTL, and drops a stage', async () => {
    const clock = fixedClock(new Date('2026-12-16T15:00:00Z'));
    const pool = createSharePool(clock, 1000);
    pool.add('t1', 'A', 1, 'u1', new Map([['e1', share(1)]]));
    clock.advance(600);
    pool.add('t1', 'A', 2, 'u2', new Map([['e1', share(2)]]));
    expect([...pool.sharesFor('t1', 'A', 'e1').keys()]).toEqual([1, 2]);
    expect(pool.sharesFor('t1', 'B', 'e1').size).toBe(0);
    clock.advance(500);
    expect([...pool.submissions('t1', 'A').keys()]).toEqual([2]);
    pool.drop('t1', 'A');
    expect(pool.size()).toBe(0);
  });

  it('runs one task at a time per stage', async () => {
    const pool = createSharePool(fixedClock(new Date()));
    const order: string[] = [];
    const slow = pool.exclusive('t', 'A', async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push('first');
    });
    const fast = pool.exclusive('t', 'A', async () => {
      order.push('second');
    });
    await Promise.all([slow, fast]);
    expect(order).toEqual(['first', 'second']);
  });
});
