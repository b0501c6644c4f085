import { seedDemoCustodianKeys } from './demo.custody.js';
import { seedMinorContracts } from './demo.minor.js';
import { seedDemoPlan } from './demo.plan.js';
import path from 'node:path';
import type { AuthorityRole, CompanyRole, ServiceContext } from '../../platform/context.js';
import { loadConfig } from '../../platform/config.js';
import type { Db } from '../../platform/db/client.js';
import { withTransaction } from '../../platform/db/tx.js';
import { newId } from '../../platform/ids.js';
import { recordEvent } from '../audit/audit.service.js';
import { hashPassword } from '../identity/password.js';
import { DEMO_CPV } from '../cpv/cpv.demo.js';
import { loadCpv } from '../cpv/cpv.import.js';
import { findUserByEmail, insertUser } from '../identity/user.repo.js';
import { type BlobStore, fsBlobStore } from '../../platform/storage/blob-store.js';
import { seedDemoTenders } from './demo.tenders.js';

/** The one password of every demo account. Demo data only: never seed it in production. */
export const DEMO_PASSWORD = 'contracta-demo-2026';
export const DEMO_PLATFORM_ADMIN = 'platform@contracta.example';

/**
 * The seven cities that bought the platform together (2018). DIR3 codes follow the L01 + INE
 * pattern and OCID prefixes are placeholders: both must be checked before real use.
 */
const CITIES = [
  {
    slug: 'barcelona',
    ca: 'Ajuntament de Barcelona',
    es: 'Ayuntamiento de Barcelona',
    en: 'Barcelona City Council',
    dir3: 'L01080193',
    ocid: 'ocds-ctbcn1',
    domain: 'barcelona',
  },
  {
    slug: 'gava',
    ca: 'Ajuntament de Gavà',
    es: 'Ayuntamiento de Gavà',
    en: 'Gavà City Council',
    dir3: 'L01080898',
    ocid: 'ocds-ctgava',
    domain: 'gava',
  },
  {
    slug: 'girona',
    ca: 'Ajuntament de Girona',
    es: 'Ayuntamiento de Girona',
    en: 'Girona City Council',
    dir3: 'L01170792',
    ocid: 'ocds-ctgiro',
    domain: 'girona',
  },
  {
    slug: 'granollers',
    ca: 'Ajuntament de Granollers',
    es: 'Ayuntamiento de Granollers',
    en: 'Granollers City Council',
    dir3: 'L01080961',
    ocid: 'ocds-ctgran',
    domain: 'granollers',
  },
  {
    slug: 'mataro',
    ca: 'Ajuntament de Mataró',
    es: 'Ayuntamiento de Mataró',
    en: 'Mataró City Council',
    dir3: 'L01081213',
    ocid: 'ocds-ctmata',
    domain: 'mataro',
  },
  {
    slug: 'premia-de-mar',
    ca: 'Ajuntament de Premià de Mar',
    es: 'Ayuntamiento de Premià de Mar',
    en: 'Premià de Mar Town Council',
    dir3: 'L01081724',
    ocid: 'ocds-ctprem',
    domain: 'premiademar',
    // A small council: the secretary's legal report and the intervention's control, no separate technical step.
    chain: ['approver_legal', 'approver_financial'],
  },
  {
    slug: 'terrassa',
    ca: 'Ajuntament de Terrassa',
    es: 'Ayuntamiento de Terrassa',
    en: 'Terrassa City Council',
    dir3: 'L01082798',
    ocid: 'ocds-ctterr',
    domain: 'terrassa',
  },
] as const;

/** The staff of each city: one user per role, with the local part of their e-mail address. */
type StaffMember = { local: string; name: string; roles: AuthorityRole[] };

/** Barcelona's staff, named: the accounts shown when the demo starts. */
const BARCELONA_STAFF: StaffMember[] = [
  { local: 'admin', name: 'Núria Puig (administració)', roles: ['authority_admin'] },
  { local: 'officer', name: 'Jordi Soler (contractació)', roles: ['procurement_officer'] },
  { local: 'technical', name: 'Marta Vidal (aprovació tècnica)', roles: ['approver_technical'] },
  { local: 'legal', name: 'Pere Font (assessoria jurídica)', roles: ['approver_legal'] },
  { local: 'financial', name: 'Laia Roca (intervenció)', roles: ['approver_financial'] },
  { local: 'committee', name: 'Oriol Serra (mesa de contractació)', roles: ['committee_member'] },
  { local: 'custodian1', name: 'Anna Ferrer (custòdia de claus)', roles: ['key_custodian'] },
  {
    local: 'custodian2',
    name: 'Xavier Martí (custòdia de claus)',
    roles: ['key_custodian', 'committee_member'],
  },
  { local: 'custodian3', name: 'Carme Pujol (custòdia de claus)', roles: ['key_custodian'] },
  { local: 'auditor', name: 'Joan Riera (auditoria)', roles: ['auditor'] },
];

