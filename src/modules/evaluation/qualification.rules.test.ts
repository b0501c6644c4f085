import { describe, expect, it } from 'vitest';
import { EARLY, LATE, T0, codeOf, ctxAt, reasonOf, walk } from './machine.test-support.js';
import { initialQualification, nextQualification } from './qualification.rules.js';
import type {
  QualificationEvent,
  QualificationEventType,
  QualificationStatus,
} from './qualification.types.js';

const EVENTS: Record<QualificationEventType, QualificationEvent> = {
  admit: { type: 'admit' },
  exclude: { type: 'exclude', grounds: ['solvency'], reasons: 'Turnover below the required minimum' },
  request_remediation: { type: 'request_remediation', items: ['Signed ESPD'], days: 3 },
};

const PATHS: Record<QualificationStatus, QualificationEvent[]> = {
  pending: [],
  remediation_requested: [EVENTS.request_remediation],
  admitted: [EVENTS.admit],
  excluded: [EVENTS.exclude],
};

const ALLOWED: Record<QualificationStatus, Partial<Record<QualificationEventType, QualificationStatus>>> = {
  pending: { admit: 'admitted', exclude: 'excluded', request_remediation: 'remediation_requested' },
  remediation_requested: { admit: 'admitted', exclude: 'excluded' },
  admitted: {},
  excluded: {},
};

const stateFor = (s: QualificationStatus) => walk(initialQualification(), PATHS[s], nextQualification);

describe('qualification state machine: every pair', () => {
  for (const from of Object.keys(ALLOWED) as QualificationStatus[]) {
    for (const type of Object.keys(EVENTS) as QualificationEventType[]) {
      const to = ALLOWED[from][type];
      it(`${from} + ${type} → ${to ?? 'INVALID_TRANSITION'}`, () => {
        const run = () => nextQualification(stateFor(from), EVENTS[type], ctxAt(EARLY));
        if (to) expect(run().status).toBe(to);
        else expect(codeOf(run)).toBe('INVALID_TRANSITION');
      });
    }
  }
});

describe('qualification details', () => {
  it('records the remediation deadline from the business-day function', () => {
    const s = stateFor('remediation_requested');
    expect(s.remediation).toEqual({
      items: ['Signed ESPD'],
      requestedAt: T0,
      deadline: new Date('2026-03-05T09:00:00Z'),
    });
  });
  it('requires grounds and written reasons to exclude', () => {
    const s = initialQualification();
    const ctx = ctxAt(EARLY);
    expect(
      codeOf(() =>
        nextQualification(s, { type: 'exclude', grounds: [], reasons: 'Long enough reasons' }, ctx),
      ),
    ).toBe('UNPROCESSABLE');
    expect(
      codeOf(() => nextQualification(s, { type: 'exclude', grounds: ['other'], reasons: 'no' }, ctx)),
    ).toBe('UNPROCESSABLE');
    const excluded = nextQualification(s, EVENTS.exclude, ctx);
    expect(excluded.exclusion).toEqual({
      grounds: ['solvency'],
      reasons: 'Turnover below the required minimum',
    });
    expect(excluded.decidedAt).toEqual(EARLY);
  });
  it('remediation: 1 to 3 business days, and something to remedy', () => {
    const s = initialQualification();
    const ctx = ctxAt(EARLY);
    expect(
      codeOf(() =>
        nextQualification(s, { ...EVENTS.request_remediation, days: 4 } as QualificationEvent, ctx),
      ),
    ).toBe('UNPROCESSABLE');
    expect(
      codeOf(() => nextQualification(s, { type: 'request_remediation', items: [' '], days: 2 }, ctx)),
    ).toBe('UNPROCESSABLE');
  });
  it('excluding for a defect not remedied waits for the end of the period', () => {
    const notRemedied: QualificationEvent = {
      type: 'exclude',
      grounds: ['remediation_not_provided'],
      reasons: 'The signed ESPD was not provided',
    };
    const waiting = stateFor('remediation_requested');
    expect(reasonOf(() => nextQualification(waiting, notRemedied, ctxAt(EARLY)))).toBe(
      'deadline_not_reached',
    );
    expect(nextQualification(waiting, notRemedied, ctxAt(LATE)).status).toBe('excluded');
    expect(reasonOf(() => nextQualification(initialQualification(), notRemedied, ctxAt(LATE)))).toBe(
      'no_remediation_requested',
    );
  });
});
