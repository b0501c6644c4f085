import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/app.js';
import type { AuthorityRole } from '../../src/platform/context.js';
import { samplePdf, samplePng } from '../../src/platform/storage/sample-files.js';
import {
  buildTestApp,
  login,
  makeAuthority,
  makeCompany,
  makeUser,
  PASSWORD,
  rowCounts,
  type TestApp,
} from '../helpers/app.js';
import { registerCustodianKeys } from '../helpers/custody.js';
import { driverName } from '../helpers/db.js';
import { validNif } from '../helpers/tax-ids.js';
import { loadDemoCpv } from '../helpers/tenders.js';

type Fields = Record<string, string | string[]>;
type FilePart = { name: string; fileName: string; contentType: string; content: Buffer };

const BOUNDARY = '----backoffice-test-boundary';

/** A browser-like session on the HTML pages: cookies kept, CSRF token read from the page's forms. */
class WebClient {
  cookies = new Map<string, string>();
  csrf = '';
  constructor(private readonly t: TestApp) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: { cookies: { name: string; value: string }[]; body: string }) {
    for (const c of res.cookies) this.cookies.set(c.name, c.value);
    const token = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1];
    if (token) this.csrf = token;
  }

  async get(url: string) {
    const res = await this.t.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader() } });
    this.keep(res);
    return res;
  }

  async post(url: string, fields: Fields, opts: { csrf?: boolean } = {}) {
    if (!this.csrf) await this.get('/sign-in');
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) form.append(k, one);
    if (opts.csrf !== false) form.append('_csrf', this.csrf);
    const res = await this.t.app.inject({
      method: 'POST',
      url,
      payload: form.toString(),
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    this.keep(res);
    return res;
  }

  /** Posts a multipart form as a browser does: fields in document order, the file last. */
  async upload(url: string, fields: Record<string, string>, file: FilePart) {
    const chunks: Buffer[] = [];
    for (const [name, value] of Object.entries(fields)) {
      chunks.push(
        Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
      );
    }
    chunks.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.fileName}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
      ),
      file.content,
      Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
    );
    const res = await this.t.app.inject({
      method: 'POST',
      url,
      payload: Buffer.concat(chunks),
      headers: { cookie: this.cookieHeader(), 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    });
    this.keep(res);
    return res;
  }
}

const names = (prefix: string, text: string): Fields => ({
  [`${prefix}Ca`]: `${text} (ca)`,
  [`${prefix}Es`]: `${text} (es)`,
  [`${prefix}En`]: `${text} (en)`,
});

/** The new-file form as an officer fills it in: an open services procedure, deadlines in Madrid time. */
function fileForm(lots: { weights: string[]; cpv?: string }[], extra: Fields = {}): Fields {
  const f: Fields = {
    reference: '2026/BO-1',
    procedure: 'abierto',
    contractType: 'services',
    ...names('title', 'Neteja d’escoles'),
    descriptionCa: 'Neteja de les escoles municipals',
    descriptionEs: 'Limpieza de las escuelas municipales',
    descriptionEn: 'Cleaning of municipal schools',
    mainCpv: '90910000-9',
    additionalCpvs: '',
    valueBase: '150000',
    valueOptions: '0',
    valueExtensions: '30000',
    valueModifications: '0',
    valuePrizes: '0',
    budgetExclVat: '150000',
    budgetInclVat: '181500',
    durationMonths: '24',
    nutsCode: 'ES511',
    singleLotJustification: '',
    priceWeightJustification: '',
    maxLotsPerBidder: '',
    maxLotsAwarded: '',
    questionsDeadline: '2026-12-10T14:00',
    tenderDeadline: '2026-12-16T14:00',
    openingAt: '',
    custodianQuorum: '2',
    lotCount: String(lots.length),
    ...extra,
  };
  lots.forEach((lot, i) => {
    const n = i + 1;
    Object.assign(f, {
      ...names(`lot${n}-title`, `Escoles ${n}`),
      [`lot${n}-estimatedValue`]: '90000',
      [`lot${n}-budgetExclVat`]: '75000',
      [`lot${n}-mainCpv`]: lot.cpv ?? '90910000-9',
      [`lot${n}-criterionCount`]: String(lot.weights.length),
      // Several criteria: the notice's own test for abnormally low offers (art. 149.2.b).
      [`lot${n}-abnormal`]: 'notice',
      [`lot${n}-abnormalBelowMean`]: '10',
      [`lot${n}-abnormalCombine`]: 'any',
    });
    lot.weights.forEach((w, j) => {
      const c = `lot${n}-criterion${j + 1}`;
      Object.assign(f, {
        [`${c}-kind`]: j === 0 ? 'price' : 'quality',
        [`${c}-evaluation`]: j === 2 ? 'judgement' : 'formula',
        [`${c}-weight`]: w,
        ...names(`${c}-name`, `Criteri ${j + 1}`),
        // Price: F1 (proporcional inversa); the second criterion: steps; judgement: no formula.
        [`${c}-formula`]: j === 0 ? 'F1' : j === 1 ? 'threshold' : '',
        [`${c}-formulaParams`]: j === 1 ? 'steps=1:0.5, 3:1' : '',
        [`${c}-direction`]: 'higher_better',
        [`${c}-decimals`]: '2',
        [`${c}-zeroDivisor`]: 'all_zero',
      });
    });
  });
  return f;
}

