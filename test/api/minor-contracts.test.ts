import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteCommitment } from '../../src/modules/minor/minor-contract.rules.js';
import { declaredExtensionUrls } from '../../src/modules/ocds/extensions.js';
import { NO_RULES } from '../../src/modules/ocds/merge-rules.js';
import type { JsonObject } from '../../src/modules/ocds/merge.types.js';
import { setOcdsPublisher } from '../../src/modules/ocds/ocds-publish.context.js';
import { newId } from '../../src/platform/ids.js';
import {
  buildTestApp,
  login,
  makeAuthority,
  makeCompany,
  makeUser,
  rowCounts,
  type Session,
  type TestApp,
} from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import { hasOcdsData, publishedFindings } from '../helpers/ocds.js';
import { validNif } from '../helpers/tax-ids.js';
import { loadDemoCpv, tenderPayload } from '../helpers/tenders.js';

type MinorBody = {
  status: string;
  round: number;
  quoteDeadline: string | null;
  quotesSealed: boolean;
  quoteCount: number | null;
  invitations: { companyId: string; hasQuoted: boolean | null }[];
  quotes: {
    id: string;
    companyId: string;
    amountExclVat: string;
    splitting: { reachesThreshold: boolean };
  }[];
  award: { companyId: string; amountExclVat: string; amountInclVat: string } | null;
};

/** Deadlines in hours: sessions last 12 hours, and the tests move the clock past deadlines. */
const HOUR = 3_600_000;
const names = (text: string) => ({ ca: `${text} (ca)`, es: `${text} (es)`, en: `${text} (en)` });

