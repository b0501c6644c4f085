import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePdf, samplePng } from '../../src/platform/storage/sample-files.js';
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
import {
  BOUNDARY,
  CRLF,
  expectRefusedWritingNothing,
  formType,
  multipart,
  type Part,
  partHead,
  sha256,
  storedFiles,
} from '../helpers/documents.js';
import { loadDemoCpv, tenderPayload } from '../helpers/tenders.js';

type DocumentBody = {
  id: string;
  kind: string;
  title: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: string;
};
type TenderBody = {
  id: string;
  status: string;
  version: number;
  findings: { code: string; details?: { missing?: string[] } }[];
};

/**
 * A form whose file part would be `fileBytes` long, produced lazily, 64 KiB at a time and
 * asynchronously like a network connection; `pulled` says how many bytes the server asked for.
 */
function endlessUpload(fileBytes: number): Readable & { pulled: () => number } {
  const head = Buffer.from(
    partHead({ name: 'kind', value: '' }) +
      `pcap${CRLF}` +
      partHead({ name: 'title', value: '' }) +
      `Plec enorme${CRLF}` +
      partHead({
        name: 'file',
        fileName: 'huge.pdf',
        contentType: 'application/pdf',
        content: Buffer.alloc(0),
      }),
  );
  const pdf = samplePdf();
  const filler = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  let pulled = 0;
  let headSent = false;
  const stream = new Readable({
    read() {
      if (!headSent) {
        headSent = true;
        pulled += head.length + pdf.length;
        sent += pdf.length;
        this.push(Buffer.concat([head, pdf]));
        return;
      }
      // One chunk per turn of the event loop, as a socket delivers them.
      setImmediate(() => {
        if (sent >= fileBytes) {
          this.push(Buffer.from(`${CRLF}--${BOUNDARY}--${CRLF}`));
          this.push(null);
          return;
        }
        const chunk = filler.subarray(0, Math.min(filler.length, fileBytes - sent));
        sent += chunk.length;
        pulled += chunk.length;
        this.push(chunk);
      });
    },
  });
  return Object.assign(stream, { pulled: () => pulled });
}

const LIMIT = 64 * 1024;

