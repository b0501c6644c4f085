/**
 * A whole fictional Contracta process, from the plan to the end of the contract, as the inputs of
 * the release builders, and the releases built from it in order. Used by release.test.ts and
 * test/ocds/release-validate.test.ts (test support only; no I/O).
 */
import type { JsonObject } from './merge.types.js';
import {
  awardCancellationRelease,
  awardRelease,
  bidsReceivedRelease,
  contractAmendmentRelease,
  contractRelease,
  contractTerminationRelease,
  implementationRelease,
  planningRelease,
  tenderAmendmentRelease,
  tenderCancellationRelease,
  tenderRelease,
} from './release.build.js';
import { releaseIdFor } from './release.parts.js';
import type {
  OcdsContract,
  OcdsLotAward,
  OcdsNotice,
  OcdsNoticeVersion,
  OcdsOpenedBid,
  OcdsPlannedContract,
  ReleaseContext,
} from './release.types.js';

export const FIXTURE_PREFIX = 'ocds-c0ntr4';
export const FIXTURE_FILE_ID = '0195f3a2-7c1e-7b11-9a6e-0d3c2b1a0001';
export const FIXTURE_OCID = `${FIXTURE_PREFIX}-${FIXTURE_FILE_ID}`;

export const ctx: ReleaseContext = {
  authority: {
    id: 'a1',
    name: { ca: 'Ajuntament de Vilafranca', es: 'Ayuntamiento de Vilafranca', en: 'Vilafranca City Council' },
    dir3Code: 'L01081023',
    ocidPrefix: FIXTURE_PREFIX,
  },
  publicBaseUrl: 'https://contracta.example.cat',
};

const ev = (n: number, at: string) => ({ id: `0195f3a2-0000-7000-8000-${String(n).padStart(12, '0')}`, at });

export const plan: OcdsPlannedContract = {
  id: '0195f3a2-7c1e-7b11-9a6e-0d3c2b1a9999',
  status: 'file_started',
  title: {
    ca: 'Neteja d’edificis municipals',
    es: 'Limpieza de edificios municipales',
    en: 'Cleaning of municipal buildings',
  },
  description: { ca: 'Servei de neteja', es: 'Servicio de limpieza', en: 'Cleaning service' },
  contractType: 'services',
  procedure: 'abierto',
  mainCpv: '90910000-9',
  estimatedValue: '480000.00',
  expectedYear: 2026,
  expectedQuarter: 2,
  lotCount: 2,
  reservedLots: 0,
  withdrawalReason: null,
  tenderId: FIXTURE_FILE_ID,
};

const lots = [
  {
    number: 1,
    title: { ca: 'Escoles', es: 'Escuelas', en: 'Schools' },
    estimatedValue: '300000.00',
    budgetExclVat: '150000.00',
    mainCpv: '90911200-8',
    reserved: false,
    criteria: [
      {
        kind: 'price' as const,
        evaluation: 'formula' as const,
        weight: '60.00',
        name: { ca: 'Preu', es: 'Precio', en: 'Price' },
      },
      {
        kind: 'quality' as const,
        evaluation: 'judgement' as const,
        weight: '40.00',
        name: { ca: 'Pla de treball', es: 'Plan de trabajo', en: 'Work plan' },
      },
    ],
  },
  {
    number: 2,
    title: { ca: 'Oficines', es: 'Oficinas', en: 'Offices' },
    estimatedValue: '180000.00',
    budgetExclVat: '90000.00',
    mainCpv: '90911200-8',
    reserved: false,
    criteria: [
      {
        kind: 'price' as const,
        evaluation: 'formula' as const,
        weight: '100.00',
        name: { ca: 'Preu', es: 'Precio', en: 'Price' },
      },
    ],
  },
];

