import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import type { ServiceContext, UserActor } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { type Tx, withTransaction } from '../../platform/db/tx.js';
import { Dec } from '../../platform/money.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import { samplePdf } from '../../platform/storage/sample-files.js';
import {
  addBusinessDays,
  addCalendarDays,
  type Calendar,
  isBusinessDay,
  type LocalDate,
  localDate,
  periodEnd,
} from '../calendar/calendar.rules.js';
import { authorityCalendar } from '../calendar/calendar.service.js';
import type { AbnormalRule } from '../evaluation/abnormal.types.js';
import type { FormulaSpec } from '../evaluation/formula.types.js';
import { findUserByEmail, loadRoles } from '../identity/user.repo.js';
import { isHarmonised, minimumTenderPeriod } from '../procedures/procedure.rules.js';
import type { ContractType, PeriodRule, ProcedureCode } from '../procedures/procedure.types.js';
import { recordDocument, storeDocumentContent } from '../tenders/tender-document.service.js';
import { answerQuestion, askQuestion, setFollow } from '../tenders/tender-public.service.js';
import type { TenderInput } from '../tenders/tender.input.js';
import { createTender, updateTender } from '../tenders/tender.service.js';
import type { CriterionEvaluation, CriterionKind, DocumentKind } from '../tenders/tender.types.js';
import {
  cancelTender,
  decideApproval,
  publishCorrigendum,
  publishTender,
  setAssignments,
  submitTender,
} from '../tenders/tender-workflow.service.js';

/**
 * Demo procurement files for the seven cities, in every state a file can be in: drafts (one of them
 * sent back by the legal service), files part-way through the approval chain, approved files
 * waiting for publication, published tenders with their deadline open or passed, with corrigenda
 * (a substantial one extends the deadline, art. 136.2 LCSP) and with questions answered or not,
 * and cancelled files (desistimiento and renuncia, art. 152).
 *
 * Every file goes through the real use-cases, acted by the city's staff with the role each step
 * needs, on a clock set to the moment of the step: the audit trail, the frozen notices and the
 * approvals are the ones a real file would leave. The dates are relative to the seed's own clock
 * (the real date on first start), so that open tenders stay open when someone tries the demo:
 * deadlines are computed on each city's business-day calendar from the minimum period of the
 * procedure (arts. 156, 159).
 */

type Names = { ca: string; es: string; en: string };
type Criterion = {
  kind: CriterionKind;
  evaluation: CriterionEvaluation;
  weight: string;
  name: Names;
  formula?: FormulaSpec;
};

const n = (ca: string, es: string, en: string): Names => ({ ca, es, en });

/**
 * Price: proporcional inversa (F1, procurement-rules.md §5), the formula of the State's template
 * clause, two decimals as most pliegos state.
 */
const PRICE_FORMULA: FormulaSpec = {
  kind: 'price',
  formula: 'F1',
  params: {},
  decimals: 2,
  zeroDivisor: 'all_zero',
};

const price = (weight: string): Criterion => ({
  kind: 'price',
  evaluation: 'formula',
  weight,
  name: n('Preu', 'Precio', 'Price'),
  formula: PRICE_FORMULA,
});
/** A formula criterion other than price: the scale its notice declares (see SCALES), proportional by default. */
const formula = (weight: string, name: Names): Criterion => ({
  kind: 'quality',
  evaluation: 'formula',
  weight,
  name,
  formula: SCALES.get(name) ?? PROPORTIONAL,
});
const judgement = (weight: string, name: Names): Criterion => ({
  kind: 'quality',
  evaluation: 'judgement',
  weight,
  name,
});

/** Points in proportion to the best figure offered (a share of the fleet, of organic food, …). */
const PROPORTIONAL: FormulaSpec = {
  kind: 'scale',
  scale: 'proportional',
  direction: 'higher_better',
  params: {},
  decimals: 2,
  zeroDivisor: 'all_zero',
};

/**
 * The parameters of abnormally low offers for lots with several criteria (art. 149.2.b): the
 * offer as a whole, here its price more than 10 units below the mean of the offers.
 */
const ABNORMAL_NOTICE: AbnormalRule = {
  kind: 'notice',
  tests: [{ kind: 'percent_below_mean', units: '10' }],
};

// Criteria names used by several files.
const ZERO_EMISSIONS = n(
  'Vehicles i maquinària de zero emissions',
  'Vehículos y maquinaria de cero emisiones',
  'Zero-emission vehicles and machinery',
);
const SOCIAL_INCLUSION = n(
  'Contractació de persones en risc d’exclusió social',
  'Contratación de personas en riesgo de exclusión social',
  'Hiring of people at risk of social exclusion',
);
const GUARANTEE = n(
  'Ampliació del termini de garantia',
  'Ampliación del plazo de garantía',
  'Extended guarantee period',
);
const SHORTER_WORKS = n(
  'Reducció del termini d’execució',
  'Reducción del plazo de ejecución',
  'Shorter completion time',
);
const SERVICE_PLAN = n(
  'Projecte tècnic d’organització del servei',
  'Proyecto técnico de organización del servicio',
  'Technical plan for the organisation of the service',
);
const WORKS_PLAN = n(
  'Memòria constructiva i pla d’obra',
  'Memoria constructiva y plan de obra',
  'Construction report and works plan',
);
const ORGANIC_LOCAL = n(
  'Aliments ecològics i de proximitat',
  'Alimentos ecológicos y de proximidad',
  'Organic and locally sourced food',
);
const ENERGY_EFFICIENCY = n(
  'Eficiència lumínica de les lluminàries (lm/W)',
  'Eficiencia lumínica de las luminarias (lm/W)',
  'Luminous efficacy of the luminaires (lm/W)',
);
const RESPONSE_TIME = n(
  'Temps de resposta davant d’incidències',
  'Tiempo de respuesta ante incidencias',
  'Incident response time',
);
const CARE_PROJECT = n(
  'Projecte tècnic d’atenció a les persones',
  'Proyecto técnico de atención a las personas',
  'Technical plan for the care of service users',
);
const TEAM_STABILITY = n(
  'Estabilitat i formació de l’equip professional',
  'Estabilidad y formación del equipo profesional',
  'Stability and training of the professional team',
);

const linear = (direction: 'higher_better' | 'lower_better', worst: string, best: string): FormulaSpec => ({
  kind: 'scale',
  scale: 'linear',
  direction,
  params: { worst, best },
  decimals: 2,
});
const steps = (list: [string, string][]): FormulaSpec => ({
  kind: 'scale',
  scale: 'threshold',
  direction: 'higher_better',
  params: { steps: list.map(([value, share]) => ({ value, share })) },
  decimals: 2,
});

/** The scales the demo notices declare for the shared formula criteria. */
const SCALES = new Map<Names, FormulaSpec>([
  // People hired: 1 earns half the points, 3 or more all of them.
  [
    SOCIAL_INCLUSION,
    steps([
      ['1', '0.5'],
      ['3', '1'],
    ]),
  ],
  // Extra months of guarantee, up to 24.
  [GUARANTEE, linear('higher_better', '0', '24')],
  // Days cut from the completion time, up to 30.
  [SHORTER_WORKS, linear('higher_better', '0', '30')],
  // Luminous efficacy: 100 lm/W earns nothing, 160 lm/W all the points.
  [ENERGY_EFFICIENCY, linear('higher_better', '100', '160')],
  // Hours to respond: 48 earns nothing, 4 or less all the points.
  [RESPONSE_TIME, linear('lower_better', '48', '4')],
  // Staff kept from the current team, percent: half the points from 50 %, all from 80 %.
  [
    TEAM_STABILITY,
    steps([
      ['50', '0.5'],
      ['80', '1'],
    ]),
  ],
]);

type AskEvent = {
  day: number;
  do: 'ask';
  /** A company user (company_admin or bidder): the company stays private in public pages. */
  by: string;
  text: string;
  answer?: { day: number; text: string };
};
type AfterEvent =
  | AskEvent
  | { day: number; do: 'follow'; by: string }
  | { day: number; do: 'correct'; substantial: boolean; reason: string; description: Names }
  | { day: number; do: 'cancel'; kind: 'desistimiento' | 'renuncia'; reason: string };

type FileSpec = {
  /** Number of the file in the city's register; the reference is `<num>/<year of creation>`. */
  num: string;
  procedure: ProcedureCode;
  contractType: ContractType;
  title: Names;
  description: Names;
  cpv: string;
  additionalCpvs?: string[];
  /** Base budget (presupuesto base de licitación) excluding VAT, for the initial duration. */
  budget: string;
  /** Foreseen extensions (prórrogas, art. 29.2), as a multiple of the budget: 1 doubles the term. */
  extensions: string;
  /** Modifications foreseen in the PCAP, percent of the budget (art. 204.1: at most 20). */
  modifications: string;
  /** VAT rate, percent. */
  vat: string;
  months: number;
  socialServices?: boolean;
  /** Lots and their share of the value, percent; a single lot needs its justification (art. 99.3). */
  lots: { title: Names; share: string; cpv?: string }[];
  singleLotJustification?: string;
  criteria: Criterion[];
  stage: 'draft' | 'returned' | 'in_approval' | 'approved' | 'published';
  /** Steps of the chain already approved, for `in_approval`. */
  approvals?: number;
  /** Documents uploaded (default: the three the checks require). */
  documents?: DocumentKind[];
  /** Whether the committee and custodians are assigned (default true). */
  assign?: boolean;
  /** Business days between the file's last event and today (≥ 1). */
  ago: number;
  /** Published long enough ago that its tender deadline has passed. */
  expired?: boolean;
  /** Events after publication (or, for an unpublished file, a cancellation), in business days after it. */
  after?: AfterEvent[];
};

type CityFiles = { slug: string; nuts: string; files: FileSpec[] };

const SINGLE = (title: Names) => [{ title, share: '100' }];

