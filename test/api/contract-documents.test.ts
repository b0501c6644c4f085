import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupStorage } from '../../src/modules/bids/bid-cleanup.js';
import { newId } from '../../src/platform/ids.js';
import { samplePdf, samplePng } from '../../src/platform/storage/sample-files.js';
import { buildTestApp, login, makeUser, rowCounts, type Session, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import { expectRefusedWritingNothing, formType, multipart, type Part, sha256 } from '../helpers/documents.js';
import { type EvaluatedTender, formalisedContract } from '../helpers/evaluation.js';

type DocumentBody = {
  id: string;
  title: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedAt: string;
  published: boolean;
};
type PublicDocument = {
  sha256: string;
  title: string | null;
  contentType: string | null;
  size: number | null;
  url: string | null;
};
type PublicContracts = {
  contracts: { id: string; amendments: { valueChange: string; documents: PublicDocument[] }[] }[];
};

const LIMIT = 64 * 1024;

/**
 * Documents of contracts (issue 5 point 7): uploaded to the store with the tender documents' type
 * and size checks, named by SHA-256 in an amendment (only documents of that very contract), public
 * only once an event names them, and kept by the storage cleanup.
 */
describe(`contract documents (${driverName})`, () => {
  let t: TestApp;
  let e: EvaluatedTender & { contractId: string; signedAt: Date };
  let second: string;
  let auditor: Session;

  const base = (contractId: string, authorityId = e.authorityId) =>
    `/api/v1/authorities/${authorityId}/contracts/${contractId}`;
  const pdfParts = (
    content: Buffer,
    title = 'Informe jurídic de la modificació',
    fileName = 'informe.pdf',
  ) => [
    { name: 'title', value: title },
    { name: 'file', fileName, contentType: 'application/pdf', content },
  ];
  const upload = (
    contractId: string,
    parts: Part[],
    opts: { session?: Session | undefined; authorityId?: string } = {},
  ) =>
    t.app.inject({
      method: 'POST',
      url: `${base(contractId, opts.authorityId)}/documents`,
      headers: { ...(opts.session ?? e.sessions.officer)?.headers, ...formType },
      payload: multipart(parts),
    });
  const uploaded = async (contractId: string, content: Buffer, title?: string) => {
    const res = await upload(contractId, pdfParts(content, title));
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as DocumentBody;
  };
  const version = async (contractId: string) => {
    const res = await t.app.inject({ url: base(contractId), headers: e.sessions.officer?.headers });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { version: number }).version;
  };
  const event = async (contractId: string, payload: object) =>
    t.app.inject({
      method: 'POST',
      url: `${base(contractId)}/events`,
      headers: e.sessions.officer?.headers,
      payload: { version: await version(contractId), ...payload },
    });
  const amendment = (documents: string[], valueChange = '1000.00') => ({
    type: 'amendment',
    legalGround: 'art_204',
    valueChange,
    reasons: 'Modificació prevista al plec per un nou equipament',
    documents,
  });
  const publicUrl = (contractId: string, digest: string, ocid = e.ocid) =>
    `/api/v1/tenders/${ocid}/contracts/${contractId}/documents/${digest}`;

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z'), documentMaxBytes: LIMIT });
    e = await formalisedContract(t);
    auditor = await login(
      t,
      (await makeUser(t, { roles: [{ authorityId: e.authorityId, roles: ['auditor'] }] })).email,
    );
    // A second contract of the same tender (as if the lot had been split), for foreign digests.
    const bid = e.bidIds[1] ?? '';
    const { company_id } = await t.db.db
      .selectFrom('bid')
      .select('company_id')
      .where('id', '=', bid)
      .executeTakeFirstOrThrow();
    second = newId();
    await t.db.db
      .insertInto('contract')
      .values({
        id: second,
        tender_id: e.tenderId,
        authority_id: e.authorityId,
        lots: [1],
        bid_id: bid,
        company_id,
        amount_excl_vat: '46000.00',
        signed_at: e.signedAt,
        status: 'formalised',
        created_by: e.ids.officer,
        created_at: t.clock.now(),
      })
      .execute();
    // Amendments happen during execution (art. 203).
    expect((await event(e.contractId, { type: 'start', endDate: '2029-12-31' })).statusCode).toBe(200);
  }, 180_000);
  afterAll(async () => t?.close());

  it('stores a document with its audit event and lists it to the staff as a private draft', async () => {
    const pdf = samplePdf('Informe de necessitat de la modificació');
    const before = await rowCounts(t);
    const res = await upload(
      e.contractId,
      pdfParts(pdf, ' Informe de necessitat ', 'Informe necessitat.pdf'),
    );
    expect(res.statusCode, res.body).toBe(201);
    const doc = res.json() as DocumentBody;
    expect(doc).toMatchObject({
      title: 'Informe de necessitat',
      fileName: 'Informe necessitat.pdf',
      contentType: 'application/pdf',
      size: pdf.length,
      sha256: sha256(pdf),
      published: false,
    });
    const after = await rowCounts(t);
    expect(after.contract_document).toBe((before.contract_document ?? 0) + 1);
    expect(after.audit_event).toBe((before.audit_event ?? 0) + 1);
    const audit = await t.db.db
      .selectFrom('audit_event')
      .select(['action', 'object_id', 'is_public'])
      .where('action', '=', 'contract.document_added')
      .execute();
    expect(audit).toEqual([{ action: 'contract.document_added', object_id: e.contractId, is_public: false }]);
    expect(await t.app.deps.blobStore.has(doc.sha256)).toBe(true);

    for (const session of [e.sessions.officer, auditor]) {
      const list = await t.app.inject({ url: `${base(e.contractId)}/documents`, headers: session?.headers });
      expect(list.statusCode, list.body).toBe(200);
      expect((list.json() as { documents: DocumentBody[] }).documents).toEqual([doc]);
    }
    const content = await t.app.inject({
      url: `${base(e.contractId)}/documents/${doc.id}/content`,
      headers: auditor.headers,
    });
    expect(content.statusCode).toBe(200);
    expect(content.rawPayload.equals(pdf)).toBe(true);
    expect(content.headers['x-content-sha256']).toBe(doc.sha256);
    // The same bytes twice on one contract: refused, nothing written.
    await expectRefusedWritingNothing(t, () => upload(e.contractId, pdfParts(pdf)), 409, 'CONFLICT');
    // The auditor reads but does not upload (evaluation.manage_contracts).
    await expectRefusedWritingNothing(
      t,
      () => upload(e.contractId, pdfParts(samplePdf('auditor')), { session: auditor }),
      403,
      'FORBIDDEN',
    );
  });

  it('refuses a wrong type (415), a mismatch (422), an oversize file (413) and a bad form, keeping nothing', async () => {
    await expectRefusedWritingNothing(
      t,
      () =>
        upload(e.contractId, [
          { name: 'title', value: 'Executable' },
          {
            name: 'file',
            fileName: 'x.zip',
            contentType: 'application/zip',
            content: Buffer.from('PK\x03\x04'),
          },
        ]),
      415,
      'DOCUMENT_TYPE_NOT_ALLOWED',
    );
    await expectRefusedWritingNothing(
      t,
      () => upload(e.contractId, pdfParts(samplePng(), 'Imatge', 'imatge.pdf')),
      422,
      'CONTENT_TYPE_MISMATCH',
    );
    const big = Buffer.concat([samplePdf('gran'), Buffer.alloc(LIMIT + 10, 0x20)]);
    await expectRefusedWritingNothing(
      t,
      () => upload(e.contractId, pdfParts(big)),
      413,
      'DOCUMENT_TOO_LARGE',
    );
    await expectRefusedWritingNothing(
      t,
      () => upload(e.contractId, [pdfParts(samplePdf('no title'))[1] as Part]),
      400,
      'VALIDATION_FAILED',
    );
    await expectRefusedWritingNothing(
      t,
      () => upload(e.contractId, pdfParts(samplePdf('t'), 'x'.repeat(201))),
      400,
      'VALIDATION_FAILED',
    );
    await expectRefusedWritingNothing(
      t,
      () => upload(e.contractId, [{ name: 'kind', value: 'pcap' }, ...pdfParts(samplePdf('kind'))]),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('answers 404 for a contract that does not exist or belongs to another authority', async () => {
    const pdf = () => pdfParts(samplePdf(`foreign ${newId()}`));
    await expectRefusedWritingNothing(t, () => upload(newId(), pdf()), 404, 'NOT_FOUND');
    // Another authority's officer: through their own authority, and through ours.
    await expectRefusedWritingNothing(
      t,
      () => upload(e.contractId, pdf(), { session: e.sessions.foreign, authorityId: e.otherAuthorityId }),
      404,
      'NOT_FOUND',
    );
    await expectRefusedWritingNothing(
      t,
      () => upload(e.contractId, pdf(), { session: e.sessions.foreign }),
      404,
      'NOT_FOUND',
    );
    const list = await t.app.inject({
      url: `${base(e.contractId, e.otherAuthorityId)}/documents`,
      headers: e.sessions.foreign?.headers,
    });
    expect(list.statusCode).toBe(404);
  });

  it('refuses an amendment naming an unknown or another contract’s digest, writing nothing', async () => {
    const own = await uploaded(e.contractId, samplePdf('own document'), 'Informe propi');
    const foreign = await uploaded(second, samplePdf('document of the other contract'), 'Informe aliè');
    for (const documents of [
      [sha256(Buffer.from('never uploaded'))],
      [foreign.sha256],
      [own.sha256, foreign.sha256],
    ]) {
      await expectRefusedWritingNothing(
        t,
        () => event(e.contractId, amendment(documents)),
        422,
        'UNPROCESSABLE',
      );
      const res = await event(e.contractId, amendment(documents));
      expect(res.json()).toMatchObject({ details: { field: 'documents', reason: 'unknown_document' } });
    }
    // Still private: no event names them.
    for (const d of [own, foreign]) {
      const contractId = d === own ? e.contractId : second;
      expect((await t.app.inject({ url: publicUrl(contractId, d.sha256) })).statusCode).toBe(404);
    }
  });

  it('publishes the documents an amendment names, and only those', async () => {
    const named = await uploaded(e.contractId, samplePdf('report named by the amendment'), 'Informe tècnic');
    const draft = await uploaded(e.contractId, samplePdf('a draft nobody names'), 'Esborrany');
    expect((await t.app.inject({ url: publicUrl(e.contractId, named.sha256) })).statusCode).toBe(404);

    const res = await event(e.contractId, amendment([named.sha256]));
    expect(res.statusCode, res.body).toBe(200);

    const download = await t.app.inject({ url: publicUrl(e.contractId, named.sha256) });
    expect(download.statusCode, download.body).toBe(200);
    expect(sha256(download.rawPayload)).toBe(named.sha256);
    expect(download.headers['x-content-sha256']).toBe(named.sha256);
    expect(download.headers['content-type']).toBe('application/pdf');
    // The draft stays private; so does a named document asked under another contract or tender.
    expect((await t.app.inject({ url: publicUrl(e.contractId, draft.sha256) })).statusCode).toBe(404);
    expect((await t.app.inject({ url: publicUrl(second, named.sha256) })).statusCode).toBe(404);
    expect(
      (await t.app.inject({ url: publicUrl(e.contractId, named.sha256, 'ocds-abcdef-nope') })).statusCode,
    ).toBe(404);
    expect((await t.app.inject({ url: publicUrl(e.contractId, 'not-a-digest') })).statusCode).toBe(400);

    // The public contract JSON lists the amendment's documents with title and URL.
    const pub = await t.app.inject({ url: `/api/v1/tenders/${e.ocid}/contracts` });
    expect(pub.statusCode, pub.body).toBe(200);
    const c = (pub.json() as PublicContracts).contracts.find((x) => x.id === e.contractId);
    expect(c?.amendments.at(-1)?.documents).toEqual([
      {
        sha256: named.sha256,
        title: 'Informe tècnic',
        contentType: 'application/pdf',
        size: named.size,
        url: publicUrl(e.contractId, named.sha256),
      },
    ]);
    expect(JSON.stringify(pub.json())).not.toContain(draft.sha256);
    // The public tender page links it in the contract's amendments, in every language.
    for (const lang of ['ca', 'es', 'en']) {
      const page = await t.app.inject({ url: `/tenders/${e.ocid}`, headers: { 'accept-language': lang } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`<a href="${publicUrl(e.contractId, named.sha256)}">Informe tècnic (`);
      expect(page.body).not.toContain(draft.sha256);
    }
    // The staff list says which are published.
    const list = await t.app.inject({
      url: `${base(e.contractId)}/documents`,
      headers: e.sessions.officer?.headers,
    });
    const docs = (list.json() as { documents: DocumentBody[] }).documents;
    expect(docs.find((d) => d.id === named.id)?.published).toBe(true);
    expect(docs.find((d) => d.id === draft.id)?.published).toBe(false);
  });

  it('keeps contract documents through the storage cleanup, removing only unreferenced content', async () => {
    const orphan = await t.app.deps.blobStore.put(Readable.from([Buffer.from('an abandoned upload')]), {
      maxBytes: 1000,
    });
    const report = await cleanupStorage({
      db: t.db.db,
      store: t.app.deps.blobStore,
      now: new Date(Date.now() + 2 * 3_600_000),
      graceMinutes: 60,
    });
    expect(report.removed).toContain(orphan.sha256);
    expect(await t.app.deps.blobStore.has(orphan.sha256)).toBe(false);
    const rows = await t.db.db.selectFrom('contract_document').select('sha256').execute();
    expect(rows.length).toBeGreaterThan(3);
    // Drafts and published documents alike: an event may name a draft later.
    for (const r of rows) {
      expect(report.removed).not.toContain(r.sha256);
      expect(await t.app.deps.blobStore.has(r.sha256)).toBe(true);
    }
  });
});
