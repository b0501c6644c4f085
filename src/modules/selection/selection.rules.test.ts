import { describe, expect, it } from 'vitest';
import { DomainError } from '../../platform/errors.js';
import {
  assertMayBid,
  assertRequestsClosed,
  assertTakesRequests,
  checkDecision,
  checkInvitation,
  checkResponse,
  checkRound,
  type SelectionTender,
} from './selection.rules.js';

const DAY = 86_400_000;
const NOW = new Date('2026-12-01T10:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);

function tender(overrides: Partial<SelectionTender> = {}): SelectionTender {
  return {
    procedure: 'restringido',
    status: 'published',
    participationDeadline: at(DAY),
    tenderDeadline: at(20 * DAY),
    invitedAt: null,
    ...overrides,
  };
}

/** The error's code and, for state errors, the reason. */
function refusal(fn: () => unknown): { code: string; reason?: string } {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    const reason = (e.details as { reason?: string } | undefined)?.reason;
    return reason === undefined ? { code: e.code } : { code: e.code, reason };
  }
  throw new Error('expected a refusal');
}

describe('requests to participate (arts. 160–162)', () => {
  it('takes a request until 1 ms before the deadline; at the deadline it is late', () => {
    const t = tender();
    const deadline = t.participationDeadline as Date;
    expect(() => assertTakesRequests(t, new Date(deadline.getTime() - 1))).not.toThrow();
    expect(refusal(() => assertTakesRequests(t, deadline))).toEqual({ code: 'DEADLINE_PASSED' });
    expect(refusal(() => assertTakesRequests(t, new Date(deadline.getTime() + 1)))).toEqual({
      code: 'DEADLINE_PASSED',
    });
  });

  it('takes none in procedures without a selection phase, nor in a tender not published', () => {
    for (const procedure of ['abierto', 'negociado_sin_publicidad', 'menor'] as const) {
      expect(refusal(() => assertTakesRequests(tender({ procedure }), NOW))).toEqual({
        code: 'INVALID_TRANSITION',
        reason: 'no_selection_phase',
      });
    }
    expect(refusal(() => assertTakesRequests(tender({ status: 'cancelled' }), NOW)).reason).toBe(
      'not_published',
    );
    expect(refusal(() => assertTakesRequests(tender({ participationDeadline: null }), NOW)).code).toBe(
      'DEADLINE_PASSED',
    );
  });

  it('shows the requests to nobody while others may still ask', () => {
    const t = tender();
    const deadline = t.participationDeadline as Date;
    expect(refusal(() => assertRequestsClosed(t, new Date(deadline.getTime() - 1))).reason).toBe(
      'requests_open',
    );
    expect(() => assertRequestsClosed(t, deadline)).not.toThrow();
  });
});

describe('selection of candidates (arts. 155, 162)', () => {
  const after = at(2 * DAY);

  it('selects without reasons, rejects only with written ones', () => {
    expect(checkDecision(tender(), after, 'selected', undefined)).toBeNull();
    expect(checkDecision(tender(), after, 'selected', '  Compleix  ')).toBe('Compleix');
    expect(refusal(() => checkDecision(tender(), after, 'rejected', undefined))).toEqual({
      code: 'UNPROCESSABLE',
    });
    expect(refusal(() => checkDecision(tender(), after, 'rejected', '   curt   '))).toEqual({
      code: 'UNPROCESSABLE',
    });
    expect(checkDecision(tender(), after, 'rejected', 'Sense solvència tècnica')).toBe(
      'Sense solvència tècnica',
    );
  });

  it('decides nothing before the deadline, nor after the invitations', () => {
    expect(refusal(() => checkDecision(tender(), NOW, 'selected', undefined)).reason).toBe('requests_open');
    expect(
      refusal(() => checkDecision(tender({ invitedAt: after }), after, 'selected', undefined)).reason,
    ).toBe('already_invited');
  });
});

