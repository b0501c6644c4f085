import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../src/modules/calendar/calendar.rules.js';
import { newId } from '../../src/platform/ids.js';
import { buildTestApp, rowCounts, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import { type EvaluatedTender, formalisedContract } from '../helpers/evaluation.js';

type EventView = { version: number; type: string } & Record<string, unknown>;
type ContractView = {
  id: string;
  status: string;
  version: number;
  amountExclVat: string;
  totalExclVat: string;
  paidExclVat: string;
  endDate: string | null;
  events: EventView[];
};

const SHA = 'ab'.repeat(32);

/**
 * Contract management after formalisation (issue 5 point 7): the contract of a tender taken
 * through its award (test/helpers/evaluation.ts), at 45,000.00 € excl. VAT; every event type,
 * the limits of arts. 204–205, payments within the price, dates after the formalisation, refusals
 * writing nothing, versions, tenancy and the public view.
 */
describe(`contract management (${driverName})`, () => {
  let t: TestApp;
  let e: EvaluatedTender & { contractId: string; signedAt: Date };
  let second: string;

  const base = () => `/api/v1/authorities/${e.authorityId}/contracts`;
  const get = async (id: string, who = 'officer') => {
    const res = await t.app.inject({ url: `${base()}/${id}`, headers: e.sessions[who]?.headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as ContractView;
  };
  const post = (id: string, payload: object, who = 'officer') =>
    t.app.inject({
      method: 'POST',
      url: `${base()}/${id}/events`,
      headers: e.sessions[who]?.headers,
      payload,
    });
  /** An event that must succeed, sent with the contract's current version. */
  const ok = async (id: string, payload: object) => {
    const version = (await get(id)).version;
    const res = await post(id, { version, ...payload });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as ContractView;
  };
  /** An event that must be refused with `status` and `code` (and `reason`), writing nothing. */
  const refused = async (id: string, payload: object, status: number, code: string, reason?: string) => {
    const before = await rowCounts(t);
    const version = (await get(id)).version;
    const res = await post(id, { version, ...payload });
    expect(res.statusCode, `${JSON.stringify(payload)} ${res.body}`).toBe(status);
    expect(res.json()).toMatchObject({ code, ...(reason ? { details: { reason } } : {}) });
    expect(await rowCounts(t)).toEqual(before);
  };

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    e = await formalisedContract(t);
    // A second contract of the same tender (as if lot 1 had been split) to run a termination.
    second = newId();
    await t.db.db
      .insertInto('contract')
      .values({
        id: second,
        tender_id: e.tenderId,
        authority_id: e.authorityId,
        lots: [1],
        bid_id: e.bidIds[1] ?? '',
        company_id: (
          await t.db.db
            .selectFrom('bid')
            .select('company_id')
            .where('id', '=', e.bidIds[1] ?? '')
            .executeTakeFirstOrThrow()
        ).company_id,
        amount_excl_vat: '46000.00',
        signed_at: e.signedAt,
        status: 'formalised',
        created_by: e.ids.officer,
        created_at: t.clock.now(),
      })
      .execute();
  }, 180_000);
  afterAll(async () => t.close());

  it('lists the formalised contracts to the authority’s staff only', async () => {
    const res = await t.app.inject({
      url: `${base()}?tenderId=${e.tenderId}`,
      headers: e.sessions.officer?.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    const contracts = (res.json() as { contracts: ContractView[] }).contracts;
    expect(contracts.map((c) => c.id).sort()).toEqual([e.contractId, second].sort());
    const c = await get(e.contractId);
    expect(c).toMatchObject({
      status: 'formalised',
      version: 0,
      amountExclVat: '45000.00',
      totalExclVat: '45000.00',
      paidExclVat: '0.00',
      bidId: e.bidIds[0],
      company: { legalName: 'Bidder 1 SL' },
      events: [],
    });
    const other = await t.app.inject({
      url: `${base()}?tenderId=${newId()}`,
      headers: e.sessions.officer?.headers,
    });
    expect((other.json() as { contracts: unknown[] }).contracts).toEqual([]);
    // Another authority's staff learn nothing; the committee and custodians do not manage contracts.
    expect(
      (await t.app.inject({ url: `${base()}/${e.contractId}`, headers: e.sessions.foreign?.headers }))
        .statusCode,
    ).toBe(404);
    const foreignUrl = `/api/v1/authorities/${e.otherAuthorityId}/contracts/${e.contractId}`;
    expect((await t.app.inject({ url: foreignUrl, headers: e.sessions.foreign?.headers })).statusCode).toBe(
      404,
    );
    expect(
      (await t.app.inject({ url: `${base()}/${e.contractId}`, headers: e.sessions.c1?.headers })).statusCode,
    ).toBe(403);
    expect(
      (await t.app.inject({ url: `${base()}/${newId()}`, headers: e.sessions.officer?.headers })).statusCode,
    ).toBe(404);
  });

  it('refuses bad events with stable codes and writes nothing', async () => {
    const before = await rowCounts(t);
    const id = e.contractId;
    const cases: [string, string, object, number, string, string?][] = [
      ['committee', id, { version: 0, type: 'start' }, 403, 'FORBIDDEN'],
      ['c1', id, { version: 0, type: 'start' }, 403, 'FORBIDDEN'],
      ['foreign', id, { version: 0, type: 'start' }, 404, 'NOT_FOUND'],
      ['officer', newId(), { version: 0, type: 'start' }, 404, 'NOT_FOUND'],
      ['officer', id, { version: 1, type: 'start' }, 409, 'CONFLICT'],
      [
        'officer',
        id,
        {
          version: 0,
          type: 'amendment',
          legalGround: 'art_204',
          valueChange: '100.00',
          reasons: 'Millores previstes al plec',
        },
        409,
        'INVALID_TRANSITION',
      ],
      [
        'officer',
        id,
        { version: 0, type: 'payment', amount: '10.00', paidOn: '2026-12-01', invoiceRef: 'F-1' },
        409,
        'INVALID_TRANSITION',
      ],
      [
        'officer',
        id,
        { version: 0, type: 'completion', completedOn: '2026-12-01' },
        409,
        'INVALID_TRANSITION',
      ],
      [
        'officer',
        id,
        { version: 0, type: 'start', endDate: '2020-01-01' },
        422,
        'UNPROCESSABLE',
        'before_formalisation',
      ],
      ['officer', id, { version: 0, type: 'start', endDate: '31/12/2028' }, 422, 'UNPROCESSABLE'],
      ['officer', id, { version: 0, type: 'nope' }, 400, 'VALIDATION_FAILED'],
      ['officer', id, { version: 0, type: 'start', extra: true }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [who, contractId, payload, status, code, reason] of cases) {
      const res = await post(contractId, payload, who);
      expect(res.statusCode, `${who} ${JSON.stringify(payload)} ${res.body}`).toBe(status);
      expect(res.json()).toMatchObject({ code, ...(reason ? { details: { reason } } : {}) });
    }
    expect(await rowCounts(t)).toEqual(before);
  });

  it('starts the execution and amends within the limits of arts. 204–205', async () => {
    const id = e.contractId;
    const started = await ok(id, { type: 'start', endDate: '2028-12-31' });
    expect(started).toMatchObject({ status: 'in_execution', version: 1, endDate: '2028-12-31' });
    const amend = (legalGround: string, valueChange: string, more: object = {}) => ({
      type: 'amendment',
      legalGround,
      valueChange,
      reasons: 'Ampliació del servei prevista al plec',
      ...more,
    });
    // Art. 204: 20 % of 45,000.00 = 9,000.00.
    await refused(id, amend('art_204', '9000.01'), 422, 'UNPROCESSABLE', 'art_204_limit');
    await refused(id, amend('art_205', '100.00'), 422, 'UNPROCESSABLE');
    await refused(id, amend('art_204', '100.00', { groundCase: 'a' }), 422, 'UNPROCESSABLE');
    // Art. 205.2.c.3º: a non-substantial change of a services contract adds at most 10 %.
    await refused(
      id,
      amend('art_205', '4500.01', { groundCase: 'c' }),
      422,
      'UNPROCESSABLE',
      'art_205_2_c_limit',
    );
    // Art. 205.2.a–b: at most 50 % = 22,500.00.
    await refused(
      id,
      amend('art_205', '22500.01', { groundCase: 'a' }),
      422,
      'UNPROCESSABLE',
      'art_205_limit',
    );
    await refused(id, amend('art_204', '1.234'), 422, 'UNPROCESSABLE');
    await refused(id, amend('art_204', '1e3'), 422, 'UNPROCESSABLE');
    await refused(id, amend('art_204', '100.00', { reasons: 'curt' }), 422, 'UNPROCESSABLE');
    await refused(id, amend('art_204', '100.00', { documents: ['not-a-digest'] }), 422, 'UNPROCESSABLE');

    // An amendment names documents uploaded to the contract (contract-documents.test.ts): one row here.
    await refused(
      id,
      amend('art_204', '4000.00', { documents: [SHA] }),
      422,
      'UNPROCESSABLE',
      'unknown_document',
    );
    await t.db.db
      .insertInto('contract_document')
      .values({
        id: newId(),
        contract_id: id,
        authority_id: e.authorityId,
        title: 'Informe jurídic',
        file_name: 'informe.pdf',
        content_type: 'application/pdf',
        size_bytes: 1000,
        sha256: SHA,
        uploaded_by: e.ids.officer,
        uploaded_at: t.clock.now(),
      })
      .execute();
    const up = await ok(id, amend('art_204', '4000.00', { documents: [SHA] }));
    expect(up).toMatchObject({ totalExclVat: '49000.00', version: 2 });
    expect(up.events.at(-1)).toMatchObject({
      type: 'amendment',
      legalGround: 'art_204',
      groundCase: null,
      valueChange: '4000.00',
      newTotal: '49000.00',
      documents: [SHA],
    });
    // A reduction counts towards the limit too ("aislada o conjuntamente"): 4,000 + 5,000 = 9,000.
    const down = await ok(id, amend('art_204', '-5000.00'));
    expect(down.totalExclVat).toBe('44000.00');
    await refused(id, amend('art_204', '0.01'), 422, 'UNPROCESSABLE', 'art_204_limit');
  });

  it('records extensions, milestones and payments within the price', async () => {
    const id = e.contractId;
    const extended = await ok(id, {
      type: 'extension',
      newEndDate: '2029-06-30',
      reasons: 'Pròrroga prevista al plec',
    });
    expect(extended.endDate).toBe('2029-06-30');
    await refused(
      id,
      { type: 'extension', newEndDate: '2029-01-01', reasons: 'Pròrroga prevista al plec' },
      422,
      'UNPROCESSABLE',
    );
    await refused(id, { type: 'extension', newEndDate: '2029-12-31', reasons: 'curt' }, 422, 'UNPROCESSABLE');
    await ok(id, { type: 'milestone', description: 'Lliurament del pla de treball', dueDate: '2027-01-15' });
    await refused(
      id,
      { type: 'milestone', description: 'Abans de signar', dueDate: '2020-01-15' },
      422,
      'UNPROCESSABLE',
      'before_formalisation',
    );
    await refused(id, { type: 'milestone', dueDate: '2027-01-15' }, 422, 'UNPROCESSABLE');

    const today = localDate(t.clock.now(), 'Europe/Madrid');
    const paid = await ok(id, { type: 'payment', amount: '30000.00', paidOn: today, invoiceRef: 'F-2027/1' });
    expect(paid).toMatchObject({ paidExclVat: '30000.00', totalExclVat: '44000.00' });
    await refused(
      id,
      { type: 'payment', amount: '14000.01', paidOn: today, invoiceRef: 'F-2027/2' },
      422,
      'UNPROCESSABLE',
      'payments_exceed_total',
    );
    await refused(
      id,
      { type: 'payment', amount: '10.00', paidOn: '2099-01-01', invoiceRef: 'F-2027/2' },
      422,
      'UNPROCESSABLE',
      'in_the_future',
    );
    await refused(
      id,
      { type: 'payment', amount: '0.00', paidOn: today, invoiceRef: 'F-2027/2' },
      422,
      'UNPROCESSABLE',
    );
    await refused(id, { type: 'payment', amount: '10.00', paidOn: today }, 422, 'UNPROCESSABLE');
    // An amendment cannot bring the price below what was paid.
    await refused(
      id,
      {
        type: 'amendment',
        legalGround: 'art_205',
        groundCase: 'b',
        valueChange: '-15000.00',
        reasons: 'Reducció per causes imprevistes',
      },
      422,
      'UNPROCESSABLE',
      'below_paid',
    );
    const more = await ok(id, {
      type: 'amendment',
      legalGround: 'art_205',
      groundCase: 'b',
      valueChange: '20000.00',
      reasons: 'Circumstàncies imprevisibles (art. 205.2.b)',
    });
    expect(more.totalExclVat).toBe('64000.00');
    const rest = await ok(id, { type: 'payment', amount: '34000.00', paidOn: today, invoiceRef: 'F-2027/2' });
    expect(rest.paidExclVat).toBe('64000.00');
    await refused(
      id,
      { type: 'payment', amount: '0.01', paidOn: today, invoiceRef: 'F-2027/3' },
      422,
      'UNPROCESSABLE',
      'payments_exceed_total',
    );
  });

  it('suspends, resumes and completes; a stale version is refused', async () => {
    const id = e.contractId;
    const suspended = await ok(id, { type: 'suspension', reasons: 'Obres a l’edifici de l’escola' });
    expect(suspended.status).toBe('suspended');
    await refused(id, { type: 'completion', completedOn: '2026-12-01' }, 409, 'INVALID_TRANSITION');
    await ok(id, { type: 'milestone', description: 'Represa prevista', dueDate: '2027-02-01' });
    const resumed = await ok(id, { type: 'resumption' });
    expect(resumed.status).toBe('in_execution');
    const before = await rowCounts(t);
    const stale = await post(id, {
      version: resumed.version - 1,
      type: 'suspension',
      reasons: 'Segona suspensió temporal',
    });
    expect(stale.json()).toMatchObject({ code: 'CONFLICT', details: { version: resumed.version } });
    expect(await rowCounts(t)).toEqual(before);
    const signedDay = localDate(e.signedAt, 'Europe/Madrid');
    await refused(
      id,
      { type: 'completion', completedOn: '2099-01-01' },
      422,
      'UNPROCESSABLE',
      'in_the_future',
    );
    await refused(
      id,
      { type: 'completion', completedOn: '2020-01-01' },
      422,
      'UNPROCESSABLE',
      'before_formalisation',
    );
    const completed = await ok(id, { type: 'completion', completedOn: signedDay });
    expect(completed.status).toBe('completed');
    await refused(id, { type: 'suspension', reasons: 'Després de la recepció' }, 409, 'INVALID_TRANSITION');
    await refused(
      id,
      { type: 'termination', grounds: 'art. 211.1.f', reasons: 'Incompliment greu' },
      409,
      'INVALID_TRANSITION',
    );
    expect(completed.events.map((x) => [x.version, x.type])).toEqual([
      [1, 'start'],
      [2, 'amendment'],
      [3, 'amendment'],
      [4, 'extension'],
      [5, 'milestone'],
      [6, 'payment'],
      [7, 'amendment'],
      [8, 'payment'],
      [9, 'suspension'],
      [10, 'milestone'],
      [11, 'resumption'],
      [12, 'completion'],
    ]);
  });

  it('terminates a contract with its grounds; liquidation payments still go in', async () => {
    await ok(second, { type: 'start' });
    await ok(second, { type: 'suspension', reasons: 'Incompliment de les condicions especials' });
    await refused(
      second,
      { type: 'termination', reasons: 'Incompliment greu del contractista' },
      422,
      'UNPROCESSABLE',
    );
    const terminated = await ok(second, {
      type: 'termination',
      grounds: 'art. 211.1.f LCSP',
      reasons: 'Incompliment greu del contractista',
    });
    expect(terminated).toMatchObject({
      status: 'terminated',
      termination: { grounds: 'art. 211.1.f LCSP', reasons: 'Incompliment greu del contractista' },
    });
    const today = localDate(t.clock.now(), 'Europe/Madrid');
    const paid = await ok(second, { type: 'payment', amount: '1000.00', paidOn: today, invoiceRef: 'LIQ-1' });
    expect(paid.paidExclVat).toBe('1000.00');
    await refused(second, { type: 'resumption' }, 409, 'INVALID_TRANSITION');
  });

  it('audits every event as a public act, in the same transaction as its row', async () => {
    const events = await t.db.db
      .selectFrom('audit_event')
      .select(['is_public', 'object_id', 'data', 'actor_user_id'])
      .where('action', '=', 'contract.event')
      .orderBy('seq')
      .execute();
    const rows = await t.db.db
      .selectFrom('contract_event')
      .select(['contract_id', 'version', 'type'])
      .execute();
    expect(events).toHaveLength(rows.length);
    expect(events.every((x) => x.is_public && x.actor_user_id === e.ids.officer)).toBe(true);
    expect(events[1]).toMatchObject({
      object_id: e.contractId,
      data: {
        ocid: e.ocid,
        type: 'amendment',
        status: 'in_execution',
        version: 2,
        fields: { legal_ground: 'art_204', value_change: '4000.00', new_total: '49000.00' },
      },
    });
  });

  it('publishes the contracts with their amendments, extensions, payment totals and status', async () => {
    const res = await t.app.inject({ url: `/api/v1/tenders/${e.ocid}/contracts` });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { contracts: { id: string }[] };
    const first = body.contracts.find((c) => c.id === e.contractId);
    expect(first).toMatchObject({
      lots: [1],
      company: { legalName: 'Bidder 1 SL' },
      amountExclVat: '45000.00',
      totalExclVat: '64000.00',
      status: 'completed',
      endDate: '2029-06-30',
      payments: { count: 2, totalExclVat: '64000.00' },
      completedOn: localDate(e.signedAt, 'Europe/Madrid'),
      termination: null,
    });
    expect((first as unknown as { amendments: unknown[] }).amendments).toEqual([
      expect.objectContaining({
        legalGround: 'art_204',
        groundCase: null,
        valueChange: '4000.00',
        newTotal: '49000.00',
      }),
      expect.objectContaining({ legalGround: 'art_204', valueChange: '-5000.00', newTotal: '44000.00' }),
      expect.objectContaining({
        legalGround: 'art_205',
        groundCase: 'b',
        valueChange: '20000.00',
        newTotal: '64000.00',
      }),
    ]);
    expect((first as unknown as { extensions: unknown[] }).extensions).toEqual([
      expect.objectContaining({ newEndDate: '2029-06-30', reasons: 'Pròrroga prevista al plec' }),
    ]);
    expect(body.contracts.find((c) => c.id === second)).toMatchObject({
      status: 'terminated',
      termination: { grounds: 'art. 211.1.f LCSP' },
    });
    // A summary: payments as count and total, no milestones (they are in the public audit trail).
    expect(res.body).not.toContain('F-2027/1');
    expect(res.body).not.toContain('pla de treball');
    expect((await t.app.inject({ url: '/api/v1/tenders/ocds-nope-1/contracts' })).statusCode).toBe(404);
  });
});