/** The files of each city. About 30 in all: enough to show every state, few enough to seed fast. */
const DEMO_FILES: CityFiles[] = [
  {
    slug: 'barcelona',
    nuts: 'ES511',
    files: [
      {
        num: '0412',
        procedure: 'abierto',
        contractType: 'services',
        title: n(
          'Neteja viària i recollida de mobles i voluminosos',
          'Limpieza viaria y recogida de muebles y voluminosos',
          'Street cleaning and bulky waste collection',
        ),
        description: n(
          'Servei de neteja viària manual i mecanitzada, buidatge de papereres i recollida de mobles i voluminosos a la via pública de tres districtes.',
          'Servicio de limpieza viaria manual y mecanizada, vaciado de papeleras y recogida de muebles y voluminosos en la vía pública de tres distritos.',
          'Manual and mechanised street cleaning, emptying of litter bins and collection of bulky waste on the public highway in three districts.',
        ),
        cpv: '90000000-7',
        additionalCpvs: ['90910000-9'],
        budget: '2000000.00',
        extensions: '1',
        modifications: '20',
        vat: '10',
        months: 24,
        lots: [
          {
            title: n('Districte de Ciutat Vella', 'Distrito de Ciutat Vella', 'Ciutat Vella district'),
            share: '35',
          },
          { title: n('Districte de l’Eixample', 'Distrito del Eixample', 'Eixample district'), share: '40' },
          {
            title: n('Districte de Sants-Montjuïc', 'Distrito de Sants-Montjuïc', 'Sants-Montjuïc district'),
            share: '25',
          },
        ],
        criteria: [
          price('35'),
          formula('15', ZERO_EMISSIONS),
          formula('10', SOCIAL_INCLUSION),
          judgement('40', SERVICE_PLAN),
        ],
        stage: 'published',
        ago: 1,
        after: [
          { day: 1, do: 'follow', by: 'admin@serveis-urbans.example' },
          {
            day: 1,
            do: 'ask',
            by: 'admin@serveis-urbans.example',
            text: 'Cal subrogar el personal que actualment presta el servei als tres districtes?',
            answer: {
              day: 3,
              text: 'Sí. L’annex 5 del PCAP relaciona el personal subrogable de cada lot, amb la categoria, l’antiguitat i el cost salarial.',
            },
          },
          { day: 2, do: 'follow', by: 'admin@neteges-valles.example' },
          {
            day: 2,
            do: 'ask',
            by: 'admin@neteges-valles.example',
            text: '¿Se puede presentar oferta a los tres lotes con una sola declaración responsable (DEUC)?',
            answer: {
              day: 3,
              text: 'Sí. Se presenta un único DEUC para todos los lotes a los que se licita; la solvencia se acredita por la suma de los lotes ofertados.',
            },
          },
          {
            day: 4,
            do: 'ask',
            by: 'bidder@neteges-valles.example',
            text: 'Els vehicles elèctrics de lloguer compten per al criteri de flota de zero emissions?',
          },
        ],
      },
      {
        num: '0398',
        procedure: 'abierto',
        contractType: 'services',
        socialServices: true,
        title: n(
          'Servei de menjador de les escoles bressol municipals',
          'Servicio de comedor de las escuelas infantiles municipales',
          'School meals service for the municipal nursery schools',
        ),
        description: n(
          'Elaboració i servei de dinars per als infants de les escoles bressol municipals, amb menús adaptats a al·lèrgies i intoleràncies.',
          'Elaboración y servicio de comidas para los niños de las escuelas infantiles municipales, con menús adaptados a alergias e intolerancias.',
          'Preparation and serving of lunches for children at the municipal nursery schools, with menus adapted to allergies and intolerances.',
        ),
        cpv: '55000000-0',
        additionalCpvs: ['15000000-8'],
        budget: '1000000.00',
        extensions: '1',
        modifications: '20',
        vat: '10',
        months: 24,
        lots: [
          {
            title: n(
              'Escoles bressol de Nou Barris',
              'Escuelas infantiles de Nou Barris',
              'Nou Barris nursery schools',
            ),
            share: '50',
          },
          {
            title: n(
              'Escoles bressol de Sant Andreu',
              'Escuelas infantiles de Sant Andreu',
              'Sant Andreu nursery schools',
            ),
            share: '50',
          },
        ],
        criteria: [
          price('30'),
          formula('20', ORGANIC_LOCAL),
          formula(
            '10',
            n(
              'Ràtio de monitors per infant',
              'Ratio de monitores por niño',
              'Ratio of supervisors per child',
            ),
          ),
          judgement(
            '40',
            n(
              'Projecte educatiu del temps de migdia',
              'Proyecto educativo del tiempo de mediodía',
              'Educational plan for lunchtime',
            ),
          ),
        ],
        stage: 'published',
        ago: 1,
        after: [
          {
            day: 1,
            do: 'ask',
            by: 'admin@dadesobertes.example',
            text: 'El servei inclou el berenar dels infants que es queden a la tarda?',
            answer: {
              day: 2,
              text: 'Sí: s’aclareix per rectificació de l’anunci, i s’amplia el termini de presentació d’ofertes.',
            },
          },
          {
            day: 2,
            do: 'correct',
            substantial: true,
            reason:
              'S’aclareix que el servei inclou el berenar dels infants que es queden a la tarda; com que pot canviar les ofertes, es considera una modificació substancial i s’amplia el termini (art. 136.2 LCSP).',
            description: n(
              'Elaboració i servei de dinars i berenars per als infants de les escoles bressol municipals, amb menús adaptats a al·lèrgies i intoleràncies.',
              'Elaboración y servicio de comidas y meriendas para los niños de las escuelas infantiles municipales, con menús adaptados a alergias e intolerancias.',
              'Preparation and serving of lunches and afternoon snacks for children at the municipal nursery schools, with menus adapted to allergies and intolerances.',
            ),
          },
          { day: 3, do: 'follow', by: 'admin@dadesobertes.example' },
        ],
      },
      {
        num: '0431',
        procedure: 'abierto_simplificado',
        contractType: 'works',
        title: n(
          'Substitució de l’enllumenat públic per tecnologia LED a Nou Barris i Sant Martí',
          'Sustitución del alumbrado público por tecnología LED en Nou Barris y Sant Martí',
          'Replacement of street lighting with LED technology in Nou Barris and Sant Martí',
        ),
        description: n(
          'Obres de substitució de lluminàries de vapor de sodi per lluminàries LED amb telegestió punt a punt.',
          'Obras de sustitución de luminarias de vapor de sodio por luminarias LED con telegestión punto a punto.',
          'Works to replace sodium-vapour luminaires with LED luminaires with point-to-point remote management.',
        ),
        cpv: '45000000-7',
        additionalCpvs: ['09000000-3'],
        budget: '1000000.00',
        extensions: '0',
        modifications: '20',
        vat: '21',
        months: 8,
        lots: [
          {
            title: n('Districte de Nou Barris', 'Distrito de Nou Barris', 'Nou Barris district'),
            share: '55',
          },
          {
            title: n('Districte de Sant Martí', 'Distrito de Sant Martí', 'Sant Martí district'),
            share: '45',
          },
        ],
        criteria: [
          price('35'),
          formula('25', ENERGY_EFFICIENCY),
          formula('15', GUARANTEE),
          judgement('25', WORKS_PLAN),
        ],
        stage: 'in_approval',
        approvals: 1,
        ago: 1,
      },
      {
        num: '0377',
        procedure: 'abierto',
        contractType: 'services',
        title: n(
          'Manteniment evolutiu i correctiu de les aplicacions de gestió tributària',
          'Mantenimiento evolutivo y correctivo de las aplicaciones de gestión tributaria',
          'Corrective and evolutionary maintenance of the tax management applications',
        ),
        description: n(
          'Manteniment de les aplicacions de gestió i recaptació de tributs i del portal de tràmits, amb suport de segon nivell.',
          'Mantenimiento de las aplicaciones de gestión y recaudación de tributos y del portal de trámites, con soporte de segundo nivel.',
          'Maintenance of the tax management and collection applications and of the online services portal, with second-level support.',
        ),
        cpv: '72000000-5',
        additionalCpvs: ['48000000-8'],
        budget: '300000.00',
        extensions: '1',
        modifications: '10',
        vat: '21',
        months: 24,
        lots: [
          {
            title: n(
              'Aplicacions de gestió tributària',
              'Aplicaciones de gestión tributaria',
              'Tax management applications',
            ),
            share: '60',
          },
          {
            title: n(
              'Portal de tràmits i seu electrònica',
              'Portal de trámites y sede electrónica',
              'Online services portal',
            ),
            share: '40',
          },
        ],
        criteria: [
          price('35'),
          formula(
            '20',
            n(
              'Hores de millora evolutiva sense cost',
              'Horas de mejora evolutiva sin coste',
              'Free hours of evolutionary improvements',
            ),
          ),
          formula(
            '10',
            n(
              'Certificació en l’Esquema Nacional de Seguretat',
              'Certificación en el Esquema Nacional de Seguridad',
              'National Security Framework certification',
            ),
          ),
          judgement(
            '35',
            n(
              'Metodologia i pla de transició',
              'Metodología y plan de transición',
              'Methodology and transition plan',
            ),
          ),
        ],
        stage: 'approved',
        ago: 2,
      },
      {
        num: '0440',
        procedure: 'abierto_simplificado',
        contractType: 'services',
        title: n(
          'Programació musical als parcs: cicle d’estiu',
          'Programación musical en los parques: ciclo de verano',
          'Music in the parks: summer season',
        ),
        description: n(
          'Producció d’un cicle de vint concerts gratuïts als parcs de la ciutat, amb direcció artística, equip tècnic i difusió.',
          'Producción de un ciclo de veinte conciertos gratuitos en los parques de la ciudad, con dirección artística, equipo técnico y difusión.',
          'Production of a season of twenty free concerts in the city’s parks, with artistic direction, technical crew and promotion.',
        ),
        cpv: '92000000-1',
        budget: '80000.00',
        extensions: '0',
        modifications: '20',
        vat: '21',
        months: 4,
        lots: SINGLE(n('Cicle d’estiu', 'Ciclo de verano', 'Summer season')),
        singleLotJustification:
          'El cicle és una programació artística unitària, amb una sola direcció artística i un calendari únic; dividir-lo en lots en trencaria la coherència (art. 99.3.b LCSP).',
        criteria: [
          price('30'),
          formula(
            '20',
            n(
              'Activitats gratuïtes addicionals',
              'Actividades gratuitas adicionales',
              'Additional free activities',
            ),
          ),
          formula(
            '25',
            n(
              'Presència d’artistes locals i paritat',
              'Presencia de artistas locales y paridad',
              'Local artists and gender balance',
            ),
          ),
          judgement('25', n('Proposta artística', 'Propuesta artística', 'Artistic proposal')),
        ],
        stage: 'returned',
        ago: 1,
      },
      {
        num: '0356',
        procedure: 'abierto',
        contractType: 'services',
        socialServices: true,
        title: n(
          'Servei de teleassistència domiciliària per a persones grans',
          'Servicio de teleasistencia domiciliaria para personas mayores',
          'Home telecare service for older people',
        ),
        description: n(
          'Servei de teleassistència amb terminal fix i mòbil, centre d’atenció les 24 hores i visites de seguiment.',
          'Servicio de teleasistencia con terminal fijo y móvil, centro de atención las 24 horas y visitas de seguimiento.',
          'Telecare with fixed and mobile devices, a 24-hour response centre and follow-up visits.',
        ),
        cpv: '85000000-9',
        budget: '400000.00',
        extensions: '1',
        modifications: '20',
        vat: '4',
        months: 24,
        lots: [
          { title: n('Teleassistència bàsica', 'Teleasistencia básica', 'Basic telecare'), share: '70' },
          {
            title: n(
              'Teleassistència avançada amb sensors',
              'Teleasistencia avanzada con sensores',
              'Advanced telecare with sensors',
            ),
            share: '30',
          },
        ],
        criteria: [price('35'), formula('25', RESPONSE_TIME), judgement('40', CARE_PROJECT)],
        stage: 'published',
        ago: 2,
        after: [
          { day: 1, do: 'follow', by: 'admin@dadesobertes.example' },
          {
            day: 3,
            do: 'cancel',
            kind: 'renuncia',
            reason:
              'El servei passa a prestar-se per mitjà del nou conveni amb la Generalitat de Catalunya; no subsisteix la necessitat que justificava el contracte (art. 152.3 LCSP).',
          },
        ],
      },
    ],
  },
  {
    slug: 'gava',
    nuts: 'ES511',
    files: [
      {
        num: '118',
        procedure: 'abierto',
        contractType: 'services',
        title: n(
          'Manteniment de parcs, jardins i arbrat',
          'Mantenimiento de parques, jardines y arbolado',
          'Maintenance of parks, gardens and trees',
        ),
        description: n(
          'Conservació dels parcs urbans, l’arbrat viari i les zones verdes del litoral, amb reg eficient i control biològic de plagues.',
          'Conservación de los parques urbanos, el arbolado viario y las zonas verdes del litoral, con riego eficiente y control biológico de plagas.',
          'Upkeep of urban parks, street trees and coastal green areas, with efficient irrigation and biological pest control.',
        ),
        cpv: '77310000-6',
        budget: '220000.00',
        extensions: '1',
        modifications: '20',
        vat: '21',
        months: 24,
        lots: [
          {
            title: n(
              'Parcs urbans i arbrat viari',
              'Parques urbanos y arbolado viario',
              'Urban parks and street trees',
            ),
            share: '65',
          },
          {
            title: n('Zones verdes del litoral', 'Zonas verdes del litoral', 'Coastal green areas'),
            share: '35',
          },
        ],
        criteria: [
          price('35'),
          formula(
            '20',
            n(
              'Reducció de l’ús d’aigua potable i fitosanitaris',
              'Reducción del uso de agua potable y fitosanitarios',
              'Less drinking water and fewer pesticides',
            ),
          ),
          formula('10', SOCIAL_INCLUSION),
          judgement('35', n('Pla de manteniment', 'Plan de mantenimiento', 'Maintenance plan')),
        ],
        stage: 'published',
        ago: 2,
        after: [
          {
            day: 1,
            do: 'ask',
            by: 'admin@jardins-maresme.example',
            text: 'L’inventari d’arbrat de l’annex 2 del PPT està disponible en format obert?',
            answer: {
              day: 2,
              text: 'Sí, l’inventari es publica en format CSV al perfil de contractant juntament amb els plecs.',
            },
          },
          { day: 1, do: 'follow', by: 'admin@jardins-maresme.example' },
        ],
      },
      {
        num: '097',
        procedure: 'abierto_simplificado',
        contractType: 'works',
        title: n(
          'Reurbanització dels jardins de la Rambla',
          'Reurbanización de los jardines de la Rambla',
          'Redevelopment of the Rambla gardens',
        ),
        description: n(
          'Obres de reurbanització amb paviment drenant, nova xarxa de reg i àrea de jocs infantils accessible.',
          'Obras de reurbanización con pavimento drenante, nueva red de riego y área de juegos infantiles accesible.',
          'Redevelopment works with permeable paving, a new irrigation network and an accessible playground.',
        ),
        cpv: '45000000-7',
        additionalCpvs: ['77310000-6'],
        budget: '650000.00',
        extensions: '0',
        modifications: '0',
        vat: '21',
        months: 6,
        lots: SINGLE(
          n('Reurbanització dels jardins', 'Reurbanización de los jardines', 'Garden redevelopment'),
        ),
        singleLotJustification:
          'Les obres formen una unitat funcional: executar-les per lots amb contractistes diferents dificultaria la coordinació i posaria en risc la correcta execució (art. 99.3.b LCSP).',
        criteria: [
          price('35'),
          formula('15', SHORTER_WORKS),
          formula('25', GUARANTEE),
          judgement('25', WORKS_PLAN),
        ],
        stage: 'published',
        ago: 45,
        expired: true,
        after: [
          {
            day: 2,
            do: 'ask',
            by: 'admin@obres-gironins.example',
            text: 'Es pot visitar l’emplaçament abans de presentar l’oferta?',
            answer: { day: 3, text: 'Sí, el dia i l’hora de la visita s’indiquen a la clàusula 9 del PCAP.' },
          },
        ],
      },
      {
        num: '131',
        procedure: 'abierto_simplificado_abreviado',
        contractType: 'supplies',
        title: n(
          'Subministrament d’ordinadors portàtils per als serveis municipals',
          'Suministro de ordenadores portátiles para los servicios municipales',
          'Supply of laptop computers for municipal services',
        ),
        description: n(
          'Subministrament de seixanta ordinadors portàtils amb garantia in situ i retirada dels equips substituïts.',
          'Suministro de sesenta ordenadores portátiles con garantía in situ y retirada de los equipos sustituidos.',
          'Supply of sixty laptop computers with on-site guarantee and collection of the replaced equipment.',
        ),
        cpv: '30000000-9',
        budget: '40000.00',
        extensions: '0',
        modifications: '0',
        vat: '21',
        months: 2,
        lots: SINGLE(n('Ordinadors portàtils', 'Ordenadores portátiles', 'Laptop computers')),
        singleLotJustification:
          'Subministrament homogeni d’un mateix model, perquè els equips siguin compatibles i es puguin mantenir amb una sola imatge de programari.',
        criteria: [
          price('35'),
          formula('25', GUARANTEE),
          formula(
            '20',
            n(
              'Eficiència energètica dels equips',
              'Eficiencia energética de los equipos',
              'Energy efficiency of the equipment',
            ),
          ),
          formula('20', n('Termini de lliurament', 'Plazo de entrega', 'Delivery time')),
        ],
        stage: 'draft',
        ago: 1,
      },
      {
        num: '104',
        procedure: 'abierto',
        contractType: 'services',
        title: n(
          'Neteja d’edificis i equipaments municipals',
          'Limpieza de edificios y equipamientos municipales',
          'Cleaning of municipal buildings and facilities',
        ),
        description: n(
          'Neteja periòdica i de xoc de l’ajuntament, els centres cívics i els equipaments esportius i culturals.',
          'Limpieza periódica y de choque del ayuntamiento, los centros cívicos y los equipamientos deportivos y culturales.',
          'Regular and deep cleaning of the town hall, community centres and sports and cultural facilities.',
        ),
        cpv: '90910000-9',
        budget: '300000.00',
        extensions: '1',
        modifications: '20',
        vat: '21',
        months: 24,
        lots: [
          {
            title: n('Edificis administratius', 'Edificios administrativos', 'Administrative buildings'),
            share: '55',
          },
          {
            title: n(
              'Equipaments esportius i culturals',
              'Equipamientos deportivos y culturales',
              'Sports and cultural facilities',
            ),
            share: '45',
          },
        ],
        criteria: [
          price('35'),
          formula(
            '15',
            n(
              'Productes de neteja amb etiqueta ecològica',
              'Productos de limpieza con etiqueta ecológica',
              'Eco-labelled cleaning products',
            ),
          ),
          formula(
            '15',
            n(
              'Hores addicionals de neteja de xoc',
              'Horas adicionales de limpieza de choque',
              'Additional hours of deep cleaning',
            ),
          ),
          judgement('35', SERVICE_PLAN),
        ],
        stage: 'published',
        ago: 3,
        after: [
          { day: 1, do: 'follow', by: 'admin@neteges-valles.example' },
          {
            day: 2,
            do: 'cancel',
            kind: 'desistimiento',
            reason:
              'El PCAP exigeix una classificació empresarial que no és exigible en els contractes de serveis i restringeix la concurrència: és una infracció no esmenable de les normes de preparació (art. 152.4 LCSP). Es convocarà una nova licitació.',
          },
        ],
      },
    ],
  },
  {
    slug: 'girona',
    nuts: 'ES512',
    files: [
      {
        num: '2231',
        procedure: 'abierto_simplificado',
        contractType: 'services',
        socialServices: true,
        title: n(
          'Servei de menjador de les escoles bressol municipals',
          'Servicio de comedor de las escuelas infantiles municipales',
          'School meals service for the municipal nursery schools',
        ),
        description: n(
          'Elaboració in situ dels menús a les cuines de les escoles bressol, amb producte de temporada i de proximitat.',
          'Elaboración in situ de los menús en las cocinas de las escuelas infantiles, con producto de temporada y de proximidad.',
          'On-site preparation of meals in the nursery-school kitchens, with seasonal and locally sourced produce.',
        ),
        cpv: '55000000-0',
        additionalCpvs: ['15000000-8'],
        budget: '50000.00',
        extensions: '1',
        modifications: '20',
        vat: '10',
        months: 12,
        lots: [
          {
            title: n(
              'Escoles bressol del Barri Vell i Montjuïc',
              'Escuelas infantiles del Barri Vell y Montjuïc',
              'Barri Vell and Montjuïc nursery schools',
            ),
            share: '50',
          },
          {
            title: n(
              'Escoles bressol de Santa Eugènia i Sant Narcís',
              'Escuelas infantiles de Santa Eugènia y Sant Narcís',
              'Santa Eugènia and Sant Narcís nursery schools',
            ),
            share: '50',
          },
        ],
        criteria: [
          price('35'),
          formula('30', ORGANIC_LOCAL),
          formula(
            '10',
            n(
              'Formació del personal en al·lèrgies alimentàries',
              'Formación del personal en alergias alimentarias',
              'Staff training in food allergies',
            ),
          ),
          judgement('25', n('Proposta de menús', 'Propuesta de menús', 'Menu proposal')),
        ],
        stage: 'published',
        ago: 1,
        after: [
          {
            day: 1,
            do: 'ask',
            by: 'admin@dadesobertes.example',
            text: 'Les cuines de les escoles bressol disposen de l’equipament necessari o l’ha d’aportar l’adjudicatari?',
            answer: {
              day: 3,
              text: 'Les cuines estan equipades; l’annex 3 del PPT en detalla l’inventari. L’adjudicatari n’assumeix el manteniment.',
            },
          },
          {
            day: 4,
            do: 'ask',
            by: 'admin@neteges-valles.example',
            text: '¿Cuántos menús diarios se sirven de media en cada lote?',
          },
        ],
      },
      {
        num: '2207',
        procedure: 'abierto',
        contractType: 'services',
        title: n(
          'Programació d’arts escèniques del Teatre Municipal',
          'Programación de artes escénicas del Teatro Municipal',
          'Performing arts programme of the Municipal Theatre',
        ),
        description: n(
          'Contractació de funcions de teatre, música, dansa i circ per a la temporada, amb 42 funcions i activitats de mediació.',
          'Contratación de funciones de teatro, música, danza y circo para la temporada, con 42 funciones y actividades de mediación.',
          'Theatre, music, dance and circus performances for the season, with 42 shows and audience-engagement activities.',
        ),
        cpv: '92000000-1',
        budget: '150000.00',
        extensions: '1',
        modifications: '20',
        vat: '21',
        months: 12,
        lots: [
          { title: n('Teatre', 'Teatro', 'Theatre'), share: '45' },
          { title: n('Música', 'Música', 'Music'), share: '35' },
          { title: n('Dansa i circ', 'Danza y circo', 'Dance and circus'), share: '20' },
        ],
        criteria: [
          price('30'),
          formula(
            '30',
            n(
              'Funcions escolars i activitats de mediació',
              'Funciones escolares y actividades de mediación',
              'School performances and audience engagement',
            ),
          ),
          judgement('40', n('Proposta artística', 'Propuesta artística', 'Artistic proposal')),
        ],
        stage: 'published',
        ago: 2,
        after: [
          {
            day: 1,
            do: 'correct',
            substantial: false,
            reason:
              'Correcció d’un error material en la descripció: la temporada té 24 funcions, no 42, com consta als plecs.',
            description: n(
              'Contractació de funcions de teatre, música, dansa i circ per a la temporada, amb 24 funcions i activitats de mediació.',
              'Contratación de funciones de teatro, música, danza y circo para la temporada, con 24 funciones y actividades de mediación.',
              'Theatre, music, dance and circus performances for the season, with 24 shows and audience-engagement activities.',
            ),
          },
          { day: 2, do: 'follow', by: 'admin@dadesobertes.example' },
        ],
      },
      {
        num: '2245',
        procedure: 'abierto',
        contractType: 'services',
        title: n(
          'Manteniment de l’enllumenat públic i de les instal·lacions semafòriques',
          'Mantenimiento del alumbrado público y de las instalaciones semafóricas',
          'Maintenance of street lighting and traffic lights',
        ),
        description: n(
          'Manteniment preventiu i correctiu de l’enllumenat públic i dels semàfors, amb servei d’urgències les 24 hores.',
          'Mantenimiento preventivo y correctivo del alumbrado público y de los semáforos, con servicio de urgencias las 24 horas.',
          'Preventive and corrective maintenance of street lighting and traffic lights, with a 24-hour emergency service.',
        ),
        cpv: '50000000-5',
        budget: '450000.00',
        extensions: '1',
        modifications: '20',
        vat: '21',
        months: 24,
        lots: [
          { title: n('Enllumenat públic', 'Alumbrado público', 'Street lighting'), share: '70' },
          {
            title: n('Instal·lacions semafòriques', 'Instalaciones semafóricas', 'Traffic lights'),
            share: '30',
          },
        ],
        criteria: [
          price('35'),
          formula('20', RESPONSE_TIME),
          formula('10', ZERO_EMISSIONS),
          judgement(
            '35',
            n(
              'Pla de manteniment preventiu',
              'Plan de mantenimiento preventivo',
              'Preventive maintenance plan',
            ),
          ),
        ],
        stage: 'in_approval',
        approvals: 0,
        ago: 1,
      },
      {
        num: '2199',
        procedure: 'abierto',
        contractType: 'services',
        socialServices: true,
        title: n(
          'Servei d’acompanyament a persones sense llar',
          'Servicio de acompañamiento a personas sin hogar',
          'Support service for homeless people',
        ),
        description: n(
          'Equip de carrer, acompanyament social i accés a l’habitatge per a persones sense llar (model Housing First).',
          'Equipo de calle, acompañamiento social y acceso a la vivienda para personas sin hogar (modelo Housing First).',
          'Street outreach, social support and access to housing for homeless people (Housing First model).',
        ),
        cpv: '85000000-9',
        budget: '250000.00',
        extensions: '1',
        modifications: '20',
        vat: '4',
        months: 24,
        lots: SINGLE(
          n(
            'Acompanyament a persones sense llar',
            'Acompañamiento a personas sin hogar',
            'Support for homeless people',
          ),
        ),
        singleLotJustification:
          'Atenció integral en què la continuïtat de l’acompanyament per un mateix equip és essencial per a les persones ateses; la divisió en lots la trencaria (art. 99.3.b LCSP).',
        criteria: [
          price('25'),
          formula('25', TEAM_STABILITY),
          judgement(
            '50',
            n('Projecte d’intervenció social', 'Proyecto de intervención social', 'Social intervention plan'),
          ),
        ],
        stage: 'approved',
        ago: 3,
      },
    ],
  },
  {
    slug: 'granollers',
    nuts: 'ES511',
    files: [
      {
        num: '0864',
        procedure: 'abierto',
        contractType: 'services',
        title: n('Neteja viària', 'Limpieza viaria', 'Street cleaning'),
        description: n(
          'Escombrada manual i mecànica, regs de neteja i neteja de mercats i fires a tot el terme municipal.',
          'Barrido manual y mecánico, riegos de limpieza y limpieza de mercados y ferias en todo el término municipal.',
          'Manual and mechanical sweeping, street washing and cleaning after markets and fairs across the municipality.',
        ),
        cpv: '90000000-7',
        budget: '1500000.00',
        extensions: '1',
        modifications: '20',
        vat: '10',
        months: 24,
        lots: [
          { title: n('Zona nord', 'Zona norte', 'North area'), share: '50' },
          { title: n('Zona sud', 'Zona sur', 'South area'), share: '50' },
        ],
        criteria: [
          price('35'),
          formula('15', ZERO_EMISSIONS),
          formula('10', SOCIAL_INCLUSION),
          judgement('40', SERVICE_PLAN),
        ],
        stage: 'published',
        ago: 40,
        expired: true,
        after: [
          {
            day: 1,
            do: 'ask',
            by: 'admin@serveis-urbans.example',
            text: '¿La maquinaria actual es propiedad municipal y se cede al adjudicatario?',
            answer: {
              day: 2,
              text: 'No. El adjudicatario aporta toda la maquinaria; el anexo 4 del PPT fija las características mínimas.',
            },
          },
          { day: 1, do: 'follow', by: 'admin@serveis-urbans.example' },
        ],
      },
      {
        num: '0902',
        procedure: 'abierto_simplificado',
        contractType: 'services',
        title: n(
          'Manteniment i suport del programari de gestió d’expedients',
          'Mantenimiento y soporte del software de gestión de expedientes',
          'Maintenance and support of the case-management software',
        ),
        description: n(
          'Manteniment correctiu, adaptatiu i evolutiu del gestor d’expedients electrònics i suport als usuaris municipals.',
          'Mantenimiento correctivo, adaptativo y evolutivo del gestor de expedientes electrónicos y soporte a los usuarios municipales.',
          'Corrective, adaptive and evolutionary maintenance of the electronic case-management system and support for municipal users.',
        ),
        cpv: '72000000-5',
        additionalCpvs: ['48000000-8'],
        budget: '45000.00',
        extensions: '1',
        modifications: '20',
        vat: '21',
        months: 12,
        lots: SINGLE(n('Gestor d’expedients', 'Gestor de expedientes', 'Case-management system')),
        singleLotJustification:
          'El programari és un sistema únic i integrat: repartir-ne el manteniment entre contractistes posaria en risc la integritat i la seguretat de les dades (art. 99.3.b LCSP).',
        criteria: [
          price('35'),
          formula(
            '20',
            n('Hores de formació incloses', 'Horas de formación incluidas', 'Training hours included'),
          ),
          formula('20', RESPONSE_TIME),
          judgement(
            '25',
            n(
              'Pla de suport i de continuïtat',
              'Plan de soporte y de continuidad',
              'Support and continuity plan',
            ),
          ),
        ],
        stage: 'published',
        ago: 2,
        after: [
          { day: 1, do: 'follow', by: 'admin@dadesobertes.example' },
          { day: 1, do: 'follow', by: 'admin@solutions-numeriques.example' },
        ],
      },
      {
        num: '0911',
        procedure: 'abierto_simplificado_abreviado',
        contractType: 'works',
        title: n(
          'Millora de l’àrea de jocs infantils del parc de Ponent',
          'Mejora del área de juegos infantiles del parque de Ponent',
          'Improvement of the playground in Ponent park',
        ),
        description: n(
          'Substitució de jocs, paviment de cautxú i ombres a l’àrea de jocs infantils, amb criteris d’accessibilitat universal.',
          'Sustitución de juegos, pavimento de caucho y sombras en el área de juegos infantiles, con criterios de accesibilidad universal.',
          'Replacement of play equipment, rubber surfacing and shade in the playground, designed for universal accessibility.',
        ),
        cpv: '45000000-7',
        additionalCpvs: ['77310000-6'],
        budget: '62000.00',
        extensions: '0',
        modifications: '0',
        vat: '21',
        months: 3,
        lots: SINGLE(n('Àrea de jocs infantils', 'Área de juegos infantiles', 'Playground')),
        singleLotJustification:
          'Obra de petita dimensió en un únic espai: la divisió en lots n’impediria l’execució coordinada (art. 99.3.b LCSP).',
        criteria: [
          price('35'),
          formula('25', SHORTER_WORKS),
          formula('25', GUARANTEE),
          formula(
            '15',
            n('Ús de materials reciclats', 'Uso de materiales reciclados', 'Use of recycled materials'),
          ),
        ],
        stage: 'in_approval',
        approvals: 2,
        ago: 1,
      },
      {
        num: '0927',
        procedure: 'abierto',
        contractType: 'services',
        socialServices: true,
        title: n('Servei d’atenció domiciliària', 'Servicio de atención domiciliaria', 'Home care service'),
        description: n(
          'Atenció personal i suport a la llar per a persones en situació de dependència o amb manca d’autonomia.',
          'Atención personal y apoyo en el hogar para personas en situación de dependencia o con falta de autonomía.',
          'Personal care and home help for dependent people or people with reduced autonomy.',
        ),
        cpv: '85000000-9',
        budget: '380000.00',
        extensions: '1',
        modifications: '20',
        vat: '4',
        months: 24,
        lots: [
          { title: n('Atenció personal', 'Atención personal', 'Personal care'), share: '70' },
          { title: n('Suport a la llar', 'Apoyo en el hogar', 'Home help'), share: '30' },
        ],
        criteria: [price('25'), formula('25', TEAM_STABILITY), judgement('50', CARE_PROJECT)],
        stage: 'draft',
        // Still being prepared: the technical specifications are not uploaded yet.
        documents: ['memoria_justificativa', 'pcap'],
        ago: 1,
      },
    ],
  },
  {
    slug: 'mataro',
    nuts: 'ES511',
    files: [
      {
        num: '1503',
        procedure: 'abierto',
        contractType: 'services',
        title: n(
          'Manteniment de zones verdes i fonts ornamentals',
          'Mantenimiento de zonas verdes y fuentes ornamentales',
          'Maintenance of green areas and ornamental fountains',
        ),
        description: n(
          'Manteniment de parcs i jardins i de les fonts ornamentals, amb gestió intel·ligent del reg.',
          'Mantenimiento de parques y jardines y de las fuentes ornamentales, con gestión inteligente del riego.',
          'Maintenance of parks and gardens and of the ornamental fountains, with smart irrigation management.',
        ),
        cpv: '77310000-6',
        additionalCpvs: ['50000000-5'],
        budget: '400000.00',
        extensions: '1',
        modifications: '20',
        vat: '21',
        months: 24,
        lots: [
          {
            title: n('Parc Central i zona nord', 'Parc Central y zona norte', 'Parc Central and north area'),
            share: '40',
          },
          {
            title: n('Zona sud i Rocafonda', 'Zona sur y Rocafonda', 'South area and Rocafonda'),
            share: '35',
          },
          {
            title: n('Fonts ornamentals', 'Fuentes ornamentales', 'Ornamental fountains'),
            share: '25',
            cpv: '50000000-5',
          },
        ],
        criteria: [
          price('35'),
          formula(
            '20',
            n('Gestió eficient de l’aigua', 'Gestión eficiente del agua', 'Efficient water management'),
          ),
          formula('10', SOCIAL_INCLUSION),
          judgement('35', n('Pla de manteniment', 'Plan de mantenimiento', 'Maintenance plan')),
        ],
        stage: 'published',
        ago: 1,
        after: [
          { day: 1, do: 'follow', by: 'admin@jardins-maresme.example' },
          {
            day: 2,
            do: 'correct',
            substantial: true,
            reason:
              'S’incorporen al lot 3 les dues fonts de la plaça de Santa Anna, que canvien l’abast del servei; s’amplia el termini de presentació d’ofertes (art. 136.2 LCSP).',
            description: n(
              'Manteniment de parcs i jardins i de les fonts ornamentals (incloses les de la plaça de Santa Anna), amb gestió intel·ligent del reg.',
              'Mantenimiento de parques y jardines y de las fuentes ornamentales (incluidas las de la plaza de Santa Anna), con gestión inteligente del riego.',
              'Maintenance of parks and gardens and of the ornamental fountains (including those in Santa Anna square), with smart irrigation management.',
            ),
          },
        ],
      },
      {
        num: '1488',
        procedure: 'abierto',
        contractType: 'works',
        title: n(
          'Renovació de l’enllumenat dels polígons industrials amb tecnologia LED',
          'Renovación del alumbrado de los polígonos industriales con tecnología LED',
          'LED street lighting renewal in the industrial estates',
        ),
        description: n(
          'Substitució de lluminàries i quadres elèctrics als polígons del Pla d’en Boet i de Mata-Rocafonda.',
          'Sustitución de luminarias y cuadros eléctricos en los polígonos del Pla d’en Boet y de Mata-Rocafonda.',
          'Replacement of luminaires and switchboards in the Pla d’en Boet and Mata-Rocafonda industrial estates.',
        ),
        cpv: '45000000-7',
        additionalCpvs: ['09000000-3'],
        budget: '1650000.00',
        extensions: '0',
        modifications: '0',
        vat: '21',
        months: 10,
        lots: [
          {
            title: n('Polígon del Pla d’en Boet', 'Polígono del Pla d’en Boet', 'Pla d’en Boet estate'),
            share: '55',
          },
          {
            title: n('Polígon de Mata-Rocafonda', 'Polígono de Mata-Rocafonda', 'Mata-Rocafonda estate'),
            share: '45',
          },
        ],
        criteria: [
          price('35'),
          formula('25', ENERGY_EFFICIENCY),
          formula('15', GUARANTEE),
          judgement('25', WORKS_PLAN),
        ],
        stage: 'published',
        ago: 1,
        after: [
          {
            day: 1,
            do: 'ask',
            by: 'admin@construcciones-ibericas.example',
            text: '¿Es necesario que las luminarias dispongan de certificado ENEC o basta con el marcado CE?',
            answer: {
              day: 2,
              text: 'Se exige marcado CE y certificado ENEC o equivalente, según el apartado 6.2 del PPT.',
            },
          },
          { day: 1, do: 'follow', by: 'admin@construcciones-ibericas.example' },
          {
            day: 3,
            do: 'ask',
            by: 'admin@obres-gironins.example',
            text: 'Es pot subcontractar la instal·lació dels quadres elèctrics?',
          },
        ],
      },
      {
        num: '1511',
        procedure: 'abierto_simplificado',
        contractType: 'services',
        title: n(
          'Suport informàtic als usuaris i manteniment dels llocs de treball',
          'Soporte informático a los usuarios y mantenimiento de los puestos de trabajo',
          'IT user support and workstation maintenance',
        ),
        description: n(
          'Centre d’atenció a usuaris, manteniment d’ordinadors i impressores i desplegament de programari a les dependències municipals.',
          'Centro de atención a usuarios, mantenimiento de ordenadores e impresoras y despliegue de software en las dependencias municipales.',
          'Service desk, maintenance of computers and printers and software deployment in municipal offices.',
        ),
        cpv: '72000000-5',
        budget: '50000.00',
        extensions: '1',
        modifications: '10',
        vat: '21',
        months: 12,
        lots: SINGLE(n('Suport als usuaris', 'Soporte a los usuarios', 'User support')),
        singleLotJustification:
          'El centre d’atenció i el manteniment dels llocs de treball comparteixen eines i personal; separar-los en lots duplicaria costos i diluiria la responsabilitat (art. 99.3.b LCSP).',
        criteria: [
          price('35'),
          formula('25', RESPONSE_TIME),
          formula(
            '15',
            n(
              'Certificacions tècniques de l’equip',
              'Certificaciones técnicas del equipo',
              'Technical certifications of the team',
            ),
          ),
          judgement(
            '25',
            n('Pla de prestació del servei', 'Plan de prestación del servicio', 'Service delivery plan'),
          ),
        ],
        stage: 'approved',
        ago: 1,
      },
      {
        num: '1476',
        procedure: 'abierto_simplificado_abreviado',
        contractType: 'services',
        title: n(
          'Programa d’activitats culturals a les biblioteques',
          'Programa de actividades culturales en las bibliotecas',
          'Cultural activities programme in the libraries',
        ),
        description: n(
          'Hores del conte, tallers i clubs de lectura a les biblioteques municipals durant el curs.',
          'Horas del cuento, talleres y clubes de lectura en las bibliotecas municipales durante el curso.',
          'Storytelling sessions, workshops and reading clubs in the municipal libraries during the school year.',
        ),
        cpv: '92000000-1',
        additionalCpvs: ['80000000-4'],
        budget: '20000.00',
        extensions: '1',
        modifications: '0',
        vat: '21',
        months: 10,
        lots: SINGLE(
          n('Activitats a les biblioteques', 'Actividades en las bibliotecas', 'Library activities'),
        ),
        singleLotJustification:
          'Programa únic coordinat entre les biblioteques de la ciutat, amb un calendari comú.',
        criteria: [
          price('35'),
          formula(
            '30',
            n(
              'Activitats addicionals sense cost',
              'Actividades adicionales sin coste',
              'Additional activities at no cost',
            ),
          ),
          formula(
            '20',
            n(
              'Activitats adreçades a públic infantil',
              'Actividades dirigidas a público infantil',
              'Activities for children',
            ),
          ),
          formula('15', n('Activitats accessibles', 'Actividades accesibles', 'Accessible activities')),
        ],
        stage: 'approved',
        ago: 2,
        after: [
          {
            day: 1,
            do: 'cancel',
            kind: 'renuncia',
            reason:
              'La Diputació de Barcelona ofereix el mateix programa a les biblioteques de la Xarxa sense cost per a l’Ajuntament; no subsisteix la necessitat (art. 152.3 LCSP).',
          },
        ],
      },
    ],
  },
  {
    slug: 'premia-de-mar',
    nuts: 'ES511',
    files: [
      {
        num: '061',
        procedure: 'abierto_simplificado',
        contractType: 'services',
        title: n(
          'Neteja i manteniment de les platges',
          'Limpieza y mantenimiento de las playas',
          'Beach cleaning and maintenance',
        ),
        description: n(
          'Neteja mecànica i manual de la sorra, buidatge de papereres i manteniment de dutxes i passeres durant la temporada de bany.',
          'Limpieza mecánica y manual de la arena, vaciado de papeleras y mantenimiento de duchas y pasarelas durante la temporada de baño.',
          'Mechanical and manual sand cleaning, emptying of bins and upkeep of showers and walkways during the bathing season.',
        ),
        cpv: '90000000-7',
        budget: '52000.00',
        extensions: '1',
        modifications: '20',
        vat: '21',
        months: 12,
        lots: [
          { title: n('Platja de Ponent', 'Playa de Ponent', 'Ponent beach'), share: '50' },
          { title: n('Platja de Llevant', 'Playa de Llevant', 'Llevant beach'), share: '50' },
        ],
        criteria: [
          price('35'),
          formula(
            '25',
            n('Maquinària de baixes emissions', 'Maquinaria de bajas emisiones', 'Low-emission machinery'),
          ),
          formula('15', SOCIAL_INCLUSION),
          judgement('25', SERVICE_PLAN),
        ],
        stage: 'published',
        ago: 1,
        after: [
          {
            day: 1,
            do: 'ask',
            by: 'admin@neteges-valles.example',
            text: 'Quin és l’horari de neteja mecànica previst durant la temporada alta?',
            answer: {
              day: 2,
              text: 'Entre les 6 i les 9 del matí, abans de l’obertura de les platges (apartat 4 del PPT).',
            },
          },
          {
            day: 3,
            do: 'ask',
            by: 'admin@serveis-urbans.example',
            text: '¿Se puede licitar a un solo lote con maquinaria compartida con otros contratos?',
          },
          { day: 3, do: 'follow', by: 'admin@neteges-valles.example' },
        ],
      },
      {
        num: '048',
        procedure: 'abierto_simplificado_abreviado',
        contractType: 'services',
        socialServices: true,
        title: n(
          'Servei de menjador de l’escola bressol municipal',
          'Servicio de comedor de la escuela infantil municipal',
          'School meals service for the municipal nursery school',
        ),
        description: n(
          'Servei de dinars per als infants de l’escola bressol municipal, amb menús elaborats per una dietista.',
          'Servicio de comidas para los niños de la escuela infantil municipal, con menús elaborados por una dietista.',
          'Lunch service for the children of the municipal nursery school, with menus designed by a dietitian.',
        ),
        cpv: '55000000-0',
        budget: '24000.00',
        extensions: '1',
        modifications: '0',
        vat: '10',
        months: 12,
        lots: SINGLE(
          n('Menjador de l’escola bressol', 'Comedor de la escuela infantil', 'Nursery-school meals'),
        ),
        singleLotJustification: 'Hi ha una sola escola bressol municipal i un sol servei de cuina.',
        criteria: [
          price('35'),
          formula('35', ORGANIC_LOCAL),
          formula(
            '30',
            n(
              'Menús adaptats sense cost addicional',
              'Menús adaptados sin coste adicional',
              'Adapted menus at no extra cost',
            ),
          ),
        ],
        stage: 'published',
        ago: 50,
        expired: true,
        after: [
          {
            day: 1,
            do: 'ask',
            by: 'admin@dadesobertes.example',
            text: 'Quants infants fan ús del servei de menjador?',
            answer: { day: 2, text: 'Una mitjana de 58 infants diaris durant el curs anterior.' },
          },
        ],
      },
      {
        num: '066',
        procedure: 'abierto_simplificado',
        contractType: 'works',
        title: n(
          'Millora de l’accessibilitat i del paviment del parc de la Riera',
          'Mejora de la accesibilidad y del pavimento del parque de la Riera',
          'Accessibility and paving improvements in Riera park',
        ),
        description: n(
          'Obres de pavimentació, rampes i baranes per fer accessibles els recorreguts del parc.',
          'Obras de pavimentación, rampas y barandillas para hacer accesibles los recorridos del parque.',
          'Paving, ramps and handrails to make the paths of the park accessible.',
        ),
        cpv: '45000000-7',
        budget: '240000.00',
        extensions: '0',
        modifications: '0',
        vat: '21',
        months: 4,
        lots: SINGLE(n('Obres al parc de la Riera', 'Obras en el parque de la Riera', 'Works in Riera park')),
        singleLotJustification:
          'Obra d’un sol espai amb una única direcció facultativa: la divisió en lots dificultaria la coordinació (art. 99.3.b LCSP).',
        criteria: [
          price('35'),
          formula('15', SHORTER_WORKS),
          formula('25', GUARANTEE),
          judgement('25', WORKS_PLAN),
        ],
        stage: 'in_approval',
        approvals: 1,
        ago: 2,
      },
      {
        num: '070',
        procedure: 'abierto_simplificado',
        contractType: 'services',
        title: n(
          'Dinamització cultural i programació del centre cultural',
          'Dinamización cultural y programación del centro cultural',
          'Cultural programming and activities at the arts centre',
        ),
        description: n(
          'Programació d’exposicions, tallers i espectacles familiars al centre cultural municipal.',
          'Programación de exposiciones, talleres y espectáculos familiares en el centro cultural municipal.',
          'Exhibitions, workshops and family shows at the municipal arts centre.',
        ),
        cpv: '92000000-1',
        budget: '30000.00',
        extensions: '1',
        modifications: '20',
        vat: '21',
        months: 12,
        lots: SINGLE(
          n('Programació del centre cultural', 'Programación del centro cultural', 'Arts centre programme'),
        ),
        singleLotJustification: 'Programació unitària d’un sol equipament, amb un sol calendari.',
        criteria: [
          price('35'),
          formula(
            '20',
            n(
              'Activitats gratuïtes addicionals',
              'Actividades gratuitas adicionales',
              'Additional free activities',
            ),
          ),
          formula(
            '20',
            n(
              'Participació d’entitats locals',
              'Participación de entidades locales',
              'Involvement of local associations',
            ),
          ),
          judgement('25', n('Proposta de programació', 'Propuesta de programación', 'Programme proposal')),
        ],
        stage: 'draft',
        ago: 2,
      },
    ],
  },
  {
    slug: 'terrassa',
    nuts: 'ES511',
    files: [
      {
        num: '3310',
        procedure: 'abierto',
        contractType: 'services',
        socialServices: true,
        title: n(
          'Servei de centres oberts per a infants i adolescents',
          'Servicio de centros abiertos para niños y adolescentes',
          'Open centres for children and teenagers',
        ),
        description: n(
          'Centres oberts d’atenció socioeducativa diürna per a infants i adolescents en situació de risc, de dilluns a divendres.',
          'Centros abiertos de atención socioeducativa diurna para niños y adolescentes en situación de riesgo, de lunes a viernes.',
          'Day centres providing social and educational support for children and teenagers at risk, Monday to Friday.',
        ),
        cpv: '85000000-9',
        additionalCpvs: ['80000000-4'],
        budget: '600000.00',
        extensions: '1',
        modifications: '20',
        vat: '4',
        months: 24,
        lots: [
          {
            title: n(
              'Centre obert del districte 2',
              'Centro abierto del distrito 2',
              'District 2 open centre',
            ),
            share: '50',
          },
          {
            title: n(
              'Centre obert del districte 6',
              'Centro abierto del distrito 6',
              'District 6 open centre',
            ),
            share: '50',
          },
        ],
        criteria: [
          price('25'),
          formula('25', TEAM_STABILITY),
          judgement(
            '50',
            n('Projecte socioeducatiu', 'Proyecto socioeducativo', 'Social and educational plan'),
          ),
        ],
        stage: 'published',
        ago: 1,
        after: [
          {
            day: 1,
            do: 'ask',
            by: 'admin@dadesobertes.example',
            text: 'Els locals dels centres oberts són municipals?',
            answer: {
              day: 2,
              text: 'Sí, l’Ajuntament els cedeix i n’assumeix els subministraments; l’adjudicatari en fa la neteja diària.',
            },
          },
          { day: 2, do: 'follow', by: 'admin@dadesobertes.example' },
        ],
      },
      {
        num: '3287',
        procedure: 'abierto',
        contractType: 'services',
        title: n(
          'Manteniment de l’arbrat viari',
          'Mantenimiento del arbolado viario',
          'Street tree maintenance',
        ),
        description: n(
          'Poda, tractaments fitosanitaris, reposició de marres i inspecció de l’arbrat dels carrers.',
          'Poda, tratamientos fitosanitarios, reposición de marras e inspección del arbolado de las calles.',
          'Pruning, plant-health treatments, replacement planting and inspection of street trees.',
        ),
        cpv: '77310000-6',
        budget: '280000.00',
        extensions: '1',
        modifications: '20',
        vat: '21',
        months: 24,
        lots: [
          { title: n('Districtes 1 i 2', 'Distritos 1 y 2', 'Districts 1 and 2'), share: '35' },
          { title: n('Districtes 3 i 4', 'Distritos 3 y 4', 'Districts 3 and 4'), share: '35' },
          { title: n('Districtes 5, 6 i 7', 'Distritos 5, 6 y 7', 'Districts 5, 6 and 7'), share: '30' },
        ],
        criteria: [
          price('35'),
          formula('15', ZERO_EMISSIONS),
          formula('10', SOCIAL_INCLUSION),
          judgement(
            '40',
            n('Pla de gestió de l’arbrat', 'Plan de gestión del arbolado', 'Tree management plan'),
          ),
        ],
        stage: 'published',
        ago: 1,
        after: [
          {
            day: 1,
            do: 'ask',
            by: 'admin@jardins-maresme.example',
            text: 'La poda de palmeres està inclosa en el contracte?',
            answer: {
              day: 3,
              text: 'Sí: s’ha rectificat l’anunci per incloure-la expressament i s’ha ampliat el termini de presentació d’ofertes.',
            },
          },
          {
            day: 3,
            do: 'correct',
            substantial: true,
            reason:
              'S’inclou expressament la poda de palmeres i el control del morrut, que no constaven a la descripció; s’amplia el termini (art. 136.2 LCSP).',
            description: n(
              'Poda (incloses les palmeres), tractaments fitosanitaris i control del morrut, reposició de marres i inspecció de l’arbrat dels carrers.',
              'Poda (incluidas las palmeras), tratamientos fitosanitarios y control del picudo rojo, reposición de marras e inspección del arbolado de las calles.',
              'Pruning (palm trees included), plant-health treatments and red palm weevil control, replacement planting and inspection of street trees.',
            ),
          },
        ],
      },
      {
        num: '3251',
        procedure: 'abierto_simplificado',
        contractType: 'supplies',
        title: n(
          'Subministrament i instal·lació de punts d’accés wifi a les escoles',
          'Suministro e instalación de puntos de acceso wifi en las escuelas',
          'Supply and installation of wifi access points in schools',
        ),
        description: n(
          'Subministrament, instal·lació i configuració de punts d’accés sense fil a les escoles públiques de la ciutat.',
          'Suministro, instalación y configuración de puntos de acceso inalámbricos en las escuelas públicas de la ciudad.',
          'Supply, installation and configuration of wireless access points in the city’s state schools.',
        ),
        cpv: '30000000-9',
        additionalCpvs: ['72000000-5'],
        budget: '90000.00',
        extensions: '0',
        modifications: '10',
        vat: '21',
        months: 3,
        lots: SINGLE(n('Punts d’accés wifi', 'Puntos de acceso wifi', 'Wifi access points')),
        singleLotJustification:
          'Cal una única xarxa gestionada des d’una sola consola; equips de fabricants diferents no serien interoperables (art. 99.3.b LCSP).',
        criteria: [
          price('35'),
          formula('25', GUARANTEE),
          formula(
            '15',
            n(
              'Eficiència energètica dels equips',
              'Eficiencia energética de los equipos',
              'Energy efficiency of the equipment',
            ),
          ),
          judgement('25', n('Projecte d’instal·lació', 'Proyecto de instalación', 'Installation plan')),
        ],
        stage: 'published',
        ago: 55,
        expired: true,
        after: [{ day: 2, do: 'follow', by: 'admin@solutions-numeriques.example' }],
      },
      {
        num: '3342',
        procedure: 'abierto',
        contractType: 'works',
        title: n(
          'Obres de millora de l’accessibilitat al parc de Vallparadís',
          'Obras de mejora de la accesibilidad en el parque de Vallparadís',
          'Accessibility improvement works in Vallparadís park',
        ),
        description: n(
          'Nous camins accessibles, passeres, enllumenat i mobiliari urbà al parc de Vallparadís.',
          'Nuevos caminos accesibles, pasarelas, alumbrado y mobiliario urbano en el parque de Vallparadís.',
          'New accessible paths, footbridges, lighting and street furniture in Vallparadís park.',
        ),
        cpv: '45000000-7',
        additionalCpvs: ['71000000-8'],
        budget: '2600000.00',
        extensions: '0',
        modifications: '0',
        vat: '21',
        months: 14,
        lots: [
          {
            title: n('Urbanització i camins', 'Urbanización y caminos', 'Landscaping and paths'),
            share: '60',
          },
          {
            title: n(
              'Enllumenat i mobiliari urbà',
              'Alumbrado y mobiliario urbano',
              'Lighting and street furniture',
            ),
            share: '40',
          },
        ],
        criteria: [
          price('35'),
          formula('15', SHORTER_WORKS),
          formula('20', GUARANTEE),
          judgement('30', WORKS_PLAN),
        ],
        stage: 'draft',
        // Just created: documents and assignments still to come.
        documents: [],
        assign: false,
        ago: 1,
      },
    ],
  },
];

