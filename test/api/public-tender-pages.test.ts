import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/app.js';
import type { AuthorityRole } from '../../src/platform/context.js';
import { escapeHtml } from '../../src/platform/http/html.js';
import { translator } from '../../src/platform/i18n/i18n.js';
import { newId } from '../../src/platform/ids.js';
import {
  buildTestApp,
  login,
  makeAuthority,
  makeCompany,
  makeUser,
  PASSWORD,
  rowCounts,
  type Session,
  type TestApp,
} from '../helpers/app.js';
import { registerCustodianKeys } from '../helpers/custody.js';
import { driverName } from '../helpers/db.js';
import { validNif } from '../helpers/tax-ids.js';
import { loadDemoCpv, tenderPayload } from '../helpers/tenders.js';

const NOW = new Date('2026-11-26T10:00:00Z');
const DAY = 86_400_000;

/** A browser-like client of the pages: cookies kept, the CSRF token read from the page's own form. */
class WebClient {
  cookies = new Map<string, string>();
  constructor(private readonly t: TestApp) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string) {
    const res = await this.t.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader() } });
    for (const c of res.cookies) this.cookies.set(c.name, c.value);
    return res;
  }

  /** Posts a form; the CSRF token comes from `tokenFrom` (a page showing a form), unless disabled. */
  async post(url: string, fields: Record<string, string>, opts: { tokenFrom?: string | false } = {}) {
    const form = new URLSearchParams(fields);
    if (opts.tokenFrom !== false) {
      const page = await this.get(opts.tokenFrom ?? '/sign-in');
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
      if (token) form.append('_csrf', token);
    }
    const res = await this.t.app.inject({
      method: 'POST',
      url,
      payload: form.toString(),
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    for (const c of res.cookies) this.cookies.set(c.name, c.value);
    return res;
  }
}

/** How many search results a page lists. */
const resultCount = (body: string) => body.match(/<li class="result">/g)?.length ?? 0;

describe(`public tender pages (${driverName})`, () => {
  let t: TestApp;
  let a: { id: string; slug: string };
  let other: { id: string; slug: string };
  const s: Record<string, Session> = {};
  const ids: Record<string, string> = {};
  let tender: { id: string; ocid: string; version: number };
  let cancelled: { id: string; ocid: string };
  let bidderEmail: string;
  let bidderCompanyId: string;
  let companyName: string;
  const base = () => `/api/v1/authorities/${a.id}/tenders`;
  const call = (who: string, method: 'GET' | 'POST' | 'PUT', path: string, payload?: object) =>
    t.app.inject({
      method,
      url: `${base()}${path}`,
      headers: s[who]?.headers,
      ...(payload ? { payload } : {}),
    });

  const TITLE = {
    ca: 'Manteniment del pavelló i la cafeteria',
    es: 'Mantenimiento del pabellón y la cafetería',
    en: 'Maintenance of the pavilion and its café',
  };

  /** Takes a new file through the approval chain to publication, as tender-workflow.test.ts does. */
  async function publishNew(
    title = TITLE,
    extra: Partial<ReturnType<typeof tenderPayload>> = {},
  ): Promise<{ id: string; ocid: string; version: number }> {
    const created = await call('officer', 'POST', '', tenderPayload(t.clock.now(), { title, ...extra }));
    expect(created.statusCode, created.body).toBe(201);
    const id = (created.json() as { id: string }).id;
    for (const kind of ['memoria_justificativa', 'pcap', 'ppt']) {
      await t.db.db
        .insertInto('tender_document')
        .values({
          id: newId(),
          tender_id: id,
          authority_id: a.id,
          kind,
          title: `Document ${kind}`,
          file_name: `${kind}.pdf`,
          content_type: 'application/pdf',
          size_bytes: 2048,
          sha256: createHash('sha256').update(`${id}:${kind}`).digest('hex'),
          uploaded_by: ids.officer ?? '',
        })
        .execute();
    }
    await call('officer', 'PUT', `/${id}/assignments`, {
      version: 1,
      committee: [],
      custodians: [ids.c1, ids.c2],
    });
    await call('officer', 'POST', `/${id}/submit`, { version: 2 });
    for (const who of ['technical', 'legal', 'financial']) {
      const res = await call(who, 'POST', `/${id}/approvals`, { decision: 'approved' });
      expect(res.statusCode, res.body).toBe(200);
    }
    const current = (await call('officer', 'GET', `/${id}`)).json() as { version: number };
    const published = await call('officer', 'POST', `/${id}/publish`, { version: current.version });
    expect(published.statusCode, published.body).toBe(200);
    const body = published.json() as { ocid: string; version: number };
    return { id, ocid: body.ocid, version: body.version };
  }

  /** Inserts a published tender directly, as publication leaves it (for paging). */
  async function insertPublished(n: number): Promise<void> {
    const id = newId();
    await t.db.db
      .insertInto('tender')
      .values({
        id,
        authority_id: a.id,
        reference: `PAGING-${n}`,
        status: 'published',
        procedure: 'abierto_simplificado',
        contract_type: 'services',
        title_ca: `Poda d’arbres ${n}`,
        title_es: `Poda de árboles ${n}`,
        title_en: `Tree pruning ${n}`,
        description_ca: '',
        description_es: '',
        description_en: '',
        main_cpv: '77211400-6',
        estimated_value: `${1000 + n}.00`,
        budget_excl_vat: `${1000 + n}.00`,
        budget_incl_vat: `${1210 + n}.00`,
        tender_deadline: new Date(NOW.getTime() + (10 + n) * DAY),
        ocid: `ocds-pag000-${id}`,
        published_at: new Date(NOW.getTime() - n * 60_000),
        created_by: ids.officer ?? '',
      })
      .execute();
  }

  async function signedIn(email: string): Promise<WebClient> {
    const web = new WebClient(t);
    await web.get('/sign-in');
    const res = await web.post('/sign-in', { email, password: PASSWORD, next: '/account' });
    expect(res.statusCode, res.body).toBe(303);
    expect(web.cookies.has(SESSION_COOKIE)).toBe(true);
    return web;
  }

  beforeAll(async () => {
    t = await buildTestApp({ now: NOW });
    await loadDemoCpv(t);
    a = await makeAuthority(t);
    other = await makeAuthority(t);
    const people: [string, AuthorityRole[]][] = [
      ['officer', ['procurement_officer']],
      ['technical', ['approver_technical']],
      ['legal', ['approver_legal']],
      ['financial', ['approver_financial']],
      ['c1', ['key_custodian']],
      ['c2', ['key_custodian']],
    ];
    for (const [name, roles] of people) {
      const u = await makeUser(t, { roles: [{ authorityId: a.id, roles }] });
      ids[name] = u.id;
      s[name] = await login(t, u.email);
    }
    // Bids are sealed to the custodians' public keys: publication needs one for each.
    await registerCustodianKeys(t, a.id, [ids.c1 ?? '', ids.c2 ?? '']);
    const taxId = validNif();
    const company = await makeCompany(t, taxId);
    companyName = `Company ${taxId}`;
    bidderCompanyId = company.id;
    bidderEmail = (await makeUser(t, { companies: [{ companyId: company.id, roles: ['bidder'] }] })).email;

    tender = await publishNew();
    const second = await publishNew({
      ca: 'Enllumenat del camp de futbol',
      es: 'Alumbrado del campo de fútbol',
      en: 'Football pitch lighting',
    });
    const res = await call('officer', 'POST', `/${second.id}/cancel`, {
      version: second.version,
      kind: 'renuncia',
      reason: 'El servei es prestarà amb mitjans propis',
    });
    expect(res.statusCode, res.body).toBe(200);
    cancelled = second;
    for (let n = 1; n <= 25; n++) await insertPublished(n);
  });
  afterAll(async () => t.close());

  it('finds the tender by a word typed without its accent, in Catalan, Spanish and English', async () => {
    const web = new WebClient(t);
    const cases = [
      ['ca', 'pavello', TITLE.ca, 'Obert', 'Publicada'],
      ['es', 'pabellon', TITLE.es, 'Abierto', 'Publicada'],
      ['en', 'CAFE', TITLE.en, 'Open', 'Published'],
    ] as const;
    for (const [lang, word, title, procedure, status] of cases) {
      const res = await web.get(`/tenders?q=${word}&lang=${lang}`);
      expect(res.statusCode, `${lang}: ${res.body.slice(0, 300)}`).toBe(200);
      expect(res.body).toContain(`<html lang="${lang}">`);
      expect(res.body).toContain(`href="/tenders/${tender.ocid}">${escapeHtml(title)}</a>`);
      expect(res.body).toContain(procedure);
      expect(res.body).toContain(status);
      expect(res.body).toContain(escapeHtml(translator(lang)('publicTenders.search.title')));
      expect(res.body).toContain('id="q"');
      expect(res.body).toContain(`value="${word}"`);
      expect(resultCount(res.body)).toBe(1);
    }
    // Money and deadline in the page's language, the deadline in Madrid time.
    const en = await web.get('/tenders?q=pavilion&lang=en');
    expect(en.body).toContain('€180,000.00');
    expect(en.body).toContain('16 Dec 2026, 11:00');
    const ca = await web.get('/tenders?q=pavello&lang=ca');
    expect(ca.body).toMatch(/180\.000,00\s€/);
  });

  it('filters by authority, CPV, procedure, status, value and deadline', async () => {
    const web = new WebClient(t);
    const count = async (query: string) => {
      const res = await web.get(`/tenders?${query}`);
      expect(res.statusCode, `${query}: ${res.body.slice(0, 500)}`).toBe(200);
      return resultCount(res.body);
    };
    expect(await count('q=pavello')).toBe(1);
    expect(await count(`q=pavello&authority=${a.id}`)).toBe(1);
    expect(await count(`q=pavello&authority=${other.id}`)).toBe(0);
    expect(await count('q=pavello&cpv=9091')).toBe(1);
    expect(await count('q=pavello&cpv=90910000-9')).toBe(1);
    expect(await count('q=pavello&cpv=45')).toBe(0);
    expect(await count('q=pavello&procedure=abierto')).toBe(1);
    expect(await count('q=pavello&procedure=restringido')).toBe(0);
    expect(await count('q=pavello&status=published')).toBe(1);
    expect(await count('q=pavello&status=cancelled')).toBe(0);
    expect(await count('q=futbol&status=cancelled')).toBe(1);
    expect(await count('q=pavello&minValue=180000')).toBe(1);
    expect(await count('q=pavello&minValue=180000,01')).toBe(0);
    expect(await count('q=pavello&maxValue=200000')).toBe(1);
    expect(await count('q=pavello&maxValue=179999.99')).toBe(0);
    // The deadline is 16 December at 11:00 in Madrid: a day filter covers that whole local day.
    expect(await count('q=pavello&deadlineFrom=2026-12-16&deadlineTo=2026-12-16')).toBe(1);
    expect(await count('q=pavello&deadlineFrom=2026-12-17')).toBe(0);
    expect(await count('q=pavello&deadlineTo=2026-12-15')).toBe(0);
    for (const sort of ['relevance', 'deadline-asc', 'published-asc', 'value-desc', 'value-asc']) {
      expect(await count(`q=pavello&sort=${sort}`)).toBe(1);
    }
    // The filter controls keep what was chosen.
    const kept = await web.get(`/tenders?q=pavello&procedure=abierto&authority=${a.id}&sort=value-asc`);
    expect(kept.body).toContain('<option value="abierto" selected>');
    expect(kept.body).toContain(`<option value="${a.id}" selected>`);
    expect(kept.body).toContain('<option value="value-asc" selected>');
    // The cancelled tender's page is reachable from the results.
    expect((await web.get('/tenders?q=futbol')).body).toContain(`/tenders/${cancelled.ocid}`);
  });

  it('pages through results, keeping the filters in the links', async () => {
    const web = new WebClient(t);
    const first = await web.get('/tenders?q=poda&procedure=abierto_simplificado&sort=value-asc&lang=es');
    expect(first.statusCode).toBe(200);
    expect(resultCount(first.body)).toBe(20);
    expect(first.body).toContain('Poda de árboles 1<');
    expect(first.body).toContain('Licitaciones encontradas: 25. Se muestran de la 1 a la 20.');
    const next = /<a href="([^"]+)" rel="next">/.exec(first.body)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toBeDefined();
    const url = new URL(next ?? '', 'http://x');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      q: 'poda',
      procedure: 'abierto_simplificado',
      sort: 'value-asc',
      page: '2',
      lang: 'es',
    });
    const second = await web.get(next ?? '');
    expect(resultCount(second.body)).toBe(5);
    expect(second.body).toContain('<html lang="es">');
    expect(second.body).toContain('Poda de árboles 25<');
    expect(second.body).toContain('aria-current="page"');
    expect(second.body).toContain('rel="prev"');
    expect(second.body).not.toContain('rel="next"');
    // Past the last page: no results, a way back, no error.
    const past = await web.get('/tenders?q=poda&page=9');
    expect(past.statusCode).toBe(200);
    expect(resultCount(past.body)).toBe(0);
    expect(past.body).toContain('rel="prev"');
  });

  it('suggests the corrected words and shows an empty state', async () => {
    const web = new WebClient(t);
    const similar = await web.get('/tenders?q=pabelon&lang=es');
    expect(similar.statusCode).toBe(200);
    expect(similar.body).toContain('id="did-you-mean"');
    expect(similar.body).toContain('pabellon');
    expect(resultCount(similar.body)).toBe(1);
    const none = await web.get('/tenders?q=zzzzqqqq&lang=en');
    expect(none.statusCode).toBe(200);
    expect(resultCount(none.body)).toBe(0);
    expect(none.body).toContain('No tenders found.');
  });

  it('refuses bad filter values with a 400 page naming the field, and never fails', async () => {
    const web = new WebClient(t);
    const refused = [
      ['authority=not-a-uuid', 'authority'],
      [`authority=${newId()}`, 'authority'],
      ['cpv=abc', 'cpv'],
      ['cpv=1', 'cpv'],
      ['procedure=subasta', 'procedure'],
      ['status=draft', 'status'],
      ['minValue=-5', 'minValue'],
      ['minValue=1e5', 'minValue'],
      ['maxValue=12.345', 'maxValue'],
      ['minValue=20&maxValue=10', 'maxValue'],
      ['deadlineFrom=2026-02-30', 'deadlineFrom'],
      ['deadlineTo=tomorrow', 'deadlineTo'],
      ['deadlineFrom=2026-12-10&deadlineTo=2026-12-01', 'deadlineTo'],
      ['sort=cheapest', 'sort'],
      ['authority=x&authority=y', 'authority'],
    ] as const;
    for (const [query, field] of refused) {
      const res = await web.get(`/tenders?${query}&lang=en`);
      expect(res.statusCode, query).toBe(400);
      expect(res.body, query).toContain('class="error-summary"');
      expect(res.body, query).toContain(`href="#${field}"`);
      expect(res.body, query).toContain('aria-invalid="true"');
    }
    // Ignored gracefully: unknown parameters, bad page numbers, control characters, long words.
    for (const query of [
      'page=abc',
      'page=0',
      'page=99999999',
      'colour=blue',
      'q=%00%01pavello',
      `q=${'a'.repeat(5000)}`,
      'q=%22unclosed',
      'q=%E2%80%AE',
      'q[]=x',
    ]) {
      const res = await web.get(`/tenders?${query}`);
      expect(res.statusCode, query).toBe(200);
    }
    for (const query of ['q=%E0%A4%A', 'q=%ZZ', 'page=%FF']) {
      const res = await web.get(`/tenders?${query}`);
      expect(res.statusCode, query).toBeLessThan(500);
    }
  });

  it('shows the tender: key facts, lots and criteria, documents with hashes, timeline', async () => {
    const web = new WebClient(t);
    const res = await web.get(`/tenders/${tender.ocid}?lang=ca`);
    expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
    const body = res.body;
    expect(body).toContain(`<h1>${escapeHtml(TITLE.ca)}</h1>`);
    expect(body.match(/<h1>/g)).toHaveLength(1);
    expect(body).toContain(`Ajuntament ${a.slug}`);
    expect(body).toContain('Serveis');
    // The CPV with its label from the loaded vocabulary.
    expect(body).toMatch(/<code>90910000-9<\/code> [^<]+/);
    expect(body).toContain('24 mesos');
    expect(body).toMatch(/181\.500,00\s€/);
    // Lots and their criteria.
    expect(body).toContain('Lot 1: Escoles del nord (ca)');
    expect(body).toContain('Lot 2: Escoles del sud (ca)');
    expect(body).toContain('Memòria tècnica (ca)');
    expect(body).toContain('Judici de valor');
    expect(body).toContain('35 %');
    expect(body).toContain('<th scope="col">Ponderació</th>');
    // Documents with their SHA-256 in <code>.
    for (const kind of ['memoria_justificativa', 'pcap', 'ppt']) {
      const sha = createHash('sha256').update(`${tender.id}:${kind}`).digest('hex');
      expect(body).toContain(`<code class="hash">${sha}</code>`);
      expect(body).toContain(`${kind}.pdf`);
    }
    // Each file links to its public download.
    expect(body).toMatch(
      new RegExp(`href="/api/v1/tenders/${tender.ocid}/documents/[0-9a-f-]{36}" download>pcap\\.pdf</a>`),
    );
    expect(body).toContain('2 kB');
    // Timeline in chronological order.
    const at = (id: string) => body.indexOf(`id="timeline-${id}"`);
    expect(at('published')).toBeGreaterThan(0);
    expect(at('published')).toBeLessThan(at('questionsDeadline'));
    expect(at('questionsDeadline')).toBeLessThan(at('tenderDeadline'));
    // Anonymous visitors are invited to sign in to ask; no follow button.
    expect(body).toContain('id="questions-sign-in"');
    expect(body).not.toContain('id="ask-question"');
    expect(body).not.toContain('id="follow-form"');
    for (const lang of ['es', 'en'] as const) {
      const page = await web.get(`/tenders/${tender.ocid}?lang=${lang}`);
      expect(page.body).toContain(`<h1>${escapeHtml(TITLE[lang])}</h1>`);
      expect(page.body).toContain(lang === 'es' ? 'Juicio de valor' : 'Judgement');
    }
  });

  it('takes a question through the form, and shows the answer without the asker', async () => {
    const web = await signedIn(bidderEmail);
    const page = await web.get(`/tenders/${tender.ocid}`);
    expect(page.body).toContain('id="ask-question"');
    expect(page.body).toContain('<label for="question">');
    expect(page.body).toContain('id="follow-button"');

    // Without its CSRF token the form is refused and nothing is written.
    const before = await rowCounts(t);
    const forged = await web.post(
      `/tenders/${tender.ocid}/questions`,
      { question: 'x', companyId: 'y' },
      { tokenFrom: false },
    );
    expect(forged.statusCode).toBe(403);
    expect(await rowCounts(t)).toEqual(before);

    // An empty question is refused with the error summary, nothing written.
    const companyId = /name="companyId" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const empty = await web.post(
      `/tenders/${tender.ocid}/questions`,
      { question: '  ', companyId },
      { tokenFrom: `/tenders/${tender.ocid}` },
    );
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('class="error-summary"');
    expect(empty.body).toContain('href="#question"');
    expect(await rowCounts(t)).toEqual(before);

    const asked = await web.post(
      `/tenders/${tender.ocid}/questions`,
      { question: 'Cal visitar el pavelló abans de presentar l’oferta?', companyId },
      { tokenFrom: `/tenders/${tender.ocid}` },
    );
    expect(asked.statusCode, asked.body).toBe(303);
    expect(asked.headers.location).toBe(`/tenders/${tender.ocid}?done=asked#questions`);
    const confirmed = await web.get(`/tenders/${tender.ocid}?done=asked`);
    expect(confirmed.body).toContain('id="confirmation"');
    expect(confirmed.body).toContain(escapeHtml(translator('ca')('publicTenders.questions.sent')));
    // Unanswered, it is not public yet.
    expect(confirmed.body).not.toContain('Cal visitar el pavelló');

    // Following, and back.
    const followed = await web.post(
      `/tenders/${tender.ocid}/follow`,
      { follow: 'yes' },
      { tokenFrom: `/tenders/${tender.ocid}` },
    );
    expect(followed.statusCode).toBe(303);
    const following = await web.get(followed.headers.location as string);
    expect(following.body).toContain('name="follow" value="no"');
    expect(
      await t.db.db
        .selectFrom('tender_follow')
        .select('user_id')
        .where('tender_id', '=', tender.id)
        .execute(),
    ).toHaveLength(1);
    const unfollowed = await web.post(
      `/tenders/${tender.ocid}/follow`,
      { follow: 'no' },
      { tokenFrom: `/tenders/${tender.ocid}` },
    );
    expect(unfollowed.statusCode).toBe(303);
    expect(
      await t.db.db
        .selectFrom('tender_follow')
        .select('user_id')
        .where('tender_id', '=', tender.id)
        .execute(),
    ).toHaveLength(0);

    // The officer answers; the public page shows question and answer, not who asked.
    const staff = (await call('officer', 'GET', `/${tender.id}/questions`)).json() as { id: string }[];
    expect(staff).toHaveLength(1);
    const answered = await call('officer', 'POST', `/${tender.id}/questions/${staff[0]?.id}/answer`, {
      answer: 'No, però es pot demanar una visita.',
    });
    expect(answered.statusCode).toBe(200);
    const pub = await new WebClient(t).get(`/tenders/${tender.ocid}`);
    expect(pub.body).toContain(`id="question-${staff[0]?.id}"`);
    expect(pub.body).toContain(`id="answer-${staff[0]?.id}"`);
    expect(pub.body).toContain(escapeHtml('Cal visitar el pavelló abans de presentar l’oferta?'));
    expect(pub.body).toContain('No, però es pot demanar una visita.');
    expect(pub.body).not.toContain(companyName);
    expect(pub.body).not.toContain(bidderEmail);
    expect(pub.body).not.toContain(companyId);
  });

  it('shows each corrigendum as a table of old and new values, and on the timeline', async () => {
    const current = (await call('officer', 'GET', `/${tender.id}`)).json() as {
      version: number;
      tenderDeadline: string;
    };
    const res = await call('officer', 'POST', `/${tender.id}/corrigenda`, {
      version: current.version,
      reason: 'Errata al títol i ampliació del termini',
      substantial: false,
      title: { ...TITLE, ca: 'Manteniment del pavelló i la cafeteria municipals' },
      tenderDeadline: new Date(new Date(current.tenderDeadline).getTime() + 2 * DAY).toISOString(),
    });
    expect(res.statusCode, res.body).toBe(200);
    const page = await new WebClient(t).get(`/tenders/${tender.ocid}?lang=ca`);
    const body = page.body;
    expect(body).toContain('id="version-2"');
    expect(body).toContain('Errata al títol i ampliació del termini');
    expect(body).toContain('<th scope="col">Abans</th>');
    expect(body).toContain('Títol (en català)');
    expect(body).toMatch(
      /<del><span class="visually-hidden">Suprimit: <\/span>Manteniment del pavelló i la cafeteria<\/del>/,
    );
    expect(body).toMatch(
      /<ins><span class="visually-hidden">Afegit: <\/span>Manteniment del pavelló i la cafeteria municipals<\/ins>/,
    );
    // The deadline change, formatted in Madrid time: 16 → 18 December at 11:00.
    expect(body).toContain('Termini de presentació');
    expect(body).toMatch(/<del>.*16 de des\. 2026.*<\/del>/);
    expect(body).toMatch(/<ins>.*18 de des\. 2026.*<\/ins>/);
    const at = (id: string) => body.indexOf(`id="timeline-${id}"`);
    expect(at('published')).toBeLessThan(at('corrigendum-2'));
    expect(at('corrigendum-2')).toBeLessThan(at('questionsDeadline'));
    expect(at('questionsDeadline')).toBeLessThan(at('tenderDeadline'));
    // Still found by its words after the correction.
    expect(resultCount((await new WebClient(t).get('/tenders?q=municipals')).body)).toBe(1);
  });

  it('refuses a question after the questions deadline with the error message', async () => {
    t.clock.advance(15 * DAY);
    try {
      const web = await signedIn(bidderEmail);
      const page = await web.get(`/tenders/${tender.ocid}?lang=en`);
      expect(page.body).toContain('id="questions-closed"');
      expect(page.body).not.toContain('id="ask-question"');
      const before = await rowCounts(t);
      const late = await web.post(
        `/tenders/${tender.ocid}/questions?lang=en`,
        { question: 'Can I still ask?', companyId: bidderCompanyId },
        { tokenFrom: `/tenders/${tender.ocid}` },
      );
      expect(late.statusCode).toBe(409);
      expect(late.body).toContain('class="error-summary"');
      expect(late.body).toContain('href="#questions"');
      expect(late.body).toContain(escapeHtml(translator('en')('errors.QUESTIONS_CLOSED')));
      expect(await rowCounts(t)).toEqual(before);
    } finally {
      t.clock.advance(-15 * DAY);
    }
  });

  it('shows a cancelled tender with the kind and reasons of its cancellation', async () => {
    const res = await new WebClient(t).get(`/tenders/${cancelled.ocid}?lang=ca`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('id="cancellation"');
    expect(res.body).toContain('Renúncia');
    expect(res.body).toContain('El servei es prestarà amb mitjans propis');
    expect(res.body).toContain('Anul·lada');
    expect(res.body).toContain('id="timeline-cancelled"');
    expect(res.body).toContain('id="questions-closed"');
    // The cancellation notice's diff: the status, labelled, old and new.
    expect(res.body).toContain(
      '<del><span class="visually-hidden">Suprimit: </span>Publicada (<code>published</code>)</del>',
    );
    expect(res.body).toContain(
      '<ins><span class="visually-hidden">Afegit: </span>Anul·lada (<code>cancelled</code>)</ins>',
    );
  });

  it('answers an unknown or malformed ocid with the 404 page', async () => {
    const web = new WebClient(t);
    for (const url of [
      `/tenders/ocds-zzzzzz-${newId()}`,
      `/tenders/${tender.ocid.slice(0, 12)}${newId()}`,
      '/tenders/not-an-ocid',
      `/tenders/${tender.ocid}x`,
    ]) {
      const res = await web.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('NOT_FOUND');
    }
    // A draft has no public page.
    const draft = (await call('officer', 'POST', '', tenderPayload(t.clock.now()))).json() as { id: string };
    const prefix = tender.ocid.slice(0, 11);
    expect((await web.get(`/tenders/${prefix}-${draft.id}`)).statusCode).toBe(404);
    const signed = await signedIn(bidderEmail);
    const res = await signed.post(
      `/tenders/ocds-zzzzzz-${newId()}/questions`,
      { question: 'x', companyId: newId() },
      { tokenFrom: `/tenders/${tender.ocid}` },
    );
    expect(res.statusCode).toBe(404);
  });

  it('links the search from the home page and the navigation', async () => {
    const home = await new WebClient(t).get('/');
    expect(home.body).toContain('<form method="get" action="/tenders" role="search" id="home-search">');
    expect(home.body).toContain('<a href="/tenders"');
  });

  it('shows the envelopes and, per envelope, the documents bidders must submit, as the notice states them', async () => {
    const web = new WebClient(t);
    // Published without a list: the ESPD in envelope A.
    const plain = await web.get(`/tenders/${tender.ocid}?lang=ca`);
    expect(plain.body).toContain('<h2 id="envelopes-h">Sobres i documents que cal presentar</h2>');
    expect(plain.body).toContain('<caption>Sobre A — documentació administrativa (DEUC)</caption>');
    expect(plain.body).toContain(
      '<th scope="row">Document europeu únic de contractació (DEUC)</th><td>Sí</td>',
    );
    const names = (text: string) => ({ ca: `${text} (ca)`, es: `${text} (es)`, en: `${text} (en)` });
    const bidDocuments = [
      { envelope: 'A' as const, name: names('DEUC'), mandatory: true },
      { envelope: 'A' as const, name: names('Certificat pime'), mandatory: false },
      { envelope: 'B' as const, name: names('Memòria tècnica'), mandatory: true },
      { envelope: 'C' as const, name: names('Oferta econòmica'), mandatory: true },
    ];
    const custom = await publishNew(
      { ca: 'Jardineria dels parcs', es: 'Jardinería de los parques', en: 'Park gardening' },
      { bidDocuments },
    );
    const api = (await web.get(`/api/v1/tenders/${custom.ocid}`)).json() as {
      notice: { envelopes: string[]; bidDocuments: unknown[] };
      canonical: string;
    };
    expect(api.notice.envelopes).toEqual(['A', 'B', 'C']);
    expect(api.notice.bidDocuments).toEqual(bidDocuments);
    expect(api.canonical).toContain('"bidDocuments":[');
    const en = await web.get(`/tenders/${custom.ocid}?lang=en`);
    expect(en.statusCode).toBe(200);
    expect(en.body).toContain(
      'Bids are submitted electronically in these envelopes, opened separately: A, B, C.',
    );
    expect(en.body).toContain('<caption>Envelope B — offer on judgement criteria</caption>');
    expect(en.body).toContain('<th scope="row">Certificat pime (en)</th><td>No, optional</td>');
    expect(en.body).toContain('<th scope="row">Oferta econòmica (en)</th><td>Yes</td>');
    const es = await web.get(`/tenders/${custom.ocid}?lang=es`);
    expect(es.body).toContain(
      '<caption>Sobre C — oferta sobre criterios evaluables mediante fórmulas</caption>',
    );
  });
});