describe(`tender documents (${driverName})`, () => {
  let t: TestApp;
  let a: string;
  let officer: Session;
  let auditor: Session;
  let otherOfficer: Session;
  const tendersUrl = (authorityId = a) => `/api/v1/authorities/${authorityId}/tenders`;
  const docsUrl = (tenderId: string, authorityId = a) => `${tendersUrl(authorityId)}/${tenderId}/documents`;

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z'), documentMaxBytes: LIMIT });
    await loadDemoCpv(t);
    a = (await makeAuthority(t)).id;
    const b = (await makeAuthority(t)).id;
    officer = await login(
      t,
      (await makeUser(t, { roles: [{ authorityId: a, roles: ['procurement_officer'] }] })).email,
    );
    auditor = await login(t, (await makeUser(t, { roles: [{ authorityId: a, roles: ['auditor'] }] })).email);
    otherOfficer = await login(
      t,
      (await makeUser(t, { roles: [{ authorityId: b, roles: ['procurement_officer'] }] })).email,
    );
  });
  afterAll(async () => t.close());

  async function newTender(): Promise<TenderBody> {
    const res = await t.app.inject({
      method: 'POST',
      url: tendersUrl(),
      headers: officer.headers,
      payload: tenderPayload(t.clock.now()),
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as TenderBody;
  }

  const upload = (tenderId: string, parts: Part[], opts: { session?: Session; authorityId?: string } = {}) =>
    t.app.inject({
      method: 'POST',
      url: docsUrl(tenderId, opts.authorityId),
      headers: { ...(opts.session ?? officer).headers, ...formType },
      payload: multipart(parts),
    });

  const pdfParts = (content = samplePdf(), kind = 'pcap', fileName = 'Plec clàusules.pdf'): Part[] => [
    { name: 'kind', value: kind },
    { name: 'title', value: 'Plec de clàusules administratives particulars' },
    { name: 'file', fileName, contentType: 'application/pdf', content },
  ];

  it('stores a PDF and gives it back byte for byte, with its SHA-256', async () => {
    const tender = await newTender();
    const pdf = samplePdf('Plec de clausules');
    const res = await upload(tender.id, pdfParts(pdf));
    expect(res.statusCode, res.body).toBe(201);
    const doc = res.json() as DocumentBody;
    expect(doc).toMatchObject({
      kind: 'pcap',
      title: 'Plec de clàusules administratives particulars',
      fileName: 'Plec clàusules.pdf',
      contentType: 'application/pdf',
      size: pdf.length,
      sha256: sha256(pdf),
      createdAt: '2026-11-26T10:00:00.000Z',
    });
    expect(await storedFiles(t)).toContain(
      path.join('sha256', doc.sha256.slice(0, 2), doc.sha256.slice(2, 4), doc.sha256),
    );

    const list = await t.app.inject({ method: 'GET', url: docsUrl(tender.id), headers: auditor.headers });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual([doc]);

    const download = await t.app.inject({
      method: 'GET',
      url: `${docsUrl(tender.id)}/${doc.id}/content`,
      headers: auditor.headers,
    });
    expect(download.statusCode, download.body).toBe(200);
    expect(download.rawPayload.equals(pdf)).toBe(true);
    expect(sha256(download.rawPayload)).toBe(doc.sha256);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-length']).toBe(String(pdf.length));
    expect(download.headers['x-content-sha256']).toBe(doc.sha256);
    expect(download.headers['repr-digest']).toBe(
      `sha-256=:${createHash('sha256').update(pdf).digest('base64')}:`,
    );
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="Plec clausules.pdf"; filename*=UTF-8''Plec%20cl%C3%A0usules.pdf`,
    );
    expect(download.headers['x-content-type-options']).toBe('nosniff');

    // The upload is an edit of the file, with its audit event in the same transaction.
    const after = (
      await t.app.inject({ method: 'GET', url: `${tendersUrl()}/${tender.id}`, headers: officer.headers })
    ).json() as TenderBody;
    expect(after).toMatchObject({ status: 'draft', version: 2 });
    const events = await t.db.db
      .selectFrom('audit_event')
      .select(['action', 'data'])
      .where('object_id', '=', tender.id)
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.action)).toEqual(['tender.created', 'tender.document_added']);
    expect(events[1]?.data).toMatchObject({
      documentId: doc.id,
      kind: 'pcap',
      sha256: doc.sha256,
      size: pdf.length,
      version: 2,
      restartedApprovals: false,
    });
  });

  it('clears the missing-documents finding once the mandatory kinds are uploaded', async () => {
    const tender = await newTender();
    const missing = async () =>
      (
        (
          await t.app.inject({ method: 'GET', url: `${tendersUrl()}/${tender.id}`, headers: officer.headers })
        ).json() as TenderBody
      ).findings.find((f) => f.code === 'MANDATORY_DOCUMENTS_MISSING')?.details?.missing;
    expect(await missing()).toEqual(['memoria_justificativa', 'pcap', 'ppt']);
    expect((await upload(tender.id, pdfParts(samplePdf('PCAP'), 'pcap'))).statusCode).toBe(201);
    expect(await missing()).toEqual(['memoria_justificativa', 'ppt']);
    const text = Buffer.from('Memòria justificativa del contracte (art. 116.4 LCSP)\n', 'utf8');
    const res = await upload(tender.id, [
      { name: 'kind', value: 'memoria_justificativa' },
      { name: 'title', value: 'Memòria' },
      { name: 'file', fileName: 'memoria.txt', contentType: 'text/plain; charset=utf-8', content: text },
    ]);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ contentType: 'text/plain', size: text.length });
    expect((await upload(tender.id, pdfParts(samplePdf('PPT'), 'ppt', 'ppt.pdf'))).statusCode).toBe(201);
    expect(await missing()).toBeUndefined();
  });

  it('stores identical content once, for any number of documents', async () => {
    const pdf = samplePdf(`shared ${randomBytes(4).toString('hex')}`);
    const first = (await upload((await newTender()).id, pdfParts(pdf))).json() as DocumentBody;
    const second = (await upload((await newTender()).id, pdfParts(pdf))).json() as DocumentBody;
    expect(second.sha256).toBe(first.sha256);
    expect(second.id).not.toBe(first.id);
    expect((await storedFiles(t)).filter((f) => f.endsWith(first.sha256))).toHaveLength(1);
  });

  it('sends a file under approval back to draft, like any edit', async () => {
    const tender = await newTender();
    await t.db.db.updateTable('tender').set({ status: 'in_approval' }).where('id', '=', tender.id).execute();
    expect((await upload(tender.id, pdfParts(samplePdf('again')))).statusCode).toBe(201);
    const row = await t.db.db
      .selectFrom('tender')
      .select(['status', 'version'])
      .where('id', '=', tender.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'draft', version: 2 });
  });

  describe('refuses, writing nothing', () => {
    let tenderId: string;
    beforeAll(async () => {
      tenderId = (await newTender()).id;
    });

    it('a document over the limit, streamed without a length (413)', async () => {
      const body = endlessUpload(16 * LIMIT);
      const res = await expectRefusedWritingNothing(
        t,
        () =>
          t.app.inject({
            method: 'POST',
            url: docsUrl(tenderId),
            headers: { ...officer.headers, ...formType },
            payload: body,
          }),
        413,
        'DOCUMENT_TOO_LARGE',
      );
      expect(res.json()).toMatchObject({ details: { maxBytes: LIMIT } });
      expect(body.pulled()).toBeLessThan(8 * LIMIT);
    });

    it('a body of 2 GB, stopped after the first bytes past the limit (413)', async () => {
      const body = endlessUpload(2 * 1024 ** 3);
      const started = Date.now();
      await expectRefusedWritingNothing(
        t,
        () =>
          t.app.inject({
            method: 'POST',
            url: docsUrl(tenderId),
            headers: { ...officer.headers, ...formType },
            payload: body,
          }),
        413,
        'DOCUMENT_TOO_LARGE',
      );
      // The limit plus stream buffering, not gigabytes.
      expect(body.pulled()).toBeLessThan(LIMIT + 1024 * 1024);
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('a body announced as 2 GB, before reading it (413)', async () => {
      const body = endlessUpload(2 * 1024 ** 3);
      await expectRefusedWritingNothing(
        t,
        () =>
          t.app.inject({
            method: 'POST',
            url: docsUrl(tenderId),
            headers: { ...officer.headers, ...formType, 'content-length': String(2 * 1024 ** 3) },
            payload: body,
          }),
        413,
        'DOCUMENT_TOO_LARGE',
      );
      expect(body.pulled()).toBeLessThan(LIMIT);
    });

    it('a PNG declared as a PDF (422)', async () => {
      const res = await expectRefusedWritingNothing(
        t,
        () => upload(tenderId, pdfParts(samplePng(), 'pcap', 'plec.pdf')),
        422,
        'CONTENT_TYPE_MISMATCH',
      );
      expect(res.json()).toMatchObject({ details: { declared: 'application/pdf', detected: 'image/png' } });
    });

    it('a PDF named as something else (422)', async () => {
      await expectRefusedWritingNothing(
        t,
        () => upload(tenderId, pdfParts(samplePdf(), 'pcap', 'plec.docx')),
        422,
        'CONTENT_TYPE_MISMATCH',
      );
    });

    it('text that is not UTF-8 (422)', async () => {
      await expectRefusedWritingNothing(
        t,
        () =>
          upload(tenderId, [
            { name: 'kind', value: 'other' },
            { name: 'title', value: 'Dades' },
            {
              name: 'file',
              fileName: 'dades.csv',
              contentType: 'text/csv',
              content: Buffer.from('municipi;import\nLleida;1\0\n', 'latin1'),
            },
          ]),
        422,
        'CONTENT_TYPE_MISMATCH',
      );
    });

    it('a format not accepted (415)', async () => {
      await expectRefusedWritingNothing(
        t,
        () =>
          upload(tenderId, [
            { name: 'kind', value: 'other' },
            { name: 'title', value: 'Programa' },
            {
              name: 'file',
              fileName: 'setup.exe',
              contentType: 'application/x-msdownload',
              content: Buffer.from('MZ'),
            },
          ]),
        415,
        'DOCUMENT_TYPE_NOT_ALLOWED',
      );
    });

    it('an upload by an auditor (403)', async () => {
      await expectRefusedWritingNothing(
        t,
        () => upload(tenderId, pdfParts(), { session: auditor }),
        403,
        'FORBIDDEN',
      );
    });

    it("an upload by another authority's officer, who cannot see the file (404)", async () => {
      await expectRefusedWritingNothing(
        t,
        () => upload(tenderId, pdfParts(), { session: otherOfficer }),
        404,
        'NOT_FOUND',
      );
      // Nor through their own authority's path.
      const own = (
        await t.db.db
          .selectFrom('membership')
          .select('authority_id')
          .where('authority_id', '!=', a)
          .executeTakeFirstOrThrow()
      ).authority_id;
      await expectRefusedWritingNothing(
        t,
        () => upload(tenderId, pdfParts(), { session: otherOfficer, authorityId: own }),
        404,
        'NOT_FOUND',
      );
    });

    it('an upload without signing in (401)', async () => {
      await expectRefusedWritingNothing(
        t,
        () =>
          t.app.inject({
            method: 'POST',
            url: docsUrl(tenderId),
            headers: formType,
            payload: multipart(pdfParts()),
          }),
        401,
        'UNAUTHENTICATED',
      );
    });

    it('an upload to a published file (409)', async () => {
      const published = await newTender();
      await t.db.db
        .updateTable('tender')
        .set({ status: 'published' })
        .where('id', '=', published.id)
        .execute();
      await expectRefusedWritingNothing(t, () => upload(published.id, pdfParts()), 409, 'INVALID_TRANSITION');
    });

    it.each<[string, () => Buffer | string, Record<string, string>?]>([
      [
        'a malformed multipart body',
        () => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\npcap`,
      ],
      ['a body that is not multipart at all', () => 'kind=pcap', { 'content-type': 'multipart/form-data' }],
      ['a form without a file part', () => multipart(pdfParts().slice(0, 2))],
      ['an unknown kind', () => multipart(pdfParts(samplePdf(), 'contract'))],
      ['a missing title', () => multipart([pdfParts()[0]!, pdfParts()[2]!])],
      ['an empty title', () => multipart([pdfParts()[0]!, { name: 'title', value: '   ' }, pdfParts()[2]!])],
      [
        'a title of 201 characters',
        () => multipart([pdfParts()[0]!, { name: 'title', value: 'x'.repeat(201) }, pdfParts()[2]!]),
      ],
      ['the fields after the file', () => multipart([pdfParts()[2]!, pdfParts()[0]!, pdfParts()[1]!])],
      ['an unknown field', () => multipart([{ name: 'secret', value: '1' }, ...pdfParts()])],
      ['a repeated field', () => multipart([pdfParts()[0]!, ...pdfParts()])],
      ['two files', () => multipart([...pdfParts(), { ...pdfParts()[2]!, name: 'file' }])],
      [
        'the file in another part',
        () => multipart([...pdfParts().slice(0, 2), { ...pdfParts()[2]!, name: 'document' }]),
      ],
    ])('%s (400)', async (_name, body, headers) => {
      await expectRefusedWritingNothing(
        t,
        () =>
          t.app.inject({
            method: 'POST',
            url: docsUrl(tenderId),
            headers: { ...officer.headers, ...formType, ...headers },
            payload: body(),
          }),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('a JSON body (415)', async () => {
      await expectRefusedWritingNothing(
        t,
        () =>
          t.app.inject({
            method: 'POST',
            url: docsUrl(tenderId),
            headers: officer.headers,
            payload: { kind: 'pcap', title: 'x' },
          }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    });
  });

  it('removes the stored content when recording the document fails, unless another row uses it', async () => {
    const tender = await newTender();
    // A trigger that refuses one title stands for any failure inside the transaction.
    await sql`CREATE FUNCTION refuse_doc() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.title = 'FAIL' THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$`.execute(
      t.db.db,
    );
    await sql`CREATE TRIGGER refuse_doc BEFORE INSERT ON tender_document
      FOR EACH ROW EXECUTE FUNCTION refuse_doc()`.execute(t.db.db);
    try {
      const failing = (content: Buffer): Part[] => [
        { name: 'kind', value: 'other' },
        { name: 'title', value: 'FAIL' },
        { name: 'file', fileName: 'x.pdf', contentType: 'application/pdf', content },
      ];
      // New content: stored, then removed again.
      const fresh = samplePdf(`fresh ${randomBytes(4).toString('hex')}`);
      const before = await rowCounts(t);
      const res = await upload(tender.id, failing(fresh));
      expect(res.statusCode).toBe(500);
      expect(await rowCounts(t)).toEqual(before);
      expect((await storedFiles(t)).some((f) => f.endsWith(sha256(fresh)))).toBe(false);
      expect((await storedFiles(t)).some((f) => f.startsWith('tmp'))).toBe(false);

      // Content another document uses: kept.
      const shared = samplePdf(`kept ${randomBytes(4).toString('hex')}`);
      const kept = (await upload(tender.id, pdfParts(shared))).json() as DocumentBody;
      expect((await upload(tender.id, failing(shared))).statusCode).toBe(500);
      const download = await t.app.inject({
        method: 'GET',
        url: `${docsUrl(tender.id)}/${kept.id}/content`,
        headers: officer.headers,
      });
      expect(download.rawPayload.equals(shared)).toBe(true);
    } finally {
      await sql`DROP TRIGGER refuse_doc ON tender_document`.execute(t.db.db);
      await sql`DROP FUNCTION refuse_doc()`.execute(t.db.db);
    }
  });

  describe('reading', () => {
    let tenderId: string;
    let doc: DocumentBody;
    beforeAll(async () => {
      tenderId = (await newTender()).id;
      doc = (await upload(tenderId, pdfParts(samplePdf('read')))).json() as DocumentBody;
    });

    it('is for the authority staff only', async () => {
      const list = await t.app.inject({
        method: 'GET',
        url: docsUrl(tenderId),
        headers: otherOfficer.headers,
      });
      expect(list.statusCode).toBe(404);
      const content = await t.app.inject({
        method: 'GET',
        url: `${docsUrl(tenderId)}/${doc.id}/content`,
        headers: otherOfficer.headers,
      });
      expect(content.statusCode).toBe(404);
      const anonymous = await t.app.inject({ method: 'GET', url: `${docsUrl(tenderId)}/${doc.id}/content` });
      expect(anonymous.statusCode).toBe(401);
    });

    it('answers 404 for a document of another file, or none', async () => {
      const other = await newTender();
      for (const url of [
        `${docsUrl(other.id)}/${doc.id}/content`,
        `${docsUrl(tenderId)}/${other.id}/content`,
        // A well-formed id of no file (a fresh random UUID: editing a real id could land on itself).
        `${docsUrl(randomUUID())}`,
      ]) {
        const res = await t.app.inject({ method: 'GET', url, headers: officer.headers });
        expect(res.statusCode, url).toBe(404);
        expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
      }
    });

    it('serves the documents of a published notice to anyone, and no other', async () => {
      const tender = await newTender();
      const listed = (await upload(tender.id, pdfParts(samplePdf('public pcap')))).json() as DocumentBody;
      const unlisted = (await upload(tender.id, pdfParts(samplePdf('not yet')))).json() as DocumentBody;
      const ocid = `ocds-test01-${tender.id}`;
      await t.db.db
        .updateTable('tender')
        .set({ status: 'published', ocid, published_at: t.clock.now() })
        .where('id', '=', tender.id)
        .execute();
      await t.db.db
        .insertInto('tender_notice')
        .values({
          id: randomUUID(),
          tender_id: tender.id,
          authority_id: a,
          version: 1,
          kind: 'original',
          snapshot: JSON.stringify({ documents: [{ id: listed.id, sha256: listed.sha256 }] }),
          canonical: '{}',
          published_by: (await t.db.db.selectFrom('app_user').select('id').executeTakeFirstOrThrow()).id,
          published_at: t.clock.now(),
        })
        .execute();
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/tenders/${ocid}/documents/${listed.id}`,
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.rawPayload.equals(samplePdf('public pcap'))).toBe(true);
      expect(res.headers['x-content-sha256']).toBe(listed.sha256);
      expect(res.headers['cache-control']).toContain('public');
      // Uploaded after publication and not in a corrigendum yet, a document stays private.
      for (const url of [
        `/api/v1/tenders/${ocid}/documents/${unlisted.id}`,
        `/api/v1/tenders/ocds-test01-${randomUUID()}/documents/${listed.id}`,
        `/api/v1/tenders/${ocid}/documents/${randomUUID()}`,
      ]) {
        const r = await t.app.inject({ method: 'GET', url });
        expect(r.statusCode, url).toBe(404);
        expect(r.json()).toMatchObject({ code: 'NOT_FOUND' });
      }
      const malformed = await t.app.inject({
        method: 'GET',
        url: `/api/v1/tenders/x/documents/${listed.id}`,
      });
      expect(malformed.statusCode).toBe(400);
    });

    it('refuses to serve content that no longer matches its hash', async () => {
      const corrupt = samplePdf(`corrupt ${randomBytes(4).toString('hex')}`);
      const d = (await upload(tenderId, pdfParts(corrupt))).json() as DocumentBody;
      const file = path.join(t.blobDir, 'sha256', d.sha256.slice(0, 2), d.sha256.slice(2, 4), d.sha256);
      await fs.chmod(file, 0o640);
      await fs.writeFile(file, Buffer.concat([corrupt.subarray(0, -1), Buffer.from('X')]));
      // The size and hash were sent before the bytes: the only honest end is to cut the response.
      await expect(
        t.app.inject({
          method: 'GET',
          url: `${docsUrl(tenderId)}/${d.id}/content`,
          headers: officer.headers,
        }),
      ).rejects.toThrow(/destroyed before completion/);
      expect(t.logs.join('')).toContain(`Stored content ${d.sha256} is corrupt`);
    });
  });
});