const DOCUMENT_TITLES: Record<DocumentKind, { title: string; file: string }> = {
  memoria_justificativa: { title: 'Memòria justificativa', file: 'Memoria-justificativa' },
  pcap: { title: 'Plec de clàusules administratives particulars', file: 'PCAP' },
  ppt: { title: 'Plec de prescripcions tècniques', file: 'PPT' },
  informe_necesidad: { title: 'Informe de necessitat', file: 'Informe-necessitat' },
  other: { title: 'Annex', file: 'Annex' },
};

const REQUIRED_DOCUMENTS: DocumentKind[] = ['memoria_justificativa', 'pcap', 'ppt'];

/** Splits a total by percentage shares, the last part taking the remainder so that the parts add up. */
function splitByShares(total: Dec, shares: string[]): string[] {
  let left = total;
  return shares.map((share, i) => {
    const part = i === shares.length - 1 ? left : total.times(share).dividedBy(100).toDecimalPlaces(2);
    left = left.minus(part);
    return part.toFixed(2);
  });
}

/** Text a PDF can carry in its standard fonts: the demo documents are placeholders. */
function ascii(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[’‘]/g, "'")
    .replace(/[^\x20-\x7e]/g, '');
}

/** `n` business days before `day`. */
function businessDaysBefore(day: LocalDate, count: number, cal: Calendar): LocalDate {
  let current = day;
  let left = count;
  while (left > 0) {
    current = DateTime.fromISO(current, { zone: 'utc' }).minus({ days: 1 }).toISODate() as LocalDate;
    if (isBusinessDay(current, cal)) left -= 1;
  }
  return current;
}

