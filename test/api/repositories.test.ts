import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent } from '../../src/modules/audit/audit.service.js';
import { registerCompany } from '../../src/modules/parties/company.service.js';
import { updateAuthority } from '../../src/modules/tenancy/authority.service.js';
import { canonicalJson } from '../../src/platform/canonical-json.js';
import type { Clock } from '../../src/platform/clock.js';
import type { ServiceContext, UserActor } from '../../src/platform/context.js';
import { MIGRATIONS_DIR, migrate } from '../../src/platform/db/migrate.js';
import { withTransaction } from '../../src/platform/db/tx.js';
import { newId } from '../../src/platform/ids.js';
import {
  buildTestApp,
  login,
  makeAuthority,
  makeUser,
  PASSWORD,
  rowCounts,
  type Session,
  type TestApp,
  unique,
} from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import { validNif } from '../helpers/tax-ids.js';

describe(`repositories and storage (${driverName})`, () => {
  let t: TestApp;
  const tmpDirs: string[] = [];

  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t.close();
    for (const dir of tmpDirs) await fs.rm(dir, { recursive: true, force: true });
  });

  /** A copy of the real migrations directory, to edit or extend. */
  async function migrationsCopy(): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'contracta-migrations-'));
    tmpDirs.push(dir);
    for (const name of await fs.readdir(MIGRATIONS_DIR)) {
      await fs.copyFile(path.join(MIGRATIONS_DIR, name), path.join(dir, name));
    }
    return dir;
  }

  async function appliedMigrations() {
    return t.db.db
      .selectFrom('schema_migration')
      .select(['version', 'name', 'checksum'])
      .orderBy('version')
      .execute();
  }

  async function tableExists(name: string): Promise<boolean> {
    const r = await sql<{ t: string | null }>`SELECT to_regclass(${name})::text AS t`.execute(t.db.db);
    return r.rows[0]?.t !== null && r.rows[0]?.t !== undefined;
  }

  function systemCtx(clock: Clock, actor?: UserActor): ServiceContext {
    return {
      db: t.db.db,
      actor: actor ?? { kind: 'system', label: 'repository-test' },
      clock,
      ip: '198.51.100.7',
      userAgent: 'RepositoryTest/1.0',
    };
  }

  /** A clock that fails on its `failAt`-th reading; the count says how far a service got. */
  function failingClock(failAt: number): Clock & { calls: number } {
    const clock = {
      calls: 0,
      now: () => {
        clock.calls += 1;
        if (clock.calls === failAt) throw new Error(`clock failure at reading ${failAt}`);
        return t.clock.now();
      },
    };
    return clock;
  }

  describe('migrations', () => {
    it('are idempotent: running them again applies nothing and changes nothing', async () => {
      const before = await appliedMigrations();
      const files = (await fs.readdir(MIGRATIONS_DIR)).filter((n) => n.endsWith('.sql'));
      expect(before.map((m) => m.name)).toEqual(files.sort());
      expect(await migrate(t.db.db)).toEqual([]);
      expect(await migrate(t.db.db)).toEqual([]);
      expect(await appliedMigrations()).toEqual(before);
    });

    it('refuse an applied migration whose text changed', async () => {
      const dir = await migrationsCopy();
      const before = await appliedMigrations();
      const first = before[0]?.name ?? '';
      await fs.appendFile(path.join(dir, first), '\n-- an innocent-looking edit\n');
      await expect(migrate(t.db.db, dir)).rejects.toThrow(
        `Migration ${first} was changed after being applied`,
      );
      expect(await appliedMigrations()).toEqual(before);
    });

    it('apply a new migration once, and roll back a failing one entirely', async () => {
      const dir = await migrationsCopy();
      await fs.writeFile(
        path.join(dir, '9001_probe_table.sql'),
        'CREATE TABLE probe_table (id integer PRIMARY KEY);\nINSERT INTO probe_table VALUES (1);\n',
      );
      expect(await migrate(t.db.db, dir)).toEqual(['9001_probe_table.sql']);
      expect(await migrate(t.db.db, dir)).toEqual([]);
      expect(await tableExists('probe_table')).toBe(true);

      await fs.writeFile(
        path.join(dir, '9002_broken.sql'),
        'CREATE TABLE probe_broken (id integer);\nSELECT 1 / 0;\n',
      );
      await expect(migrate(t.db.db, dir)).rejects.toThrow(/division by zero/);
      expect(await tableExists('probe_broken')).toBe(false);
      expect((await appliedMigrations()).map((m) => m.version)).not.toContain(9002);
    });
  });

  describe('the audit_event table', () => {
    let admin: { id: string; email: string };
    let session: Session;
    let authorityId: string;

    beforeAll(async () => {
      admin = await makeUser(t, { platformAdmin: true });
      session = await login(t, admin.email, PASSWORD, { remoteAddress: '203.0.113.77' });
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/authorities',
        headers: { ...session.headers, 'user-agent': 'CanonicalProbe/2.1 (ünïcode; "quoted")' },
        remoteAddress: '203.0.113.77',
        payload: {
          slug: 'canonical-city',
          name: { ca: 'Ciutat Canònica', es: 'Ciudad Canónica', en: 'Canonical City' },
          dir3Code: 'L01999999',
          ocidPrefix: 'ocds-canon9',
        },
      });
      expect(res.statusCode, res.body).toBe(201);
      authorityId = (res.json() as { id: string }).id;
    });

    async function allEvents() {
      return t.db.db.selectFrom('audit_event').selectAll().orderBy('seq').execute();
    }

    it('refuses UPDATE, DELETE and TRUNCATE', async () => {
      const before = await allEvents();
      expect(before.length).toBeGreaterThan(0);
      await expect(
        t.db.db
          .updateTable('audit_event')
          .set({ action: 'tampered' })
          .where('object_id', '=', authorityId)
          .execute(),
      ).rejects.toThrow(/append-only/);
      await expect(
        t.db.db.deleteFrom('audit_event').where('object_id', '=', authorityId).execute(),
      ).rejects.toThrow(/append-only/);
      await expect(sql`TRUNCATE audit_event`.execute(t.db.db)).rejects.toThrow(/append-only/);
      // Not even inside a transaction that would otherwise commit.
      await expect(
        withTransaction(t.db.db, async (trx) => {
          await trx.deleteFrom('audit_event').execute();
        }),
      ).rejects.toThrow(/append-only/);
      expect(await allEvents()).toEqual(before);
    });

    it('stores canonical JSON: sorted keys, stable under re-canonicalisation, without IP or user agent', async () => {
      const row = await t.db.db
        .selectFrom('audit_event')
        .selectAll()
        .where('object_id', '=', authorityId)
        .where('action', '=', 'authority.created')
        .executeTakeFirstOrThrow();
      // The personal data is kept in its own columns...
      expect(row.ip).toBe('203.0.113.77');
      expect(row.user_agent).toBe('CanonicalProbe/2.1 (ünïcode; "quoted")');
      // ...and left out of the canonical bytes.
      expect(row.canonical).not.toContain('203.0.113.77');
      expect(row.canonical).not.toContain('CanonicalProbe');
      expect(row.canonical).not.toMatch(/"(ip|userAgent|user_agent)"/);

      const parsed = JSON.parse(row.canonical) as Record<string, unknown>;
      expect(canonicalJson(parsed)).toBe(row.canonical);
      expect(parsed).toEqual({
        v: 1,
        id: row.id,
        occurredAt: row.occurred_at.toISOString(),
        action: 'authority.created',
        actor: { kind: 'user:session', userId: admin.id },
        authorityId,
        companyId: null,
        object: { type: 'authority', id: authorityId },
        data: { slug: 'canonical-city', dir3Code: 'L01999999', ocidPrefix: 'ocds-canon9' },
      });
      expect(parsed.data).toEqual(row.data);
    });

    it('canonicalises as RFC 8785 does: code-unit key order, no whitespace, no undefined', () => {
      const value = {
        b: 1,
        a: [{ d: 'x', c: null }, true],
        é: 'accent',
        Z: 2,
        '10': 'ten',
        '9': 'nine',
        skipped: undefined,
        nested: { y: { b: 2, a: 1 }, x: 0.5 },
        at: new Date('2026-01-02T03:04:05.678Z'),
      };
      expect(canonicalJson(value)).toBe(
        '{"10":"ten","9":"nine","Z":2,"a":[{"c":null,"d":"x"},true],"at":"2026-01-02T03:04:05.678Z",' +
          '"b":1,"nested":{"x":0.5,"y":{"a":1,"b":2}},"é":"accent"}',
      );
      expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
      expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
    });
  });

  describe('transactions', () => {
    it('leave neither the change nor its event when the service fails after writing', async () => {
      const before = await rowCounts(t);
      const clock = failingClock(2);
      const taxId = validNif();
      const email = `${unique('rollback')}@test.example`;
      await expect(
        registerCompany(systemCtx(clock), {
          legalName: 'Rollback SL',
          taxId,
          isSme: true,
          address: { street: 'Carrer 2', locality: 'Reus', postalCode: '43201' },
          contactEmails: ['info@rollback.test'],
          admin: { name: 'Rolf', email, password: PASSWORD },
        }),
      ).rejects.toThrow('clock failure at reading 2');
      // The first reading stamped the first audit event, after the company, its administrator,
      // membership and emails were inserted; the second, for the next event, failed.
      expect(clock.calls).toBe(2);
      expect(await rowCounts(t)).toEqual(before);
      expect(
        await t.db.db.selectFrom('company').select('id').where('tax_id', '=', taxId).executeTakeFirst(),
      ).toBeUndefined();
      expect(
        await t.db.db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirst(),
      ).toBeUndefined();

      // The control: the same registration with a working clock writes all of it.
      const ok = await registerCompany(systemCtx(t.clock), {
        legalName: 'Rollback SL',
        taxId,
        isSme: true,
        address: { street: 'Carrer 2', locality: 'Reus', postalCode: '43201' },
        contactEmails: ['info@rollback.test'],
        admin: { name: 'Rolf', email, password: PASSWORD },
      });
      const after = await rowCounts(t);
      expect(after.company).toBe((before.company ?? 0) + 1);
      expect(after.company_email).toBe((before.company_email ?? 0) + 2);
      expect(after.audit_event).toBe((before.audit_event ?? 0) + 2);
      expect(ok.company.taxId).toBe(taxId);
    });

    it('roll back an authority update whose audit event fails', async () => {
      const A = await makeAuthority(t);
      const actor: UserActor = {
        kind: 'user',
        userId: newId(),
        email: 'root@test.example',
        name: 'Root',
        locale: 'ca',
        isPlatformAdmin: true,
        authorityRoles: new Map(),
        companyRoles: new Map(),
        via: 'session',
      };
      const row = () =>
        t.db.db.selectFrom('authority').selectAll().where('id', '=', A.id).executeTakeFirstOrThrow();
      const before = await row();
      const counts = await rowCounts(t);
      // Reading 1 stamps updated_at (the UPDATE runs); reading 2, for the event, fails.
      const clock = failingClock(2);
      await expect(
        updateAuthority(systemCtx(clock, actor), A.id, { priceWeightCap: '12.5' }),
      ).rejects.toThrow('clock failure');
      expect(clock.calls).toBe(2);
      expect(await row()).toEqual(before);
      expect(await rowCounts(t)).toEqual(counts);

      const updated = await updateAuthority(systemCtx(t.clock, actor), A.id, { priceWeightCap: '12.5' });
      expect(updated.priceWeightCap).toBe('12.50');
      expect((await rowCounts(t)).audit_event).toBe((counts.audit_event ?? 0) + 1);
    });

    it('roll back every statement, events included, when the callback throws', async () => {
      const before = await rowCounts(t);
      const slug = unique('ghost-');
      await expect(
        withTransaction(t.db.db, async (trx) => {
          const id = newId();
          await trx
            .insertInto('consortium')
            .values({ id, slug, name_ca: 'x', name_es: 'x', name_en: 'x' })
            .execute();
          await recordEvent(trx, systemCtx(t.clock), {
            action: 'consortium.created',
            objectType: 'consortium',
            objectId: id,
            data: { slug },
          });
          const inside = await trx.selectFrom('consortium').select('id').where('slug', '=', slug).execute();
          expect(inside).toHaveLength(1);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await rowCounts(t)).toEqual(before);
    });
  });

  describe('the auditor filter API', () => {
    let A: { id: string };
    let B: { id: string };
    let admin1: { id: string; email: string };
    let admin2: { id: string; email: string };
    let sAuditor: Session;
    let sAdmin1: Session;
    let sAdmin2: Session;
    let middle: string;

    beforeAll(async () => {
      A = await makeAuthority(t);
      B = await makeAuthority(t);
      admin1 = await makeUser(t, { roles: [{ authorityId: A.id, roles: ['authority_admin'] }] });
      admin2 = await makeUser(t, {
        roles: [
          { authorityId: A.id, roles: ['authority_admin'] },
          { authorityId: B.id, roles: ['authority_admin'] },
        ],
      });
      const auditor = await makeUser(t, { roles: [{ authorityId: A.id, roles: ['auditor'] }] });
      sAdmin1 = await login(t, admin1.email, PASSWORD, { remoteAddress: '10.60.0.1' });
      sAdmin2 = await login(t, admin2.email, PASSWORD, { remoteAddress: '10.60.0.2' });
      sAuditor = await login(t, auditor.email, PASSWORD, { remoteAddress: '10.60.0.3' });

      const call = async (s: Session, method: 'PATCH' | 'POST' | 'PUT', url: string, payload: object) => {
        const res = await t.app.inject({ method, url, headers: s.headers, payload });
        expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
        return res.json() as { userId?: string };
      };
      for (const cap of ['30', '31', '32']) {
        await call(sAdmin1, 'PATCH', `/api/v1/authorities/${A.id}`, { priceWeightCap: cap });
        t.clock.advance(60_000);
      }
      middle = t.clock.now().toISOString();
      const staff: string[] = [];
      for (let i = 0; i < 3; i++) {
        const m = await call(sAdmin2, 'POST', `/api/v1/authorities/${A.id}/members`, {
          email: `${unique('staff')}@test.example`,
          name: `Staff ${i}`,
          roles: ['committee_member'],
        });
        staff.push(m.userId ?? '');
        t.clock.advance(60_000);
      }
      await call(sAdmin1, 'PUT', `/api/v1/authorities/${A.id}/members/${staff[0]}`, { roles: ['auditor'] });
      await call(sAdmin2, 'PATCH', `/api/v1/authorities/${A.id}`, { priceWeightCap: '33' });
      // Activity in B, which A's auditor must never see.
      await call(sAdmin2, 'PATCH', `/api/v1/authorities/${B.id}`, { priceWeightCap: '20' });
      await call(sAdmin2, 'POST', `/api/v1/authorities/${B.id}/members`, {
        email: `${unique('bstaff')}@test.example`,
        name: 'B Staff',
        roles: ['auditor'],
      });
    });

    type Event = {
      seq: string;
      action: string;
      objectType: string;
      actorUserId: string | null;
      authorityId: string | null;
      occurredAt: string;
      data: unknown;
    };

    async function query(qs: string): Promise<Event[]> {
      const res = await t.app.inject({
        url: `/api/v1/authorities/${A.id}/audit-events${qs}`,
        headers: sAuditor.headers,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as Event[];
    }

    async function dbEvents(where: { action?: string; objectType?: string; actorUserId?: string }) {
      let q = t.db.db.selectFrom('audit_event').select(['seq']).where('authority_id', '=', A.id);
      if (where.action) q = q.where('action', '=', where.action);
      if (where.objectType) q = q.where('object_type', '=', where.objectType);
      if (where.actorUserId) q = q.where('actor_user_id', '=', where.actorUserId);
      return (await q.orderBy('seq', 'desc').execute()).map((r) => String(r.seq));
    }

    it('returns only the authority’s events, newest first', async () => {
      const all = await query('?limit=500');
      expect(all.map((e) => e.seq)).toEqual(await dbEvents({}));
      // 4 authority updates, 3 × (user.created + membership.granted), 1 membership.changed.
      expect(all).toHaveLength(11);
      expect(all.every((e) => e.authorityId === A.id)).toBe(true);
      const seqs = all.map((e) => BigInt(e.seq));
      for (let i = 1; i < seqs.length; i++) expect((seqs[i] ?? 0n) < (seqs[i - 1] ?? 0n)).toBe(true);
    });

    it('filters by action, object type and actor, alone and combined', async () => {
      const byAction = await query('?action=authority.updated');
      expect(byAction.map((e) => e.seq)).toEqual(await dbEvents({ action: 'authority.updated' }));
      expect(byAction).toHaveLength(4);
      expect(byAction.every((e) => e.action === 'authority.updated')).toBe(true);

      const byType = await query('?objectType=membership');
      expect(byType.map((e) => e.seq)).toEqual(await dbEvents({ objectType: 'membership' }));
      expect(byType).toHaveLength(4);
      expect(new Set(byType.map((e) => e.action))).toEqual(
        new Set(['membership.granted', 'membership.changed']),
      );

      const byActor = await query(`?actorUserId=${admin2.id}`);
      expect(byActor.map((e) => e.seq)).toEqual(await dbEvents({ actorUserId: admin2.id }));
      // Three invitations (user.created + membership.granted each) and one update, all in A.
      expect(byActor).toHaveLength(7);
      expect(byActor.every((e) => e.actorUserId === admin2.id)).toBe(true);

      const combined = await query(`?action=authority.updated&actorUserId=${admin1.id}`);
      expect(combined.map((e) => e.seq)).toEqual(
        await dbEvents({ action: 'authority.updated', actorUserId: admin1.id }),
      );
      expect(combined).toHaveLength(3);

      expect(await query('?action=no.such.action')).toEqual([]);
    });

    it('filters by time', async () => {
      const early = await query(`?to=${encodeURIComponent(middle)}`);
      const late = await query(`?from=${encodeURIComponent(middle)}`);
      expect(early.every((e) => e.occurredAt < middle)).toBe(true);
      expect(late.every((e) => e.occurredAt >= middle)).toBe(true);
      expect(early.filter((e) => e.action === 'authority.updated')).toHaveLength(3);
      expect(early.length + late.length).toBe((await query('?limit=500')).length);
    });

    it('pages with `before` (keyset): disjoint pages that add up to the whole list', async () => {
      const all = await query('?limit=500');
      const pages: Event[][] = [];
      let before: string | undefined;
      for (let guard = 0; guard < 50; guard++) {
        const page = await query(`?limit=3${before ? `&before=${before}` : ''}`);
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(3);
        pages.push(page);
        before = page.at(-1)?.seq;
      }
      expect(pages.length).toBe(Math.ceil(all.length / 3));
      expect(pages.flat().map((e) => e.seq)).toEqual(all.map((e) => e.seq));

      // Paging keeps the filter.
      const first = await query('?objectType=membership&limit=2');
      const second = await query(`?objectType=membership&limit=2&before=${first.at(-1)?.seq}`);
      expect([...first, ...second].map((e) => e.seq)).toEqual(await dbEvents({ objectType: 'membership' }));
    });
  });

  // Last: by now the file has written events of many kinds, through the API and directly.
  it('keeps canonical JSON, without IP or user agent, in every event the file wrote', async () => {
    const events = await t.db.db.selectFrom('audit_event').selectAll().orderBy('seq').execute();
    expect(new Set(events.map((e) => e.action)).size).toBeGreaterThan(5);
    for (const e of events) {
      expect(canonicalJson(JSON.parse(e.canonical))).toBe(e.canonical);
      expect(keysSortedEverywhere(JSON.parse(e.canonical)), e.action).toBe(true);
      expect(e.canonical).not.toMatch(/"(ip|userAgent|user_agent)"/);
      if (e.ip) expect(e.canonical).not.toContain(e.ip);
      if (e.user_agent) expect(e.canonical).not.toContain(e.user_agent);
    }
  });
});

function keysSortedEverywhere(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(keysSortedEverywhere);
  if (value === null || typeof value !== 'object') return true;
  const keys = Object.keys(value);
  const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.every((k, i) => k === sorted[i]) && Object.values(value).every(keysSortedEverywhere);
}
