import { createHash } from 'node:crypto';
import { identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCustodianKeyPair } from '../../src/modules/custody/custodian-key.crypto.js';
import { bech32Encode } from '../../src/modules/custody/custodian-key.rules.js';
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

type KeyBody = {
  id: string;
  userId: string;
  userName: string;
  recipient: string;
  fingerprint: string;
  createdAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
};
type TenderBody = {
  id: string;
  version: number;
  status: string;
  ocid: string | null;
  findings: { code: string }[];
};
type Sealing = {
  quorum: number;
  custodians: { index: number; keyId: string; recipient: string; fingerprint: string }[];
};

const sha16 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

describe(`custodian keys and the sealing target (${driverName})`, () => {
  let t: TestApp;
  let a: { id: string };
  let b: { id: string };
  const s: Record<string, Session> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    await loadDemoCpv(t);
    a = await makeAuthority(t);
    b = await makeAuthority(t);
    // No approval chain: submission is the approval, so files reach publication in one step.
    await t.db.db.updateTable('authority').set({ approval_chain: [] }).where('id', '=', a.id).execute();
    const people: [string, string, AuthorityRole[]][] = [
      ['admin', a.id, ['authority_admin']],
      ['officer', a.id, ['procurement_officer']],
      ['auditor', a.id, ['auditor']],
      ['c1', a.id, ['key_custodian']],
      ['c2', a.id, ['key_custodian']],
      ['c3', a.id, ['key_custodian']],
      ['c4', a.id, ['key_custodian']],
      ['otherCustodian', b.id, ['key_custodian']],
    ];
    for (const [name, authorityId, roles] of people) {
      const u = await makeUser(t, { roles: [{ authorityId, roles }] });
      ids[name] = u.id;
      s[name] = await login(t, u.email);
    }
  });
  afterAll(async () => t.close());

  const keys = (authorityId = a.id) => `/api/v1/authorities/${authorityId}/custodian-keys`;
  const register = (who: string, recipient: string, authorityId = a.id) =>
    t.app.inject({
      method: 'PUT',
      url: `${keys(authorityId)}/me`,
      headers: s[who]?.headers,
      payload: { recipient },
    });
  const list = async (who = 'auditor') =>
    (await t.app.inject({ url: keys(), headers: s[who]?.headers })).json() as KeyBody[];
  const revoke = (who: string, keyId: string, authorityId = a.id) =>
    t.app.inject({ method: 'DELETE', url: `${keys(authorityId)}/${keyId}`, headers: s[who]?.headers });
  const tenders = () => `/api/v1/authorities/${a.id}/tenders`;
  const call = (method: 'GET' | 'POST' | 'PUT', path: string, payload?: object) =>
    t.app.inject({
      method,
      url: `${tenders()}${path}`,
      headers: s.officer?.headers,
      ...(payload ? { payload } : {}),
    });

  it('registers a custodian’s own key, audited, with its fingerprint; the same key again changes nothing', async () => {
    const { identity, recipient } = generateCustodianKeyPair();
    // A real age key pair: age-encryption derives the same recipient from the identity.
    expect(await identityToRecipient(identity)).toBe(recipient);
    const res = await register('c1', `  ${recipient}\n`);
    expect(res.statusCode, res.body).toBe(200);
    const key = res.json() as KeyBody;
    expect(key).toMatchObject({ userId: ids.c1, recipient, fingerprint: sha16(recipient), revokedAt: null });
    const event = await t.db.db
      .selectFrom('audit_event')
      .selectAll()
      .where('object_id', '=', key.id)
      .where('action', '=', 'custodian_key.registered')
      .executeTakeFirstOrThrow();
    expect(event.authority_id).toBe(a.id);
    expect(event.data).toMatchObject({ userId: ids.c1, fingerprint: key.fingerprint, replaces: null });

    const before = await rowCounts(t);
    const again = await register('c1', recipient);
    expect(again.statusCode).toBe(200);
    expect((again.json() as KeyBody).id).toBe(key.id);
    expect(await rowCounts(t)).toEqual(before);

    const listed = await list();
    expect(listed).toEqual([
      expect.objectContaining({ id: key.id, userName: expect.stringContaining('User ') }),
    ]);
  });

  it('refuses what is not an age X25519 recipient, and a secret key, writing nothing', async () => {
    const { identity, recipient } = generateCustodianKeyPair();
    const flipped = `${recipient.slice(0, -1)}${recipient.endsWith('q') ? 'p' : 'q'}`;
    // The all-zero point: a valid encoding, but any shared secret with it is zero.
    const zero = bech32Encode('age', new Uint8Array(32));
    const before = await rowCounts(t);
    for (const [bad, problem] of [
      ['   ', 'empty'],
      [identity, 'identity'],
      [recipient.replace('age1', 'agf1'), 'prefix'],
      [recipient.slice(0, -2), 'length'],
      [`${recipient.slice(0, -1)}b`, 'characters'],
      [flipped, 'checksum'],
      [`age1pq1${'q'.repeat(55)}`, 'characters'],
      [zero, 'weak_key'],
    ] as const) {
      const res = await register('c2', bad);
      expect(res.statusCode, `${problem}: ${res.body}`).toBe(422);
      expect(res.json(), problem).toMatchObject({ code: 'CUSTODIAN_KEY_INVALID', details: { problem } });
      // The secret key is never echoed back or logged.
      expect(res.body).not.toContain(identity);
    }
    expect(t.logs.join('\n')).not.toContain(identity);
    const extra = await t.app.inject({
      method: 'PUT',
      url: `${keys()}/me`,
      headers: s.c2?.headers,
      payload: { recipient, note: 'x' },
    });
    expect(extra.statusCode).toBe(400);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('lets only key custodians register, only their own, and hides other authorities', async () => {
    const { recipient } = generateCustodianKeyPair();
    expect((await register('officer', recipient)).statusCode).toBe(403);
    expect((await register('admin', recipient)).statusCode).toBe(403);
    const foreign = await register('otherCustodian', recipient);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({ code: 'NOT_FOUND' });
    expect((await t.app.inject({ url: keys(), headers: s.otherCustodian?.headers })).statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: 'PUT', url: `${keys()}/me`, payload: { recipient } })).statusCode,
    ).toBe(401);
  });

  it('replaces a key (the old one revoked, kept as history) and never takes a key registered before', async () => {
    const first = (await register('c2', generateCustodianKeyPair().recipient)).json() as KeyBody;
    const second = generateCustodianKeyPair().recipient;
    const replaced = await register('c2', second);
    expect(replaced.statusCode, replaced.body).toBe(200);
    const all = (await list()).filter((k) => k.userId === ids.c2);
    expect(all).toHaveLength(2);
    expect(all.find((k) => k.id === first.id)).toMatchObject({
      revokedBy: ids.c2,
      revokedAt: expect.any(String),
    });
    expect(all.find((k) => k.recipient === second)).toMatchObject({ revokedAt: null });
    const revokedEvent = await t.db.db
      .selectFrom('audit_event')
      .select('data')
      .where('object_id', '=', first.id)
      .where('action', '=', 'custodian_key.revoked')
      .executeTakeFirstOrThrow();
    expect(revokedEvent.data).toMatchObject({ reason: 'replaced', userId: ids.c2 });

    const before = await rowCounts(t);
    // A revoked key does not come back, and two custodians never share one.
    for (const [who, recipient] of [
      ['c2', first.recipient],
      ['c3', second],
    ] as const) {
      const res = await register(who, recipient);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'CUSTODIAN_KEY_TAKEN' });
    }
    expect(await rowCounts(t)).toEqual(before);
    // The same key in another authority is another registration.
    expect((await register('otherCustodian', second, b.id)).statusCode).toBe(200);
  });

  it('lets the authority administrator revoke a key, once, within the authority', async () => {
    const key = (await register('c4', generateCustodianKeyPair().recipient)).json() as KeyBody;
    expect((await revoke('officer', key.id)).statusCode).toBe(403);
    expect((await revoke('admin', newId())).statusCode).toBe(404);
    const elsewhere = await revoke('admin', key.id, b.id);
    expect(elsewhere.statusCode).toBe(404);
    const res = await revoke('admin', key.id);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: key.id, revokedBy: ids.admin });
    const twice = await revoke('admin', key.id);
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  /** A draft with its documents and custodians c1..c3, quorum 2. */
  async function draftWithCustodians(): Promise<TenderBody> {
    const created = (await call('POST', '', tenderPayload(t.clock.now()))).json() as TenderBody;
    for (const kind of ['memoria_justificativa', 'pcap', 'ppt']) {
      await t.db.db
        .insertInto('tender_document')
        .values({
          id: newId(),
          tender_id: created.id,
          authority_id: a.id,
          kind,
          title: kind,
          file_name: `${kind}.pdf`,
          content_type: 'application/pdf',
          size_bytes: 10,
          sha256: createHash('sha256').update(`${created.id}${kind}`).digest('hex'),
          uploaded_by: ids.officer ?? '',
        })
        .execute();
    }
    const res = await call('PUT', `/${created.id}/assignments`, {
      version: 1,
      committee: [],
      custodians: [ids.c3, ids.c1, ids.c2],
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as TenderBody;
  }

  it('blocks a file whose custodians lack keys, then freezes their keys in the published notice', async () => {
    const draft = await draftWithCustodians();
    expect(draft.findings.map((f) => f.code)).toEqual(['CUSTODIAN_KEY_MISSING']);
    const refused = await call('POST', `/${draft.id}/submit`, { version: draft.version });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'CHECKS_FAILED' });

    // The file page tells the officer who has no key.
    const officerWeb = await t.app.inject({
      url: `/office/${a.id}/tenders/${draft.id}`,
      headers: { cookie: s.officer?.cookie ?? '' },
    });
    expect(officerWeb.body).toContain('id="custodian-keys"');
    expect(officerWeb.body).toContain('sense clau pública');

    expect((await register('c3', generateCustodianKeyPair().recipient)).statusCode).toBe(200);
    const ready = (await call('GET', `/${draft.id}`)).json() as TenderBody;
    expect(ready.findings).toEqual([]);
    const approved = (
      await call('POST', `/${draft.id}/submit`, { version: ready.version })
    ).json() as TenderBody;
    expect(approved.status).toBe('approved');
    const published = await call('POST', `/${draft.id}/publish`, { version: approved.version });
    expect(published.statusCode, published.body).toBe(200);
    const ocid = (published.json() as TenderBody).ocid ?? '';

    const active = (await list()).filter((k) => k.revokedAt === null);
    const expected = [ids.c1, ids.c2, ids.c3]
      .map((u) => u ?? '')
      .sort()
      .map((u, i) => {
        const k = active.find((x) => x.userId === u);
        return { index: i + 1, keyId: k?.id, recipient: k?.recipient, fingerprint: k?.fingerprint };
      });
    const notice = async () =>
      (await t.app.inject({ url: `/api/v1/tenders/${ocid}` })).json() as {
        notice: { sealing: Sealing };
        history: { changed: string[] }[];
      };
    const v1 = await notice();
    // Numbered by user id, whatever order the officer gave; no names or user ids in public.
    expect(v1.notice.sealing).toEqual({ quorum: 2, custodians: expected });
    expect(JSON.stringify(v1.notice.sealing)).not.toContain(ids.c1);

    // While bids are sealed to them, the keys cannot change: not by the custodian, not by the admin.
    const before = await rowCounts(t);
    const c1Key = active.find((k) => k.userId === ids.c1);
    const replace = await register('c1', generateCustodianKeyPair().recipient);
    expect(replace.statusCode).toBe(409);
    expect(replace.json()).toMatchObject({
      code: 'CUSTODIAN_KEY_IN_USE',
      details: { tenders: [expect.objectContaining({ id: draft.id })] },
    });
    const adminRevoke = await revoke('admin', c1Key?.id ?? '');
    expect(adminRevoke.statusCode).toBe(409);
    expect(adminRevoke.json()).toMatchObject({ code: 'CUSTODIAN_KEY_IN_USE' });
    expect(await rowCounts(t)).toEqual(before);
    // Nor can the custodians change after publication.
    const current = (await call('GET', `/${draft.id}`)).json() as TenderBody;
    const reassign = await call('PUT', `/${draft.id}/assignments`, {
      version: current.version,
      committee: [],
      custodians: [ids.c1, ids.c2],
    });
    expect(reassign.statusCode).toBe(409);
    expect(reassign.json()).toMatchObject({ code: 'INVALID_TRANSITION' });

    // A corrigendum keeps the sealing target as it was frozen.
    const corrected = await call('POST', `/${draft.id}/corrigenda`, {
      version: current.version,
      reason: 'Títol corregit',
      substantial: false,
      title: { ca: 'Neteja corregida', es: 'Limpieza corregida', en: 'Cleaning corrected' },
    });
    expect(corrected.statusCode, corrected.body).toBe(200);
    const v2 = await notice();
    expect(v2.notice.sealing).toEqual(v1.notice.sealing);
    expect(v2.history.at(-1)?.changed).not.toContain('sealing');

    // Once the file is cancelled no bids are sealed to the keys: they may change again.
    const cancelled = await call('POST', `/${draft.id}/cancel`, {
      version: (corrected.json() as TenderBody).version,
      kind: 'desistimiento',
      reason: 'Defecte en el plec',
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect((await notice()).notice.sealing).toEqual(v1.notice.sealing);
    expect((await register('c1', generateCustodianKeyPair().recipient)).statusCode).toBe(200);
  });

  it('shows a custodian their key and takes a new one through the page', async () => {
    const c = s.c2;
    const page = await t.app.inject({
      url: `/office/${a.id}/custodian-key`,
      headers: { cookie: c?.cookie ?? '' },
    });
    expect(page.statusCode).toBe(200);
    const active = (await list()).find((k) => k.userId === ids.c2 && k.revokedAt === null);
    expect(page.body).toContain(`id="key-fingerprint">${active?.fingerprint}<`);
    expect(page.body).toContain('contracta custodian keygen');

    const post = (recipient: string) =>
      t.app.inject({
        method: 'POST',
        url: `/office/${a.id}/custodian-key`,
        headers: { ...c?.headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ recipient }).toString(),
      });
    const { identity, recipient } = generateCustodianKeyPair();
    const bad = await post(identity);
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('id="error-summary"');
    expect(bad.body).toContain('AGE-SECRET-KEY-…');
    const good = await post(recipient);
    expect(good.statusCode, good.body).toBe(303);
    expect(good.headers.location).toBe(`/office/${a.id}/custodian-key?done=saved`);
    const after = await t.app.inject({
      url: `/office/${a.id}/custodian-key?done=saved&lang=en`,
      headers: { cookie: c?.cookie ?? '' },
    });
    expect(after.body).toContain(sha16(recipient));

    // Not a custodian: refused; another authority: not found.
    const officer = await t.app.inject({
      url: `/office/${a.id}/custodian-key`,
      headers: { cookie: s.officer?.cookie ?? '' },
    });
    expect(officer.statusCode).toBe(403);
    const foreign = await t.app.inject({
      url: `/office/${a.id}/custodian-key`,
      headers: { cookie: s.otherCustodian?.cookie ?? '' },
    });
    expect(foreign.statusCode).toBe(404);
  });
});