/** An instant at a local time on a local day of the city. */
function at(day: LocalDate, time: string, cal: Calendar): Date {
  const [hour, minute] = time.split(':').map(Number);
  return DateTime.fromISO(day, { zone: cal.timeZone })
    .set({ hour: hour ?? 0, minute: minute ?? 0 })
    .toJSDate();
}

/** The minimum tender period of a file published on `day` (arts. 156, 159), as the checks compute it. */
function periodRule(spec: FileSpec, estimatedValue: string, day: LocalDate): PeriodRule {
  const facts = {
    contractType: spec.contractType,
    estimatedValue,
    socialServices: spec.socialServices ?? false,
  };
  const rule = minimumTenderPeriod(spec.procedure, {
    harmonised: isHarmonised(facts, day),
    contractType: spec.contractType,
    electronicSubmission: true,
  });
  if (!rule) throw new Error(`No tender period for ${spec.procedure}`);
  return rule;
}

/** Index, among the file's working days, of the last step before publication for each stage. */
function lastPipelineDay(spec: FileSpec): number {
  switch (spec.stage) {
    case 'draft':
      return 1;
    case 'in_approval':
      return 2 + (spec.approvals ?? 0);
    case 'returned':
    case 'approved':
      return 5;
    case 'published':
      return 6;
  }
}

