import { describe, expect, it } from 'vitest';
import { DomainError } from '../../platform/errors.js';
import { nextStatus, type TenderEvent, type TenderStatus } from './tender.rules.js';

const STATUSES: TenderStatus[] = ['draft', 'in_approval', 'approved', 'published', 'cancelled'];
const EVENTS: TenderEvent[] = [
  { type: 'edit' },
  { type: 'submit' },
  { type: 'approve_step', isLastStep: false },
  { type: 'approve_step', isLastStep: true },
  { type: 'reject_step' },
  { type: 'publish' },
  { type: 'cancel' },
];
const key = (e: TenderEvent) =>
  e.type === 'approve_step' ? `approve_step(${e.isLastStep ? 'last' : 'more'})` : e.type;

/** Every allowed transition; everything else must be refused. */
const ALLOWED: Record<string, TenderStatus> = {
  'draft edit': 'draft',
  'in_approval edit': 'draft',
  'approved edit': 'draft',
  'draft submit': 'in_approval',
  'in_approval approve_step(more)': 'in_approval',
  'in_approval approve_step(last)': 'approved',
  'in_approval reject_step': 'draft',
  'approved publish': 'published',
  'draft cancel': 'cancelled',
  'in_approval cancel': 'cancelled',
  'approved cancel': 'cancelled',
  'published cancel': 'cancelled',
};

describe('file state machine', () => {
  for (const from of STATUSES) {
    for (const event of EVENTS) {
      const name = `${from} ${key(event)}`;
      const to = ALLOWED[name];
      if (to) {
        it(`${name} → ${to}`, () => expect(nextStatus(from, event)).toBe(to));
      } else {
        it(`${name} is refused with INVALID_TRANSITION`, () => {
          try {
            nextStatus(from, event);
            expect.unreachable('transition was accepted');
          } catch (err) {
            expect(err).toBeInstanceOf(DomainError);
            expect((err as DomainError).code).toBe('INVALID_TRANSITION');
          }
        });
      }
    }
  }
  it('covers every allowed transition in the table', () => {
    const exercised = STATUSES.flatMap((s) => EVENTS.map((e) => `${s} ${key(e)}`)).filter(
      (n) => n in ALLOWED,
    );
    expect(exercised.sort()).toEqual(Object.keys(ALLOWED).sort());
  });
});