/**
 * The other cities get the same roles, so that each can run its own approval chain (technical →
 * legal → financial control) and open bids with two custodians of three. Their officer also sits
 * on the committee, as in a small council's contracting office.
 */
const OTHER_STAFF_NAMES: Record<string, string[]> = {
  gava: [
    'Montserrat Vidal',
    'Albert Casals',
    'Rosa Mas',
    'Francesc Bosch',
    'Teresa Camps',
    'Jaume Pons',
    'Glòria Sala',
    'Ramon Riba',
    'Elena Costa',
    'Miquel Vilà',
  ],
  girona: [
    'Mireia Coll',
    'Narcís Prat',
    'Dolors Quintana',
    'Joaquim Badia',
    'Sílvia Planas',
    'Enric Masó',
    'Rut Pagès',
    'Arnau Dalmau',
    'Imma Gispert',
    'Salvador Comas',
  ],
  granollers: [
    'Pilar Estrada',
    'David Cortés',
    'Núria Garriga',
    'Marc Roura',
    'Eulàlia Solé',
    'Jordi Parera',
    'Anna Tarrés',
    'Pau Vilaró',
    'Judit Bonet',
    'Lluís Canal',
  ],
  mataro: [
    'Carme Sanmartí',
    'Toni Cabot',
    'Isabel Mora',
    'Ricard Farrés',
    'Marta Llobet',
    'Sergi Gual',
    'Laura Rovira',
    'Guillem Bassols',
    'Neus Arenas',
    'Oriol Ventura',
  ],
  'premia-de-mar': [
    'Rosa Maria Alsina',
    'Xavier Coma',
    'Cristina Gil',
    'Manel Bertran',
    'Ester Soldevila',
    'Joan Carles Mir',
    'Meritxell Font',
    'Jaume Abril',
    'Lídia Roig',
    'Andreu Serrat',
  ],
  terrassa: [
    'Maria Àngels Duran',
    'Josep Maria Sala',
    'Olga Ribas',
    'Víctor Ibáñez',
    'Gemma Puigcercós',
    'Àlex Rius',
    'Berta Domènech',
    'Ferran Vives',
    'Clara Nadal',
    'Quim Escudé',
  ],
};

function staffOf(slug: string): StaffMember[] {
  const names = OTHER_STAFF_NAMES[slug];
  if (!names) return BARCELONA_STAFF;
  return BARCELONA_STAFF.map((s, i) => ({
    local: s.local,
    name: `${names[i] ?? s.local}${s.name.slice(s.name.indexOf(' ('))}`,
    roles: s.local === 'officer' ? ['procurement_officer', 'committee_member'] : s.roles,
  }));
}

const COMPANIES: {
  name: string;
  taxId: string;
  sme: boolean;
  locality: string;
  postal: string;
  cpv: string[];
  user: string;
  roles: CompanyRole[];
}[] = [
  {
    name: 'Neteges del Vallès SL',
    taxId: 'B65123457',
    sme: true,
    locality: 'Terrassa',
    postal: '08221',
    cpv: ['90910000'],
    user: 'admin@neteges-valles.example',
    roles: ['company_admin'],
  },
  {
    name: 'Jardins i Paisatge Maresme SL',
    taxId: 'B08765430',
    sme: true,
    locality: 'Mataró',
    postal: '08301',
    cpv: ['77310000'],
    user: 'admin@jardins-maresme.example',
    roles: ['company_admin'],
  },
  {
    name: 'Obres i Serveis Gironins SL',
    taxId: 'B17223348',
    sme: true,
    locality: 'Girona',
    postal: '17001',
    cpv: ['45000000'],
    user: 'admin@obres-gironins.example',
    roles: ['company_admin'],
  },
  {
    name: 'Cooperativa Dades Obertes SCCL',
    taxId: 'B08998874',
    sme: true,
    locality: 'Barcelona',
    postal: '08005',
    cpv: ['72000000', '48000000'],
    user: 'admin@dadesobertes.example',
    roles: ['company_admin'],
  },
  {
    name: 'Construcciones Ibéricas SA',
    taxId: 'A28000016',
    sme: false,
    locality: 'Madrid',
    postal: '28001',
    cpv: ['45000000'],
    user: 'admin@construcciones-ibericas.example',
    roles: ['company_admin'],
  },
  {
    name: 'Serveis Urbans Metropolitans SA',
    taxId: 'A08121212',
    sme: false,
    locality: 'Barcelona',
    postal: '08018',
    cpv: ['90500000', '90610000'],
    user: 'admin@serveis-urbans.example',
    roles: ['company_admin'],
  },
  {
    name: 'Solutions Numériques SAS',
    taxId: 'FR40303265045',
    sme: false,
    locality: 'Lyon',
    postal: '69002',
    cpv: ['72000000'],
    user: 'admin@solutions-numeriques.example',
    roles: ['company_admin'],
  },
];