function eventDays(spec: FileSpec): number[] {
  return (spec.after ?? []).flatMap((e) => (e.do === 'ask' && e.answer ? [e.day, e.answer.day] : [e.day]));
}

type Staff = Map<string, UserActor>;

async function actorFor(db: Db, email: string): Promise<UserActor | undefined> {
  const user = await findUserByEmail(db, email);
  if (!user) return undefined;
  const roles = await loadRoles(db, user.id);
  return {
    kind: 'user',
    userId: user.id,
    email: user.email,
    name: user.name,
    locale: user.locale,
    isPlatformAdmin: user.is_platform_admin,
    authorityRoles: roles.authorityRoles,
    companyRoles: roles.companyRoles,
    via: 'session',
  };
}

const STAFF_LOCALS = [
  'admin',
  'officer',
  'technical',
  'legal',
  'financial',
  'committee',
  'custodian1',
  'custodian2',
  'custodian3',
] as const;
type StaffLocal = (typeof STAFF_LOCALS)[number];

const CHAIN: Record<string, StaffLocal> = {
  approver_technical: 'technical',
  approver_legal: 'legal',
  approver_financial: 'financial',
};

export type DemoTenderOptions = {
  /** Where the documents go: the same store the app serves them from. */
  store: BlobStore;
  /** The email domain of each city's staff, by authority slug. */
  domains: ReadonlyMap<string, string>;
};

