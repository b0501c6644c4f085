import { DomainError } from '../../platform/errors.js';
import type { TransitionContext } from './transition.js';

/**
 * Shared fixtures of the state-machine tests: a fixed clock and a deterministic business-day
 * function (1 business day = 1 calendar day), so deadlines are easy to place before or after.
 */
export const T0 = new Date('2026-03-02T09:00:00Z');
const DAY = 86_400_000;
/** Before every deadline the fixtures set (each is at least one day after T0). */
export const EARLY = new Date(T0.getTime() + 3_600_000);
/** After every deadline the fixtures set. */
export const LATE = new Date(T0.getTime() + 100 * DAY);

export const ctxAt = (now: Date): TransitionContext => ({
  now,
  businessDeadline: (from, days) => new Date(from.getTime() + days * DAY),
});

/** The DomainError code thrown by `fn`, or undefined when it returns. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  return undefined;
}

/** `details.reason` of the DomainError thrown by `fn`. */
export function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return (err.details as { reason?: string }).reason;
    throw err;
  }
  return undefined;
}

/** Applies events in order, at `T0`. */
export function walk<S, E>(start: S, events: E[], next: (s: S, e: E, c: TransitionContext) => S): S {
  return events.reduce((s, e) => next(s, e, ctxAt(T0)), start);
}
