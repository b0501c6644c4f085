import type { AuthorityRole, CompanyRole, ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { withTransaction } from '../../platform/db/tx.js';
import { newId } from '../../platform/ids.js';
import { recordEvent } from '../audit/audit.service.js';
import { hashPassword } from '../identity/password.js';
import { DEMO_CPV } from '../cpv/cpv.demo.js';
import { insertUser } from '../identity/user.repo.js';

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

/** One staff user per role in Barcelona; an administrator and an officer in the other cities. */
const BARCELONA_STAFF: { local: string; name: string; roles: AuthorityRole[] }[] = [
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
};

/**
 * Seeds the demo once: if any authority exists the database is left as it is. Runs in one
 * transaction with its audit events, like any other change.
 */
export async function seedDemo(db: Db, ctx: Omit<ServiceContext, 'db'>): Promise<SeedSummary> {
  const examples = [
    { role: 'platform_admin', email: DEMO_PLATFORM_ADMIN },
    ...BARCELONA_STAFF.map((s) => ({ role: s.roles.join('+'), email: `${s.local}@barcelona.example` })),
    { role: 'company_admin (SME)', email: COMPANIES[0]?.user ?? '' },
    { role: 'bidder', email: 'bidder@neteges-valles.example' },
  ];
  const existing = await db.selectFrom('authority').select('id').limit(1).executeTakeFirst();
  if (existing) return { seeded: false, platformAdmin: DEMO_PLATFORM_ADMIN, examples };
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
    await trx
      .insertInto('cpv_code')
      .values(
        DEMO_CPV.map((c) => ({
          code: c.code,
          check_digit: c.checkDigit,
          label_ca: c.ca,
          label_es: c.es,
          label_en: c.en,
        })),
      )
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
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
      const staff =
        c.slug === 'barcelona'
          ? BARCELONA_STAFF
          : [
              {
                local: 'admin',
                name: `Administració (${c.ca})`,
                roles: ['authority_admin'] as AuthorityRole[],
              },
              {
                local: 'officer',
                name: `Contractació (${c.ca})`,
                roles: ['procurement_officer', 'committee_member'] as AuthorityRole[],
              },
            ];
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
  return { seeded: true, platformAdmin: DEMO_PLATFORM_ADMIN, examples };
}
