import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/platform/ids.js';
import { buildTestApp, makeAuthority, makeUser, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';

type Item = {
  id: string;
  ocid: string | null;
  authority: { id: string; name: { ca: string; es: string; en: string } };
  title: { ca: string; es: string; en: string };
  procedure: string;
  contractType: string;
  mainCpv: string;
  estimatedValue: string;
  tenderDeadline: string | null;
  publishedAt: string | null;
  status: string;
};
type Result = {
  total: number;
  page: number;
  pageSize: number;
  match: string;
  correctedQuery: string | null;
  items: Item[];
};

const NOW = new Date('2026-11-26T10:00:00Z');
const DAY = 86_400_000;
const days = (n: number) => new Date(NOW.getTime() + n * DAY);

type Spec = {
  authorityId: string;
  title: [ca: string, es: string, en: string];
  description?: [ca: string, es: string, en: string];
  status?: 'draft' | 'in_approval' | 'approved' | 'published' | 'cancelled';
  procedure?: string;
  contractType?: string;
  mainCpv: string;
  lotCpvs?: string[];
  value: string;
  deadline: Date | null;
  published: Date | null;
};

describe(`public tender search (${driverName})`, () => {
  let t: TestApp;
  let a: { id: string; slug: string };
  let b: { id: string; slug: string };
  let userId: string;
  let seq = 0;
  /** Tender ids by their name in these tests. */
  const id: Record<string, string> = {};

  /** Inserts a tender and its lots directly, as the publication step leaves them. */
  async function insert(spec: Spec): Promise<string> {
    seq += 1;
    const tenderId = newId();
    const status = spec.status ?? 'published';
    const [ca, es, en] = spec.title;
    const [dca, des, den] = spec.description ?? ['', '', ''];
    await t.db.db
      .insertInto('tender')
      .values({
        id: tenderId,
        authority_id: spec.authorityId,
        reference: `S-${seq}`,
        status,
        procedure: spec.procedure ?? 'abierto',
        contract_type: spec.contractType ?? 'services',
        title_ca: ca,
        title_es: es,
        title_en: en,
        description_ca: dca,
        description_es: des,
        description_en: den,
        main_cpv: spec.mainCpv,
        estimated_value: spec.value,
        budget_excl_vat: spec.value,
        budget_incl_vat: spec.value,
        tender_deadline: spec.deadline,
        ocid: spec.published ? `ocds-test-${seq}-${tenderId.slice(0, 8)}` : null,
        published_at: spec.published,
        cancelled_at: status === 'cancelled' ? NOW : null,
        created_by: userId,
      })
      .execute();
    let number = 0;
    for (const cpv of spec.lotCpvs ?? [spec.mainCpv]) {
      number += 1;
      await t.db.db
        .insertInto('tender_lot')
        .values({
          id: newId(),
          tender_id: tenderId,
          authority_id: spec.authorityId,
          number,
          title_ca: `Lot ${number}`,
          title_es: `Lote ${number}`,
          title_en: `Lot ${number}`,
          estimated_value: '1000.00',
          budget_excl_vat: '1000.00',
          main_cpv: cpv,
        })
        .execute();
    }
    return tenderId;
  }

  const search = (query: string) => t.app.inject({ method: 'GET', url: `/api/v1/tenders${query}` });
  async function found(query: string): Promise<Result> {
    const res = await search(query);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Result;
  }
  /** The test names of the tenders a search returns, in order. */
  async function names(query: string): Promise<string[]> {
    const byId = new Map(Object.entries(id).map(([k, v]) => [v, k]));
    return (await found(query)).items.map((i) => byId.get(i.id) ?? i.id);
  }
  const sorted = async (query: string) => (await names(query)).sort();

  beforeAll(async () => {
    t = await buildTestApp({ now: NOW });
    a = await makeAuthority(t);
    b = await makeAuthority(t);
    userId = (await makeUser(t, { roles: [{ authorityId: a.id, roles: ['procurement_officer'] }] })).id;

    id.schools = await insert({
      authorityId: a.id,
      title: ['Neteja d’escoles', 'Limpieza de escuelas', 'School cleaning'],
      description: [
        'Col·legis i escoles bressol del municipi',
        'Colegios y escuelas infantiles del municipio',
        'Primary schools and nurseries of the town',
      ],
      mainCpv: '90910000-9',
      lotCpvs: ['90910000-9', '90911200'],
      value: '180000.00',
      deadline: days(20),
      published: days(-5),
    });
    id.gardens = await insert({
      authorityId: b.id,
      title: ['Manteniment de la jardineria', 'Mantenimiento de la jardinería', 'Gardening maintenance'],
      procedure: 'abierto_simplificado',
      mainCpv: '77311000',
      value: '50000.00',
      deadline: days(10),
      published: days(-3),
    });
    id.lighting = await insert({
      authorityId: a.id,
      title: [
        'Subministrament d’enllumenat públic',
        'Suministro de alumbrado público',
        'Public lighting supply',
      ],
      contractType: 'supplies',
      mainCpv: '34928500',
      lotCpvs: ['34928500', '31520000'],
      value: '750000.00',
      deadline: days(40),
      published: days(-1),
    });
    id.market = await insert({
      authorityId: b.id,
      title: [
        'Obres de reforma del Mercat Municipal',
        'Obras de reforma del Mercado Municipal',
        'Refurbishment works of the Municipal Market',
      ],
      status: 'cancelled',
      contractType: 'works',
      mainCpv: '45454000',
      value: '1200000.00',
      deadline: days(5),
      published: days(-10),
    });
    id.streets = await insert({
      authorityId: a.id,
      title: ['Servei de NÉTEJA viària', 'Servicio de LIMPIEZA viaria', 'Street CLEANING service'],
      procedure: 'restringido',
      mainCpv: '90610000',
      lotCpvs: ['90611000', '90612000'],
      value: '300000.00',
      deadline: days(15),
      published: days(-2),
    });
    // Found by a lot's CPV only, and by a word of its description only.
    id.caretaking = await insert({
      authorityId: b.id,
      title: ['Serveis de consergeria', 'Servicios de conserjería', 'Caretaking services'],
      description: [
        'Inclou la neteja dels vestíbuls',
        'Incluye la limpieza de los vestíbulos',
        'Includes cleaning the halls',
      ],
      mainCpv: '98341120',
      lotCpvs: ['98341120', '90910000'],
      value: '95000.50',
      deadline: null,
      published: days(-4),
    });
    // Never public: files before publication, and one cancelled before it was ever published.
    for (const status of ['draft', 'in_approval', 'approved'] as const) {
      id[status] = await insert({
        authorityId: a.id,
        title: ['Neteja d’oficines', 'Limpieza de oficinas', 'Office cleaning'],
        status,
        mainCpv: '90910000',
        value: '100000.00',
        deadline: days(30),
        published: null,
      });
    }
    id.withdrawn = await insert({
      authorityId: a.id,
      title: ['Neteja d’oficines', 'Limpieza de oficinas', 'Office cleaning'],
      status: 'cancelled',
      mainCpv: '90910000',
      value: '100000.00',
      deadline: days(30),
      published: null,
    });
  });
  afterAll(async () => t.close());

  const PUBLIC = ['caretaking', 'gardens', 'lighting', 'market', 'schools', 'streets'];

  it('lists every public tender, newest first, with its authority, and nothing else', async () => {
    const res = await found('');
    expect(res).toMatchObject({ total: 6, page: 1, pageSize: 20, match: 'all' });
    expect(await names('')).toEqual(['lighting', 'streets', 'gardens', 'caretaking', 'schools', 'market']);
    const schools = res.items.find((i) => i.id === id.schools);
    expect(schools).toEqual({
      id: id.schools,
      ocid: expect.stringMatching(/^ocds-test-/),
      authority: {
        id: a.id,
        name: { ca: `Ajuntament ${a.slug}`, es: `Ayuntamiento ${a.slug}`, en: `City of ${a.slug}` },
      },
      title: { ca: 'Neteja d’escoles', es: 'Limpieza de escuelas', en: 'School cleaning' },
      procedure: 'abierto',
      contractType: 'services',
      mainCpv: '90910000-9',
      estimatedValue: '180000.00',
      tenderDeadline: days(20).toISOString(),
      publishedAt: days(-5).toISOString(),
      status: 'published',
    });
    expect(res.items.find((i) => i.id === id.market)?.status).toBe('cancelled');
  });

  describe('words, whatever the accents and the case', () => {
    it.each([
      ['Catalan, as written', 'neteja', ['caretaking', 'schools', 'streets']],
      ['Catalan, with an accent the title lacks', 'Néteja', ['caretaking', 'schools', 'streets']],
      ['Catalan, upper case', 'NETEJA', ['caretaking', 'schools', 'streets']],
      ['Catalan, without the accent of the title', 'enllumenat public', ['lighting']],
      ['Catalan, singular for a plural', 'escola', ['schools']],
      ['Catalan, with function words', 'neteja de les escoles', ['schools']],
      ['Catalan, upper case for a capitalised word', 'MERCAT', ['market']],
      ['Catalan, with the middle dot', 'col·legi', ['schools']],
      ['Catalan, without the middle dot', 'collegis', ['schools']],
      ['Spanish, without the accent', 'jardineria', ['gardens']],
      ['Spanish, with it and in capitals', 'JARDINERÍA', ['gardens']],
      ['Spanish, accent on a word of the title', 'alumbrado público', ['lighting']],
      ['Spanish, lower case for upper case', 'limpieza', ['caretaking', 'schools', 'streets']],
      ['English, plural for a singular', 'schools', ['schools']],
      ['English, upper case', 'LIGHTING', ['lighting']],
      ['English, stemmed', 'cleaned', ['caretaking', 'schools', 'streets']],
      ['part of a word (trigrams)', 'jardi', ['gardens']],
      ['part of a word, accented', 'ENLLUMÉ', ['lighting']],
      ['a quoted phrase', '"school cleaning"', ['schools']],
      ['either word', 'jardineria or mercat', ['gardens', 'market']],
    ])('%s: %s', async (_name, q, want) => {
      expect(await sorted(`?q=${encodeURIComponent(q)}`)).toEqual(want);
    });

    it('says how the words matched: as words first', async () => {
      expect(await found('?q=neteja')).toMatchObject({ match: 'words', correctedQuery: null, total: 3 });
      expect(await found('?q=helicopters')).toMatchObject({ total: 0, items: [], match: 'words' });
    });

    it('falls back to parts of titles when no tender has the words', async () => {
      expect(await found('?q=jardi')).toMatchObject({ match: 'partial', total: 1 });
      // Filters still apply to the fallback.
      expect(await found(`?q=jardi&authority=${a.id}`)).toMatchObject({ match: 'words', total: 0 });
    });

    it('corrects misspelt words against the words of the titles, and says so', async () => {
      const res = await found(`?q=${encodeURIComponent('Enlumenat públic')}`);
      expect(res).toMatchObject({ match: 'similar', correctedQuery: 'enllumenat public' });
      expect(res.items.map((i) => i.id)).toEqual([id.lighting]);
      const typo = await found('?q=jardinria');
      expect(typo).toMatchObject({ match: 'similar', correctedQuery: 'jardineria', total: 1 });
      expect(typo.items[0]?.id).toBe(id.gardens);
      // Nothing close enough: no correction, no results.
      expect(await found('?q=xylophone')).toMatchObject({ match: 'words', correctedQuery: null, total: 0 });
    });

    it('ranks title matches above description matches', async () => {
      const ranked = await names('?q=neteja');
      expect(ranked).toHaveLength(3);
      expect(ranked.at(-1)).toBe('caretaking');
    });

    it('never returns drafts, files in approval, approved files or files cancelled unpublished', async () => {
      expect(await found('?q=oficines')).toMatchObject({ total: 0, items: [] });
      expect(await found('?q=office')).toMatchObject({ total: 0, items: [] });
      expect(await found('?q=offices&status=cancelled')).toMatchObject({ total: 0, items: [] });
      expect(await sorted('?pageSize=100')).toEqual(PUBLIC);
      expect(await sorted(`?cpv=90910000&pageSize=100`)).toEqual(['caretaking', 'schools']);
    });
  });

  describe('filters', () => {
    it.each([
      ['authority', () => `?authority=${a.id}`, ['lighting', 'schools', 'streets']],
      ['authority with words', () => `?authority=${b.id}&q=neteja`, ['caretaking']],
      ['an unknown authority', () => `?authority=${newId()}`, []],
      ['CPV prefix on the main CPV or a lot', () => '?cpv=9091', ['caretaking', 'schools']],
      ['CPV with its check digit', () => '?cpv=90910000-9', ['caretaking', 'schools']],
      ['CPV prefix on lots only', () => '?cpv=9061', ['streets']],
      ['CPV division', () => '?cpv=90', ['caretaking', 'schools', 'streets']],
      ['CPV of a lot', () => '?cpv=31520000', ['lighting']],
      ['procedure', () => '?procedure=restringido', ['streets']],
      ['status cancelled', () => '?status=cancelled', ['market']],
      ['status published', () => '?status=published', PUBLIC.filter((n) => n !== 'market')],
      ['least value', () => '?minValue=300000', ['lighting', 'market', 'streets']],
      ['greatest value, with cents', () => '?maxValue=95000.50', ['caretaking', 'gardens']],
      ['value range', () => '?minValue=95000.51&maxValue=300000.00', ['schools', 'streets']],
      [
        'deadline from',
        () => `?deadlineFrom=${encodeURIComponent(days(15).toISOString())}`,
        ['lighting', 'schools', 'streets'],
      ],
      [
        'deadline range',
        () =>
          `?deadlineFrom=${encodeURIComponent(days(6).toISOString())}&deadlineTo=${encodeURIComponent(days(16).toISOString())}`,
        ['gardens', 'streets'],
      ],
      ['words and filters together', () => '?q=cleaning&cpv=9061&status=published', ['streets']],
    ])('%s', async (_name, query, want) => {
      expect(await sorted(query())).toEqual(want);
      expect((await found(query())).total).toBe(want.length);
    });
  });

  describe('sorting and pages', () => {
    it.each([
      [
        'value, largest first',
        '?sort=value',
        ['market', 'lighting', 'streets', 'schools', 'caretaking', 'gardens'],
      ],
      [
        'value ascending',
        '?sort=value&order=asc',
        ['gardens', 'caretaking', 'schools', 'streets', 'lighting', 'market'],
      ],
      [
        'deadline, closing soonest first, none last',
        '?sort=deadline',
        ['market', 'gardens', 'streets', 'schools', 'lighting', 'caretaking'],
      ],
      [
        'deadline descending, none last',
        '?sort=deadline&order=desc',
        ['lighting', 'schools', 'streets', 'gardens', 'market', 'caretaking'],
      ],
      [
        'published, oldest first',
        '?sort=published&order=asc',
        ['market', 'schools', 'caretaking', 'gardens', 'streets', 'lighting'],
      ],
      ['words sorted by value', '?q=neteja&sort=value&order=asc', ['caretaking', 'schools', 'streets']],
    ])('%s', async (_name, query, want) => {
      expect(await names(query)).toEqual(want);
    });

    it('pages through the results with a stable total and no repeats', async () => {
      const all = await names('?sort=value');
      const pages: string[][] = [];
      for (const page of [1, 2, 3]) {
        const res = await found(`?sort=value&pageSize=2&page=${page}`);
        expect(res).toMatchObject({ total: 6, page, pageSize: 2 });
        pages.push(await names(`?sort=value&pageSize=2&page=${page}`));
      }
      expect(pages.map((p) => p.length)).toEqual([2, 2, 2]);
      expect(pages.flat()).toEqual(all);
      expect(await found('?sort=value&pageSize=2&page=4')).toMatchObject({ total: 6, page: 4, items: [] });
      expect(await found('?pageSize=100')).toMatchObject({ pageSize: 100, total: 6 });
    });
  });

  it('follows publication, edits, lot changes and cancellation in the same transaction', async () => {
    const pests = await insert({
      authorityId: a.id,
      title: ['Desratització del clavegueram', 'Desratización del alcantarillado', 'Sewer pest control'],
      status: 'approved',
      mainCpv: '90922000',
      value: '40000.00',
      deadline: days(25),
      published: null,
    });
    expect((await found('?q=desratitzacio')).total).toBe(0);
    // Publication, as the publication step writes it.
    await t.db.db
      .updateTable('tender')
      .set({ status: 'published', published_at: NOW, ocid: `ocds-test-pests-${seq}` })
      .where('id', '=', pests)
      .execute();
    expect((await found('?q=desratitzacio')).items.map((i) => i.id)).toEqual([pests]);
    expect((await found('?cpv=909220')).items.map((i) => i.id)).toEqual([pests]);
    // A corrected title replaces the old words.
    await t.db.db
      .updateTable('tender')
      .set({ title_en: 'Sewer rodent control' })
      .where('id', '=', pests)
      .execute();
    expect((await found('?q=rodent')).items.map((i) => i.id)).toEqual([pests]);
    expect((await found('?q=pest')).total).toBe(0);
    // A lot's CPV counts once the lot exists, and no longer once it is gone.
    const lotId = newId();
    await t.db.db
      .insertInto('tender_lot')
      .values({
        id: lotId,
        tender_id: pests,
        authority_id: a.id,
        number: 2,
        title_ca: 'Lot 2',
        title_es: 'Lote 2',
        title_en: 'Lot 2',
        estimated_value: '1000.00',
        budget_excl_vat: '1000.00',
        main_cpv: '90923000',
      })
      .execute();
    expect((await found('?cpv=90923')).items.map((i) => i.id)).toEqual([pests]);
    await t.db.db.deleteFrom('tender_lot').where('id', '=', lotId).execute();
    expect((await found('?cpv=90923')).total).toBe(0);
    // Cancelled after publication: still public, shown as cancelled.
    await t.db.db.updateTable('tender').set({ status: 'cancelled' }).where('id', '=', pests).execute();
    expect((await found('?q=rodent')).items.map((i) => [i.id, i.status])).toEqual([[pests, 'cancelled']]);
    // Anything else is not public, whatever its dates say.
    await t.db.db.updateTable('tender').set({ status: 'draft' }).where('id', '=', pests).execute();
    expect((await found('?q=rodent')).total).toBe(0);
    expect((await found('')).total).toBe(6);
  });

  describe('input', () => {
    const hostile = [
      '!!!',
      '&|!():*<->',
      "'",
      "''; DROP TABLE tender; --",
      '"',
      '"unclosed phrase',
      '\\',
      '\\\\\\',
      '%',
      '_%_',
      '%_\\%',
      '-',
      '- - -',
      'or or or',
      'the and of',
      'de la i el',
      '\u0000',
      'neteja\u0000escoles',
      '\t\n\r',
      '\u200b\u00ad',
      '😀🧹',
      'x'.repeat(200),
      `${'neteja '.repeat(28)}`,
      'a:* & b',
      '(((((',
      '<2>',
      "col·legi d'escoles",
      'Ω≈ç√∫',
    ];
    it.each(hostile)('answers %j without a server error', async (q) => {
      const res = await search(`?q=${encodeURIComponent(q)}`);
      expect([200, 400], res.body).toContain(res.statusCode);
      if (res.statusCode === 400) expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
      else expect((res.json() as Result).items.every((i) => i.status !== 'draft')).toBe(true);
    });

    it('answers raw, badly encoded query strings without a server error', async () => {
      for (const raw of [
        '?q=%',
        '?q=%E0%A4%A',
        '?q=%FF%FE',
        '?q=%C0%80',
        '?q=%ED%A0%80',
        '?q=%00',
        '?q=a&q=b',
        '?q[]=x',
        '?q[a]=1',
      ]) {
        const res = await search(raw);
        expect(res.statusCode, `${raw}: ${res.body}`).toBeLessThan(500);
      }
    });

    it.each([
      ['a query too long', `?q=${'x'.repeat(201)}`],
      ['an authority that is not a uuid', '?authority=12'],
      ['a CPV of one digit', '?cpv=9'],
      ['a CPV with letters', '?cpv=90a1'],
      ['a CPV too long', '?cpv=909100001'],
      ['an unknown procedure', '?procedure=subasta'],
      ['a status that is not public', '?status=draft'],
      ['a negative value', '?minValue=-1'],
      ['a value in exponent form', '?minValue=1e5'],
      ['three decimals', '?maxValue=10.005'],
      ['a value that is not a number', '?maxValue=lots'],
      ['a date without a time', '?deadlineFrom=2026-12-01'],
      ['an impossible date', '?deadlineTo=2026-02-30T10:00:00Z'],
      ['an unknown sort', '?sort=title'],
      ['an unknown direction', '?order=up'],
      ['page 0', '?page=0'],
      ['a page that is not a number', '?page=two'],
      ['a page size above 100', '?pageSize=101'],
      ['a page size of 0', '?pageSize=0'],
      ['an unknown parameter', '?colour=blue'],
      ['a repeated parameter', '?status=published&status=cancelled'],
      ['minValue above maxValue', '?minValue=10.01&maxValue=10'],
      ['deadlineFrom after deadlineTo', '?deadlineFrom=2026-12-02T00:00:00Z&deadlineTo=2026-12-01T00:00:00Z'],
    ])('refuses %s with 400', async (_name, query) => {
      const res = await search(query);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('treats an empty or blank query as no query', async () => {
      expect((await found('?q=')).total).toBe(6);
      expect((await found('?q=%20%20')).total).toBe(6);
    });

    it('is public: a signed-out caller gets the same answer', async () => {
      const res = await search('?q=neteja');
      expect(res.statusCode).toBe(200);
      expect(res.headers['set-cookie']).toBeUndefined();
    });
  });
});