export type DemoTenderResult = { created: number; skipped: number };

/**
 * Seeds the demo files that are not there yet: a file whose number (the reference before the
 * year) is already used in its city is left alone, so running the seed again adds nothing, and a
 * run that stopped half-way is completed by the next one. A city whose staff is missing (a
 * database seeded by an older version) is skipped.
 */
export async function seedDemoTenders(
  db: Db,
  base: Omit<ServiceContext, 'db'>,
  options: DemoTenderOptions,
): Promise<DemoTenderResult> {
  // What is already there, in two queries: on every start after the first, this is all the work.
  const authorities = await db
    .selectFrom('authority')
    .select(['id', 'slug', 'approval_chain'])
    .where(
      'slug',
      'in',
      DEMO_FILES.map((c) => c.slug),
    )
    .execute();
  const present = authorities.length
    ? await db
        .selectFrom('tender')
        .select(['authority_id', sql<string>`split_part(reference, '/', 1)`.as('num')])
        .where(
          'authority_id',
          'in',
          authorities.map((a) => a.id),
        )
        .where(
          sql<string>`split_part(reference, '/', 1)`,
          'in',
          DEMO_FILES.flatMap((c) => c.files.map((f) => f.num)),
        )
        .execute()
    : [];
  const taken = new Set(present.map((p) => `${p.authority_id}:${p.num}`));
  const work = DEMO_FILES.map((city) => {
    const authority = authorities.find((a) => a.slug === city.slug);
    const files = authority ? city.files.filter((f) => !taken.has(`${authority.id}:${f.num}`)) : [];
    return { city, authority, files };
  });
  let skipped = work.filter((w) => !w.authority).reduce((n, w) => n + w.city.files.length, 0);
  if (work.every((w) => w.files.length === 0)) return { created: 0, skipped };

  const now = base.clock.now();
  const storage = {
    store: options.store,
    maxBytes: 1_048_576,
    log: { warn: (obj: object, msg: string) => process.stderr.write(`${msg} ${JSON.stringify(obj)}\n`) },
  };
  // Company users are looked up before any file's transaction: on PGlite a query outside the
  // open transaction would wait for it forever.
  const companyUsers = new Map<string, UserActor>();
  const askers = work.flatMap((w) =>
    w.files.flatMap((f) => (f.after ?? []).map((e) => ('by' in e ? e.by : ''))),
  );
  for (const email of new Set(askers)) {
    const actor = email ? await actorFor(db, email) : undefined;
    if (actor) companyUsers.set(email, actor);
  }
  const companyUser = (email: string): UserActor => {
    const actor = companyUsers.get(email);
    if (!actor) throw new Error(`Demo company user ${email} is missing`);
    return actor;
  };
  let created = 0;
  for (const { city, authority, files } of work) {
    const domain = options.domains.get(city.slug);
    if (!authority || files.length === 0) continue;
    const staff: Staff = new Map();
    for (const local of domain ? STAFF_LOCALS : []) {
      const actor = await actorFor(db, `${local}@${domain}.example`);
      if (actor?.authorityRoles.has(authority.id)) staff.set(local, actor);
    }
    if (staff.size !== STAFF_LOCALS.length) {
      skipped += files.length;
      continue;
    }
    const cal = await authorityCalendar(db, authority.id);
    const today = localDate(now, cal.timeZone);
    for (const spec of files) {
      // One transaction per file: its story commits whole or not at all, so a run that stops
      // half-way never leaves a half-made file behind (the next run seeds it again).
      await withTransaction(db, (trx) =>
        seedFile({
          db: trx,
          chain: authority.approval_chain,
          base,
          storage,
          city,
          authorityId: authority.id,
          staff,
          cal,
          today,
          now,
          spec,
          companyUser,
        }),
      );
      created += 1;
    }
  }
  return { created, skipped };
}