export const notice1: OcdsNotice = {
  id: FIXTURE_FILE_ID,
  reference: 'EXP-2026-014',
  ocid: FIXTURE_OCID,
  status: 'published',
  publishedAt: '2026-04-02T08:00:00.000Z',
  procedure: 'abierto',
  contractType: 'services',
  title: plan.title,
  description: plan.description,
  mainCpv: '90910000-9',
  additionalCpvs: ['90919200-4'],
  estimatedValue: '480000.00',
  budgetExclVat: '240000.00',
  budgetInclVat: '290400.00',
  durationMonths: 24,
  nutsCode: 'ES511',
  questionsDeadline: '2026-04-20T10:00:00.000Z',
  tenderDeadline: '2026-05-04T12:00:00.000Z',
  participationDeadline: null,
  openingAt: '2026-05-06T09:00:00.000Z',
  maxLotsPerBidder: 2,
  maxLotsAwarded: 1,
  lots,
  documents: [
    {
      id: 'doc-pcap',
      kind: 'pcap',
      title: 'Plec de clàusules administratives particulars',
      file_name: 'pcap.pdf',
      content_type: 'application/pdf',
      size_bytes: '120345',
      sha256: 'a'.repeat(64),
    },
    {
      id: 'doc-ppt',
      kind: 'ppt',
      title: 'Plec de prescripcions tècniques',
      file_name: 'ppt.pdf',
      content_type: 'application/pdf',
      size_bytes: '80211',
      sha256: 'b'.repeat(64),
    },
  ],
};

export const v1: OcdsNoticeVersion = {
  version: 1,
  kind: 'original',
  reason: null,
  substantial: null,
  publishedAt: notice1.publishedAt,
  notice: notice1,
};

/** A corrigendum: the deadline extended and the technical specifications replaced. */
export const v2: OcdsNoticeVersion = {
  version: 2,
  kind: 'corrigendum',
  reason: 'Error en el plec tècnic',
  substantial: true,
  publishedAt: '2026-04-15T09:30:00.000Z',
  notice: {
    ...notice1,
    publishedAt: '2026-04-15T09:30:00.000Z',
    tenderDeadline: '2026-05-18T12:00:00.000Z',
    openingAt: '2026-05-20T09:00:00.000Z',
    documents: [
      notice1.documents[0] as OcdsNotice['documents'][number],
      {
        id: 'doc-ppt-2',
        kind: 'ppt',
        title: 'Plec de prescripcions tècniques (corregit)',
        file_name: 'ppt-v2.pdf',
        content_type: 'application/pdf',
        size_bytes: '80999',
        sha256: 'c'.repeat(64),
      },
    ],
  },
};

const alfa = { legalName: 'Netejes Alfa SL', taxId: 'B12345674', taxIdKind: 'CIF' as const };
const beta = { legalName: 'Serveis Beta SA', taxId: 'A87654321', taxIdKind: 'CIF' as const };
const gamma = { legalName: 'Joan Gamma Puig', taxId: '***4567**', taxIdKind: 'NIF' as const };

export const bids: OcdsOpenedBid[] = [
  {
    bidId: 'bid-alfa',
    company: alfa,
    receivedAt: '2026-05-17T18:00:00.000Z',
    lots: [
      { lot: 1, price: '140000.00' },
      { lot: 2, price: '85000.00' },
    ],
    status: 'valid',
  },
  {
    bidId: 'bid-beta',
    company: beta,
    receivedAt: '2026-05-18T10:00:00.000Z',
    lots: [{ lot: 1, price: '132000.00' }],
    status: 'valid',
  },
  {
    bidId: 'bid-gamma',
    company: gamma,
    receivedAt: '2026-05-18T11:00:00.000Z',
    lots: [{ lot: 2, price: '41000.00' }],
    status: 'disqualified',
  },
];

const award1: OcdsLotAward = {
  lot: 1,
  stage: 'awarded',
  award: {
    bidId: 'bid-beta',
    company: beta,
    price: '132000.00',
    reasons: 'Oferta amb la millor relació qualitat-preu (art. 145 LCSP)',
    awardedAt: '2026-06-10T10:00:00.000Z',
    notifiedAt: '2026-06-10T10:05:00.000Z',
  },
  void: null,
};
const void2: OcdsLotAward = {
  lot: 2,
  stage: 'void',
  award: null,
  void: { reasons: 'Cap oferta admissible (art. 150.3 LCSP)', at: '2026-06-12T10:00:00.000Z' },
};

