import { describe, expect, it } from 'vitest';
import { initialAbnormalReview, nextAbnormalReview } from './abnormal-review.rules.js';
import type {
  AbnormalReviewEvent,
  AbnormalReviewEventType,
  AbnormalReviewStatus,
} from './abnormal-review.types.js';
import { EARLY, LATE, codeOf, ctxAt, reasonOf } from './machine.test-support.js';

const EVENTS: Record<AbnormalReviewEventType, AbnormalReviewEvent> = {
  request_justification: { type: 'request_justification', days: 5 },
  receive_justification: { type: 'receive_justification' },
  record_missing: { type: 'record_missing' },
  record_technical_report: {
    type: 'record_technical_report',
    conclusion: 'accept',
    summary: 'The savings are credible',
  },
  accept: { type: 'accept', reasons: 'Justified by own machinery' },
  reject: {
    type: 'reject',
    grounds: ['inadequate_assumptions'],
    reasons: 'Labour costs below the agreement',
  },
};

/** receive_justification must come before the deadline, record_missing after it. */
const LATE_EVENTS: ReadonlySet<AbnormalReviewEventType> = new Set(['record_missing']);

const PATHS: Record<AbnormalReviewStatus, AbnormalReviewEventType[]> = {
  presumed: [],
  justification_requested: ['request_justification'],
  justification_received: ['request_justification', 'receive_justification'],
  justification_missing: ['request_justification', 'record_missing'],
  technical_report: ['request_justification', 'receive_justification', 'record_technical_report'],
  accepted: ['request_justification', 'receive_justification', 'record_technical_report', 'accept'],
  rejected: ['request_justification', 'receive_justification', 'record_technical_report', 'reject'],
};

const ALLOWED: Record<
  AbnormalReviewStatus,
  Partial<Record<AbnormalReviewEventType, AbnormalReviewStatus>>
> = {
  presumed: { request_justification: 'justification_requested' },
  justification_requested: {
    receive_justification: 'justification_received',
    record_missing: 'justification_missing',
  },
  justification_received: { record_technical_report: 'technical_report' },
  justification_missing: { record_technical_report: 'technical_report' },
  technical_report: { accept: 'accepted', reject: 'rejected' },
  accepted: {},
  rejected: {},
};

function stateFor(status: AbnormalReviewStatus) {
  return PATHS[status].reduce(
    (s, type) => nextAbnormalReview(s, EVENTS[type], ctxAt(LATE_EVENTS.has(type) ? LATE : EARLY)),
    initialAbnormalReview({ simplified: false }),
  );
}

describe('abnormal offer review: every pair', () => {
  for (const from of Object.keys(ALLOWED) as AbnormalReviewStatus[]) {
    for (const type of Object.keys(EVENTS) as AbnormalReviewEventType[]) {
      const to = ALLOWED[from][type];
      it(`${from} + ${type} → ${to ?? 'INVALID_TRANSITION'}`, () => {
        const run = () =>
          nextAbnormalReview(stateFor(from), EVENTS[type], ctxAt(LATE_EVENTS.has(type) ? LATE : EARLY));
        if (to) expect(run().status).toBe(to);
        else expect(codeOf(run)).toBe('INVALID_TRANSITION');
      });
    }
  }
});

describe('abnormal offer review details', () => {
  it('the justification arrives in time or is recorded missing after the deadline', () => {
    const requested = stateFor('justification_requested');
    expect(requested.deadline).toEqual(new Date(requested.requestedAt!.getTime() + 5 * 86_400_000));
    expect(codeOf(() => nextAbnormalReview(requested, EVENTS.receive_justification, ctxAt(LATE)))).toBe(
      'DEADLINE_PASSED',
    );
    expect(reasonOf(() => nextAbnormalReview(requested, EVENTS.record_missing, ctxAt(EARLY)))).toBe(
      'deadline_not_reached',
    );
  });
  it('simplified procedure: at most 5 business days (art. 159.4)', () => {
    const s = initialAbnormalReview({ simplified: true });
    expect(
      codeOf(() => nextAbnormalReview(s, { type: 'request_justification', days: 6 }, ctxAt(EARLY))),
    ).toBe('UNPROCESSABLE');
    expect(nextAbnormalReview(s, { type: 'request_justification', days: 5 }, ctxAt(EARLY)).status).toBe(
      'justification_requested',
    );
    const ordinary = initialAbnormalReview({ simplified: false });
    expect(
      nextAbnormalReview(ordinary, { type: 'request_justification', days: 10 }, ctxAt(EARLY)).status,
    ).toBe('justification_requested');
  });
  it('rejection needs art. 149.4 grounds; acceptance starts monitoring', () => {
    const report = stateFor('technical_report');
    expect(
      codeOf(() =>
        nextAbnormalReview(
          report,
          { type: 'reject', grounds: [], reasons: 'Long enough reasons' },
          ctxAt(EARLY),
        ),
      ),
    ).toBe('UNPROCESSABLE');
    expect(
      codeOf(() =>
        nextAbnormalReview(
          report,
          { type: 'reject', grounds: ['cheap' as 'incomplete'], reasons: 'Long enough reasons' },
          ctxAt(EARLY),
        ),
      ),
    ).toBe('UNPROCESSABLE');
    const rejected = nextAbnormalReview(
      report,
      {
        type: 'reject',
        grounds: ['breaches_environmental_social_labour', 'subcontracting'],
        reasons: 'Wages below the agreement',
      },
      ctxAt(EARLY),
    );
    expect(rejected.decision).toMatchObject({
      outcome: 'rejected',
      grounds: ['breaches_environmental_social_labour', 'subcontracting'],
    });
    expect(rejected.monitoring).toBe(false);
    expect(stateFor('accepted').monitoring).toBe(true);
  });
  it('an offer with no justification cannot be accepted, only rejected', () => {
    const missing = nextAbnormalReview(
      stateFor('justification_missing'),
      EVENTS.record_technical_report,
      ctxAt(LATE),
    );
    expect(reasonOf(() => nextAbnormalReview(missing, EVENTS.accept, ctxAt(LATE)))).toBe('no_justification');
    expect(
      nextAbnormalReview(
        missing,
        { type: 'reject', grounds: ['incomplete'], reasons: 'No justification was given' },
        ctxAt(LATE),
      ).status,
    ).toBe('rejected');
  });
  it('the technical report needs a conclusion and a summary', () => {
    const received = stateFor('justification_received');
    expect(
      codeOf(() =>
        nextAbnormalReview(
          received,
          { type: 'record_technical_report', conclusion: 'accept', summary: '' },
          ctxAt(EARLY),
        ),
      ),
    ).toBe('UNPROCESSABLE');
  });
});
