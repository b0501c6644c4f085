import { describe, expect, it } from 'vitest';
import { makeCalendar } from '../calendar/calendar.rules.js';
import { APPEALABLE, currentCandidate, initialAward, nextAward } from './award.rules.js';
import type { AwardEvent, AwardEventType, AwardState, AwardStatus } from './award.types.js';
import { EARLY, LATE, codeOf, ctxAt, reasonOf } from './machine.test-support.js';
import { businessDeadlineOn } from './transition.js';

const EVENTS: Record<AwardEventType, AwardEvent> = {
  propose: { type: 'propose' },
  request_documentation: { type: 'request_documentation' },
  documentation_ok: { type: 'documentation_ok' },
  documentation_failed: { type: 'documentation_failed', reason: 'Guarantee not lodged in time' },
  propose_next: { type: 'propose_next' },
  award: { type: 'award', reasons: 'Best price-quality ratio, 87.5 points' },
  notify: { type: 'notify' },
  start_standstill: { type: 'start_standstill' },
  clear_for_formalisation: { type: 'clear_for_formalisation' },
  formalise: { type: 'formalise', signedAt: LATE },
  declare_void: { type: 'declare_void', reasons: 'No bidder met the requirements' },
  lodge_appeal: { type: 'lodge_appeal' },
  resolve_appeal: { type: 'resolve_appeal', outcome: 'dismissed' },
};

/** Steps that need the clock after every deadline (end of the standstill). */
const LATE_EVENTS: ReadonlySet<AwardEventType> = new Set(['clear_for_formalisation', 'formalise']);
const ctxFor = (type: AwardEventType) => ctxAt(LATE_EVENTS.has(type) ? LATE : EARLY);

const TO_AWARDED: AwardEventType[] = ['propose', 'request_documentation', 'documentation_ok', 'award'];

function pathTo(status: AwardStatus, specialAppeal: boolean): AwardEventType[] {
  const clear: AwardEventType[] = specialAppeal
    ? ['notify', 'start_standstill', 'clear_for_formalisation']
    : ['notify', 'clear_for_formalisation'];
  const paths: Record<AwardStatus, AwardEventType[]> = {
    ranking: [],
    proposed: ['propose'],
    documentation_requested: ['propose', 'request_documentation'],
    documentation_ok: ['propose', 'request_documentation', 'documentation_ok'],
    documentation_failed: ['propose', 'request_documentation', 'documentation_failed'],
    awarded: TO_AWARDED,
    notified: [...TO_AWARDED, 'notify'],
    standstill: [...TO_AWARDED, 'notify', 'start_standstill'],
    ready_to_formalise: [...TO_AWARDED, ...clear],
    formalised: [...TO_AWARDED, ...clear, 'formalise'],
    void: ['declare_void'],
  };
  return paths[status];
}

function stateFor(status: AwardStatus, specialAppeal: boolean): AwardState {
  return pathTo(status, specialAppeal).reduce(
    (s, type) => nextAward(s, EVENTS[type], ctxFor(type)),
    initialAward({ ranking: ['bid-1', 'bid-2', 'bid-3'], specialAppeal }),
  );
}

type Table = Partial<Record<AwardStatus, Partial<Record<AwardEventType, AwardStatus>>>>;

const COMMON: Table = {
  ranking: { propose: 'proposed', declare_void: 'void' },
  proposed: { request_documentation: 'documentation_requested', declare_void: 'void' },
  documentation_requested: {
    documentation_ok: 'documentation_ok',
    documentation_failed: 'documentation_failed',
  },
  documentation_ok: { award: 'awarded' },
  documentation_failed: { propose_next: 'proposed', declare_void: 'void' },
  ready_to_formalise: { formalise: 'formalised' },
  formalised: {},
  void: {},
};

/** With the special appeal: standstill before formalisation, and appeals suspend (arts. 153.3, 53). */
const WITH_APPEAL: Table = {
  ...COMMON,
  awarded: { notify: 'notified', lodge_appeal: 'awarded' },
  notified: { start_standstill: 'standstill', lodge_appeal: 'notified' },
  standstill: { clear_for_formalisation: 'ready_to_formalise', lodge_appeal: 'standstill' },
  ready_to_formalise: { formalise: 'formalised', lodge_appeal: 'ready_to_formalise' },
};

/** Without it: no standstill and no suspending appeal. */
const WITHOUT_APPEAL: Table = {
  ...COMMON,
  awarded: { notify: 'notified' },
  notified: { clear_for_formalisation: 'ready_to_formalise' },
};

describe.each([
  ['with the special appeal', true, WITH_APPEAL],
  ['without the special appeal', false, WITHOUT_APPEAL],
] as const)('lot award state machine %s: every pair', (_label, specialAppeal, table) => {
  for (const from of Object.keys(table) as AwardStatus[]) {
    for (const type of Object.keys(EVENTS) as AwardEventType[]) {
      const to = table[from]![type];
      it(`${from} + ${type} → ${to ?? 'INVALID_TRANSITION'}`, () => {
        const run = () => nextAward(stateFor(from, specialAppeal), EVENTS[type], ctxFor(type));
        if (to) expect(run().status).toBe(to);
        else expect(codeOf(run)).toBe('INVALID_TRANSITION');
      });
    }
  }
});

