import { describe, expect, it } from 'vitest';
import { initialContract, nextContract } from './contract.rules.js';
import type { ContractEvent, ContractEventType, ContractStatus } from './contract.types.js';
import { EARLY, codeOf, ctxAt, walk } from './machine.test-support.js';

const EXTENSION_REASONS = 'Extension foreseen in the PCAP (art. 29.2)';

const EVENTS: Record<ContractEventType, ContractEvent> = {
  start: { type: 'start', endDate: '2027-12-31' },
  suspend: { type: 'suspend', reasons: 'Works stopped by a court order' },
  resume: { type: 'resume' },
  amend: {
    type: 'amend',
    legalGround: 'art_204',
    valueChange: '12500.50',
    reasons: 'Foreseen modification, clause 23 of the PCAP',
    documents: ['sha256-abc'],
  },
  extend: { type: 'extend', newEndDate: '2028-12-31', reasons: EXTENSION_REASONS },
  complete: { type: 'complete' },
  terminate: { type: 'terminate', grounds: 'art_211_1_d', reasons: 'Delay attributable to the contractor' },
};

const PATHS: Record<ContractStatus, ContractEvent[]> = {
  formalised: [],
  in_execution: [EVENTS.start],
  suspended: [EVENTS.start, EVENTS.suspend],
  completed: [EVENTS.start, EVENTS.complete],
  terminated: [EVENTS.start, EVENTS.terminate],
};

const ALLOWED: Record<ContractStatus, Partial<Record<ContractEventType, ContractStatus>>> = {
  formalised: { start: 'in_execution' },
  in_execution: {
    suspend: 'suspended',
    amend: 'in_execution',
    extend: 'in_execution',
    complete: 'completed',
    terminate: 'terminated',
  },
  suspended: { resume: 'in_execution', amend: 'suspended', extend: 'suspended', terminate: 'terminated' },
  completed: {},
  terminated: {},
};

const stateFor = (s: ContractStatus) => walk(initialContract(), PATHS[s], nextContract);

describe('contract state machine: every pair', () => {
  for (const from of Object.keys(ALLOWED) as ContractStatus[]) {
    for (const type of Object.keys(EVENTS) as ContractEventType[]) {
      const to = ALLOWED[from][type];
      it(`${from} + ${type} → ${to ?? 'INVALID_TRANSITION'}`, () => {
        const run = () => nextContract(stateFor(from), EVENTS[type], ctxAt(EARLY));
        if (to) expect(run().status).toBe(to);
        else expect(codeOf(run)).toBe('INVALID_TRANSITION');
      });
    }
  }
});

describe('contract details', () => {
  it('records amendments and extensions, and closes suspensions', () => {
    let s = stateFor('suspended');
    s = nextContract(s, EVENTS.amend, ctxAt(EARLY));
    s = nextContract(
      s,
      { ...EVENTS.amend, legalGround: 'art_205', valueChange: '-100' } as ContractEvent,
      ctxAt(EARLY),
    );
    s = nextContract(s, EVENTS.extend, ctxAt(EARLY));
    s = nextContract(s, EVENTS.resume, ctxAt(EARLY));
    expect(s.amendments.map((a) => [a.legalGround, a.valueChange])).toEqual([
      ['art_204', '12500.5'],
      ['art_205', '-100'],
    ]);
    expect(s.extensions).toEqual([
      { previousEndDate: '2027-12-31', newEndDate: '2028-12-31', reasons: EXTENSION_REASONS, at: EARLY },
    ]);
    expect(s.endDate).toBe('2028-12-31');
    expect(s.suspensions.every((p) => p.to !== null)).toBe(true);
  });
  it('refuses invalid amendments and extensions', () => {
    const s = stateFor('in_execution');
    const ctx = ctxAt(EARLY);
    expect(codeOf(() => nextContract(s, { ...EVENTS.amend, valueChange: '1e3' } as ContractEvent, ctx))).toBe(
      'UNPROCESSABLE',
    );
    expect(
      codeOf(() =>
        nextContract(s, { ...EVENTS.amend, legalGround: 'art_999' } as unknown as ContractEvent, ctx),
      ),
    ).toBe('UNPROCESSABLE');
    expect(
      codeOf(() =>
        nextContract(s, { type: 'extend', newEndDate: '2027-12-31', reasons: 'Not later at all' }, ctx),
      ),
    ).toBe('UNPROCESSABLE');
    expect(
      codeOf(() =>
        nextContract(s, { type: 'extend', newEndDate: '31/12/2028', reasons: 'Wrong date format' }, ctx),
      ),
    ).toBe('UNPROCESSABLE');
    expect(
      codeOf(() => nextContract(s, { type: 'terminate', grounds: ' ', reasons: 'Long enough reasons' }, ctx)),
    ).toBe('UNPROCESSABLE');
  });
});
