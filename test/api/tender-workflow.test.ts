import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/platform/canonical-json.js';
import type { AuthorityRole } from '../../src/platform/context.js';
import { newId } from '../../src/platform/ids.js';
import {
  buildTestApp,
  login,
  makeAuthority,
  makeUser,
  rowCounts,
  type Session,
  type TestApp,
} from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import { loadDemoCpv, tenderPayload } from '../helpers/tenders.js';

type TenderBody = {
  id: string;
  version: number;
  status: string;
  ocid: string | null;
  findings: { code: string }[];
};

describe(`approval chain and publication (${driverName})`, () => {
  let t: TestApp;
  let a: { id: string; slug: string };
  const s: Record<string, Session> = {};
  const ids: Record<string, string> = {};
  const base = () => `/api/v1/authorities/${a.id}/tenders`;

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    await loadDemoCpv(t);
    a = await makeAuthority(t);
    const people: [string, AuthorityRole[]][] = [
      ['officer', ['procurement_officer']],
      ['technical', ['approver_technical', 'approver_legal']],
      ['legal', ['approver_legal']],
      ['financial', ['approver_financial']],
      ['committee', ['committee_member']],
      ['c1', ['key_custodian']],
      ['c2', ['key_custodian']],
      ['c3', ['key_custodian']],
      ['auditor', ['auditor']],
    ];
    for (const [name, roles] of people) {
      const u = await makeUser(t, { roles: [{ authorityId: a.id, roles }] });
      ids[name] = u.id;
      s[name] = await login(t, u.email);
    }
  });
  afterAll(async () => t.close());

  const call = (who: string, method: 'GET' | 'POST' | 'PUT', path: string, payload?: object) =>
    t.app.inject({
      method,
      url: `${base()}${path}`,
      headers: s[who]?.headers,
      ...(payload ? { payload } : {}),
    });
  const tender = async (id: string) => (await call('officer', 'GET', `/${id}`)).json() as TenderBody;
  const addDocuments = async (tenderId: string) => {
    for (const kind of ['memoria_justificativa', 'pcap', 'ppt']) {
      await t.db.db
        .insertInto('tender_document')
        .values({
          id: newId(),
          tender_id: tenderId,
          authority_id: a.id,
          kind,
          title: kind,
          file_name: `${kind}.pdf`,
          content_type: 'application/pdf',
          size_bytes: 1234,
          sha256: createHash('sha256').update(kind).digest('hex'),
          uploaded_by: ids.officer ?? '',
        })
        .execute();
    }
  };

  it('takes a file from draft through the chain to publication', async () => {
    const created = (await call('officer', 'POST', '', tenderPayload(t.clock.now()))).json() as TenderBody;
    const id = created.id;

    // Blocking findings: submission refused, nothing changes.
    const before = await rowCounts(t);
    const refused = await call('officer', 'POST', `/${id}/submit`, { version: 1 });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'CHECKS_FAILED' });
    expect(await rowCounts(t)).toEqual(before);

    // Custodians must hold the role.
    const wrong = await call('officer', 'PUT', `/${id}/assignments`, {
      version: 1,
      committee: [],
      custodians: [ids.c1, ids.auditor],
    });
    expect(wrong.statusCode).toBe(422);
    await addDocuments(id);
    const assigned = await call('officer', 'PUT', `/${id}/assignments`, {
      version: 1,
      committee: [ids.committee],
      custodians: [ids.c1, ids.c2, ids.c3],
    });
    expect(assigned.statusCode, assigned.body).toBe(200);
    expect(assigned.json()).toMatchObject({ version: 2, findings: [] });

    const submitted = await call('officer', 'POST', `/${id}/submit`, { version: 2 });
    expect(submitted.json()).toMatchObject({ status: 'in_approval', version: 3 });

    // The inbox shows the step to the technical approver only; the legal approver waits.
    const inbox = async (who: string) =>
      (
        (await t.app.inject({ url: '/api/v1/me/approvals', headers: s[who]?.headers })).json() as {
          tenderId: string;
          role: string;
        }[]
      ).filter((x) => x.tenderId === id);
    expect(await inbox('technical')).toEqual([expect.objectContaining({ role: 'approver_technical' })]);
    expect(await inbox('legal')).toEqual([]);
    expect((await call('legal', 'POST', `/${id}/approvals`, { decision: 'approved' })).statusCode).toBe(403);

    expect((await call('technical', 'POST', `/${id}/approvals`, { decision: 'approved' })).statusCode).toBe(
      200,
    );
    expect(await inbox('legal')).toEqual([expect.objectContaining({ role: 'approver_legal' })]);
    // Four eyes: the technical approver also holds the legal role, but may not decide a second step.
    const twice = await call('technical', 'POST', `/${id}/approvals`, { decision: 'approved' });
    expect(twice.statusCode).toBe(403);
    expect((await call('legal', 'POST', `/${id}/approvals`, { decision: 'approved' })).statusCode).toBe(200);

    // A rejection needs reasons and sends the file back to draft.
    expect((await call('financial', 'POST', `/${id}/approvals`, { decision: 'rejected' })).statusCode).toBe(
      422,
    );
    const rejected = await call('financial', 'POST', `/${id}/approvals`, {
      decision: 'rejected',
      comment: 'Falta el certificat d’existència de crèdit',
    });
    expect(rejected.json()).toMatchObject({ status: 'draft' });

    // A new round, all three approve.
    const v = (await tender(id)).version;
    expect((await call('officer', 'POST', `/${id}/submit`, { version: v })).json()).toMatchObject({
      status: 'in_approval',
    });
    for (const who of ['technical', 'legal', 'financial']) {
      const res = await call(who, 'POST', `/${id}/approvals`, { decision: 'approved' });
      expect(res.statusCode, `${who}: ${res.body}`).toBe(200);
    }
    const approved = await tender(id);
    expect(approved.status).toBe('approved');
    const steps = await t.db.db
      .selectFrom('tender_approval')
      .select(['round', 'role', 'decision'])
      .where('tender_id', '=', id)
      .orderBy('round')
      .orderBy('position')
      .execute();
    expect(steps.map((x) => `${x.round}:${x.role}:${x.decision}`)).toEqual([
      '1:approver_technical:approved',
      '1:approver_legal:approved',
      '1:approver_financial:rejected',
      '2:approver_technical:approved',
      '2:approver_legal:approved',
      '2:approver_financial:approved',
    ]);

    // Publication: not by an auditor, not with a stale version.
    expect((await call('auditor', 'POST', `/${id}/publish`, { version: approved.version })).statusCode).toBe(
      403,
    );
    expect(
      (await call('officer', 'POST', `/${id}/publish`, { version: approved.version - 1 })).json(),
    ).toMatchObject({ code: 'STALE_VERSION' });
    const published = await call('officer', 'POST', `/${id}/publish`, { version: approved.version });
    expect(published.statusCode, published.body).toBe(200);
    const body = published.json() as TenderBody;
    expect(body.status).toBe('published');
    const prefix = (
      await t.db.db
        .selectFrom('authority')
        .select('ocid_prefix')
        .where('id', '=', a.id)
        .executeTakeFirstOrThrow()
    ).ocid_prefix;
    expect(body.ocid).toBe(`${prefix}-${id}`);

    // The frozen notice: canonical JSON, with the documents' hashes, and its hash in a public audit event.
    const notice = await t.db.db
      .selectFrom('tender_notice')
      .selectAll()
      .where('tender_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(notice.version).toBe(1);
    const parsed = JSON.parse(notice.canonical) as {
      ocid: string;
      documents: { sha256: string }[];
      lots: unknown[];
    };
    expect(canonicalJson(parsed)).toBe(notice.canonical);
    expect(parsed.ocid).toBe(body.ocid);
    expect(parsed.documents).toHaveLength(3);
    expect(parsed.lots).toHaveLength(2);
    const event = await t.db.db
      .selectFrom('audit_event')
      .selectAll()
      .where('object_id', '=', id)
      .where('action', '=', 'tender.published')
      .executeTakeFirstOrThrow();
    expect(event.is_public).toBe(true);
    expect((event.data as { canonicalSha256: string }).canonicalSha256).toBe(
      createHash('sha256').update(notice.canonical).digest('hex'),
    );

    // After publication the file changes only by corrigendum.
    for (const [path, payload] of [
      ['', { ...tenderPayload(t.clock.now()), version: body.version }],
      ['/submit', { version: body.version }],
      ['/publish', { version: body.version }],
      ['/assignments', { version: body.version, committee: [], custodians: [] }],
    ] as const) {
      const res = await call(
        'officer',
        path === '' || path === '/assignments' ? 'PUT' : 'POST',
        `/${id}${path}`,
        payload,
      );
      expect(res.statusCode, path).toBe(409);
      expect(res.json(), path).toMatchObject({ code: 'INVALID_TRANSITION' });
    }
  });

  it('sends an approved file back to draft when it is edited', async () => {
    const created = (await call('officer', 'POST', '', tenderPayload(t.clock.now()))).json() as TenderBody;
    const id = created.id;
    await addDocuments(id);
    await call('officer', 'PUT', `/${id}/assignments`, {
      version: 1,
      committee: [],
      custodians: [ids.c1, ids.c2],
    });
    await call('officer', 'POST', `/${id}/submit`, { version: 2 });
    for (const who of ['technical', 'legal', 'financial'])
      await call(who, 'POST', `/${id}/approvals`, { decision: 'approved' });
    const approved = await tender(id);
    expect(approved.status).toBe('approved');
    const row = await t.db.db
      .selectFrom('tender')
      .select('reference')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const edited = await call('officer', 'PUT', `/${id}`, {
      ...tenderPayload(t.clock.now(), { reference: row.reference }),
      version: approved.version,
    });
    expect(edited.json()).toMatchObject({ status: 'draft' });
    expect(
      (await call('officer', 'POST', `/${id}/publish`, { version: approved.version + 1 })).json(),
    ).toMatchObject({ code: 'INVALID_TRANSITION' });
  });
});