describe(`back-office pages (${driverName})`, () => {
  let t: TestApp;
  let a: string;
  let b: string;
  const users: Record<string, { id: string; email: string }> = {};
  let tenderId = '';
  let ocid = '';
  const file = () => `/office/${a}/tenders/${tenderId}`;

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    await loadDemoCpv(t);
    a = (await makeAuthority(t)).id;
    b = (await makeAuthority(t)).id;
    const people: [string, string, AuthorityRole[]][] = [
      ['officer', a, ['procurement_officer']],
      ['technical', a, ['approver_technical', 'approver_legal']],
      ['legal', a, ['approver_legal']],
      ['financial', a, ['approver_financial']],
      ['committee', a, ['committee_member']],
      ['c1', a, ['key_custodian']],
      ['c2', a, ['key_custodian']],
      ['c3', a, ['key_custodian']],
      ['otherOfficer', b, ['procurement_officer']],
    ];
    for (const [name, authorityId, roles] of people) {
      users[name] = await makeUser(t, { roles: [{ authorityId, roles }] });
    }
    // Bids are sealed to the custodians' public keys: publication needs one for each.
    await registerCustodianKeys(
      t,
      a,
      ['c1', 'c2', 'c3'].map((c) => users[c]?.id ?? ''),
    );
    const company = await makeCompany(t, validNif());
    users.bidder = await makeUser(t, { companies: [{ companyId: company.id, roles: ['company_admin'] }] });
  });
  afterAll(async () => t.close());

  const sessions = new Map<string, WebClient>();
  async function as(who: string): Promise<WebClient> {
    const existing = sessions.get(who);
    if (existing) return existing;
    const web = new WebClient(t);
    await web.get('/sign-in');
    const res = await web.post('/sign-in', {
      email: users[who]?.email ?? '',
      password: PASSWORD,
      next: '/account',
    });
    expect(res.statusCode, res.body).toBe(303);
    expect(web.cookies.has(SESSION_COOKIE)).toBe(true);
    sessions.set(who, web);
    return web;
  }

  it('sends signed-out visitors to sign in, and hides other authorities and bidders behind 404', async () => {
    const anon = new WebClient(t);
    for (const url of ['/office', `/office/${a}/tenders`, '/office/approvals']) {
      const res = await anon.get(url);
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location).toBe(`/sign-in?next=${encodeURIComponent(url)}`);
    }
    const other = await as('otherOfficer');
    expect((await other.get(`/office/${b}/tenders`)).statusCode).toBe(200);
    for (const url of [`/office/${a}/tenders`, `/office/${a}/tenders/new`, '/office/not-a-uuid/tenders']) {
      expect((await other.get(url)).statusCode, url).toBe(404);
    }
    const bidder = await as('bidder');
    expect((await bidder.get(`/office/${a}/tenders`)).statusCode).toBe(404);
    // An approver reads the files but may not draft one.
    expect((await (await as('legal')).get(`/office/${a}/tenders/new`)).statusCode).toBe(403);
  });

  it('adds and removes lots and criteria without saving, keeping what was typed', async () => {
    const web = await as('officer');
    const list = await web.get('/office');
    expect(list.statusCode).toBe(303);
    expect(list.headers.location).toBe(`/office/${a}/tenders`);
    expect((await web.get(`/office/${a}/tenders`)).body).toContain('id="new-tender"');
    const blank = await web.get(`/office/${a}/tenders/new`);
    expect(blank.statusCode).toBe(200);
    expect(blank.body).toContain('id="lot1-titleCa"');
    const before = await rowCounts(t);
    const added = await web.post(`/office/${a}/tenders/new`, {
      ...fileForm([{ weights: ['35', '65'] }]),
      action: 'addLot',
    });
    expect(added.statusCode).toBe(200);
    expect(added.body).toContain('id="lot2-titleCa"');
    expect(added.body).toContain('value="Escoles 1 (ca)"');
    expect(added.body).toContain('value="steps=1:0.5, 3:1"');
    const crit = await web.post(`/office/${a}/tenders/new`, {
      ...fileForm([{ weights: ['35', '65'] }]),
      action: 'addCriterion:1',
    });
    expect(crit.body).toContain('id="lot1-criterion3-weight"');
    const removed = await web.post(`/office/${a}/tenders/new`, {
      ...fileForm([{ weights: ['35', '65'] }, { weights: ['100'] }]),
      action: 'removeLot:1',
    });
    expect(removed.body).not.toContain('id="lot2-titleCa"');
    expect(removed.body).toContain('value="Escoles 2 (ca)"');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('refuses bad values with an error summary linked to the fields, and writes nothing', async () => {
    const web = await as('officer');
    const before = await rowCounts(t);
    const badCpv = await web.post(`/office/${a}/tenders/new`, {
      ...fileForm([{ weights: ['35', '65'] }, { weights: ['35', '65'], cpv: '90910000-1' }]),
      action: 'save',
    });
    expect(badCpv.statusCode).toBe(422);
    expect(badCpv.body).toContain('id="error-summary"');
    expect(badCpv.body).toContain('href="#lot2-mainCpv"');
    expect(badCpv.body).toContain('value="Escoles 2 (ca)"');
    const badWeight = await web.post(`/office/${a}/tenders/new`, {
      ...fileForm([{ weights: ['35', 'molt'] }], {
        tenderDeadline: '2027-03-28T02:30',
        valueBase: '1.000,50',
      }),
      action: 'save',
    });
    expect(badWeight.statusCode).toBe(422);
    expect(badWeight.body).toContain('href="#lot1-criterion2-weight"');
    expect(badWeight.body).toContain('href="#valueBase"');
    // 02:30 does not exist in Madrid on the day summer time starts.
    expect(badWeight.body).toContain('href="#tenderDeadline"');
    const past = await web.post(`/office/${a}/tenders/new`, {
      ...fileForm([{ weights: ['100'] }], { tenderDeadline: '2026-01-10T10:00' }),
      action: 'save',
    });
    expect(past.statusCode).toBe(422);
    expect(past.body).toContain('href="#tenderDeadline"');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('creates a two-lot open procedure through the form; weights not adding to 100 show as a finding', async () => {
    const web = await as('officer');
    const res = await web.post(`/office/${a}/tenders/new`, {
      ...fileForm([{ weights: ['35', '25', '40'] }, { weights: ['35', '25', '30'] }]),
      action: 'save',
    });
    expect(res.statusCode, res.body).toBe(303);
    const location = String(res.headers.location);
    tenderId = /\/tenders\/([0-9a-f-]{36})\?done=created$/.exec(location)?.[1] ?? '';
    expect(tenderId).not.toBe('');
    const page = await web.get(location);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="notice"');
    expect(page.body).toContain('data-code="WEIGHTS_NOT_100"');
    expect(page.body).toContain('LCSP art. 146.1');
    expect(page.body).toContain('data-status="draft"');
    const row = await t.db.db
      .selectFrom('tender')
      .selectAll()
      .where('id', '=', tenderId)
      .executeTakeFirstOrThrow();
    // The estimated value is the sum of the breakdown, computed by the server; deadlines in Madrid time.
    expect(row.estimated_value).toMatch(/^180000(\.00)?$/);
    expect(row.tender_deadline?.toISOString()).toBe('2026-12-16T13:00:00.000Z');

    // The edit form comes back filled in, with the version; saving fixes the weights.
    const edit = await web.get(`${file()}/edit`);
    expect(edit.body).toContain('name="version" value="1"');
    expect(edit.body).toContain('value="2026-12-16T14:00"');
    expect(edit.body).toContain('id="lot2-criterion3-weight"');
    expect(edit.body).toContain('value="steps=1:0.5, 3:1"');
    const stale = await web.post(`${file()}/edit`, {
      ...fileForm([{ weights: ['35', '25', '40'] }, { weights: ['35', '25', '40'] }]),
      version: '7',
      action: 'save',
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('href="#save"');
    const saved = await web.post(`${file()}/edit`, {
      ...fileForm([{ weights: ['35', '25', '40'] }, { weights: ['35', '25', '40'] }]),
      version: '1',
      action: 'save',
    });
    expect(saved.statusCode, saved.body).toBe(303);
    expect((await web.get(file())).body).not.toContain('data-code="WEIGHTS_NOT_100"');
  });

  it('uploads documents from the file page; a mismatched type or a missing token is refused', async () => {
    const web = await as('officer');
    const page = await web.get(file());
    const action = /action="([^"]+\/documents\?_csrf=[^"]+)"/.exec(page.body)?.[1]?.replaceAll('&amp;', '&');
    expect(action).toBeDefined();
    const url = action ?? '';
    const before = await rowCounts(t);
    const mismatch = await web.upload(
      url,
      { 'doc-kind': 'pcap', 'doc-title': 'Plec' },
      {
        name: 'doc-file',
        fileName: 'plec.pdf',
        contentType: 'application/pdf',
        content: samplePng(),
      },
    );
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.body).toContain('href="#doc-file"');
    expect(mismatch.body).toContain('value="Plec"');
    const noToken = await web.upload(
      url.replace(/\?_csrf=.*$/, ''),
      { 'doc-kind': 'pcap', 'doc-title': 'Plec' },
      {
        name: 'doc-file',
        fileName: 'plec.pdf',
        contentType: 'application/pdf',
        content: samplePdf(),
      },
    );
    expect(noToken.statusCode).toBe(403);
    expect(await rowCounts(t)).toEqual(before);
    for (const kind of ['memoria_justificativa', 'pcap', 'ppt']) {
      const res = await web.upload(
        url,
        { 'doc-kind': kind, 'doc-title': `Document ${kind}` },
        {
          name: 'doc-file',
          fileName: `${kind}.pdf`,
          contentType: 'application/pdf',
          content: samplePdf(kind),
        },
      );
      expect(res.statusCode, res.body).toBe(303);
    }
    const after = await web.get(file());
    expect(after.body).toContain('Document pcap');
    expect(after.body).toMatch(/<code class="secret">[0-9a-f]{64}<\/code>/);
  });

  it('assigns the committee and custodians, then submits for approval', async () => {
    const web = await as('officer');
    const page = await web.get(file());
    expect(page.body).toContain(`id="custodian-${users.c1?.id}"`);
    const version = /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '';
    // The committee of experts (art. 146.2.a) is chosen among the committee members; the same person
    // cannot be both on one file: the page shows the refusal and nothing is written.
    expect(page.body).toContain(`id="expert-${users.committee?.id}"`);
    const before = await rowCounts(t);
    const both = await web.post(`${file()}/assignments`, {
      version,
      committee: [users.committee?.id ?? ''],
      custodians: [users.c1?.id ?? ''],
      experts: [users.committee?.id ?? ''],
    });
    expect(both.statusCode).toBe(422);
    expect(both.body).toContain('Una mateixa persona no pot ser experta');
    expect(await rowCounts(t)).toEqual(before);
    const res = await web.post(`${file()}/assignments`, {
      version,
      committee: [users.committee?.id ?? ''],
      custodians: [users.c1?.id ?? '', users.c2?.id ?? '', users.c3?.id ?? ''],
    });
    expect(res.statusCode, res.body).toBe(303);
    const assigned = await web.get(file());
    expect(assigned.body).toContain('id="findings-none"');
    const v2 = /name="version" value="(\d+)"/.exec(assigned.body)?.[1] ?? '';
    const submitted = await web.post(`${file()}/submit`, { version: v2 });
    expect(submitted.statusCode, submitted.body).toBe(303);
    expect((await web.get(file())).body).toContain('data-status="in_approval"');
  });

  it('takes the file through the approvals inbox: reasons to reject, four eyes, each role in turn', async () => {
    const technical = await as('technical');
    const inbox = await technical.get('/office/approvals');
    expect(inbox.statusCode).toBe(200);
    expect(inbox.body).toContain(`id="approve-${tenderId}"`);
    expect((await (await as('legal')).get('/office/approvals')).body).not.toContain(
      `id="approve-${tenderId}"`,
    );

    const before = await rowCounts(t);
    const empty = await technical.post(`/office/approvals/${a}/${tenderId}`, {
      decision: 'rejected',
      [`reject-comment-${tenderId}`]: '',
    });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain(`href="#reject-comment-${tenderId}"`);
    expect(await rowCounts(t)).toEqual(before);

    expect(
      (await technical.post(`/office/approvals/${a}/${tenderId}`, { decision: 'approved' })).statusCode,
    ).toBe(303);
    // The technical approver also holds the legal role, but one person decides one step per round.
    const twice = await technical.post(`/office/approvals/${a}/${tenderId}`, { decision: 'approved' });
    expect(twice.statusCode).toBe(403);
    expect(twice.body).toContain('id="error-summary"');
    for (const who of ['legal', 'financial']) {
      const web = await as(who);
      expect((await web.get('/office/approvals')).body).toContain(`id="approve-${tenderId}"`);
      const res = await web.post(`/office/approvals/${a}/${tenderId}`, { decision: 'approved' });
      expect(res.statusCode, res.body).toBe(303);
      expect(res.headers.location).toBe('/office/approvals?done=approved');
    }
    const page = await (await as('officer')).get(file());
    expect(page.body).toContain('data-status="approved"');
    expect(page.body).toContain('id="approval-steps"');
  });

  it('publishes, previews and publishes a corrigendum with its visible diff', async () => {
    const web = await as('officer');
    const page = await web.get(file());
    const version = /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '';
    expect(page.body).toContain('id="publish-tender"');
    const published = await web.post(`${file()}/publish`, { version });
    expect(published.statusCode, published.body).toBe(303);
    const after = await web.get(file());
    expect(after.body).toContain('data-status="published"');
    ocid = /href="\/tenders\/([^"]+)" id="public-page"/.exec(after.body)?.[1] ?? '';
    expect(ocid).toMatch(/^ocds-/);
    expect(after.body).toContain('id="corrigendum-form"');

    const v = /name="version" value="(\d+)"/.exec(after.body)?.[1] ?? '';
    const corrigendum = {
      version: v,
      'corrigendum-reason': 'S’amplia el termini',
      'corrigendum-titleCa': 'Neteja d’escoles (ca)',
      'corrigendum-titleEs': 'Neteja d’escoles (es)',
      'corrigendum-titleEn': 'Neteja d’escoles (en)',
      'corrigendum-descriptionCa': 'Neteja de les escoles municipals',
      'corrigendum-descriptionEs': 'Limpieza de las escuelas municipales',
      'corrigendum-descriptionEn': 'Cleaning of municipal schools',
      'corrigendum-questionsDeadline': '2026-12-10T14:00',
      'corrigendum-tenderDeadline': '2026-12-22T14:00',
      'corrigendum-openingAt': '',
    };
    const before = await rowCounts(t);
    const preview = await web.post(`${file()}/corrigendum`, { ...corrigendum, action: 'preview' });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('id="corrigendum-preview"');
    expect(preview.body).toContain('<code>tenderDeadline</code>');
    expect(preview.body).not.toContain('<code>questionsDeadline</code>');
    expect(await rowCounts(t)).toEqual(before);
    const shorter = await web.post(`${file()}/corrigendum`, {
      ...corrigendum,
      'corrigendum-tenderDeadline': '2026-12-15T14:00',
      action: 'publish',
    });
    expect(shorter.statusCode).toBe(422);
    expect(shorter.body).toContain('href="#corrigendum-tenderDeadline"');
    expect(await rowCounts(t)).toEqual(before);
    const done = await web.post(`${file()}/corrigendum`, { ...corrigendum, action: 'publish' });
    expect(done.statusCode, done.body).toBe(303);
    expect((await rowCounts(t)).tender_notice).toBe((before.tender_notice ?? 0) + 1);
  });

  it('answers a company’s question from the file page', async () => {
    const bidder = await login(t, users.bidder?.email ?? '');
    const company = await t.db.db
      .selectFrom('company_member')
      .select('company_id')
      .where('user_id', '=', users.bidder?.id ?? '')
      .executeTakeFirstOrThrow();
    const asked = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenders/${ocid}/questions`,
      headers: bidder.headers,
      payload: { companyId: company.company_id, question: 'Cal visitar les escoles?' },
    });
    expect(asked.statusCode, asked.body).toBe(201);
    const questionId = (asked.json() as { id: string }).id;
    const web = await as('officer');
    const page = await web.get(file());
    expect(page.body).toContain('Cal visitar les escoles?');
    expect(page.body).toContain(`id="answer-${questionId}"`);
    const empty = await web.post(`${file()}/questions/${questionId}/answer`, {
      [`answer-${questionId}`]: '',
    });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain(`href="#answer-${questionId}"`);
    const res = await web.post(`${file()}/questions/${questionId}/answer`, {
      [`answer-${questionId}`]: 'No, no cal.',
    });
    expect(res.statusCode, res.body).toBe(303);
    const notice = await t.app.inject({ url: `/api/v1/tenders/${ocid}` });
    expect(notice.json()).toMatchObject({ questions: [{ answer: 'No, no cal.' }] });
  });

  it('cancels a file with its kind and reasons', async () => {
    const web = await as('officer');
    const created = await web.post(`/office/${a}/tenders/new`, {
      ...fileForm([{ weights: ['100'] }], { reference: '2026/BO-2' }),
      action: 'save',
    });
    expect(created.statusCode, created.body).toBe(303);
    const url = String(created.headers.location).split('?')[0] ?? '';
    const before = await rowCounts(t);
    const empty = await web.post(`${url}/cancel`, {
      version: '1',
      'cancel-kind': 'renuncia',
      'cancel-reason': '',
    });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('href="#cancel-reason"');
    expect(await rowCounts(t)).toEqual(before);
    const res = await web.post(`${url}/cancel`, {
      version: '1',
      'cancel-kind': 'renuncia',
      'cancel-reason': 'Ja no cal el servei',
    });
    expect(res.statusCode, res.body).toBe(303);
    expect((await web.get(url)).body).toContain('data-status="cancelled"');
  });

  it('serves every back-office page in Catalan, Spanish and English', async () => {
    const pages: [string, string][] = [
      ['officer', `/office/${a}/tenders`],
      ['officer', `/office/${a}/tenders/new`],
      ['officer', file()],
      ['technical', '/office/approvals'],
    ];
    for (const [who, url] of pages) {
      const web = await as(who);
      for (const lang of ['ca', 'es', 'en']) {
        const res = await web.get(`${url}?lang=${lang}`);
        expect(res.statusCode, `${url} ${lang}`).toBe(200);
        expect(res.body).toContain(`<html lang="${lang}">`);
        expect(res.body.match(/<h1>/g)?.length, url).toBe(1);
        expect(res.body).not.toMatch(/backoffice\.[a-z]/);
        const ids = [...res.body.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
        expect(
          ids.filter((id, i) => ids.indexOf(id) !== i),
          `duplicate ids on ${url}`,
        ).toEqual([]);
      }
    }
    expect((await (await as('officer')).get(`/office/${a}/tenders?lang=es`)).body).toContain(
      'Nuevo expediente',
    );
  });

  it('declares the documents bidders must submit: add and remove in place, then listed per envelope', async () => {
    const web = await as('officer');
    const blank = await web.get(`/office/${a}/tenders/new?lang=en`);
    // A new file starts with the ESPD in envelope A.
    expect(blank.body).toContain('<select id="biddoc1-envelope" name="biddoc1-envelope"');
    expect(blank.body).toContain('value="European Single Procurement Document (ESPD)"');
    expect(blank.body).toContain(
      '<option value="A" selected>Envelope A — administrative documentation (ESPD)</option>',
    );
    expect(blank.body).toContain('id="add-biddoc"');
    const espd: Fields = {
      'biddoc1-envelope': 'A',
      ...names('biddoc1-name', 'DEUC'),
      'biddoc1-mandatory': 'on',
    };
    const two: Fields = {
      ...espd,
      bidDocumentCount: '2',
      'biddoc2-envelope': 'B',
      ...names('biddoc2-name', 'Memòria tècnica'),
    };
    const form = (extra: Fields) =>
      fileForm([{ weights: ['35', '65'] }], {
        reference: '2026/BO-DOCS',
        singleLotJustification: 'Un sol servei',
        ...extra,
      });
    const before = await rowCounts(t);
    const added = await web.post(`/office/${a}/tenders/new`, {
      ...form({ ...espd, bidDocumentCount: '1' }),
      action: 'addBidDocument',
    });
    expect(added.statusCode).toBe(200);
    expect(added.body).toContain('id="biddoc2-envelope"');
    expect(added.body).toContain('value="DEUC (ca)"');
    const removed = await web.post(`/office/${a}/tenders/new`, {
      ...form(two),
      action: 'removeBidDocument:1',
    });
    expect(removed.statusCode).toBe(200);
    expect(removed.body).not.toContain('id="biddoc2-envelope"');
    expect(removed.body).not.toContain('value="DEUC (ca)"');
    expect(removed.body).toContain('value="Memòria tècnica (ca)"');
    const none = await web.post(`/office/${a}/tenders/new`, {
      ...form({ ...espd, bidDocumentCount: '1' }),
      action: 'removeBidDocument:1',
    });
    expect(none.body).toContain('id="no-bid-documents"');
    const bad = await web.post(`/office/${a}/tenders/new`, {
      ...form({ ...two, 'biddoc2-envelope': 'Z', 'biddoc2-nameEn': '' }),
      action: 'save',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('href="#biddoc2-envelope"');
    expect(bad.body).toContain('href="#biddoc2-nameEn"');
    const repeated = await web.post(`/office/${a}/tenders/new`, {
      ...form({ ...two, 'biddoc2-envelope': 'A', ...names('biddoc2-name', 'DEUC') }),
      action: 'save',
    });
    expect(repeated.statusCode).toBe(422);
    expect(repeated.body).toContain('href="#biddoc2-nameCa"');
    expect(await rowCounts(t)).toEqual(before);

    // Saved with a B document although no criterion is a judgement: the check blocks it.
    const saved = await web.post(`/office/${a}/tenders/new`, { ...form(two), action: 'save' });
    expect(saved.statusCode, saved.body).toBe(303);
    const location = String(saved.headers.location).split('?')[0] ?? '';
    const page = await web.get(`${location}?lang=en`);
    expect(page.body).toContain('data-code="BID_DOCUMENT_WITHOUT_ENVELOPE"');
    expect(page.body).toContain('LCSP art. 157.1–2');
    expect(page.body).toContain('Envelopes of the file, from its procedure and criteria: A, C.');
    expect(page.body).toMatch(
      /<table id="envelope-A"><caption>Envelope A — administrative documentation \(ESPD\)<\/caption>/,
    );
    expect(page.body).toContain('<th scope="row">DEUC (en)</th><td>Yes</td>');
    expect(page.body).toContain('the file has no such envelope');
    expect(page.body).toContain('<th scope="row">Memòria tècnica (en)</th><td>No, optional</td>');
    expect(page.body).toContain('Envelope C — offer on formula criteria: no document asked for');
    // The edit form shows the stored list.
    const edit = await web.get(`${location}/edit`);
    expect(edit.body).toContain('value="Memòria tècnica (es)"');
    expect(edit.body).toContain('<input type="hidden" name="bidDocumentCount" value="2">');
  });
});
