/**
 * `contracta ocds import` (issue 6 point 5), on the driver of the run: a small release package
 * (2 ocids × 3 releases, a duplicate, a release without date, an unknown tag) goes into an external
 * authority; the counts, the records against `compile`'s output, a re-run that adds nothing, nothing
 * in our own /ocds/v1 feeds, the read-only guards, and the public pages in three languages with the
 * data escaped. With the shared OCDS data, every real-examples file is imported without a crash.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileOcds } from '../../src/modules/ocds/compile.js';
import { runImport } from '../../src/modules/ocds/import.cli.js';
import {
  type ImportInput,
  type ImportOptions,
  type ImportSummary,
  importOcds,
} from '../../src/modules/ocds/ocds-import.js';
import { createTender } from '../../src/modules/tenders/tender.service.js';
import type { UserActor } from '../../src/platform/context.js';
import { DomainError } from '../../src/platform/errors.js';
import {
  buildTestApp,
  login,
  makeAuthority,
  makeUser,
  rowCounts,
  type TestApp,
  unique,
} from '../helpers/app.js';
import { hasOcdsData, OCDS_DATA_MISSING, ocdsPath } from '../helpers/ocds.js';
import { loadDemoCpv, tenderPayload } from '../helpers/tenders.js';

const A = 'ocds-abc123-A1';
const B = 'ocds-abc123-B2';
const SCRIPT_TITLE = 'Obres <script>alert("x")</script> al carrer';

/** The fixture: ocid A tender → award (sent twice) → contract with an unknown tag; ocid B tender → update → undated. */
function fixture(opts: { withoutUndated?: boolean } = {}): Record<string, unknown> {
  const party = { id: 'ES-DIR3-L01', name: 'Ajuntament de Prova', roles: ['buyer'] };
  const releases: Record<string, unknown>[] = [
    {
      ocid: A,
      id: 'A-tender',
      date: '2024-01-10T09:00:00Z',
      tag: ['tender'],
      initiationType: 'tender',
      parties: [party],
      buyer: { id: party.id, name: party.name },
      tender: {
        id: 'A',
        title: 'Neteja de platges',
        status: 'active',
        value: { amount: 120000.5, currency: 'EUR' },
        tenderPeriod: { startDate: '2024-01-10T09:00:00Z', endDate: '2024-02-10T13:00:00Z' },
        lots: [{ id: '1', title: 'Lot nord', value: { amount: 60000, currency: 'EUR' } }],
      },
    },
    {
      ocid: A,
      id: 'A-award',
      date: '2024-03-01T10:00:00Z',
      tag: ['award'],
      initiationType: 'tender',
      tender: { id: 'A', status: 'complete' },
      awards: [
        {
          id: 'aw1',
          status: 'active',
          date: '2024-03-01T10:00:00Z',
          value: { amount: 99000, currency: 'EUR' },
          suppliers: [{ id: 'ES-NIF-B00000000', name: 'Neteges <b>SL</b>' }],
        },
      ],
    },
    {
      ocid: A,
      id: 'A-contract',
      date: '2024-04-01T10:00:00Z',
      tag: ['contract', 'contractSigned'],
      initiationType: 'tender',
      contracts: [{ id: 'c1', awardID: 'aw1', status: 'active', value: { amount: 99000, currency: 'EUR' } }],
    },
    {
      ocid: B,
      id: 'B-tender',
      date: '2024-02-01T08:00:00Z',
      tag: ['tender'],
      initiationType: 'tender',
      buyer: { name: 'Consell <i>Comarcal</i>' },
      tender: { id: 'B', title: SCRIPT_TITLE, status: 'active', description: 'Primera versió' },
    },
    {
      ocid: B,
      id: 'B-update',
      date: '2024-02-05T08:00:00Z',
      tag: ['tenderUpdate'],
      initiationType: 'tender',
      tender: { id: 'B', description: 'Segona versió' },
    },
    {
      ocid: B,
      id: 'B-undated',
      tag: ['tenderUpdate'],
      initiationType: 'tender',
      tender: { id: 'B', description: 'Sense data' },
    },
  ];
  // The award again, byte for byte: a duplicate.
  releases.splice(2, 0, structuredClone(releases[1] as Record<string, unknown>));
  return {
    uri: 'https://example.org/ocds/package.json',
    publishedDate: '2024-04-02T00:00:00Z',
    publisher: { name: 'Prova' },
    version: '1.1',
    releases: opts.withoutUndated ? releases.filter((r) => r.id !== 'B-undated') : releases,
  };
}

