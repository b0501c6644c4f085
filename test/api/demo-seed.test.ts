import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeedSummary, seedDemo } from '../../src/modules/demo/demo.seed.js';
import { fsBlobStore } from '../../src/platform/storage/blob-store.js';
import { buildTestApp, rowCounts, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';

const SLUGS = ['barcelona', 'gava', 'girona', 'granollers', 'mataro', 'premia-de-mar', 'terrassa'];

type Notice = {
  ocid: string;
  status: string;
  notice: { ocid: string; tenderDeadline: string | null; documents: { kind: string; sha256: string }[] };
  history: {
    version: number;
    kind: string;
    substantial: boolean;
    reason: string | null;
    changed: string[];
  }[];
  questions: { question: string; answer: string }[];
};

/** Every file under `dir`, recursively: the blob store's content. */
async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  } catch {
    return [];
  }
}

describe(`demo seed: procurement files (${driverName})`, () => {
  let t: TestApp;
  let directoryOnly: SeedSummary;
  let filesAfterDirectory: number;
  let summary: SeedSummary;
  const seed = (opts: { tenders?: boolean } = {}) =>
    seedDemo(
      t.db.db,
      { actor: { kind: 'system', label: 'demo-seed' }, clock: t.clock, ip: null, userAgent: null },
      { store: fsBlobStore(t.blobDir), custodianIdentitiesDir: identitiesDir(), ...opts },
    );
  const tenders = () =>
    t.db.db
      .selectFrom('tender as t')
      .innerJoin('authority as a', 'a.id', 't.authority_id')
      .select([
        'a.slug',
        't.id',
        't.reference',
        't.status',
        't.ocid',
        't.tender_deadline',
        't.questions_deadline',
        't.published_at',
        't.cancellation_kind',
        't.procedure',
      ])
      .where('t.procedure', '!=', 'menor')
      .execute();

  beforeAll(async () => {
    t = await buildTestApp();
    // As a server may do: cities, staff and companies first, the files on a later run.
    directoryOnly = await seed({ tenders: false });
    filesAfterDirectory = (await tenders()).length;
    summary = await seed();
  }, 240_000);
  afterAll(async () => {
    await t?.close();
    if (t) await fs.rm(identitiesDir(), { recursive: true, force: true });
  });

  /** The demo custodians' identities go to a private temporary directory, removed at the end. */
  const identitiesDir = () => `${t.blobDir}-identities`;

  it('registers a real key for every demo custodian and keeps its identity in a private file', async () => {
    const keys = await t.db.db
      .selectFrom('custodian_key as k')
      .innerJoin('app_user as u', 'u.id', 'k.user_id')
      .select(['u.email', 'k.recipient'])
      .where('k.revoked_at', 'is', null)
      .execute();
    // Three custodians in each of the seven cities.
    expect(keys).toHaveLength(21);
    const { identityToRecipient } = await import('age-encryption');
    for (const k of keys.slice(0, 3)) {
      const file = path.join(identitiesDir(), `${k.email}.txt`);
      expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
      const identity = (await fs.readFile(file, 'utf8'))
        .split('\n')
        .find((l) => l.startsWith('AGE-SECRET-KEY-1'));
      expect(await identityToRecipient(identity ?? '')).toBe(k.recipient);
    }
    // The published demo files carry their sealing target.
    const notice = await t.db.db
      .selectFrom('tender_notice')
      .select('canonical')
      .where('kind', '=', 'original')
      .executeTakeFirstOrThrow();
    const sealing = (JSON.parse(notice.canonical) as { sealing?: { quorum: number; custodians: unknown[] } })
      .sealing;
    expect(sealing?.quorum).toBe(2);
    expect(sealing?.custodians).toHaveLength(3);
  });

  it('seeds files in every state, in each of the seven authorities', async () => {
    const rows = await tenders();
    expect(directoryOnly).toMatchObject({ seeded: true, tenders: 0 });
    expect(filesAfterDirectory).toBe(0);
    expect(summary.seeded).toBe(true);
    expect(summary.tenders).toBe(rows.length);
    expect(rows.length).toBeGreaterThanOrEqual(21);
    for (const slug of SLUGS) {
      expect(rows.filter((r) => r.slug === slug).length, slug).toBeGreaterThanOrEqual(3);
    }
    const statuses = new Set(rows.map((r) => r.status));
    expect([...statuses].sort()).toEqual(['approved', 'cancelled', 'draft', 'in_approval', 'published']);

    const now = t.clock.now();
    const published = rows.filter((r) => r.status === 'published');
    // Open ones keep their deadline ahead of the seed; others passed theirs long ago.
    expect(published.some((r) => r.tender_deadline && r.tender_deadline > now)).toBe(true);
    expect(published.some((r) => r.tender_deadline && r.tender_deadline < now)).toBe(true);
    for (const r of published) {
      expect(r.ocid).toMatch(/^ocds-[a-z0-9]{6}-/);
      expect(r.published_at?.getTime()).toBeLessThan(now.getTime());
      expect(r.questions_deadline?.getTime()).toBeLessThan(r.tender_deadline?.getTime() ?? 0);
    }
    const cancelled = rows.filter((r) => r.status === 'cancelled');
    expect(new Set(cancelled.map((r) => r.cancellation_kind))).toEqual(
      new Set(['desistimiento', 'renuncia']),
    );
    expect(cancelled.some((r) => r.ocid !== null)).toBe(true);
  });

  it('leaves files part-way through the approval chain, and one sent back with reasons', async () => {
    const steps = await t.db.db
      .selectFrom('tender_approval as s')
      .innerJoin('tender as t', 't.id', 's.tender_id')
      .select(['t.id', 't.status', 's.decision', 's.decided_by', 's.comment'])
      .execute();
    const inApproval = [...new Set(steps.filter((s) => s.status === 'in_approval').map((s) => s.id))];
    expect(inApproval.length).toBeGreaterThanOrEqual(2);
    // Part-way: some step decided and some pending in the same file.
    expect(
      inApproval.some((id) => {
        const own = steps.filter((s) => s.id === id);
        return own.some((s) => s.decision === 'approved') && own.some((s) => s.decision === null);
      }),
    ).toBe(true);
    const rejected = steps.filter((s) => s.decision === 'rejected');
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    expect(rejected.every((s) => s.comment && s.status === 'draft')).toBe(true);
    // Four eyes: no one decided two steps of the same file's round.
    for (const id of new Set(steps.map((s) => s.id))) {
      const deciders = steps.filter((s) => s.id === id && s.decided_by).map((s) => s.decided_by);
      expect(new Set(deciders).size).toBe(deciders.length);
    }
  });

  it('records every step in the audit trail, by a person, never in the future', async () => {
    const rows = await tenders();
    const events = await t.db.db
      .selectFrom('audit_event')
      .select(['action', 'object_id', 'actor_user_id', 'occurred_at', 'is_public'])
      .where('object_type', '=', 'tender')
      .execute();
    const now = t.clock.now();
    const ids = new Set(rows.map((r) => r.id));
    for (const e of events.filter((x) => ids.has(x.object_id))) {
      expect(e.actor_user_id, e.action).not.toBeNull();
      expect(e.occurred_at.getTime()).toBeLessThanOrEqual(now.getTime());
    }
    const of = (id: string, action: string) =>
      events.filter((e) => e.object_id === id && e.action === action);
    for (const r of rows) {
      expect(of(r.id, 'tender.created')).toHaveLength(1);
      if (r.ocid) expect(of(r.id, 'tender.published')[0]?.is_public).toBe(true);
    }
    const actions = new Set(events.map((e) => e.action));
    for (const a of [
      'tender.assignments_set',
      'tender.document_added',
      'tender.submitted',
      'tender.approved',
      'tender.rejected',
      'tender.updated',
      'tender.corrected',
      'tender.cancelled',
      'tender.question_asked',
      'tender.question_answered',
      'tender.followed',
    ]) {
      expect(actions, a).toContain(a);
    }
  });

  it('serves every public notice, with corrigenda, answered questions only and stored documents', async () => {
    const rows = (await tenders()).filter((r) => r.ocid);
    const store = fsBlobStore(t.blobDir);
    const notices: Notice[] = [];
    for (const r of rows) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/tenders/${r.ocid}` });
      expect(res.statusCode, r.reference).toBe(200);
      const body = res.json() as Notice;
      expect(body.notice.ocid).toBe(r.ocid);
      expect(body.notice.documents.map((d) => d.kind).sort()).toEqual([
        'memoria_justificativa',
        'pcap',
        'ppt',
      ]);
      for (const d of body.notice.documents) expect(await store.has(d.sha256)).toBe(true);
      notices.push(body);
    }
    const corrections = notices.flatMap((n) => n.history.filter((h) => h.kind === 'corrigendum'));
    // A substantial corrigendum extends the deadline (art. 136.2); a minor one does not have to.
    expect(corrections.some((h) => h.substantial && h.changed.includes('tenderDeadline'))).toBe(true);
    expect(corrections.some((h) => !h.substantial && h.changed.includes('description'))).toBe(true);
    expect(notices.some((n) => n.history.some((h) => h.kind === 'cancellation'))).toBe(true);
    expect(notices.some((n) => n.questions.length > 0)).toBe(true);
    for (const n of notices) for (const q of n.questions) expect(q.answer).not.toBe('');
    // Some questions wait for their answer: staff see them, the public does not.
    const unanswered = await t.db.db
      .selectFrom('tender_question')
      .select('id')
      .where('answer', 'is', null)
      .execute();
    expect(unanswered.length).toBeGreaterThanOrEqual(1);
    // A follower of a published tender.
    const follows = await t.db.db.selectFrom('tender_follow').select('user_id').execute();
    expect(follows.length).toBeGreaterThanOrEqual(1);
  });

  it('is found by the public search with a word typed without its accents', async () => {
    for (const [q, ref] of [
      ['reurbanitzacio', '097/'],
      ['escenicas', '2207/'],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/tenders?q=${q}` });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { total: number; items: { id: string; status: string }[] };
      expect(body.total, q).toBeGreaterThanOrEqual(1);
      const ids = new Set(body.items.map((i) => i.id));
      const expected = (await tenders()).find((r) => r.reference.startsWith(ref));
      expect(expected && ids.has(expected.id), q).toBe(true);
    }
    // Drafts and files under approval stay private.
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/tenders?pageSize=100' });
    const listed = (res.json() as { items: { status: string }[] }).items;
    expect(listed.length).toBeGreaterThanOrEqual(10);
    expect(listed.every((i) => i.status === 'published' || i.status === 'cancelled')).toBe(true);
  });

  it('adds nothing when run again', async () => {
    const before = await rowCounts(t);
    const blobsBefore = await filesUnder(t.blobDir);
    const again = await seed();
    expect(again.seeded).toBe(false);
    expect(again.tenders).toBe(0);
    expect(await rowCounts(t)).toEqual(before);
    expect(await filesUnder(t.blobDir)).toEqual(blobsBefore);
  });
});