export type SeedSummary = {
  seeded: boolean;
  platformAdmin: string;
  examples: { role: string; email: string }[];
  /** Demo procurement files added by this run. */
  tenders: number;
};

export type SeedOptions = {
  /** Where the demo documents go: the app's store. Default: `<CONTRACTA_DATA_DIR>/blobs`, as the app's default. */
  store?: BlobStore | undefined;
  /**
   * False seeds only cities, staff and companies. The procurement files take a few seconds (each
   * goes through the real use-cases); a caller can start serving first and run the seed again
   * afterwards, which then adds just the files.
   */
  tenders?: boolean | undefined;
  /**
   * Where the demo key custodians' private identities are written, one `<email>.txt` each
   * (demo.custody.ts). Default: `<CONTRACTA_DATA_DIR>/demo-custodian-identities`; null keeps none.
   */
  custodianIdentitiesDir?: string | null | undefined;
};

/**
 * Seeds the demo once. Cities, staff and companies go in when there is no authority yet, in one
 * transaction with their audit events, like any other change; a database with authorities is left
 * as it is. Then, on a demo database only (the demo platform administrator exists), the demo
 * procurement files that are missing are added through the tender use-cases (demo.tenders.ts),
 * so a second run adds nothing.
 */
export async function seedDemo(
  db: Db,
  ctx: Omit<ServiceContext, 'db'>,
  options: SeedOptions = {},
): Promise<SeedSummary> {
  const examples = [
    { role: 'platform_admin', email: DEMO_PLATFORM_ADMIN },
    ...BARCELONA_STAFF.map((s) => ({ role: s.roles.join('+'), email: `${s.local}@barcelona.example` })),
    { role: 'company_admin (SME)', email: COMPANIES[0]?.user ?? '' },
    { role: 'bidder', email: 'bidder@neteges-valles.example' },
  ];
  const existing = await db.selectFrom('authority').select('id').limit(1).executeTakeFirst();
  if (existing) {
    if (!(await findUserByEmail(db, DEMO_PLATFORM_ADMIN))) {
      return { seeded: false, platformAdmin: DEMO_PLATFORM_ADMIN, examples, tenders: 0 };
    }
    await seedPlanAndMinor(db, ctx);
    await seedCustodianKeys(db, ctx, options);
    const tenders = options.tenders === false ? 0 : await seedTenders(db, ctx, options);
    return { seeded: tenders > 0, platformAdmin: DEMO_PLATFORM_ADMIN, examples, tenders };
  }
  // One hash for all demo users: scrypt is deliberately slow, and the password is the same.
  const hash = await hashPassword(DEMO_PASSWORD);
  await withTransaction(db, async (trx) => {
    const audit = (input: Parameters<typeof recordEvent>[2]) => recordEvent(trx, ctx, input);
    const user = async (email: string, name: string, isPlatformAdmin = false) => {
      const id = newId();
      await insertUser(trx, { id, email, name, passwordHash: hash, isPlatformAdmin });
      await audit({ action: 'user.created', objectType: 'user', objectId: id, data: { email } });
      return id;
    };
    await user(DEMO_PLATFORM_ADMIN, 'Administració de la plataforma', true);
    // Reference data, not an audited change: the vocabulary tenders are classified with.
    await loadCpv(trx, DEMO_CPV);
    const consortiumId = newId();
    await trx
      .insertInto('consortium')
      .values({
        id: consortiumId,
        slug: 'consorci-contractacio-2018',
        name_ca: 'Compra conjunta de contractació electrònica (2018)',
        name_es: 'Compra conjunta de contratación electrónica (2018)',
        name_en: 'Joint e-procurement purchase (2018)',
      })
      .execute();
    await audit({
      action: 'consortium.created',
      objectType: 'consortium',
      objectId: consortiumId,
      isPublic: true,
      data: { slug: 'consorci-contractacio-2018' },
    });
    for (const c of CITIES) {
      const authorityId = newId();
      await trx
        .insertInto('authority')
        .values({
          id: authorityId,
          slug: c.slug,
          consortium_id: consortiumId,
          name_ca: c.ca,
          name_es: c.es,
          name_en: c.en,
          dir3_code: c.dir3,
          ocid_prefix: c.ocid,
          // Barcelona caps price at 35 % of the score (its public-procurement decree); the others keep the default too.
          price_weight_cap: '35.00',
          ...('chain' in c ? { approval_chain: [...c.chain] } : {}),
        })
        .execute();
      await audit({
        action: 'authority.created',
        objectType: 'authority',
        objectId: authorityId,
        authorityId,
        isPublic: true,
        data: { slug: c.slug, dir3Code: c.dir3, ocidPrefix: c.ocid },
      });
      const staff = staffOf(c.slug);
      for (const s of staff) {
        const userId = await user(`${s.local}@${c.domain}.example`, s.name);
        await trx
          .insertInto('membership')
          .values({ authority_id: authorityId, user_id: userId, roles: s.roles })
          .execute();
        await audit({
          action: 'membership.granted',
          objectType: 'membership',
          objectId: `${authorityId}:${userId}`,
          authorityId,
          data: { userId, roles: s.roles },
        });
      }
      if (c.slug === 'barcelona') {
        // Local holidays of 2026 (Segona Pasqua and La Mercè); the calendar module adds national and Catalan ones.
        await trx
          .insertInto('authority_holiday')
          .values([
            { authority_id: authorityId, day: '2026-05-25', name: 'Segona Pasqua' },
            { authority_id: authorityId, day: '2026-09-24', name: 'La Mercè' },
          ])
          .execute();
      }
    }
    for (const co of COMPANIES) {
      const companyId = newId();
      await trx
        .insertInto('company')
        .values({
          id: companyId,
          legal_name: co.name,
          tax_id: co.taxId,
          tax_id_kind: co.taxId.startsWith('FR') ? 'VAT' : 'CIF',
          country: co.taxId.startsWith('FR') ? 'FR' : 'ES',
          is_sme: co.sme,
          street: 'Carrer Major, 1',
          locality: co.locality,
          postal_code: co.postal,
          cpv_interests: co.cpv,
        })
        .execute();
      await audit({
        action: 'company.registered',
        objectType: 'company',
        objectId: companyId,
        companyId,
        data: { taxId: co.taxId, legalName: co.name, isSme: co.sme },
      });
      const adminId = await user(co.user, `Administració (${co.name})`);
      await trx
        .insertInto('company_member')
        .values({ company_id: companyId, user_id: adminId, roles: co.roles })
        .execute();
      await trx
        .insertInto('company_email')
        .values({ id: newId(), company_id: companyId, email: co.user })
        .execute();
      if (co === COMPANIES[0]) {
        const bidderId = await user('bidder@neteges-valles.example', 'Licitadora (Neteges del Vallès)');
        await trx
          .insertInto('company_member')
          .values({ company_id: companyId, user_id: bidderId, roles: ['bidder'] })
          .execute();
      }
    }
  });
  await seedPlanAndMinor(db, ctx);
  await seedCustodianKeys(db, ctx, options);
  const tenders = options.tenders === false ? 0 : await seedTenders(db, ctx, options);
  return { seeded: true, platformAdmin: DEMO_PLATFORM_ADMIN, examples, tenders };
}

/** The procurement plans and a few minor contracts: quick, each skipped where it exists already. */
async function seedPlanAndMinor(db: Db, ctx: Omit<ServiceContext, 'db'>): Promise<void> {
  await withTransaction(db, async (trx) => {
    await seedDemoPlan(trx, ctx);
    await seedMinorContracts(trx, ctx);
  });
}

/** Public keys for the demo custodians that have none (the files' publication needs them). */
async function seedCustodianKeys(
  db: Db,
  ctx: Omit<ServiceContext, 'db'>,
  options: SeedOptions,
): Promise<void> {
  const dir =
    options.custodianIdentitiesDir === undefined
      ? path.join(loadConfig().dataDir, 'demo-custodian-identities')
      : (options.custodianIdentitiesDir ?? undefined);
  await seedDemoCustodianKeys(db, ctx, dir);
}

async function seedTenders(db: Db, ctx: Omit<ServiceContext, 'db'>, options: SeedOptions): Promise<number> {
  const result = await seedDemoTenders(db, ctx, {
    store: options.store ?? fsBlobStore(path.join(loadConfig().dataDir, 'blobs')),
    domains: new Map(CITIES.map((c) => [c.slug, c.domain])),
  });
  return result.created;
}
