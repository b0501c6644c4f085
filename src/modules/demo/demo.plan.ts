import type { ServiceContext } from '../../platform/context.js';
import type { Tx } from '../../platform/db/tx.js';
import { newId } from '../../platform/ids.js';
import { recordEvent } from '../audit/audit.service.js';
import { quarterOf } from '../plan/planned-contract.rules.js';

type Names = { ca: string; es: string; en: string };
type DemoItem = {
  title: Names;
  description: Names;
  contractType: 'works' | 'supplies' | 'services';
  procedure: 'abierto' | 'abierto_simplificado' | 'abierto_simplificado_abreviado' | 'menor';
  cpv: string;
  value: string;
  lots: number;
  reserved: number;
};

const n = (ca: string, es: string, en: string): Names => ({ ca, es, en });

/** Typical municipal contracts, with CPVs from the demo subset (cpv.demo.ts). */
const ITEMS: readonly DemoItem[] = [
  {
    title: n(
      'Neteja d’edificis municipals',
      'Limpieza de edificios municipales',
      'Cleaning of municipal buildings',
    ),
    description: n(
      'Escoles, biblioteques i equipaments esportius.',
      'Escuelas, bibliotecas y equipamientos deportivos.',
      'Schools, libraries and sports facilities.',
    ),
    contractType: 'services',
    procedure: 'abierto',
    cpv: '90910000-9',
    value: '1450000.00',
    lots: 4,
    reserved: 1,
  },
  {
    title: n(
      'Manteniment de parcs i jardins',
      'Mantenimiento de parques y jardines',
      'Maintenance of parks and gardens',
    ),
    description: n(
      'Poda, reg i plantació d’arbrat viari.',
      'Poda, riego y plantación de arbolado viario.',
      'Pruning, watering and street tree planting.',
    ),
    contractType: 'services',
    procedure: 'abierto',
    cpv: '77310000-6',
    value: '620000.00',
    lots: 2,
    reserved: 1,
  },
  {
    title: n('Enllumenat públic LED', 'Alumbrado público LED', 'LED street lighting'),
    description: n(
      'Substitució de lluminàries per LED.',
      'Sustitución de luminarias por LED.',
      'Replacement of luminaires with LED.',
    ),
    contractType: 'works',
    procedure: 'abierto_simplificado',
    cpv: '45000000-7',
    value: '980000.00',
    lots: 1,
    reserved: 0,
  },
  {
    title: n(
      'Subministrament de material d’oficina',
      'Suministro de material de oficina',
      'Supply of office material',
    ),
    description: n(
      'Paper, consumibles i petit material.',
      'Papel, consumibles y pequeño material.',
      'Paper, consumables and small items.',
    ),
    contractType: 'supplies',
    procedure: 'abierto_simplificado_abreviado',
    cpv: '30000000-9',
    value: '48000.00',
    lots: 2,
    reserved: 0,
  },
  {
    title: n(
      'Activitats culturals d’estiu',
      'Actividades culturales de verano',
      'Summer cultural activities',
    ),
    description: n(
      'Programació de places i biblioteques.',
      'Programación de plazas y bibliotecas.',
      'Programme in squares and libraries.',
    ),
    contractType: 'services',
    procedure: 'abierto_simplificado',
    cpv: '92000000-1',
    value: '120000.00',
    lots: 3,
    reserved: 1,
  },
  {
    title: n(
      'Formació digital per a la ciutadania',
      'Formación digital para la ciudadanía',
      'Digital skills training for residents',
    ),
    description: n(
      'Cursos als centres cívics.',
      'Cursos en los centros cívicos.',
      'Courses in civic centres.',
    ),
    contractType: 'services',
    procedure: 'menor',
    cpv: '80000000-4',
    value: '14000.00',
    lots: 1,
    reserved: 0,
  },
];

/**
 * Seeds a procurement plan of six planned contracts per authority (LCSP art. 28.4), spread over
 * the coming quarters, created by the authority's procurement officer and audited like any
 * change. Authorities that already have a plan, or no officer, are left as they are. Returns the
 * number of entries created. The CPV subset must be loaded first (the demo seed does it).
 */
export async function seedDemoPlan(trx: Tx, ctx: Omit<ServiceContext, 'db'>): Promise<number> {
  const authorities = await trx.selectFrom('authority').select('id').orderBy('slug').execute();
  const { year, quarter } = quarterOf(ctx.clock.now(), 'Europe/Madrid');
  let created = 0;
  for (const [i, a] of authorities.entries()) {
    const existing = await trx
      .selectFrom('planned_contract')
      .select('id')
      .where('authority_id', '=', a.id)
      .limit(1)
      .executeTakeFirst();
    if (existing) continue;
    const officer = await trx
      .selectFrom('membership')
      .select('user_id')
      .where('authority_id', '=', a.id)
      .where((eb) => eb(eb.val('procurement_officer'), '=', eb.fn.any('roles')))
      .limit(1)
      .executeTakeFirst();
    if (!officer) continue;
    for (const [j, item] of ITEMS.entries()) {
      // From the current quarter on, a different spread per authority.
      const offset = (i + j) % 6;
      const q = ((quarter - 1 + offset) % 4) + 1;
      const y = year + Math.floor((quarter - 1 + offset) / 4);
      const id = newId();
      await trx
        .insertInto('planned_contract')
        .values({
          id,
          authority_id: a.id,
          created_by: officer.user_id,
          title_ca: item.title.ca,
          title_es: item.title.es,
          title_en: item.title.en,
          description_ca: item.description.ca,
          description_es: item.description.es,
          description_en: item.description.en,
          contract_type: item.contractType,
          procedure: item.procedure,
          main_cpv: item.cpv,
          estimated_value: item.value,
          expected_year: y,
          expected_quarter: q,
          lot_count: item.lots,
          reserved_lots: item.reserved,
        })
        .execute();
      await recordEvent(trx, ctx, {
        action: 'planned_contract.created',
        objectType: 'planned_contract',
        objectId: id,
        authorityId: a.id,
        isPublic: true,
        data: { title: item.title.ca, procedure: item.procedure, expectedYear: y, expectedQuarter: q },
      });
      created += 1;
    }
  }
  return created;
}
