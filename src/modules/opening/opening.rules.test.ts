import { describe, expect, it } from 'vitest';
import { openingStartsAt, refuseStage, stageQuorumReached, type StageFacts } from './opening.rules.js';

const deadline = new Date('2026-12-16T13:00:00Z');
const facts = (over: Partial<StageFacts> = {}): StageFacts => ({
  now: new Date('2026-12-16T15:00:00Z'),
  deadline,
  openingAt: new Date('2026-12-16T15:00:00Z'),
  stages: ['A', 'B', 'C'],
  opened: [],
  bReportApproved: false,
  qualificationPending: false,
  ...over,
});

describe('opening rules', () => {
  it('opens at the opening time, never before the deadline; without one, at the deadline', () => {
    expect(openingStartsAt(deadline, null)).toEqual(deadline);
    expect(openingStartsAt(deadline, new Date('2026-12-01T00:00:00Z'))).toEqual(deadline);
    const later = new Date('2026-12-17T09:00:00Z');
    expect(openingStartsAt(deadline, later)).toEqual(later);
  });

  it('refuses 1 ms before the opening time and allows it at the instant', () => {
    const at = new Date('2026-12-16T15:00:00Z');
    expect(refuseStage('A', facts({ now: new Date(at.getTime() - 1) }))).toMatchObject({
      code: 'OPENING_NOT_YET',
      opensAt: at.toISOString(),
    });
    expect(refuseStage('A', facts({ now: at }))).toBeNull();
    expect(refuseStage('A', facts({ deadline: null }))).toMatchObject({ code: 'OPENING_NOT_YET' });
  });

  it('keeps the order A → B → C, each once, C after the B report', () => {
    expect(refuseStage('B', facts())).toMatchObject({ code: 'OPENING_OUT_OF_ORDER', pending: 'A' });
    expect(refuseStage('A', facts({ opened: ['A'] }))).toMatchObject({ reason: 'already_opened' });
    expect(refuseStage('B', facts({ opened: ['A'] }))).toBeNull();
    expect(refuseStage('C', facts({ opened: ['A'] }))).toMatchObject({ pending: 'B' });
    expect(refuseStage('C', facts({ opened: ['A', 'B'] }))).toMatchObject({ code: 'OPENING_REPORT_PENDING' });
    expect(refuseStage('C', facts({ opened: ['A', 'B'], bReportApproved: true }))).toBeNull();
    // Only the stages the tender has: no B, so C needs no report; a missing stage does not exist.
    expect(refuseStage('C', facts({ stages: ['A', 'C'], opened: ['A'] }))).toBeNull();
    expect(refuseStage('B', facts({ stages: ['C'] }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(refuseStage('C', facts({ stages: ['C'] }))).toBeNull();
    // The next envelope waits for the committee to admit or exclude every bid of the first one.
    expect(refuseStage('B', facts({ opened: ['A'], qualificationPending: true }))).toEqual({
      code: 'OPENING_OUT_OF_ORDER',
      reason: 'qualification_pending',
      pending: null,
    });
    expect(
      refuseStage('C', facts({ stages: ['B', 'C'], opened: ['B'], qualificationPending: true })),
    ).toMatchObject({ reason: 'qualification_pending' });
    expect(refuseStage('A', facts({ qualificationPending: true }))).toBeNull();
  });

  it('needs k custodians for the stage and k shares for every bid envelope', () => {
    expect(stageQuorumReached({ quorum: 2, custodiansSubmitted: 2, sharesPerEnvelope: [2, 3] })).toBe(true);
    expect(stageQuorumReached({ quorum: 2, custodiansSubmitted: 2, sharesPerEnvelope: [2, 1] })).toBe(false);
    expect(stageQuorumReached({ quorum: 2, custodiansSubmitted: 1, sharesPerEnvelope: [] })).toBe(false);
    expect(stageQuorumReached({ quorum: 2, custodiansSubmitted: 2, sharesPerEnvelope: [] })).toBe(true);
  });
});
