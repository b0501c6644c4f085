import { describe, expect, it } from 'vitest';
import { DomainError } from '../../platform/errors.js';
import {
  assertBeforeDeadline,
  assertCommitmentDue,
  biddingTerms,
  buildCommitment,
  checkLots,
  nextBidStatus,
} from './bid.rules.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof DomainError ? err.code : 'OTHER';
  }
  return undefined;
};

describe('bid rules', () => {
  const deadline = new Date('2026-12-16T13:00:00.000Z');
  const at = (ms: number) => new Date(deadline.getTime() + ms);

  it('accepts a bid only strictly before the deadline, by the server clock', () => {
    expect(code(() => assertBeforeDeadline(at(-1), deadline))).toBeUndefined();
    expect(code(() => assertBeforeDeadline(at(0), deadline))).toBe('DEADLINE_PASSED');
    expect(code(() => assertBeforeDeadline(at(1), deadline))).toBe('DEADLINE_PASSED');
    expect(code(() => assertBeforeDeadline(at(-1), null))).toBe('INVALID_TRANSITION');
  });

  it('publishes the commitment only once the deadline is reached', () => {
    expect(code(() => assertCommitmentDue(at(-1), deadline))).toBe('COMMITMENT_NOT_YET');
    expect(code(() => assertCommitmentDue(at(0), deadline))).toBeUndefined();
  });

  it('moves a bid between submitted and withdrawn', () => {
    expect(nextBidStatus(null, 'submit')).toBe('submitted');
    expect(nextBidStatus('submitted', 'submit')).toBe('submitted');
    expect(nextBidStatus('withdrawn', 'submit')).toBe('submitted');
    expect(nextBidStatus('submitted', 'withdraw')).toBe('withdrawn');
    expect(code(() => nextBidStatus('withdrawn', 'withdraw'))).toBe('INVALID_TRANSITION');
    expect(code(() => nextBidStatus(null, 'withdraw'))).toBe('INVALID_TRANSITION');
  });

  it('checks lots against the notice and its per-bidder limit (art. 99.4)', () => {
    const terms = { lots: [1, 2, 3], maxLotsPerBidder: 2 };
    expect(checkLots([2, 1], terms)).toEqual([1, 2]);
    expect(code(() => checkLots([1, 1], terms))).toBe('UNPROCESSABLE');
    expect(code(() => checkLots([4], terms))).toBe('UNPROCESSABLE');
    expect(code(() => checkLots([1, 2, 3], terms))).toBe('UNPROCESSABLE');
    expect(checkLots([1, 2, 3], { ...terms, maxLotsPerBidder: null })).toEqual([1, 2, 3]);
  });

  it('reads the bidding terms from the notice, and no sealing target from an old notice', () => {
    const tender = {
      id: 't',
      authority_id: 'a',
      ocid: 'ocds-abcdef-x',
      status: 'published',
      tender_deadline: deadline,
    };
    const notice = JSON.stringify({
      lots: [{ number: 1 }, { number: 2 }],
      envelopes: ['C', 'A'],
      maxLotsPerBidder: 1,
      sealing: { quorum: 2, custodians: [{ index: 1, keyId: 'k', recipient: 'age1x', fingerprint: 'f' }] },
    });
    expect(biddingTerms(tender, notice)).toMatchObject({
      lots: [1, 2],
      envelopes: ['A', 'C'],
      maxLotsPerBidder: 1,
      sealing: {
        ocid: 'ocds-abcdef-x',
        quorum: 2,
        custodians: [{ index: 1, keyId: 'k', recipient: 'age1x' }],
      },
    });
    expect(biddingTerms(tender, '{}').sealing).toBeNull();
  });

  it('builds a commitment that does not depend on the order of bids', () => {
    const bids = [
      { lots: [1], manifests: ['b'], ciphertexts: ['d', 'a'] },
      { lots: [1, 2], manifests: ['a'], ciphertexts: ['c'] },
    ];
    const one = buildCommitment('ocds-abcdef-x', deadline, [2, 1], bids);
    const two = buildCommitment('ocds-abcdef-x', deadline, [1, 2], [...bids].reverse());
    expect(one).toEqual(two);
    expect(one.commitment).toMatchObject({
      bids: 2,
      lots: [
        { lot: 1, bids: 2 },
        { lot: 2, bids: 1 },
      ],
      manifests: ['a', 'b'],
      ciphertexts: ['a', 'c', 'd'],
    });
    expect(one.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