function inputOf(name: string, value: unknown): ImportInput {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  return {
    name,
    open: async function* () {
      yield bytes;
    },
  };
}

/** Schema options for both import and compile: the official schema when the data is there, else a minimal one. */
let schemaOptions: ImportOptions;
let tmp: string;

async function compiledByOcid(
  value: unknown,
): Promise<{ lines: Map<string, unknown>; warnings: Record<string, number> }> {
  let out = '';
  const summary = await compileOcds(
    [inputOf('fixture.json', value)],
    (text) => {
      out += text;
    },
    { ...schemaOptions, offline: true },
  );
  const lines = new Map<string, unknown>();
  for (const line of out.split('\n').filter(Boolean)) {
    const r = JSON.parse(line) as { ocid: string };
    lines.set(r.ocid, r);
  }
  return { lines, warnings: summary.warnings };
}

describe('ocds import', () => {
  let t: TestApp;
  let slug: string;
  let authorityId: string;
  let first: ImportSummary;
  const ctx = () => ({
    db: t.db.db,
    actor: { kind: 'system' as const, label: 'ocds-import' },
    clock: t.clock,
    ip: null,
    userAgent: null,
  });

  beforeAll(async () => {
    t = await buildTestApp();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'contracta-import-test-'));
    if (hasOcdsData) schemaOptions = { schemaDir: ocdsPath('schema') };
    else {
      // The merge flags of 1.1.5 that the fixture touches (ocds.md §3.1), written out.
      const schema = {
        properties: {
          id: { type: 'string', omitWhenMerged: true },
          date: { type: 'string', omitWhenMerged: true },
          tag: { type: 'array', items: { type: 'string' }, omitWhenMerged: true },
        },
      };
      fs.writeFileSync(path.join(tmp, 'release-schema.json'), JSON.stringify(schema));
      schemaOptions = { schema: path.join(tmp, 'release-schema.json') };
    }
    slug = unique('ext-');
    first = await importOcds(
      ctx(),
      { authority: slug, create: { name: 'Prova <Open> Data', sourceUrl: 'https://example.org/ocds/' } },
      [inputOf('fixture.json', fixture())],
      { ...schemaOptions, offline: true, batchSize: 2 },
    );
    authorityId = first.authority.id;
  });

  afterAll(async () => {
    await t?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('stores each new release once, counts the duplicate and the dirt, and compiles both records', async () => {
    expect(first).toMatchObject({
      exitCode: 0,
      authority: { id: authorityId, slug, created: true },
      releasesRead: 7,
      releasesStored: 6,
      duplicates: 1,
      conflicts: 0,
      ocids: 2,
      recordsWritten: 2,
    });
    expect(first.warnings).toMatchObject({ badDate: 1, unknownTag: 1, releaseNotMerged: 1 });
    const authority = await t.db.db
      .selectFrom('authority')
      .select(['is_external', 'external_source_url', 'dir3_code'])
      .where('id', '=', authorityId)
      .executeTakeFirstOrThrow();
    expect(authority).toEqual({
      is_external: true,
      external_source_url: 'https://example.org/ocds/',
      dir3_code: `external:${slug}`,
    });
    const counts = await rowCounts(t);
    expect(counts.ocds_import_release).toBe(6);
    expect(counts.ocds_import_record).toBe(2);
    const records = await t.db.db
      .selectFrom('ocds_import_record')
      .select(['ocid', 'release_count'])
      .where('authority_id', '=', authorityId)
      .orderBy('ocid')
      .execute();
    // B's undated release is stored as published but not merged.
    expect(records).toEqual([
      { ocid: A, release_count: 3 },
      { ocid: B, release_count: 2 },
    ]);
    // One audit event per batch that stored something (batches of 2 releases: A alone, then B), plus the creation.
    const events = await t.db.db
      .selectFrom('audit_event')
      .select(['action', 'actor_kind', 'data'])
      .where('authority_id', '=', authorityId)
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.action)).toEqual([
      'authority.external_created',
      'ocds.imported',
      'ocds.imported',
    ]);
    expect(events[1]).toMatchObject({
      actor_kind: 'system:ocds-import',
      data: { files: ['fixture.json'], releasesStored: 3, duplicates: 1, firstOcid: A, lastOcid: A },
    });
  });

  it('compiles the records exactly as `compile` does for the same input', async () => {
    const stored = new Map(
      (
        await t.db.db
          .selectFrom('ocds_import_record')
          .select(['ocid', 'compiled'])
          .where('authority_id', '=', authorityId)
          .execute()
      ).map((r) => [r.ocid, r.compiled]),
    );
    const full = await compiledByOcid(fixture());
    expect(stored.get(A)).toEqual(full.lines.get(A));
    // compile cannot merge B at all (a release has no date: ocdsmerge's MissingDateKeyError) …
    expect(full.lines.has(B)).toBe(false);
    expect(full.warnings['mergeError.missingDate']).toBe(1);
    // … the import merges B's dated releases, which is what compile gives without the undated one.
    const dated = await compiledByOcid(fixture({ withoutUndated: true }));
    expect(stored.get(B)).toEqual(dated.lines.get(B));
    expect(stored.get(B)).toMatchObject({ tender: { title: SCRIPT_TITLE, description: 'Segona versió' } });
  });

  it('imports nothing new when run again, and writes no event', async () => {
    const before = await rowCounts(t);
    const again = await importOcds(ctx(), { authority: slug }, [inputOf('fixture.json', fixture())], {
      ...schemaOptions,
      offline: true,
    });
    expect(again).toMatchObject({
      exitCode: 0,
      authority: { id: authorityId, created: false },
      releasesRead: 7,
      releasesStored: 0,
      duplicates: 7,
      conflicts: 0,
      recordsWritten: 0,
    });
    expect(await rowCounts(t)).toEqual(before);
  });

  it('keeps the first release when an id comes back with other content, and updates the record incrementally', async () => {
    const conflicting = {
      version: '1.1',
      releases: [
        {
          ocid: A,
          id: 'A-award',
          date: '2024-03-01T10:00:00Z',
          tag: ['award'],
          tender: { status: 'changed' },
        },
        {
          ocid: A,
          id: 'A-implementation',
          date: '2024-06-01T10:00:00Z',
          tag: ['implementation'],
          initiationType: 'tender',
          contracts: [{ id: 'c1', status: 'terminated' }],
        },
      ],
    };
    const s = await importOcds(ctx(), { authority: slug }, [inputOf('more.json', conflicting)], {
      ...schemaOptions,
      offline: true,
    });
    expect(s).toMatchObject({ releasesStored: 1, conflicts: 1, duplicates: 0, recordsWritten: 1 });
    expect(s.warnings.conflictingRelease).toBe(1);
    const record = await t.db.db
      .selectFrom('ocds_import_record')
      .select(['compiled', 'release_count'])
      .where('authority_id', '=', authorityId)
      .where('ocid', '=', A)
      .executeTakeFirstOrThrow();
    expect(record.release_count).toBe(4);
    // The same as compiling every kept release of A from scratch.
    const all = fixture().releases as { ocid: string; id: string }[];
    const kept = [...all.filter((r) => r.ocid === A && r !== all[2]), conflicting.releases[1]];
    const recompiled = await compiledByOcid({ version: '1.1', releases: kept });
    expect(record.compiled).toEqual(recompiled.lines.get(A));
    expect(record.compiled).toMatchObject({
      tender: { status: 'complete' },
      contracts: [{ status: 'terminated' }],
    });
  });

  it('puts nothing in the platform’s own OCDS feeds, which the database refuses for an external authority', async () => {
    const counts = await rowCounts(t);
    expect(counts.ocds_release).toBe(0);
    expect(counts.ocds_record).toBe(0);
    for (const url of ['/ocds/v1/releases', '/ocds/v1/records']) {
      const res = await t.app.inject({ method: 'GET', url });
      // An empty feed may answer 204; either way neither ocid is in it.
      expect([200, 204], url).toContain(res.statusCode);
      expect(res.body).not.toContain(A);
      expect(res.body).not.toContain(B);
    }
    await expect(
      t.db.db
        .insertInto('ocds_release')
        .values({
          id: 'x',
          ocid: A,
          authority_id: authorityId,
          date: new Date(),
          tags: ['tender'],
          json: '{}',
          sha256: '0'.repeat(64),
          published_at: new Date(),
        })
        .execute(),
    ).rejects.toMatchObject({ code: 'CR001' });
    // And imported data only goes into external authorities.
    const own = await makeAuthority(t);
    await expect(
      t.db.db
        .insertInto('ocds_import_record')
        .values({
          authority_id: own.id,
          ocid: A,
          compiled: '{}',
          release_count: 1,
          package_version: '1.1',
          extensions: [],
          updated_at: new Date(),
        })
        .execute(),
    ).rejects.toMatchObject({ code: 'CR002' });
  });

  it('refuses roles and files in the external authority with AUTHORITY_READ_ONLY', async () => {
    const admin = await makeUser(t, { platformAdmin: true });
    const session = await login(t, admin.email);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/authorities/${authorityId}/members`,
      headers: session.headers,
      payload: { email: `${unique('staff')}@test.example`, name: 'Staff', roles: ['procurement_officer'] },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'AUTHORITY_READ_ONLY' });
    expect(
      await t.db.db
        .selectFrom('membership')
        .where('authority_id', '=', authorityId)
        .select('user_id')
        .execute(),
    ).toEqual([]);
    // The database refuses a role given any other way.
    await expect(
      t.db.db
        .insertInto('membership')
        .values({ authority_id: authorityId, user_id: admin.id, roles: ['auditor'] })
        .execute(),
    ).rejects.toMatchObject({ code: 'CR001' });
    // A file: an actor claiming a role there (a forged or stale session) still gets the stable code.
    await loadDemoCpv(t);
    const officer: UserActor = {
      kind: 'user',
      userId: admin.id,
      email: admin.email,
      name: 'Officer',
      locale: 'ca',
      isPlatformAdmin: false,
      authorityRoles: new Map([[authorityId, ['procurement_officer'] as const]]),
      companyRoles: new Map(),
      via: 'session',
    };
    const attempt = createTender(
      { db: t.db.db, actor: officer, clock: t.clock, ip: null, userAgent: null },
      authorityId,
      tenderPayload(t.clock.now()),
    );
    await expect(attempt).rejects.toBeInstanceOf(DomainError);
    await expect(attempt).rejects.toMatchObject({ code: 'AUTHORITY_READ_ONLY' });
    expect((await rowCounts(t)).tender).toBe(0);
    // The kind of an authority is fixed.
    await expect(
      sql`UPDATE authority SET is_external = false WHERE id = ${authorityId}`.execute(t.db.db),
    ).rejects.toMatchObject({ code: 'CR001' });
  });

  it('refuses to import into one of the platform’s own authorities, and reports usage errors with exit 2', async () => {
    const own = await makeAuthority(t);
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
    const file = path.join(tmp, 'fixture.json');
    fs.writeFileSync(file, JSON.stringify(fixture()));
    expect(
      await runImport(t.db.db, [file], { authority: own.slug, ...schemaOptions, offline: true }, io),
    ).toBe(2);
    expect(out.join('')).toMatch(/platform's own authorities/);
    expect(await runImport(t.db.db, [file], { authority: unique('nope-'), offline: true }, io)).toBe(2);
    expect(
      await runImport(t.db.db, [file], { authority: unique('x-'), create: true, offline: true }, io),
    ).toBe(2);
    expect(
      await runImport(
        t.db.db,
        [file],
        { authority: unique('x-'), create: true, name: 'X', sourceUrl: 'javascript:alert(1)', offline: true },
        io,
      ),
    ).toBe(2);
    // An unreadable schema stops the import before anything is written.
    const noSchema = unique('noschema-');
    out.length = 0;
    expect(
      await runImport(
        t.db.db,
        [file],
        {
          authority: noSchema,
          create: true,
          name: 'X',
          schema: path.join(tmp, 'missing.json'),
          offline: true,
        },
        io,
      ),
    ).toBe(2);
    expect(out.join('')).toMatch(/cannot read --schema/);
    expect(await t.db.db.selectFrom('authority').where('slug', '=', noSchema).select('id').execute()).toEqual(
      [],
    );
    // No release at all: exit 1, and no authority is created for nothing.
    const empty = path.join(tmp, 'empty.json');
    fs.writeFileSync(empty, '{"publisher": {"name": "nobody"}}');
    const emptySlug = unique('empty-');
    out.length = 0;
    expect(
      await runImport(
        t.db.db,
        [empty],
        { authority: emptySlug, create: true, name: 'Empty', offline: true },
        io,
      ),
    ).toBe(1);
    expect(out.join('')).toMatch(/no OCDS release/);
    expect(
      await t.db.db.selectFrom('authority').where('slug', '=', emptySlug).select('id').execute(),
    ).toEqual([]);
    // The same file through the CLI's runner: a summary, exit 0, nothing new.
    out.length = 0;
    expect(await runImport(t.db.db, [file], { authority: slug, ...schemaOptions, offline: true }, io)).toBe(
      0,
    );
    expect(out.join('')).toMatch(/0 stored, 7 duplicate\(s\) skipped/);
  });

  it.each(['ca', 'es', 'en'] as const)(
    'renders the list and a process in %s, escaping the data',
    async (lang) => {
      const list = await t.app.inject({ method: 'GET', url: `/authorities/${slug}/processes?lang=${lang}` });
      expect(list.statusCode).toBe(200);
      expect(list.body).toContain(`<html lang="${lang}">`);
      expect(list.body).toContain('class="notice"');
      expect(list.body).toContain('https://example.org/ocds/');
      expect(list.body).toContain('Prova &lt;Open&gt; Data');
      expect(list.body).toContain('Neteja de platges');
      expect(list.body).toContain('Consell &lt;i&gt;Comarcal&lt;/i&gt;');
      expect(list.body).not.toContain('<script>alert');
      expect(list.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(list.body).toContain(`href="/authorities/${slug}/processes/${A}"`);

      const one = await t.app.inject({
        method: 'GET',
        url: `/authorities/${slug}/processes/${B}?lang=${lang}`,
      });
      expect(one.statusCode).toBe(200);
      expect(one.body).not.toContain('<script>alert');
      expect(one.body).toContain('<title>Obres &lt;script&gt;');
      expect(one.body).toContain('Segona versió');

      const a = await t.app.inject({
        method: 'GET',
        url: `/authorities/${slug}/processes/${A}?lang=${lang}`,
      });
      expect(a.statusCode).toBe(200);
      expect(a.body).toContain('Neteges &lt;b&gt;SL&lt;/b&gt;');
      expect(a.body).toContain('Lot nord');
      expect(a.body).toContain('terminated');
    },
  );

  it('answers 404 for an unknown process or a platform authority, and sends the authority page to its processes', async () => {
    expect(
      (await t.app.inject({ method: 'GET', url: `/authorities/${slug}/processes/ocds-none` })).statusCode,
    ).toBe(404);
    const own = await makeAuthority(t);
    expect(
      (await t.app.inject({ method: 'GET', url: `/authorities/${own.slug}/processes` })).statusCode,
    ).toBe(404);
    const page = await t.app.inject({ method: 'GET', url: `/authorities/${slug}` });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe(`/authorities/${slug}/processes`);
    const directory = await t.app.inject({ method: 'GET', url: '/authorities?lang=en' });
    expect(directory.body).toContain('Third-party data');
    expect(directory.body).not.toContain(`external:${slug}`);
  });

  it('cleans an ocid with a NUL before using it, and counts it', async () => {
    // PostgreSQL refuses NUL in text: a raw ocid reaching a query or the audit data aborted the import.
    const dirty = {
      version: '1.1',
      releases: [
        {
          ocid: 'ocds-abc123-N\u0000UL',
          id: 'n1',
          date: '2024-05-01T00:00:00Z',
          tag: ['tender'],
          initiationType: 'tender',
          tender: { id: 'n', title: 'Amb NUL' },
        },
      ],
    };
    const s = await importOcds(ctx(), { authority: slug }, [inputOf('nul.json', dirty)], {
      ...schemaOptions,
      offline: true,
    });
    expect(s).toMatchObject({ exitCode: 0, releasesStored: 1, recordsWritten: 1 });
    // Once for the ocid, once for the compiled record (its `ocid` field holds the NUL too).
    expect(s.warnings.textSanitized).toBe(2);
    expect(s.samples).toContain('textSanitized: nul.json: ocid "ocds-abc123-N\\u0000UL"');
    const record = await t.db.db
      .selectFrom('ocds_import_record')
      .select('ocid')
      .where('authority_id', '=', authorityId)
      .where('ocid', '=', 'ocds-abc123-N\ufffdUL')
      .executeTakeFirst();
    expect(record).toEqual({ ocid: 'ocds-abc123-N\ufffdUL' });
  });

  it('pages the list', async () => {
    const many = {
      version: '1.1',
      releases: Array.from({ length: 60 }, (_, i) => ({
        ocid: `ocds-abc123-P${String(i).padStart(3, '0')}`,
        id: 'r1',
        date: `2023-01-01T00:00:${String(i).padStart(2, '0')}Z`,
        tag: ['tender'],
        initiationType: 'tender',
        tender: { id: 't', title: `Procés ${i}` },
      })),
    };
    const s = await importOcds(ctx(), { authority: slug }, [inputOf('many.json', many)], {
      ...schemaOptions,
      offline: true,
    });
    expect(s).toMatchObject({ releasesStored: 60, recordsWritten: 60 });
    const p1 = await t.app.inject({ method: 'GET', url: `/authorities/${slug}/processes?lang=en` });
    expect(p1.body).toContain('Page 1 of 2');
    expect(p1.body).toContain('rel="next"');
    const p2 = await t.app.inject({ method: 'GET', url: `/authorities/${slug}/processes?page=2&lang=en` });
    expect(p2.body).toContain('Page 2 of 2');
    expect(p2.body).toContain('Procés 0<');
    expect(
      (await t.app.inject({ method: 'GET', url: `/authorities/${slug}/processes?page=abc` })).statusCode,
    ).toBe(200);
  });
});

describe.skipIf(!hasOcdsData)(`ocds import of real data ${hasOcdsData ? '' : OCDS_DATA_MISSING}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  function walk(dir: string): string[] {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
      .sort();
  }

  it('imports every real-examples file without a crash, counting the dirt', async () => {
    const files = walk(ocdsPath('real-examples'));
    expect(files.length).toBeGreaterThan(700);
    const started = performance.now();
    const summary = await importOcds(
      {
        db: t.db.db,
        actor: { kind: 'system', label: 'ocds-import' },
        clock: t.clock,
        ip: null,
        userAgent: null,
      },
      { authority: unique('real-'), create: { name: 'Real examples', sourceUrl: null } },
      files.map((f) => ({ name: f, open: () => fs.createReadStream(f) })),
      { schemaDir: ocdsPath('schema'), offline: true },
    );
    const seconds = (performance.now() - started) / 1000;
    console.info(
      `real-examples import: ${files.length} files, ${summary.releasesRead} read, ${summary.releasesStored} stored, ` +
        `${summary.duplicates} duplicates, ${summary.conflicts} conflicts, ${summary.recordsWritten} records in ` +
        `${summary.batches} batches, ${seconds.toFixed(1)} s; warnings`,
      summary.warnings,
    );
    expect(summary.exitCode).toBe(0);
    expect(summary.releasesStored).toBeGreaterThan(600);
    expect(summary.recordsWritten).toBeGreaterThan(600);
    // READMEs are not JSON and several publishers omit `version`: counted, not fatal.
    expect(summary.warnings.invalidJson).toBeGreaterThan(0);
    expect(summary.warnings.noVersion).toBeGreaterThan(0);
    const counts = await rowCounts(t);
    expect(counts.ocds_import_release).toBe(summary.releasesStored);
    expect(counts.ocds_import_record).toBe(summary.recordsWritten);
    expect(counts.ocds_release).toBe(0);
    // Every record renders.
    const slug = summary.authority.slug;
    const list = await t.app.inject({ method: 'GET', url: `/authorities/${slug}/processes` });
    expect(list.statusCode).toBe(200);
    const some = await t.db.db
      .selectFrom('ocds_import_record')
      .select('ocid')
      .orderBy('ocid')
      .limit(40)
      .execute();
    for (const { ocid } of some) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/authorities/${slug}/processes/${encodeURIComponent(ocid)}`,
      });
      expect(res.statusCode, ocid).toBe(200);
    }
  }, 120_000);
});