describe('invitation to tender (arts. 162–164, 168, 169)', () => {
  const after = at(2 * DAY);
  const five = ['a', 'b', 'c', 'd', 'e'];
  const base = { undecided: 0, fewerCandidatesReason: undefined, earliestDeadline: at(12 * DAY) };

  it('invites at least five candidates in the restricted procedure, fewer only with reasons', () => {
    expect(checkInvitation(tender(), after, { ...base, companyIds: five })).toBeNull();
    const four = five.slice(1);
    expect(refusal(() => checkInvitation(tender(), after, { ...base, companyIds: four }))).toEqual({
      code: 'TOO_FEW_CANDIDATES',
    });
    expect(
      checkInvitation(tender(), after, {
        ...base,
        companyIds: four,
        fewerCandidatesReason: 'Només quatre candidats compleixen la solvència',
      }),
    ).toBe('Només quatre candidats compleixen la solvència');
  });

  it('asks three with negotiation, and no minimum without publication', () => {
    const neg = tender({ procedure: 'licitacion_con_negociacion' });
    expect(checkInvitation(neg, after, { ...base, companyIds: ['a', 'b', 'c'] })).toBeNull();
    expect(refusal(() => checkInvitation(neg, after, { ...base, companyIds: ['a', 'b'] })).code).toBe(
      'TOO_FEW_CANDIDATES',
    );
    const nsp = tender({ procedure: 'negociado_sin_publicidad', participationDeadline: null });
    expect(checkInvitation(nsp, NOW, { ...base, companyIds: ['a'], earliestDeadline: undefined })).toBeNull();
    expect(
      refusal(() => checkInvitation(nsp, NOW, { ...base, companyIds: [], earliestDeadline: undefined })),
    ).toEqual({ code: 'UNPROCESSABLE' });
  });

  it('waits for the deadline of requests and for every decision, and invites once', () => {
    expect(refusal(() => checkInvitation(tender(), NOW, { ...base, companyIds: five })).reason).toBe(
      'requests_open',
    );
    expect(
      refusal(() => checkInvitation(tender(), after, { ...base, companyIds: five, undecided: 1 })).reason,
    ).toBe('requests_undecided');
    expect(
      refusal(() => checkInvitation(tender({ invitedAt: after }), after, { ...base, companyIds: five }))
        .reason,
    ).toBe('already_invited');
    expect(
      refusal(() => checkInvitation(tender({ procedure: 'abierto' }), after, { ...base, companyIds: five })),
    ).toEqual({ code: 'INVALID_TRANSITION', reason: 'no_invitation' });
  });

  it('needs the tender deadline to leave the period counted from the invitation (art. 164.1)', () => {
    const t = tender();
    const deadline = t.tenderDeadline as Date;
    expect(checkInvitation(t, after, { ...base, companyIds: five, earliestDeadline: deadline })).toBeNull();
    expect(
      refusal(() =>
        checkInvitation(t, after, {
          ...base,
          companyIds: five,
          earliestDeadline: new Date(deadline.getTime() + 1),
        }),
      ),
    ).toEqual({ code: 'PERIOD_TOO_SHORT' });
    expect(refusal(() => checkInvitation(t, deadline, { ...base, companyIds: five })).code).toBe(
      'DEADLINE_PASSED',
    );
  });
});

describe('who may bid', () => {
  it('lets anyone bid in the open procedures and only the invited where the procedure invites', () => {
    for (const open of ['abierto', 'abierto_simplificado', 'abierto_simplificado_abreviado'] as const) {
      expect(() => assertMayBid(open, false)).not.toThrow();
    }
    for (const invited of [
      'restringido',
      'licitacion_con_negociacion',
      'negociado_sin_publicidad',
    ] as const) {
      expect(refusal(() => assertMayBid(invited, false))).toEqual({ code: 'NOT_INVITED' });
      expect(() => assertMayBid(invited, true)).not.toThrow();
    }
  });
});

describe('negotiation rounds (art. 169)', () => {
  const invitedAt = at(2 * DAY);
  const neg = tender({ procedure: 'licitacion_con_negociacion', invitedAt });
  const now = at(3 * DAY);

  it('opens a round after the invitations, with answers due before the final offers', () => {
    expect(() => checkRound(neg, now, at(5 * DAY), undefined)).not.toThrow();
    expect(refusal(() => checkRound(neg, now, neg.tenderDeadline as Date, undefined))).toEqual({
      code: 'UNPROCESSABLE',
    });
    expect(refusal(() => checkRound(neg, now, now, undefined))).toEqual({ code: 'DEADLINE_IN_PAST' });
    expect(refusal(() => checkRound({ ...neg, invitedAt: null }, now, at(5 * DAY), undefined)).reason).toBe(
      'not_invited_yet',
    );
    expect(refusal(() => checkRound(tender({ invitedAt }), now, at(5 * DAY), undefined)).reason).toBe(
      'not_negotiated',
    );
    expect(refusal(() => checkRound(neg, neg.tenderDeadline as Date, at(30 * DAY), undefined)).code).toBe(
      'DEADLINE_PASSED',
    );
  });

  it('opens the next round only once the previous one stopped taking answers', () => {
    expect(refusal(() => checkRound(neg, now, at(6 * DAY), at(4 * DAY))).reason).toBe('round_open');
    expect(() => checkRound(neg, at(4 * DAY), at(6 * DAY), at(4 * DAY))).not.toThrow();
  });

  it('takes one answer per invited company, strictly before it is due', () => {
    const due = at(5 * DAY);
    expect(() => checkResponse(new Date(due.getTime() - 1), due, true, false)).not.toThrow();
    expect(refusal(() => checkResponse(due, due, true, false))).toEqual({ code: 'DEADLINE_PASSED' });
    expect(refusal(() => checkResponse(now, due, true, true))).toEqual({ code: 'CONFLICT' });
    expect(refusal(() => checkResponse(now, due, false, false))).toEqual({ code: 'NOT_INVITED' });
  });
});