describe(`minor contracts (${driverName})`, () => {
  let t: TestApp;
  let a: { id: string; slug: string };
  let b: { id: string; slug: string };
  const s: Record<string, Session> = {};
  const user: Record<string, string> = {};
  /** Companies: c1–c3 SMEs in cleaning, c4 a large cleaning company, c5 works, c6 never invited. */
  const co: Record<string, string> = {};
  let seq = 0;

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    // Publication on: a minor award is published as OCDS too.
    setOcdsPublisher({ rules: NO_RULES, publicBaseUrl: 'https://contracta.test' });
    await loadDemoCpv(t);
    a = await makeAuthority(t);
    b = await makeAuthority(t);
    // A one-step chain: minor files go through the authority's approval chain like any file.
    await t.db.db
      .updateTable('authority')
      .set({ approval_chain: ['approver_technical'] })
      .where('id', '=', a.id)
      .execute();
    await t.db.db.updateTable('authority').set({ approval_chain: [] }).where('id', '=', b.id).execute();
    const companies: [string, boolean, string[]][] = [
      ['c1', true, ['90910000']],
      ['c2', true, ['90900000']],
      ['c3', true, ['90911000-6']],
      ['c4', false, ['90910000']],
      ['c5', true, ['45000000']],
      ['c6', true, ['90910000']],
    ];
    for (const [key, isSme, cpv] of companies) {
      const c = await makeCompany(t, validNif());
      await t.db.db
        .updateTable('company')
        .set({ is_sme: isSme, cpv_interests: cpv, legal_name: `Empresa ${key}` })
        .where('id', '=', c.id)
        .execute();
      co[key] = c.id;
    }
    const people: [string, Parameters<typeof makeUser>[1]][] = [
      ['officer', { roles: [{ authorityId: a.id, roles: ['procurement_officer'] }] }],
      ['approver', { roles: [{ authorityId: a.id, roles: ['approver_technical'] }] }],
      ['admin', { roles: [{ authorityId: a.id, roles: ['authority_admin'] }] }],
      ['auditor', { roles: [{ authorityId: a.id, roles: ['auditor'] }] }],
      ['platform', { platformAdmin: true }],
      ['officerB', { roles: [{ authorityId: b.id, roles: ['procurement_officer'] }] }],
      ['bidder1', { companies: [{ companyId: co.c1 ?? '', roles: ['bidder'] }] }],
      ['admin2', { companies: [{ companyId: co.c2 ?? '', roles: ['company_admin'] }] }],
      ['bidder3', { companies: [{ companyId: co.c3 ?? '', roles: ['bidder'] }] }],
      ['bidder4', { companies: [{ companyId: co.c4 ?? '', roles: ['bidder'] }] }],
      ['bidder6', { companies: [{ companyId: co.c6 ?? '', roles: ['bidder'] }] }],
    ];
    let i = 0;
    for (const [name, opts] of people) {
      i += 1;
      const u = await makeUser(t, opts);
      user[name] = u.id;
      s[name] = await login(t, u.email, undefined, { remoteAddress: `10.40.0.${i}` });
    }
  });
  afterAll(async () => {
    setOcdsPublisher(undefined);
    await t.close();
  });

  const call = (who: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: s[who]?.headers, ...(payload ? { payload } : {}) });
  const minorUrl = (tenderId: string, authorityId = a.id) =>
    `/authorities/${authorityId}/tenders/${tenderId}/minor`;
  const quoteUrl = (company: string, tenderId: string) =>
    `/companies/${co[company]}/minor-invitations/${tenderId}/quote`;

  /** The payload each minor file was drafted with, to try editing it later. */
  const payloads = new Map<string, object>();
  /** A minor file, drafted by the officer, approved through the chain. */
  async function approvedMinorFile(
    over: { contractType?: 'services' | 'works'; value?: string; cpv?: string; duration?: number } = {},
  ): Promise<string> {
    seq += 1;
    const value = over.value ?? '14999.99';
    const cpv = over.cpv ?? '90910000-9';
    const payload = tenderPayload(t.clock.now(), {
      reference: `MEN-${seq}`,
      procedure: 'menor',
      contractType: over.contractType ?? 'services',
      title: names(`Neteja puntual ${seq}`),
      mainCpv: cpv,
      estimatedValue: value,
      budgetExclVat: value,
      budgetInclVat: (Number(value) * 1.21).toFixed(2),
      durationMonths: over.duration ?? 6,
      tenderDeadline: null,
      questionsDeadline: null,
      lots: [
        {
          number: 1,
          title: names('Únic'),
          estimatedValue: value,
          budgetExclVat: value,
          mainCpv: cpv,
          criteria: [],
        },
      ],
    });
    const created = await call('officer', 'POST', `/authorities/${a.id}/tenders`, payload);
    expect(created.statusCode, created.body).toBe(201);
    const id = (created.json() as { id: string }).id;
    payloads.set(id, payload);
    await t.db.db
      .insertInto('tender_document')
      .values({
        id: newId(),
        tender_id: id,
        authority_id: a.id,
        kind: 'informe_necesidad',
        title: 'Informe de necessitat',
        file_name: 'informe.pdf',
        content_type: 'application/pdf',
        size_bytes: 1000,
        sha256: createHash('sha256').update(id).digest('hex'),
        uploaded_by: user.officer ?? '',
      })
      .execute();
    const submitted = await call('officer', 'POST', `/authorities/${a.id}/tenders/${id}/submit`, {
      version: 1,
    });
    expect(submitted.statusCode, submitted.body).toBe(200);
    const approved = await call('approver', 'POST', `/authorities/${a.id}/tenders/${id}/approvals`, {
      decision: 'approved',
    });
    expect(approved.json()).toMatchObject({ status: 'approved' });
    return id;
  }

  const inHours = (n: number) => new Date(t.clock.now().getTime() + n * HOUR).toISOString();
  const start = (id: string, companies: string[], extra: object = {}) =>
    call('officer', 'POST', `${minorUrl(id)}/start`, {
      quoteDeadline: inHours(5),
      companyIds: companies.map((c) => co[c]),
      ...extra,
    });
  /** Runs `fn` with the clock moved `hours` ahead, then puts it back. */
  async function later<T>(hours: number, fn: () => Promise<T>): Promise<T> {
    const now = t.clock.now();
    t.clock.set(new Date(now.getTime() + hours * HOUR));
    try {
      return await fn();
    } finally {
      t.clock.set(now);
    }
  }

  it('refuses to publish a minor file as a notice', async () => {
    const id = await approvedMinorFile();
    const before = await rowCounts(t);
    const res = await call('officer', 'POST', `/authorities/${a.id}/tenders/${id}/publish`, { version: 3 });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'PROCEDURE_NOT_PUBLISHED' });
    expect(await rowCounts(t)).toEqual(before);
  });

  it('runs the whole path: suggest, invite, quote, unseal, award, list', async () => {
    const id = await approvedMinorFile();
    const fresh = (await call('officer', 'GET', minorUrl(id))).json() as MinorBody;
    expect(fresh).toMatchObject({ status: 'not_started', quoteDeadline: null, invitations: [] });

    const suggestions = await call('officer', 'GET', `${minorUrl(id)}/suggestions`);
    expect(suggestions.statusCode).toBe(200);
    const ids = (suggestions.json() as { id: string }[]).map((x) => x.id);
    // SMEs first (closest CPV first among them), the large company last, the works company never.
    expect(ids.slice(0, 4)).toEqual([co.c1, co.c6, co.c3, co.c2]);
    expect(ids.at(-1)).toBe(co.c4);
    expect(ids).not.toContain(co.c5);

    const started = await start(id, ['c1', 'c2', 'c3', 'c4']);
    expect(started.statusCode, started.body).toBe(201);
    expect(started.json()).toMatchObject({ status: 'inviting', quotesSealed: true, quoteCount: null });
    const afterInvite = (await call('officer', 'GET', `${minorUrl(id)}/suggestions`)).json() as {
      id: string;
    }[];
    expect(afterInvite.map((x) => x.id)).toEqual([co.c6]);

    // Companies see their invitation and quote; a second quote replaces the first.
    const invitations = await call('bidder1', 'GET', `/companies/${co.c1}/minor-invitations`);
    expect(invitations.json()).toMatchObject([{ tenderId: id, open: true, myQuote: null }]);
    expect((await call('bidder1', 'PUT', quoteUrl('c1', id), { amountExclVat: '12000.00' })).statusCode).toBe(
      200,
    );
    const replaced = await call('bidder1', 'PUT', quoteUrl('c1', id), {
      amountExclVat: '11000.50',
      note: 'Inclou materials',
    });
    expect(replaced.json()).toMatchObject({
      myQuote: { amountExclVat: '11000.50', note: 'Inclou materials' },
    });
    expect((await call('admin2', 'PUT', quoteUrl('c2', id), { amountExclVat: '13500' })).statusCode).toBe(
      200,
    );
    expect((await call('bidder3', 'PUT', quoteUrl('c3', id), { amountExclVat: '9800.00' })).statusCode).toBe(
      200,
    );

    // Sealed: the officer sees neither who nor how much nor how many, and cannot award yet.
    const sealed = (await call('officer', 'GET', minorUrl(id))).json() as MinorBody;
    expect(sealed).toMatchObject({ quotesSealed: true, quoteCount: null, quotes: [] });
    expect(sealed.invitations.every((i) => i.hasQuoted === null)).toBe(true);
    const early = await call('officer', 'POST', `${minorUrl(id)}/award`, {
      quoteId: newId(),
      justification: 'Millor preu de les ofertes rebudes',
    });
    expect(early.json()).toMatchObject({ code: 'QUOTES_SEALED' });
    // Another company's quote never shows to a company.
    const mine = (await call('admin2', 'GET', `/companies/${co.c2}/minor-invitations`)).body;
    expect(mine).not.toContain('11000.50');
    expect(mine).not.toContain('9800.00');

    await later(6, async () => {
      // Late quote: 409, nothing written.
      const before = await rowCounts(t);
      const late = await call('bidder4', 'PUT', quoteUrl('c4', id), { amountExclVat: '9000.00' });
      expect(late.statusCode).toBe(409);
      expect(late.json()).toMatchObject({ code: 'DEADLINE_PASSED' });
      const lateInvite = await call('officer', 'POST', `${minorUrl(id)}/invitations`, {
        companyIds: [co.c6],
      });
      expect(lateInvite.json()).toMatchObject({ code: 'DEADLINE_PASSED' });
      expect(await rowCounts(t)).toEqual(before);

      const open = (await call('officer', 'GET', minorUrl(id))).json() as MinorBody;
      expect(open.quotesSealed).toBe(false);
      expect(open.quotes.map((q) => q.amountExclVat)).toEqual(['9800.00', '11000.50', '13500.00']);
      const c4 = open.invitations.find((i) => i.companyId === co.c4);
      expect(c4?.hasQuoted).toBe(false);

      // The approver may read but not award.
      const cheapest = open.quotes[0]?.id ?? '';
      const forbidden = await call('approver', 'POST', `${minorUrl(id)}/award`, {
        quoteId: cheapest,
        justification: 'Millor preu de les ofertes rebudes',
      });
      expect(forbidden.statusCode).toBe(403);
      const awarded = await call('officer', 'POST', `${minorUrl(id)}/award`, {
        quoteId: cheapest,
        justification: 'Millor preu de les ofertes rebudes',
      });
      expect(awarded.statusCode, awarded.body).toBe(200);
      expect(awarded.json()).toMatchObject({
        status: 'awarded',
        award: { companyId: co.c3, amountExclVat: '9800.00', amountInclVat: '11858.00' },
      });
      const events = await t.db.db
        .selectFrom('audit_event')
        .select(['action', 'is_public', 'data'])
        .where('object_id', '=', id)
        .where('action', 'like', 'minor.%')
        .orderBy('seq')
        .execute();
      expect(events.map((e) => e.action)).toEqual([
        'minor.started',
        'minor.quote_submitted',
        'minor.quote_submitted',
        'minor.quote_submitted',
        'minor.quote_submitted',
        'minor.quotes_opened',
        'minor.awarded',
      ]);
      // Sealed quotes: the audit trail holds a hash, not the amount.
      expect(JSON.stringify(events.filter((e) => e.action === 'minor.quote_submitted'))).not.toContain(
        '11000',
      );
      expect(events.at(-1)?.is_public).toBe(true);

      // Final: no second award, no void.
      const again = await call('officer', 'POST', `${minorUrl(id)}/void`, { reason: 'Ja no cal el servei' });
      expect(again.json()).toMatchObject({ code: 'INVALID_TRANSITION' });
      // The awarded file can be neither edited (companies quoted for this text) nor desisted from.
      const fileUrl = `/authorities/${a.id}/tenders/${id}`;
      const version = ((await call('officer', 'GET', fileUrl)).json() as { version: number }).version;
      const edit = await call('officer', 'PUT', fileUrl, { ...payloads.get(id), version });
      expect(edit.statusCode, edit.body).toBe(409);
      expect(edit.json()).toMatchObject({ code: 'INVALID_TRANSITION' });
      const cancel = await call('officer', 'POST', `${fileUrl}/cancel`, {
        version,
        kind: 'desistimiento',
        reason: 'Ja no cal',
      });
      expect(cancel.json()).toMatchObject({ code: 'INVALID_TRANSITION' });
      expect(((await call('officer', 'GET', fileUrl)).json() as { status: string }).status).toBe('approved');
      const result = (await call('bidder3', 'GET', `/companies/${co.c3}/minor-invitations`)).json();
      expect(result).toMatchObject([{ status: 'awarded', awardedToYou: true }]);

      const list = await t.app.inject({
        method: 'GET',
        url: `/api/v1/authorities/${a.id}/minor-contracts?year=2026&quarter=4`,
      });
      expect(list.statusCode).toBe(200);
      expect(list.json()).toMatchObject({
        year: 2026,
        quarter: 4,
        contracts: [
          { tenderId: id, amountExclVat: '9800.00', amountInclVat: '11858.00', awardedOn: '2026-11-26' },
        ],
      });
    });
  });

  it('asks for three invitations or written reasons, and refuses bad input without writing', async () => {
    const id = await approvedMinorFile();
    const before = await rowCounts(t);
    const bad: [object, number, string][] = [
      [{ quoteDeadline: inHours(5), companyIds: [co.c1, co.c2] }, 422, 'MINOR_TOO_FEW_INVITATIONS'],
      [{ quoteDeadline: inHours(-1), companyIds: [co.c1, co.c2, co.c3] }, 422, 'DEADLINE_IN_PAST'],
      [{ quoteDeadline: inHours(5), companyIds: [co.c1, co.c2, newId()] }, 404, 'NOT_FOUND'],
      [{ quoteDeadline: 'tomorrow', companyIds: [co.c1, co.c2, co.c3] }, 400, 'VALIDATION_FAILED'],
      [{ quoteDeadline: inHours(5), companyIds: [] }, 400, 'VALIDATION_FAILED'],
      [{ quoteDeadline: inHours(5), companyIds: [co.c1, co.c2, co.c3], extra: 1 }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [payload, status, code] of bad) {
      const res = await call('officer', 'POST', `${minorUrl(id)}/start`, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(res.json()).toMatchObject({ code });
    }
    expect(await rowCounts(t)).toEqual(before);
    const justified = await start(id, ['c1'], { justification: 'Únic distribuïdor autoritzat a la comarca' });
    expect(justified.statusCode).toBe(201);
    expect((await start(id, ['c1', 'c2', 'c3'])).json()).toMatchObject({ code: 'INVALID_TRANSITION' });

    // Bad quotes: nothing written.
    const before2 = await rowCounts(t);
    for (const [amount, status, code] of [
      ['-5', 400, 'VALIDATION_FAILED'],
      ['12,50', 400, 'VALIDATION_FAILED'],
      ['1e4', 400, 'VALIDATION_FAILED'],
      ['0.00', 422, 'UNPROCESSABLE'],
    ] as const) {
      const res = await call('bidder1', 'PUT', quoteUrl('c1', id), { amountExclVat: amount });
      expect(res.statusCode, amount).toBe(status);
      expect(res.json()).toMatchObject({ code });
    }
    const numeric = await call('bidder1', 'PUT', quoteUrl('c1', id), { amountExclVat: 100 });
    expect(numeric.statusCode).toBe(400);
    expect(await rowCounts(t)).toEqual(before2);
  });

  it('keeps ids of other companies and authorities unknown (404)', async () => {
    const id = await approvedMinorFile();
    await start(id, ['c1', 'c2', 'c3']);
    const before = await rowCounts(t);
    // A company that was not invited, or a user quoting for a company not theirs.
    const notInvited = await call('bidder6', 'PUT', quoteUrl('c6', id), { amountExclVat: '100.00' });
    expect(notInvited.statusCode).toBe(404);
    const notMine = await call('bidder6', 'PUT', quoteUrl('c1', id), { amountExclVat: '100.00' });
    expect(notMine.statusCode).toBe(404);
    expect((await call('bidder6', 'GET', `/companies/${co.c1}/minor-invitations`)).statusCode).toBe(404);
    // Officers of another authority, and the file under another authority's id.
    expect((await call('officerB', 'GET', minorUrl(id))).statusCode).toBe(404);
    expect((await call('officerB', 'GET', minorUrl(id, b.id))).statusCode).toBe(404);
    expect(
      (await call('officerB', 'POST', `${minorUrl(id, b.id)}/void`, { reason: 'Prova de sondeig' }))
        .statusCode,
    ).toBe(404);
    expect((await call('officer', 'GET', minorUrl(newId()))).statusCode).toBe(404);
    // A quote id of another file cannot be awarded here.
    const other = await approvedMinorFile();
    await start(other, ['c1', 'c2', 'c3']);
    await call('bidder1', 'PUT', quoteUrl('c1', other), { amountExclVat: '500.00' });
    await later(6, async () => {
      const foreign = (await call('officer', 'GET', minorUrl(other))).json() as MinorBody;
      const res = await call('officer', 'POST', `${minorUrl(id)}/award`, {
        quoteId: foreign.quotes[0]?.id,
        justification: 'Prova de quota d’un altre expedient',
      });
      expect(res.statusCode).toBe(404);
    });
    // A non-minor file has no fast path.
    const open = await call('officer', 'POST', `/authorities/${a.id}/tenders`, tenderPayload(t.clock.now()));
    const openId = (open.json() as { id: string }).id;
    expect((await call('officer', 'GET', minorUrl(openId))).json()).toMatchObject({ code: 'UNPROCESSABLE' });
    expect((await rowCounts(t)).minor_quote).toBe((before.minor_quote ?? 0) + 1);
  });

  it('guards the threshold at ±1 € (art. 118.1) and the estimated value', async () => {
    for (const [contractType, value, amount, expected] of [
      ['services', '14999.99', '14999.00', 200],
      ['services', '14999.99', '15000.00', 'MINOR_THRESHOLD_EXCEEDED'],
      ['services', '14999.99', '15001.00', 'MINOR_THRESHOLD_EXCEEDED'],
      ['works', '39999.99', '39999.00', 200],
      ['works', '39999.99', '40000.00', 'MINOR_THRESHOLD_EXCEEDED'],
      ['works', '39999.99', '40001.00', 'MINOR_THRESHOLD_EXCEEDED'],
      ['services', '10000.00', '10000.01', 'UNPROCESSABLE'],
    ] as const) {
      const cpv = contractType === 'works' ? '45000000-7' : '90910000-9';
      const id = await approvedMinorFile({ contractType, value, cpv });
      await start(id, ['c1', 'c2', 'c3']);
      await call('bidder1', 'PUT', quoteUrl('c1', id), { amountExclVat: amount });
      await later(6, async () => {
        const view = (await call('officer', 'GET', minorUrl(id))).json() as MinorBody;
        const before = await rowCounts(t);
        const res = await call('officer', 'POST', `${minorUrl(id)}/award`, {
          quoteId: view.quotes[0]?.id,
          justification: 'Única oferta rebuda dins de termini',
        });
        if (expected === 200) {
          expect(res.statusCode, res.body).toBe(200);
        } else {
          expect(res.statusCode, `${contractType} ${amount}`).toBe(422);
          expect(res.json()).toMatchObject({ code: expected });
          expect(await rowCounts(t)).toEqual(before);
        }
      });
    }
  });

  it('blocks splitting in 12 months unless reasons are given (arts. 99.2, 118.3)', async () => {
    // An earlier award to c2 for the same object, 8,000 €, moved two months back.
    const first = await approvedMinorFile({ value: '8000.00' });
    await start(first, ['c1', 'c2', 'c3']);
    await call('admin2', 'PUT', quoteUrl('c2', first), { amountExclVat: '8000.00' });
    await later(6, async () => {
      const v = (await call('officer', 'GET', minorUrl(first))).json() as MinorBody;
      const res = await call('officer', 'POST', `${minorUrl(first)}/award`, {
        quoteId: v.quotes[0]?.id,
        justification: 'Única oferta rebuda dins de termini',
      });
      expect(res.statusCode, res.body).toBe(200);
    });
    await t.db.db
      .updateTable('minor_award')
      .set({ awarded_on: '2026-09-26' })
      .where('tender_id', '=', first)
      .execute();
    const id = await approvedMinorFile({ value: '7500.00' });
    // The pre-publication check sees the invited company's earlier award (warning).
    await start(id, ['c2', 'c4', 'c6']);
    const checks = (await call('officer', 'GET', `/authorities/${a.id}/tenders/${id}`)).json() as {
      findings: { code: string }[];
    };
    expect(checks.findings.map((f) => f.code)).toContain('MINOR_CONTRACT_SPLITTING');
    await call('admin2', 'PUT', quoteUrl('c2', id), { amountExclVat: '7000.00' });
    await call('bidder4', 'PUT', quoteUrl('c4', id), { amountExclVat: '7400.00' });
    await later(6, async () => {
      const v = (await call('officer', 'GET', minorUrl(id))).json() as MinorBody;
      const c2 = v.quotes.find((q) => q.companyId === co.c2);
      expect(c2?.splitting.reachesThreshold).toBe(true);
      expect(v.quotes.find((q) => q.companyId === co.c4)?.splitting.reachesThreshold).toBe(false);
      const before = await rowCounts(t);
      const blocked = await call('officer', 'POST', `${minorUrl(id)}/award`, {
        quoteId: c2?.id,
        justification: 'Millor preu de les ofertes rebudes',
      });
      expect(blocked.statusCode).toBe(422);
      expect(blocked.json()).toMatchObject({
        code: 'MINOR_SPLITTING_RISK',
        details: { cumulative: '15000.00', threshold: '15000.00', contracts: [first] },
      });
      expect(await rowCounts(t)).toEqual(before);
      const justified = await call('officer', 'POST', `${minorUrl(id)}/award`, {
        quoteId: c2?.id,
        justification: 'Millor preu de les ofertes rebudes',
        splittingJustification: 'Objecte diferent: neteja de vidres, no de locals; necessitat sobrevinguda',
      });
      expect(justified.statusCode, justified.body).toBe(200);
    });
  });

  it('voids a request with reasons and refuses later steps', async () => {
    const id = await approvedMinorFile();
    expect(
      (await call('officer', 'POST', `${minorUrl(id)}/void`, { reason: 'Ja no cal el servei' })).json(),
    ).toMatchObject({
      code: 'INVALID_TRANSITION',
    });
    await start(id, ['c1', 'c2', 'c3']);
    const short = await call('admin', 'POST', `${minorUrl(id)}/void`, { reason: 'no' });
    expect(short.json()).toMatchObject({ code: 'UNPROCESSABLE' });
    const voided = await call('admin', 'POST', `${minorUrl(id)}/void`, { reason: 'Ja no cal el servei' });
    expect(voided.json()).toMatchObject({ status: 'void', voidReason: 'Ja no cal el servei' });
    const quote = await call('bidder1', 'PUT', quoteUrl('c1', id), { amountExclVat: '100.00' });
    expect(quote.json()).toMatchObject({ code: 'INVALID_TRANSITION' });
    const invite = await call('officer', 'POST', `${minorUrl(id)}/invitations`, { companyIds: [co.c6] });
    expect(invite.json()).toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  type AuditBody = {
    action: string;
    actorUserId: string | null;
    authorityId: string | null;
    companyId: string | null;
    objectId: string;
    data: Record<string, unknown>;
  }[];

  it('keeps who quoted, and how many, out of every audit reading until the opening', async () => {
    const id = await approvedMinorFile();
    await start(id, ['c1', 'c2', 'c3']);
    expect((await call('bidder1', 'PUT', quoteUrl('c1', id), { amountExclVat: '9000.00' })).statusCode).toBe(
      200,
    );
    const c2 = await call('admin2', 'PUT', quoteUrl('c2', id), { amountExclVat: '9500.00', note: 'Net' });
    expect(c2.statusCode).toBe(200);
    // The authority's administrators and auditors read its audit events before the deadline.
    for (const who of ['auditor', 'admin']) {
      for (const url of [
        `/authorities/${a.id}/audit-events?limit=500`,
        `/authorities/${a.id}/audit-events?objectId=${id}`,
        `/authorities/${a.id}/audit-events?action=minor.quote_submitted`,
        `/authorities/${a.id}/audit-events?actorUserId=${user.bidder1}`,
      ]) {
        const res = await call(who, 'GET', url);
        expect(res.statusCode, `${who} ${url}`).toBe(200);
        // Rounds of other tests, opened already, are readable: this round's quotes are not.
        const events = (res.json() as AuditBody).filter((e) => e.objectId === id);
        expect(events.filter((e) => e.action === 'minor.quote_submitted')).toEqual([]);
        expect(events.some((e) => e.actorUserId === user.bidder1 || e.actorUserId === user.admin2)).toBe(
          false,
        );
        expect(
          events.filter((e) => e.objectId === id && e.action.startsWith('minor.')).map((e) => e.action),
        ).toEqual(url.includes('objectId') || url.includes('limit') ? ['minor.started'] : []);
      }
    }
    // Platform administrators read every event of the platform: not these either.
    for (const url of [
      '/audit-events?limit=500',
      `/audit-events?action=minor.quote_submitted`,
      `/audit-events?actorUserId=${user.bidder1}`,
    ]) {
      const res = await call('platform', 'GET', url);
      expect(res.statusCode, url).toBe(200);
      const events = res.json() as AuditBody;
      // (Other tests' rounds, opened already, are readable: only this round's quotes are sealed.)
      const mine = events.filter((e) => e.objectId === id);
      expect(
        mine.filter((e) => e.action === 'minor.quote_submitted'),
        url,
      ).toEqual([]);
      expect(mine.some((e) => e.actorUserId === user.bidder1 || e.actorUserId === user.admin2)).toBe(false);
    }
    for (const who of ['auditor', 'platform']) {
      const page = await t.app.inject({
        method: 'GET',
        url: `/admin/authorities/${a.id}/audit?action=minor.quote_submitted`,
        headers: { cookie: s[who]?.cookie ?? '' },
      });
      expect(page.statusCode).toBe(200);
      // The page lists each event's object: no quote event of this file is among them.
      expect(page.body).not.toContain(id);
    }
    // Each submission is written all the same, in the same transaction, under the round's embargo,
    // with a salted commitment and no amount.
    const submitted = await t.db.db
      .selectFrom('audit_event')
      .select(['authority_id', 'company_id', 'object_id', 'embargo', 'data'])
      .where('action', '=', 'minor.quote_submitted')
      .where('object_id', '=', id)
      .orderBy('seq')
      .execute();
    expect(submitted.map((e) => [e.authority_id, e.company_id, e.object_id, e.embargo])).toEqual([
      [a.id, co.c1, id, `minor-quotes:${id}:1`],
      [a.id, co.c2, id, `minor-quotes:${id}:1`],
    ]);
    expect(JSON.stringify(submitted)).not.toContain('9000');
    const nonces = await t.db.db
      .selectFrom('minor_quote')
      .select('commitment_nonce')
      .where('tender_id', '=', id)
      .execute();
    expect(nonces.every((n) => /^[0-9a-f]{64}$/.test(n.commitment_nonce ?? ''))).toBe(true);
    expect(new Set(nonces.map((n) => n.commitment_nonce)).size).toBe(2);

    await later(6, async () => {
      const open = (await call('officer', 'GET', minorUrl(id))).json() as MinorBody;
      expect(open).toMatchObject({ quotesSealed: false, quoteCount: 2 });
      const awarded = await call('officer', 'POST', `${minorUrl(id)}/award`, {
        quoteId: open.quotes[0]?.id,
        justification: 'Millor preu de les ofertes rebudes',
        splittingJustification: 'Objecte diferent: una altra dependència i una altra necessitat',
      });
      expect(awarded.statusCode, awarded.body).toBe(200);
      // The opening lists who quoted, with the nonces: every commitment can be checked.
      const res = await call(
        'auditor',
        'GET',
        `/authorities/${a.id}/audit-events?action=minor.quotes_opened`,
      );
      const opened = (res.json() as AuditBody).find((e) => e.objectId === id);
      const data = opened?.data as {
        round: number;
        quotes: {
          quoteId: string;
          companyId: string;
          amountExclVat: string;
          vatRate: string;
          amountInclVat: string;
          note: string;
          submittedAt: string;
          nonce: string;
        }[];
      };
      expect(data.quotes.map((q) => [q.companyId, q.amountExclVat])).toEqual([
        [co.c1, '9000.00'],
        [co.c2, '9500.00'],
      ]);
      // The opening lifted the embargo: the submissions are now in the authority's trail.
      const now = await call('auditor', 'GET', `/authorities/${a.id}/audit-events?objectId=${id}`);
      expect(
        (now.json() as AuditBody)
          .filter((e) => e.action === 'minor.quote_submitted')
          .map((e) => e.companyId)
          .sort(),
      ).toEqual([co.c1, co.c2].sort());
      for (const q of data.quotes) {
        const event = submitted.find((e) => e.company_id === q.companyId);
        const recorded = (event?.data as { commitmentSha256?: string } | undefined)?.commitmentSha256;
        const { nonce, quoteId, companyId, amountExclVat, vatRate, amountInclVat, note, submittedAt } = q;
        expect(
          quoteCommitment({
            nonce,
            tenderId: id,
            round: data.round,
            companyId,
            quoteId,
            amountExclVat,
            vatRate,
            amountInclVat,
            note,
            submittedAt,
          }),
        ).toBe(recorded);
      }
    });
  });

  it('lets every role of the file read its page; only those who may act get the forms', async () => {
    const fresh = await approvedMinorFile();
    const inviting = await approvedMinorFile();
    await start(inviting, ['c1', 'c2', 'c3']);
    const page = (who: string, id: string) =>
      t.app.inject({
        method: 'GET',
        url: `/office/${a.id}/minor-contracts/${id}`,
        headers: { cookie: s[who]?.cookie ?? '' },
      });
    for (const who of ['admin', 'approver', 'auditor']) {
      for (const id of [fresh, inviting]) {
        const res = await page(who, id);
        expect(res.statusCode, `${who} ${id}`).toBe(200);
        expect(res.body).not.toContain(`${id}/start"`);
        expect(res.body).not.toContain(`${id}/invite"`);
        expect(res.body).not.toContain(`${id}/award"`);
      }
    }
    expect((await page('admin', fresh)).body).toContain('Encara no s');
    expect((await page('officer', fresh)).body).toContain(`${fresh}/start"`);
    expect((await page('officer', inviting)).body).toContain(`${inviting}/invite"`);
    // The administrator may void (an award-level act), not invite.
    expect((await page('admin', inviting)).body).toContain(`${inviting}/void"`);
  });

  it('authorises the start form before reading the authority (404 for an unknown one, 403 for a reader)', async () => {
    const id = await approvedMinorFile();
    const post = (who: string, authorityId: string, tenderId: string) => {
      const body = new URLSearchParams({
        companyIds: co.c1 ?? '',
        otherCompanyIds: `${co.c2} ${co.c3}`,
        quoteDeadline: '2026-11-30',
        _csrf: s[who]?.csrf ?? '',
      });
      return t.app.inject({
        method: 'POST',
        url: `/office/${authorityId}/minor-contracts/${tenderId}/start`,
        payload: body.toString(),
        headers: { cookie: s[who]?.cookie ?? '', 'content-type': 'application/x-www-form-urlencoded' },
      });
    };
    const before = await rowCounts(t);
    expect((await post('officer', newId(), id)).statusCode).toBe(404);
    expect((await post('officerB', a.id, id)).statusCode).toBe(404);
    expect((await post('auditor', a.id, id)).statusCode).toBe(403);
    expect(await rowCounts(t)).toEqual(before);
    expect((await post('officer', a.id, id)).statusCode).toBe(303);
  });

  it('voids an open request when its file is cancelled, and never opens its quotes', async () => {
    const id = await approvedMinorFile();
    await start(id, ['c1', 'c2', 'c3']);
    await call('bidder1', 'PUT', quoteUrl('c1', id), { amountExclVat: '4000.00' });
    const fileUrl = `/authorities/${a.id}/tenders/${id}`;
    const version = ((await call('officer', 'GET', fileUrl)).json() as { version: number }).version;
    const cancelled = await call('officer', 'POST', `${fileUrl}/cancel`, {
      version,
      kind: 'desistimiento',
      reason: 'Defecte en la definició de l’objecte',
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    const view = (await call('officer', 'GET', minorUrl(id))).json() as MinorBody & { voidReason: string };
    expect(view).toMatchObject({
      status: 'void',
      voidReason: 'desistimiento: Defecte en la definició de l’objecte',
    });
    const events = await t.db.db
      .selectFrom('audit_event')
      .select(['action', 'data'])
      .where('object_id', '=', id)
      .where('authority_id', '=', a.id)
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.action).slice(-2)).toEqual(['minor.voided', 'tender.cancelled']);
    expect(events.at(-2)?.data).toMatchObject({ round: 1, tenderCancelled: true });
    const invitation = (await call('bidder1', 'GET', `/companies/${co.c1}/minor-invitations`)).json() as {
      tenderId: string;
      status: string;
      open: boolean;
    }[];
    expect(invitation.find((i) => i.tenderId === id)).toMatchObject({ status: 'void', open: false });
    // Past the deadline, a round voided before it stays sealed: its quotes are never opened.
    await later(6, async () => {
      const after = (await call('officer', 'GET', minorUrl(id))).json() as MinorBody;
      expect(after).toMatchObject({ quotesSealed: true, quoteCount: null, quotes: [] });
      expect(after.invitations.every((i) => i.hasQuoted === null)).toBe(true);
    });
    expect(events.map((e) => e.action)).not.toContain('minor.quotes_opened');
  });

  it('starts a new round after a void one; the void round counts for nothing', async () => {
    const id = await approvedMinorFile();
    await start(id, ['c1', 'c2', 'c3']);
    await call('bidder1', 'PUT', quoteUrl('c1', id), { amountExclVat: '5000.00' });
    await call('admin', 'POST', `${minorUrl(id)}/void`, { reason: 'Cal ampliar les empreses convidades' });
    const again = await start(id, ['c2', 'c3', 'c4']);
    expect(again.statusCode, again.body).toBe(201);
    const v2 = again.json() as MinorBody;
    expect(v2).toMatchObject({ status: 'inviting', round: 2, quotesSealed: true });
    expect(v2.invitations.map((i) => i.companyId).sort()).toEqual([co.c2, co.c3, co.c4].sort());
    expect((await start(id, ['c2', 'c3', 'c4'])).json()).toMatchObject({ code: 'INVALID_TRANSITION' });
    // c1 was invited to the void round only: the current request does not exist for it.
    const before = await rowCounts(t);
    expect((await call('bidder1', 'PUT', quoteUrl('c1', id), { amountExclVat: '4000.00' })).statusCode).toBe(
      404,
    );
    expect(await rowCounts(t)).toEqual(before);
    expect((await call('admin2', 'PUT', quoteUrl('c2', id), { amountExclVat: '6000.00' })).statusCode).toBe(
      200,
    );
    const c2 = (await call('admin2', 'GET', `/companies/${co.c2}/minor-invitations`)).json() as {
      tenderId: string;
      round: number;
      status: string;
      myQuote: { amountExclVat: string } | null;
    }[];
    expect(
      c2.filter((i) => i.tenderId === id).map((i) => [i.round, i.status, i.myQuote?.amountExclVat]),
    ).toEqual([
      [2, 'inviting', '6000.00'],
      [1, 'void', undefined],
    ]);
    await later(6, async () => {
      const open = (await call('officer', 'GET', minorUrl(id))).json() as MinorBody;
      expect(open.quotes.map((q) => [q.companyId, q.amountExclVat])).toEqual([[co.c2, '6000.00']]);
      const awarded = await call('officer', 'POST', `${minorUrl(id)}/award`, {
        quoteId: open.quotes[0]?.id,
        justification: 'Única oferta rebuda dins de termini',
        // Earlier tests of this file awarded c2 the same object.
        splittingJustification: 'Objecte diferent: una altra dependència i una altra necessitat',
      });
      expect(awarded.json()).toMatchObject({ status: 'awarded', round: 2, award: { companyId: co.c2 } });
    });
    const rounds = await t.db.db
      .selectFrom('minor_contract')
      .select(['round', 'status'])
      .where('tender_id', '=', id)
      .orderBy('round')
      .execute();
    expect(rounds).toEqual([
      { round: 1, status: 'void' },
      { round: 2, status: 'awarded' },
    ]);
    const started = await t.db.db
      .selectFrom('audit_event')
      .select('data')
      .where('object_id', '=', id)
      .where('action', '=', 'minor.started')
      .orderBy('seq')
      .execute();
    expect(started.map((e) => (e.data as { round: number }).round)).toEqual([1, 2]);

    // After a void, the file may also be edited (back through approval) and asked again.
    const edited = await approvedMinorFile();
    await start(edited, ['c1', 'c2', 'c3']);
    await call('admin', 'POST', `${minorUrl(edited)}/void`, { reason: 'Cal corregir el plec tècnic' });
    const fileUrl = `/authorities/${a.id}/tenders/${edited}`;
    const version = ((await call('officer', 'GET', fileUrl)).json() as { version: number }).version;
    const put = await call('officer', 'PUT', fileUrl, { ...payloads.get(edited), version });
    expect(put.statusCode, put.body).toBe(200);
    expect((await call('officer', 'POST', `${fileUrl}/submit`, { version: version + 1 })).statusCode).toBe(
      200,
    );
    await call('approver', 'POST', `${fileUrl}/approvals`, { decision: 'approved' });
    const restarted = await start(edited, ['c1', 'c2', 'c3']);
    expect(restarted.json()).toMatchObject({ status: 'inviting', round: 2 });
  });

  it('publishes the VAT as quoted and masks a natural person’s tax id (art. 63.4; LOPDGDD DA 7ª)', async () => {
    const person = await makeCompany(t, '12345678Z');
    await t.db.db
      .updateTable('company')
      .set({ tax_id_kind: 'NIF', legal_name: 'Autònom Pere Puig', cpv_interests: ['90910000'] })
      .where('id', '=', person.id)
      .execute();
    const self = await makeUser(t, { companies: [{ companyId: person.id, roles: ['company_admin'] }] });
    s.self = await login(t, self.email, undefined, { remoteAddress: '10.40.0.99' });
    co.self = person.id;
    const exempt = await approvedMinorFile({ value: '3000.00' });
    const reduced = await approvedMinorFile({ value: '3000.00' });
    await start(exempt, ['self', 'c2', 'c3']);
    await start(reduced, ['c1', 'c2', 'c3']);
    // Bad rates: refused, nothing written.
    const before = await rowCounts(t);
    for (const [vatRate, status] of [
      ['101', 422],
      ['21.555', 400],
      ['-1', 400],
      ['21%', 400],
    ] as const) {
      const res = await call('self', 'PUT', quoteUrl('self', exempt), { amountExclVat: '2500.00', vatRate });
      expect(res.statusCode, vatRate).toBe(status);
    }
    expect(await rowCounts(t)).toEqual(before);
    const q0 = await call('self', 'PUT', quoteUrl('self', exempt), {
      amountExclVat: '2500.00',
      vatRate: '0',
    });
    expect(q0.json()).toMatchObject({
      defaultVatRate: '21.00',
      myQuote: { amountExclVat: '2500.00', vatRate: '0.00', amountInclVat: '2500.00' },
    });
    const q10 = await call('bidder1', 'PUT', quoteUrl('c1', reduced), {
      amountExclVat: '2000.05',
      vatRate: '10',
    });
    expect(q10.json()).toMatchObject({ myQuote: { vatRate: '10.00', amountInclVat: '2200.06' } });
    const byDefault = await call('admin2', 'PUT', quoteUrl('c2', reduced), { amountExclVat: '2999.00' });
    expect(byDefault.json()).toMatchObject({ myQuote: { vatRate: '21.00', amountInclVat: '3628.79' } });
    await later(6, async () => {
      for (const [id, company] of [
        [exempt, person.id],
        [reduced, co.c1],
      ] as const) {
        const view = (await call('officer', 'GET', minorUrl(id))).json() as MinorBody;
        const quote = view.quotes.find((q) => q.companyId === company);
        const res = await call('officer', 'POST', `${minorUrl(id)}/award`, {
          quoteId: quote?.id,
          justification: 'Millor preu de les ofertes rebudes',
          // Earlier tests of this file awarded c1 the same object.
          splittingJustification: 'Objecte diferent: una altra dependència i una altra necessitat',
        });
        expect(res.statusCode, res.body).toBe(200);
      }
      const url = `/api/v1/authorities/${a.id}/minor-contracts?year=2026&quarter=4`;
      const list = (await t.app.inject({ method: 'GET', url })).json() as {
        contracts: {
          tenderId: string;
          amountExclVat: string;
          amountInclVat: string;
          awardee: { name: string; taxId: string };
        }[];
      };
      const line = (id: string) => list.contracts.find((c) => c.tenderId === id);
      expect(line(exempt)).toMatchObject({
        amountExclVat: '2500.00',
        amountInclVat: '2500.00',
        awardee: { name: 'Autònom Pere Puig', taxId: '***4567**' },
      });
      expect(line(reduced)).toMatchObject({ amountInclVat: '2200.06' });
      // A company registered as a legal person (CIF) is published in full.
      const c1TaxId = (
        await t.db.db
          .selectFrom('company')
          .select('tax_id')
          .where('id', '=', co.c1 ?? '')
          .executeTakeFirstOrThrow()
      ).tax_id;
      expect(line(reduced)?.awardee.taxId).toBe(c1TaxId);
      const csv = await t.app.inject({ method: 'GET', url: `${url}&format=csv` });
      expect(csv.body).toContain('Autònom Pere Puig,***4567**');
      expect(csv.body).not.toContain('12345678Z');
      const page = await t.app.inject({
        method: 'GET',
        url: `/authorities/${a.slug}/minor-contracts?year=2026&quarter=4`,
      });
      expect(page.body).toContain('***4567**');
      expect(page.body).not.toContain('12345678Z');

      // The same award as open data: one release (award and contract), the tax id masked alike.
      const prefix = (
        await t.db.db
          .selectFrom('authority')
          .select('ocid_prefix')
          .where('id', '=', a.id)
          .executeTakeFirstOrThrow()
      ).ocid_prefix;
      const ocid = `${prefix}-${exempt}`;
      const rows = await t.db.db.selectFrom('ocds_release').select('json').where('ocid', '=', ocid).execute();
      expect(rows).toHaveLength(1);
      const text = rows[0]?.json ?? '';
      expect(text).not.toContain('12345678Z');
      const release = JSON.parse(text) as JsonObject & {
        tender: JsonObject;
        awards: JsonObject[];
        contracts: JsonObject[];
        parties: { id: string; roles: string[]; identifier: JsonObject }[];
      };
      expect(release.tag).toEqual(['award', 'contract']);
      expect(release.tender).toMatchObject({ id: exempt, status: 'complete', procurementMethod: 'direct' });
      expect(release.awards).toEqual([
        expect.objectContaining({ status: 'active', value: { amount: 2500, currency: 'EUR' } }),
      ]);
      expect(release.contracts).toEqual([
        expect.objectContaining({
          awardID: release.awards[0]?.id,
          status: 'active',
          value: { amount: 2500, currency: 'EUR' },
          description: expect.stringContaining('2500.00 EUR amb IVA'),
        }),
      ]);
      const supplier = release.parties.find((p) => p.roles.includes('supplier'));
      expect(supplier?.identifier).toMatchObject({ id: '***4567**', legalName: 'Autònom Pere Puig' });
      const record = await t.app.inject({ url: `/ocds/v1/records/${encodeURIComponent(ocid)}` });
      expect(record.statusCode, record.body).toBe(200);
      if (hasOcdsData) {
        expect(await publishedFindings(release, declaredExtensionUrls())).toEqual([]);
        expect(await publishedFindings(record.json())).toEqual([]);
      }
    });
  });

  it('lists the quarter publicly as JSON and CSV, ordered by awardee', async () => {
    await later(6, async () => {
      const url = `/api/v1/authorities/${a.id}/minor-contracts?year=2026&quarter=4`;
      const json = (await t.app.inject({ method: 'GET', url })).json() as {
        contracts: { awardee: { name: string } }[];
      };
      expect(json.contracts.length).toBeGreaterThanOrEqual(4);
      const awardees = json.contracts.map((c) => c.awardee.name);
      expect(awardees).toEqual([...awardees].sort());
      // A tricky name: the CSV must quote it and defuse a formula.
      await t.db.db
        .updateTable('company')
        .set({ legal_name: '=Neteges "Vallès", SL' })
        .where('id', '=', co.c3 ?? '')
        .execute();
      const csv = await t.app.inject({ method: 'GET', url: `${url}&format=csv&lang=es` });
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
      expect(csv.headers['content-disposition']).toContain('minor-contracts-2026-Q4.csv');
      const lines = csv.body.split('\r\n');
      expect(lines[0]).toBe(
        'Expediente,Objeto,Tipo de contrato,CPV,Duración (meses),Importe sin IVA (EUR),Importe con IVA (EUR),Adjudicatario,NIF adjudicatario,Fecha de adjudicación',
      );
      expect(csv.body).toContain('"\'=Neteges ""Vallès"", SL"');
      expect(lines.length).toBe(json.contracts.length + 2);
      const byAccept = await t.app.inject({ method: 'GET', url, headers: { accept: 'text/csv' } });
      expect(byAccept.headers['content-type']).toMatch(/^text\/csv/);
      // Other quarters are empty; bad periods and unknown authorities are refused.
      const q1 = await t.app.inject({
        method: 'GET',
        url: `/api/v1/authorities/${a.id}/minor-contracts?year=2026&quarter=1`,
      });
      expect(q1.json()).toMatchObject({ contracts: [] });
      const bad = await t.app.inject({
        method: 'GET',
        url: `/api/v1/authorities/${a.id}/minor-contracts?quarter=5`,
      });
      expect(bad.statusCode).toBe(400);
      const unknown = await t.app.inject({
        method: 'GET',
        url: `/api/v1/authorities/${newId()}/minor-contracts`,
      });
      expect(unknown.statusCode).toBe(404);
      const other = await t.app.inject({
        method: 'GET',
        url: `/api/v1/authorities/${b.id}/minor-contracts?year=2026`,
      });
      expect(other.json()).toMatchObject({ quarter: null, contracts: [] });
    });
  });
  describe('pages', () => {
    const page = (who: string | null, url: string) =>
      t.app.inject({ method: 'GET', url, headers: who ? { cookie: s[who]?.cookie ?? '' } : {} });
    const form = (who: string, url: string, fields: Record<string, string | string[]>) => {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
      body.append('_csrf', s[who]?.csrf ?? '');
      return t.app.inject({
        method: 'POST',
        url,
        payload: body.toString(),
        headers: { cookie: s[who]?.cookie ?? '', 'content-type': 'application/x-www-form-urlencoded' },
      });
    };
    const TEXT = {
      ca: [
        'Contractes menors per trimestre',
        'Adjudicatari',
        'Demaneu pressupostos',
        'Invitacions a pressupostar',
      ],
      es: [
        'Contratos menores por trimestre',
        'Adjudicatario',
        'Pida presupuestos',
        'Invitaciones a presupuestar',
      ],
      en: ['Minor contracts by quarter', 'Awardee', 'Ask for quotes', 'Invitations to quote'],
    } as const;

    for (const lang of ['ca', 'es', 'en'] as const) {
      it(`render in ${lang}`, async () => {
        const [title, awardee, ask, invitations] = TEXT[lang];
        const pub = await page(
          null,
          `/authorities/${a.slug}/minor-contracts?year=2026&quarter=4&lang=${lang}`,
        );
        expect(pub.statusCode).toBe(200);
        expect(pub.body).toContain(`<html lang="${lang}">`);
        expect(pub.body).toContain(title);
        expect(pub.body).toContain(awardee);
        expect(pub.body).toContain('format=csv');
        const id = await approvedMinorFile();
        const list = await page('officer', `/office/${a.id}/minor-contracts?lang=${lang}`);
        expect(list.statusCode).toBe(200);
        expect(list.body).toContain(`/office/${a.id}/minor-contracts/${id}`);
        const detail = await page('officer', `/office/${a.id}/minor-contracts/${id}?lang=${lang}`);
        expect(detail.statusCode).toBe(200);
        expect(detail.body).toContain(ask);
        expect(detail.body).toContain('Empresa c1');
        const company = await page('bidder1', `/account/minor-invitations?lang=${lang}`);
        expect(company.statusCode).toBe(200);
        expect(company.body).toContain(invitations);
      });
    }

    it('invites, quotes and awards through the forms', async () => {
      const id = await approvedMinorFile();
      const base = `/office/${a.id}/minor-contracts/${id}`;
      const before = await rowCounts(t);
      const few = await form('officer', `${base}/start`, {
        companyIds: [co.c1 ?? ''],
        quoteDeadline: '2026-11-26',
      });
      expect(few.statusCode).toBe(422);
      expect(few.body).toContain('error-summary');
      const noCsrf = await t.app.inject({
        method: 'POST',
        url: `${base}/start`,
        payload: `companyIds=${co.c1}&quoteDeadline=2026-11-27`,
        headers: { cookie: s.officer?.cookie ?? '', 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(noCsrf.statusCode).toBe(403);
      expect(await rowCounts(t)).toEqual(before);
      const ok = await form('officer', `${base}/start`, {
        companyIds: [co.c4 ?? '', co.c6 ?? '', co.c3 ?? ''],
        quoteDeadline: '2026-11-26',
      });
      expect(ok.statusCode, ok.body).toBe(303);
      // c6 has no earlier award, so the splitting guard stays quiet.
      const bad = await form('bidder6', `/account/minor-invitations/${co.c6}/${id}`, {
        [`amount-${id}`]: 'molt',
      });
      expect(bad.statusCode).toBe(400);
      const quoted = await form('bidder6', `/account/minor-invitations/${co.c6}/${id}`, {
        [`amount-${id}`]: '1200,50',
        [`note-${id}`]: 'Inclou desplaçament',
      });
      expect(quoted.statusCode, quoted.body).toBe(303);
      // The deadline is the end of the local day (23:59:59.999 in Madrid, 22:59:59.999 UTC).
      await later(13, async () => {
        // Past the 12-hour session of the morning: sign in again.
        const email = (
          await t.db.db
            .selectFrom('app_user')
            .select('email')
            .where('id', '=', user.officer ?? '')
            .executeTakeFirstOrThrow()
        ).email;
        const morning = s.officer;
        s.officer = await login(t, email, undefined, { remoteAddress: '10.40.1.1' });
        const view = (await call('officer', 'GET', minorUrl(id))).json() as MinorBody;
        expect(view.quoteDeadline).toBe('2026-11-26T22:59:59.999Z');
        const quoteId = view.quotes[0]?.id ?? '';
        const detail = await page('officer', base);
        expect(detail.body).toContain('1.200,50');
        const awarded = await form('officer', `${base}/award`, {
          quoteId,
          awardJustification: 'Única oferta rebuda dins de termini',
          splittingJustification: '',
        });
        expect(awarded.statusCode, awarded.body).toBe(303);
        expect(((await call('officer', 'GET', minorUrl(id))).json() as MinorBody).status).toBe('awarded');
        if (morning) s.officer = morning;
      });
    });

    it('answers 404 for unknown authorities and other people’s files', async () => {
      expect((await page(null, '/authorities/no-such-city/minor-contracts')).statusCode).toBe(404);
      const id = await approvedMinorFile();
      expect((await page('officerB', `/office/${a.id}/minor-contracts/${id}`)).statusCode).toBe(404);
      expect((await page('officer', `/office/${a.id}/minor-contracts/not-a-uuid`)).statusCode).toBe(404);
    });
  });
});