describe('appeal against the award (art. 53): suspension', () => {
  for (const status of APPEALABLE) {
    it(`${status}: while the appeal is pending only its resolution is allowed`, () => {
      const suspended = nextAward(stateFor(status, true), EVENTS.lodge_appeal, ctxAt(EARLY));
      expect(suspended.appeal).toEqual({ lodgedAt: EARLY });
      for (const type of Object.keys(EVENTS) as AwardEventType[]) {
        if (type === 'resolve_appeal') continue;
        expect(reasonOf(() => nextAward(suspended, EVENTS[type], ctxFor(type)))).toBe('suspended_by_appeal');
      }
      const dismissed = nextAward(suspended, EVENTS.resolve_appeal, ctxAt(EARLY));
      expect(dismissed.status).toBe(status);
      expect(dismissed.appeal).toBeNull();
      const lifted = nextAward(
        suspended,
        { type: 'resolve_appeal', outcome: 'suspension_lifted' },
        ctxAt(EARLY),
      );
      expect(lifted.appeal).toBeNull();
      const upheld = nextAward(suspended, { type: 'resolve_appeal', outcome: 'upheld' }, ctxAt(EARLY));
      expect(upheld.status).toBe('ranking');
      expect(upheld.award).toBeNull();
    });
  }
  it('no appeal pending: resolve_appeal is refused', () => {
    expect(reasonOf(() => nextAward(stateFor('awarded', true), EVENTS.resolve_appeal, ctxAt(EARLY)))).toBe(
      'no_appeal_pending',
    );
  });
});

describe('lot award details', () => {
  it('documentation: 10 business days; on failure the next company is proposed', () => {
    const requested = stateFor('documentation_requested', true);
    expect(requested.documentationDeadline).toEqual(new Date(EARLY.getTime() + 10 * 86_400_000));
    let s = stateFor('documentation_failed', true);
    expect(s.failed).toEqual([{ id: 'bid-1', reason: 'Guarantee not lodged in time', at: EARLY }]);
    s = nextAward(s, EVENTS.propose_next, ctxAt(EARLY));
    expect(currentCandidate(s)).toBe('bid-2');
    for (const type of ['request_documentation', 'documentation_failed', 'propose_next'] as const) {
      s = nextAward(s, EVENTS[type], ctxAt(EARLY));
    }
    expect(currentCandidate(s)).toBe('bid-3');
    s = nextAward(
      nextAward(s, EVENTS.request_documentation, ctxAt(EARLY)),
      EVENTS.documentation_failed,
      ctxAt(EARLY),
    );
    // Nobody left: the lot can only be declared void.
    expect(reasonOf(() => nextAward(s, EVENTS.propose_next, ctxAt(EARLY)))).toBe('no_candidate_left');
    expect(nextAward(s, EVENTS.declare_void, ctxAt(EARLY)).status).toBe('void');
  });
  it('awards the current candidate with reasons', () => {
    const s = stateFor('awarded', true);
    expect(s.award).toEqual({ id: 'bid-1', reasons: 'Best price-quality ratio, 87.5 points', at: EARLY });
    expect(
      codeOf(() =>
        nextAward(stateFor('documentation_ok', true), { type: 'award', reasons: '' }, ctxAt(EARLY)),
      ),
    ).toBe('UNPROCESSABLE');
  });
  it('an empty ranking cannot be proposed', () => {
    const empty = initialAward({ ranking: [], specialAppeal: false });
    expect(reasonOf(() => nextAward(empty, EVENTS.propose, ctxAt(EARLY)))).toBe('no_candidate_left');
  });
  it('standstill: 15 business days from the notification; no formalisation before it ends', () => {
    const standstill = stateFor('standstill', true);
    expect(standstill.standstillEnds).toEqual(new Date(standstill.notifiedAt!.getTime() + 15 * 86_400_000));
    expect(reasonOf(() => nextAward(standstill, EVENTS.clear_for_formalisation, ctxAt(EARLY)))).toBe(
      'standstill_not_over',
    );
    expect(
      reasonOf(() => nextAward(stateFor('notified', true), EVENTS.clear_for_formalisation, ctxAt(LATE))),
    ).toBe('standstill_required');
    expect(
      reasonOf(() => nextAward(stateFor('notified', false), EVENTS.start_standstill, ctxAt(EARLY))),
    ).toBe('no_special_appeal');
    const ready = stateFor('ready_to_formalise', true);
    // Signed within the standstill, or in the future: refused.
    expect(codeOf(() => nextAward(ready, { type: 'formalise', signedAt: EARLY }, ctxAt(LATE)))).toBe(
      'UNPROCESSABLE',
    );
    expect(codeOf(() => nextAward(ready, { type: 'formalise', signedAt: LATE }, ctxAt(EARLY)))).toBe(
      'UNPROCESSABLE',
    );
    expect(nextAward(ready, EVENTS.formalise, ctxAt(LATE)).formalisedAt).toEqual(LATE);
  });
  it('with the real calendar: the standstill ends at the end of the 15th business day in Madrid', () => {
    const cal = makeCalendar('Europe/Madrid', ['2026-12-08']);
    const ctx = (now: Date) => ({ now, businessDeadline: businessDeadlineOn(cal) });
    let s = initialAward({ ranking: ['b'], specialAppeal: true });
    const notifiedAt = new Date('2026-12-04T10:00:00Z'); // a Friday
    for (const type of [...TO_AWARDED, 'notify', 'start_standstill'] as const) {
      s = nextAward(s, EVENTS[type], ctx(notifiedAt));
    }
    // Business days after Fri 4 Dec: 7, (8 is a holiday), 9, 10, 11, 14–18, 21–25, 28 → the 15th is Mon 28.
    expect(s.standstillEnds!.toISOString()).toBe('2026-12-28T22:59:59.999Z');
    expect(
      reasonOf(() => nextAward(s, EVENTS.clear_for_formalisation, ctx(new Date('2026-12-28T22:00:00Z')))),
    ).toBe('standstill_not_over');
    expect(nextAward(s, EVENTS.clear_for_formalisation, ctx(new Date('2026-12-28T23:00:00Z'))).status).toBe(
      'ready_to_formalise',
    );
  });
});