type FileContext = {
  db: Tx;
  /** The authority's approval chain (roles, in order). */
  chain: readonly string[];
  base: Omit<ServiceContext, 'db'>;
  storage: Parameters<typeof recordDocument>[1];
  city: CityFiles;
  authorityId: string;
  staff: Staff;
  cal: Calendar;
  today: LocalDate;
  now: Date;
  spec: FileSpec;
  companyUser: (email: string) => UserActor;
};

/** Takes one file through its story, each step by the right person at the right moment. */
async function seedFile(f: FileContext): Promise<void> {
  const { spec, cal, today, authorityId } = f;
  const person = (local: StaffLocal): UserActor => {
    const actor = f.staff.get(local);
    if (!actor) throw new Error(`Demo staff ${local} is missing`);
    return actor;
  };
  // The file's working days end `ago` business days before today.
  const lastDay = lastPipelineDay(spec) + Math.max(0, ...eventDays(spec));
  const firstDay = businessDaysBefore(today, spec.ago + lastDay, cal);
  const dayOf = (index: number) => addBusinessDays(firstDay, index, cal);
  const moment = (index: number, time: string): Date => {
    const instant = at(dayOf(index), time, cal);
    if (instant >= f.now) throw new Error(`Demo file ${spec.num}: a step falls in the future`);
    return instant;
  };
  const ctx = (actor: UserActor, instant: Date): ServiceContext => ({
    ...f.base,
    db: f.db,
    actor,
    clock: { now: () => instant },
  });

  // The estimated value (art. 101.2) adds extensions and foreseen modifications to the budget.
  const budget = new Dec(spec.budget);
  const valueBreakdown = {
    base: budget.toFixed(2),
    options: '0.00',
    extensions: budget.times(spec.extensions).toFixed(2),
    modifications: budget.times(spec.modifications).dividedBy(100).toFixed(2),
    prizes: '0.00',
  };
  const estimated = budget.plus(valueBreakdown.extensions).plus(valueBreakdown.modifications);
  const shares = spec.lots.map((l) => l.share);
  const lotValues = splitByShares(estimated, shares);
  const lotBudgets = splitByShares(budget, shares);

  // Deadlines from the (actual or planned) publication, on the city's business-day calendar.
  const published = spec.stage === 'published';
  const publicationDay = published ? dayOf(6) : addBusinessDays(today, 2, cal);
  const rule = periodRule(spec, estimated.toFixed(2), publicationDay);
  const expired = published && spec.expired === true;
  // An open tender keeps at least two weeks of business days ahead of the seed, so the demo stays usable.
  let deadlineDay = periodEnd(publicationDay, rule.days + (published ? 3 : 12), rule.unit, cal);
  const soonest = addBusinessDays(today, 10, cal);
  if (!expired && deadlineDay < soonest) deadlineDay = soonest;
  const tenderDeadline = at(deadlineDay, '14:00', cal);
  if (expired && tenderDeadline >= f.now) throw new Error(`Demo file ${spec.num}: deadline not passed`);
  const hasOpening = spec.procedure !== 'abierto_simplificado_abreviado';
  const deadlinesFor = (day: LocalDate) => ({
    tenderDeadline: at(day, '14:00', cal).toISOString(),
    // Additional information is given at least 6 days before the deadline (art. 138.3): questions close earlier.
    questionsDeadline: at(businessDaysBefore(day, 6, cal), '14:00', cal).toISOString(),
    ...(hasOpening ? { openingAt: at(addBusinessDays(day, 2, cal), '10:00', cal).toISOString() } : {}),
  });

  const createdAt = moment(0, '09:10');
  const input: TenderInput = {
    reference: `${spec.num}/${createdAt.getUTCFullYear()}`,
    procedure: spec.procedure,
    contractType: spec.contractType,
    title: spec.title,
    description: spec.description,
    mainCpv: spec.cpv,
    additionalCpvs: spec.additionalCpvs ?? [],
    estimatedValue: estimated.toFixed(2),
    valueBreakdown,
    budgetExclVat: budget.toFixed(2),
    budgetInclVat: budget.times(new Dec(100).plus(spec.vat)).dividedBy(100).toDecimalPlaces(2).toFixed(2),
    durationMonths: spec.months,
    nutsCode: f.city.nuts,
    socialServices: spec.socialServices ?? false,
    singleLotJustification: spec.singleLotJustification ?? null,
    custodianQuorum: 2,
    ...deadlinesFor(deadlineDay),
    lots: spec.lots.map((lot, i) => ({
      number: i + 1,
      title: lot.title,
      estimatedValue: lotValues[i] ?? '0',
      budgetExclVat: lotBudgets[i] ?? '0',
      mainCpv: lot.cpv ?? spec.cpv,
      // Price alone: RGLCAP art. 85 by default (art. 149.2.a); several criteria: the notice's test.
      ...(spec.criteria.every((c) => c.kind === 'price') ? {} : { abnormal: ABNORMAL_NOTICE }),
      criteria: spec.criteria,
    })),
  };
  if (tenderDeadline.toISOString() !== input.tenderDeadline) throw new Error('inconsistent deadline');

  const officer = person('officer');
  let view = await createTender(ctx(officer, createdAt), authorityId, input);
  const id = view.id;
  if (spec.assign ?? true) {
    view = await setAssignments(ctx(officer, moment(0, '09:40')), authorityId, id, {
      version: view.version,
      committee: [person('committee').userId, person('custodian2').userId],
      custodians: [person('custodian1').userId, person('custodian2').userId, person('custodian3').userId],
    });
  }
  const documents = spec.documents ?? REQUIRED_DOCUMENTS;
  for (const [i, kind] of documents.entries()) {
    const doc = DOCUMENT_TITLES[kind];
    const pdf = samplePdf(ascii(`${doc.title} - Exp. ${input.reference} - ${spec.title.ca}`));
    const content = await storeDocumentContent(f.storage, {
      stream: Readable.from([pdf]),
      fileName: `${doc.file}-${input.reference.replace('/', '-')}.pdf`,
      declaredType: 'application/pdf',
    });
    await recordDocument(
      ctx(officer, moment(1, `10:${String(5 * i).padStart(2, '0')}`)),
      f.storage,
      authorityId,
      id,
      { kind, title: doc.title },
      content,
    );
  }
  if (spec.stage === 'draft') return;

  // Each document added a version; every later step returns the file with its new version.
  const { version } = await f.db
    .selectFrom('tender')
    .select('version')
    .where('id', '=', id)
    .where('authority_id', '=', authorityId)
    .executeTakeFirstOrThrow();
  view = await submitTender(ctx(officer, moment(2, '12:30')), authorityId, id, version);
  const chain = f.chain;
  const approvals =
    spec.stage === 'in_approval' ? (spec.approvals ?? 0) : spec.stage === 'returned' ? 1 : chain.length;
  if ((spec.stage === 'in_approval' || spec.stage === 'returned') && approvals >= chain.length) {
    throw new Error(`Demo file ${spec.num}: ${approvals} approvals do not fit a chain of ${chain.length}`);
  }
  const times = ['10:30', '11:15', '12:00'];
  for (const [i, role] of chain.slice(0, approvals).entries()) {
    const local = CHAIN[role];
    if (!local) throw new Error(`No demo approver for ${role}`);
    view = await decideApproval(ctx(person(local), moment(3 + i, times[i] ?? '12:00')), authorityId, id, {
      decision: 'approved',
    });
  }
  if (spec.stage === 'returned') {
    // The next step (the legal service) sends it back with reasons; the officer amends the file.
    const rejecter = CHAIN[chain[approvals] ?? ''];
    if (!rejecter) throw new Error(`No demo approver for step ${approvals}`);
    view = await decideApproval(ctx(person(rejecter), moment(3 + approvals, '11:15')), authorityId, id, {
      decision: 'rejected',
      comment:
        'Cal motivar amb més detall la no divisió en lots i ajustar la solvència tècnica del PCAP a l’objecte del contracte (art. 99.3 i 90 LCSP).',
    });
    await updateTender(ctx(officer, moment(5, '16:00')), authorityId, id, {
      ...input,
      singleLotJustification: `${spec.singleLotJustification ?? ''} La direcció artística única coordina programació, producció tècnica i comunicació; amb lots, cap contractista respondria del conjunt.`,
      version: view.version,
    });
    return;
  }
  if (spec.stage === 'in_approval') return;

  const admin = person('admin');
  if (published) {
    view = await publishTender(ctx(officer, moment(6, '09:30')), authorityId, id, view.version);
  }
  const ocid = view.ocid;
  const questionIds = new Map<AskEvent, string>();
  const base = lastPipelineDay(spec);
  type Timed = { day: number; time: string; run: () => Promise<unknown> };
  const timeline: Timed[] = [];
  for (const [i, e] of (spec.after ?? []).entries()) {
    const time = `${String(10 + i).padStart(2, '0')}:20`;
    switch (e.do) {
      case 'ask': {
        const asker = f.companyUser(e.by);
        const companyId = [...asker.companyRoles.keys()][0] ?? '';
        timeline.push({
          day: e.day,
          time,
          run: async () => {
            const q = await askQuestion(ctx(asker, moment(base + e.day, time)), ocid ?? '', {
              companyId,
              question: e.text,
            });
            questionIds.set(e, q.id);
          },
        });
        const answer = e.answer;
        if (answer) {
          timeline.push({
            day: answer.day,
            time: '13:45',
            run: () =>
              answerQuestion(
                ctx(officer, moment(base + answer.day, '13:45')),
                authorityId,
                id,
                questionIds.get(e) ?? '',
                answer.text,
              ),
          });
        }
        break;
      }
      case 'follow': {
        const follower = f.companyUser(e.by);
        timeline.push({
          day: e.day,
          time,
          run: () => setFollow(ctx(follower, moment(base + e.day, time)), ocid ?? '', true),
        });
        break;
      }
      case 'correct':
        timeline.push({
          day: e.day,
          time: '12:10',
          run: async () => {
            const when = moment(base + e.day, '12:10');
            let extended: Partial<ReturnType<typeof deadlinesFor>> = {};
            if (e.substantial) {
              // The full minimum period again from the corrigendum (art. 136.2), and never shorter than before.
              let day = periodEnd(localDate(when, cal.timeZone), rule.days + 3, rule.unit, cal);
              const later = addCalendarDays(deadlineDay, 7);
              if (day < later) day = later;
              extended = deadlinesFor(day);
            }
            view = await publishCorrigendum(ctx(officer, when), authorityId, id, {
              version: view.version,
              reason: e.reason,
              substantial: e.substantial,
              description: e.description,
              ...extended,
            });
          },
        });
        break;
      case 'cancel':
        timeline.push({
          day: e.day,
          time: '13:00',
          run: async () => {
            view = await cancelTender(ctx(admin, moment(base + e.day, '13:00')), authorityId, id, {
              version: view.version,
              kind: e.kind,
              reason: e.reason,
            });
          },
        });
        break;
    }
  }
  timeline.sort((a, b) => a.day - b.day || a.time.localeCompare(b.time));
  for (const step of timeline) await step.run();
}