const contractBase: OcdsContract = {
  id: 'contract-1',
  bidId: 'bid-beta',
  lots: [1],
  company: beta,
  amountExclVat: '132000.00',
  totalExclVat: '132000.00',
  signedAt: '2026-07-01T09:00:00.000Z',
  status: 'formalised',
  startedAt: null,
  endDate: '2028-06-30',
  amendments: [],
  extensions: [],
  payments: [],
  milestones: [],
  completedOn: null,
  termination: null,
};
const withAmendment: OcdsContract = {
  ...contractBase,
  status: 'in_execution',
  startedAt: '2026-07-15T07:00:00.000Z',
  totalExclVat: '145200.00',
  amendments: [
    {
      legalGround: 'art_204',
      groundCase: null,
      valueChange: '13200.00',
      newTotal: '145200.00',
      reasons: 'Nou edifici escolar incorporat al servei (modificació prevista, clàusula 32 PCAP)',
      documents: [
        {
          sha256: 'd'.repeat(64),
          title: 'Resolució de modificació',
          contentType: 'application/pdf',
          url: `/api/v1/tenders/${FIXTURE_OCID}/contracts/contract-1/documents/${'d'.repeat(64)}`,
        },
      ],
      at: '2027-01-10T11:00:00.000Z',
    },
  ],
};
const withPayments: OcdsContract = {
  ...withAmendment,
  payments: [
    {
      version: 3,
      amount: '5500.00',
      paidOn: '2026-08-31',
      invoiceRef: 'F-2026-081',
      at: '2026-08-31T12:00:00.000Z',
    },
    {
      version: 4,
      amount: '6050.00',
      paidOn: '2027-02-28',
      invoiceRef: 'F-2027-022',
      at: '2027-02-28T12:00:00.000Z',
    },
  ],
  milestones: [
    {
      version: 5,
      description: 'Informe semestral de qualitat',
      dueDate: '2027-03-31',
      at: '2027-03-01T09:00:00.000Z',
    },
  ],
};
const completed: OcdsContract = { ...withPayments, status: 'completed', completedOn: '2028-06-30' };

/** Every release of the process, in publication order. */
export function fixtureReleases(): JsonObject[] {
  const tender = tenderRelease(ctx, v1, ev(2, '2026-04-02T08:00:00.000Z'), { plannedContractId: plan.id });
  return [
    planningRelease(ctx, { ...plan, status: 'planned', tenderId: null }, ev(1, '2026-01-15T09:00:00.000Z')),
    planningRelease(ctx, plan, ev(9, '2026-03-01T09:00:00.000Z'), { update: true }),
    tender,
    tenderAmendmentRelease(ctx, v2, v1, ev(3, '2026-04-15T09:30:00.000Z'), tender.id as string),
    bidsReceivedRelease(ctx, v2.notice, bids, ev(4, '2026-05-18T12:00:00.000Z')),
    awardRelease(ctx, v2.notice, [award1], bids, ev(5, '2026-06-10T10:00:00.000Z')),
    awardCancellationRelease(ctx, v2.notice, [award1, void2], bids, ev(6, '2026-06-12T10:00:00.000Z')),
    contractRelease(ctx, v2.notice, [contractBase], ev(7, '2026-07-01T09:00:00.000Z')),
    implementationRelease(
      ctx,
      v2.notice,
      [
        {
          ...withAmendment,
          amendments: [],
          totalExclVat: '132000.00',
          payments: withPayments.payments.slice(0, 1),
        },
      ],
      ev(8, '2026-08-31T12:00:00.000Z'),
    ),
    contractAmendmentRelease(
      ctx,
      v2.notice,
      [{ ...withAmendment, payments: withPayments.payments.slice(0, 1) }],
      ev(10, '2027-01-10T11:00:00.000Z'),
    ),
    implementationRelease(ctx, v2.notice, [withPayments], ev(11, '2027-03-01T09:00:00.000Z')),
    contractTerminationRelease(ctx, v2.notice, [completed], ev(12, '2028-06-30T15:00:00.000Z')),
  ];
}

/** A second, cancelled process (same authority), for the tenderCancellation release. */
export function cancelledProcessReleases(): JsonObject[] {
  const id = '0195f3a2-7c1e-7b11-9a6e-0d3c2b1a0002';
  const ocid = `${FIXTURE_PREFIX}-${id}`;
  const notice: OcdsNotice = { ...notice1, id, ocid };
  const original: OcdsNoticeVersion = { ...v1, notice };
  const cancellation: OcdsNoticeVersion = {
    version: 2,
    kind: 'cancellation',
    reason: 'desistimiento: Defecte no esmenable al plec (art. 152.4 LCSP)',
    substantial: null,
    publishedAt: '2026-04-20T08:00:00.000Z',
    notice: { ...notice, status: 'cancelled', publishedAt: '2026-04-20T08:00:00.000Z' },
  };
  const e1 = ev(21, notice.publishedAt);
  return [
    tenderRelease(ctx, original, e1),
    tenderCancellationRelease(
      ctx,
      cancellation,
      ev(22, cancellation.publishedAt),
      releaseIdFor(ocid, 'tender', e1),
    ),
  ];
}
