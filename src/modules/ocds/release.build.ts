/**
 * OCDS 1.1.5 releases of Contracta's public events (issue 6 point 1), with the extensions declared in
 * extensions.ts (lots, bids, submissionTerms, awardCriteria). One pure function per public event; each
 * returns one immutable release. Identifiers, dates and organisation ids follow release.parts.ts.
 *
 * Mapping notes (what goes where, and why):
 * - Each release is self-contained: it lists in `parties` every organisation it references, with all
 *   its roles in the process (see AUTHORITY_ROLES), so that it validates on its own and so that merging
 *   never drops a role.
 * - Releases after the tender restate the whole current state of their section (all awards, all
 *   contracts with their amendments and transactions): merge matches array items by id, so repeating
 *   them is harmless, and the wiring needs only the public views as they are (publicAwards and
 *   publicContracts return every lot and every contract).
 * - Documents: each document's SHA-256 is in `integrity` (our documentIntegrity extension,
 *   extensions.ts: 1.1.5 has no hash field) and, for readers without the extension, in its
 *   `description` (`SHA-256: …`); contract documents are also identified by it (their public URL is
 *   keyed by it).
 * - Deletions: a document dropped by a corrigendum is published with all its fields null, the only
 *   way to remove an array item in OCDS (ocds.md §3.1).
 * - Cancellation of a tender, withdrawal of a plan entry and termination of a contract carry their
 *   reasons as an `amendments[]` entry: 1.1.5 has no status-details field (1.2 adds one).
 */
import { Dec } from '../../platform/money.js';
import { noticeDiff } from '../tenders/notice-diff.rules.js';
import type { JsonObject } from './merge.types.js';
import {
  authorityParty,
  authorityRef,
  companyRef,
  cpv,
  dayStart,
  type Loose,
  ocidFor,
  partiesOf,
  procedureFields,
  procurementCategory,
  prune,
  releaseIdFor,
  type ReleaseTag,
  SUPPLIER_ROLES,
  TENDERER_ROLES,
  text,
  translated,
  utc,
  value,
} from './release.parts.js';
import type {
  OcdsAnnulledAward,
  OcdsCompany,
  OcdsContract,
  OcdsEvent,
  OcdsLotAward,
  OcdsMinorAward,
  OcdsNotice,
  OcdsNoticeDocument,
  OcdsNoticeVersion,
  OcdsOpenedBid,
  OcdsPlannedContract,
  ReleaseContext,
} from './release.types.js';

export { ocidFor, releaseIdFor } from './release.parts.js';

/** The skeleton every release shares (ocds.md §2: required ocid, id, date, tag, initiationType). */
function release(
  ocid: string,
  tag: ReleaseTag,
  event: OcdsEvent,
  body: Record<string, Loose>,
  alsoTags: readonly ReleaseTag[] = [],
): JsonObject {
  const built = prune({
    ocid,
    id: releaseIdFor(ocid, tag, event),
    date: utc(event.at),
    tag: [tag, ...alsoTags],
    initiationType: 'tender',
    // Texts are in Catalan, the portal's default; Spanish and English are `_es` / `_en` variants.
    language: 'ca',
    ...body,
  });
  return built as JsonObject;
}

const lotId = (n: number) => String(n);
export const awardIdFor = (lot: number, bidId: string) => `${lot}-${bidId}`;
export const bidDetailIdFor = (bidId: string, lot: number) => `${bidId}-lot-${lot}`;

// --- planning -----------------------------------------------------------------------------------

/** The first day of a quarter, as the planned start of the tender period. */
function quarterStart(year: number, quarter: number): string {
  const month = String((quarter - 1) * 3 + 1).padStart(2, '0');
  return `${year}-${month}-01T00:00:00.000Z`;
}

/**
 * A planned contract of the authority's contracting plan (art. 28.4 LCSP): `planning` for its first
 * publication, `planningUpdate` for a change or its withdrawal. The ocid is that of its file once
 * started (prefix + file id, the process the entry became), linked back to the entry's own ocid
 * (prefix + entry id, used while it is only planned) by a `planning` related process.
 */
export function planningRelease(
  ctx: ReleaseContext,
  plan: OcdsPlannedContract,
  event: OcdsEvent,
  options: { update?: boolean } = {},
): JsonObject {
  const planOcid = ocidFor(ctx.authority.ocidPrefix, plan.id);
  const ocid = plan.tenderId ? ocidFor(ctx.authority.ocidPrefix, plan.tenderId) : planOcid;
  const tag: ReleaseTag = options.update ? 'planningUpdate' : 'planning';
  const lots = Array.from({ length: Math.max(plan.lotCount, 1) }, (_, i) => i + 1);
  return release(ocid, tag, event, {
    parties: [authorityParty(ctx.authority)],
    buyer: authorityRef(ctx.authority),
    planning: {
      budget: {
        description: 'Valor estimat del contracte, IVA exclòs (art. 101 LCSP)',
        amount: value(plan.estimatedValue),
      },
    },
    tender: {
      id: plan.tenderId ?? plan.id,
      ...translated('title', plan.title),
      ...translated('description', plan.description),
      status: plan.status === 'withdrawn' ? 'withdrawn' : 'planned',
      procuringEntity: authorityRef(ctx.authority),
      mainProcurementCategory: procurementCategory(plan.contractType),
      ...procedureFields(plan.procedure),
      value: value(plan.estimatedValue),
      items: lots.map((n) => ({ id: lotId(n), classification: cpv(plan.mainCpv), relatedLot: lotId(n) })),
      lots: lots.map((n) => ({
        id: lotId(n),
        title: `Lot ${n}`,
        status: plan.status === 'withdrawn' ? 'withdrawn' : 'planned',
      })),
      // The plan announces a quarter, not a day: the tender period is expected to start in it.
      tenderPeriod: { startDate: quarterStart(plan.expectedYear, plan.expectedQuarter) },
      amendments:
        plan.status === 'withdrawn'
          ? [
              {
                id: 'withdrawal',
                date: utc(event.at),
                rationale: text(plan.withdrawalReason) ?? 'Retirada del pla de contractació',
                description: 'Contracte retirat del pla de contractació (art. 28.4 LCSP)',
              },
            ]
          : undefined,
    },
    relatedProcesses:
      ocid !== planOcid
        ? [
            {
              id: 'planning',
              relationship: ['planning'],
              title: 'Entrada del pla de contractació',
              scheme: 'ocid',
              identifier: planOcid,
            },
          ]
        : undefined,
  });
}

// --- tender -------------------------------------------------------------------------------------

/** Document kinds of a file → OCDS documentType (open code list). */
const DOCUMENT_TYPES: Record<string, string> = {
  pcap: 'biddingDocuments',
  ppt: 'technicalSpecifications',
  memoria_justificativa: 'needsAssessment',
  informe_necesidad: 'needsAssessment',
};

/**
 * The document's hash in our documentIntegrity extension (extensions.ts; after the proposal in
 * open-contracting/standard#1725): anyone can check a download against the published release.
 */
function integrity(sha256: string): Loose[] {
  return [{ scheme: 'sha256', id: sha256 }];
}

function tenderDocument(
  ctx: ReleaseContext,
  ocid: string,
  d: OcdsNoticeDocument,
  datePublished?: string,
): Loose {
  return {
    id: d.id,
    documentType: DOCUMENT_TYPES[d.kind],
    title: text(d.title) ?? d.file_name,
    description: `SHA-256: ${d.sha256}`,
    integrity: integrity(d.sha256),
    url: `${ctx.publicBaseUrl.replace(/\/$/, '')}/api/v1/tenders/${ocid}/documents/${d.id}`,
    format: text(d.content_type),
    datePublished: datePublished ? utc(datePublished) : undefined,
  };
}

/** The core `awardCriteria` code from the kinds of all criteria. */
function awardCriteriaCode(notice: OcdsNotice): string | undefined {
  const kinds = new Set(notice.lots.flatMap((l) => l.criteria.map((c) => c.kind)));
  if (kinds.size === 0) return undefined;
  if (kinds.size === 1) {
    if (kinds.has('price')) return 'priceOnly';
    if (kinds.has('cost')) return 'costOnly';
    return 'qualityOnly';
  }
  return 'ratedCriteria';
}

const EVALUATION: Record<'formula' | 'judgement', string> = {
  formula: 'Avaluació mitjançant fórmules (sobre C, art. 146 LCSP)',
  judgement: 'Avaluació mitjançant judici de valor (sobre B, art. 146 LCSP)',
};

/**
 * The `tender` section from a notice version. `first`: the original publication (it fixes the
 * start of the tender period and the date each document was published); a corrigendum restates the
 * rest, and merge keeps the start dates of the original.
 */
function tenderSection(
  ctx: ReleaseContext,
  version: OcdsNoticeVersion,
  options: { first: boolean; newDocumentIds?: ReadonlySet<string>; removedDocumentIds?: readonly string[] },
): Record<string, Loose> {
  const n = version.notice;
  const cancelled = n.status === 'cancelled' || version.kind === 'cancellation';
  const status = cancelled ? 'cancelled' : 'active';
  const published = utc(version.publishedAt);
  const milestones: Loose[] = [];
  if (n.participationDeadline) {
    milestones.push({
      id: 'requests-to-participate',
      title: 'Termini de sol·licituds de participació (art. 161 LCSP)',
      type: 'engagement',
      dueDate: utc(n.participationDeadline),
    });
  }
  if (n.openingAt) {
    milestones.push({
      id: 'bid-opening',
      title: 'Obertura pública de les ofertes (art. 157 LCSP)',
      type: 'assessment',
      dueDate: utc(n.openingAt),
    });
  }
  const documents: Loose[] = n.documents.map((d) =>
    tenderDocument(
      ctx,
      n.ocid,
      d,
      options.first || options.newDocumentIds?.has(d.id) ? version.publishedAt : undefined,
    ),
  );
  for (const id of options.removedDocumentIds ?? []) {
    documents.push({
      id,
      documentType: null,
      title: null,
      description: null,
      integrity: null,
      url: null,
      format: null,
      datePublished: null,
    });
  }
  return {
    id: n.id,
    ...translated('title', n.title),
    ...translated('description', n.description),
    status,
    procuringEntity: authorityRef(ctx.authority),
    items: n.lots.map((l) => ({
      id: lotId(l.number),
      ...translated('description', l.title),
      classification: cpv(l.mainCpv ?? n.mainCpv),
      // The file states its additional CPV codes for the whole contract, not per lot.
      additionalClassifications: (n.additionalCpvs ?? []).map(cpv),
      relatedLot: lotId(l.number),
    })),
    value: value(n.estimatedValue),
    ...procedureFields(n.procedure),
    mainProcurementCategory: procurementCategory(n.contractType),
    awardCriteria: awardCriteriaCode(n),
    // Electronic submission is mandatory (LCSP DA 15ª); Contracta takes bids only sealed in the browser.
    submissionMethod: ['electronicSubmission'],
    submissionTerms: { electronicSubmissionPolicy: 'required' },
    tenderPeriod: {
      startDate: options.first ? published : undefined,
      endDate: n.tenderDeadline ? utc(n.tenderDeadline) : undefined,
    },
    enquiryPeriod: {
      startDate: options.first ? published : undefined,
      endDate: n.questionsDeadline ? utc(n.questionsDeadline) : undefined,
    },
    lotDetails: {
      maximumLotsBidPerSupplier: n.maxLotsPerBidder ?? undefined,
      maximumLotsAwardedPerSupplier: n.maxLotsAwarded ?? undefined,
    },
    lots: n.lots.map((l) => ({
      id: lotId(l.number),
      ...translated('title', l.title),
      status,
      value: value(l.estimatedValue),
      awardCriteria: {
        criteria: l.criteria.map((c) => ({
          type: c.kind,
          ...translated('name', c.name),
          description: EVALUATION[c.evaluation],
          numbers: [{ number: Number(c.weight), weight: 'percentageExact' }],
        })),
      },
    })),
    milestones,
    documents,
  };
}

/** The budget of a notice (presupuesto base de licitación, art. 100 LCSP). */
function noticePlanning(n: OcdsNotice): Loose {
  return {
    budget: {
      description: 'Pressupost base de licitació, IVA inclòs (art. 100 LCSP)',
      amount: value(n.budgetInclVat),
    },
  };
}

function processRelease(
  ctx: ReleaseContext,
  ocid: string,
  tag: ReleaseTag,
  event: OcdsEvent,
  body: Record<string, Loose>,
  companies: { company: OcdsCompany; roles: string[] }[] = [],
): JsonObject {
  return release(ocid, tag, event, {
    parties: partiesOf(ctx.authority, companies),
    buyer: authorityRef(ctx.authority),
    ...body,
  });
}

/**
 * The contract notice (art. 135 LCSP): the frozen first version of the notice. `plannedContractId`:
 * the plan entry the file came from, if any (related process `planning`).
 */
export function tenderRelease(
  ctx: ReleaseContext,
  version: OcdsNoticeVersion,
  event: OcdsEvent,
  options: { plannedContractId?: string | null } = {},
): JsonObject {
  const n = version.notice;
  return processRelease(ctx, n.ocid, 'tender', event, {
    planning: noticePlanning(n),
    tender: tenderSection(ctx, version, { first: true }),
    relatedProcesses: options.plannedContractId
      ? [
          {
            id: 'planning',
            relationship: ['planning'],
            title: 'Entrada del pla de contractació',
            scheme: 'ocid',
            identifier: ocidFor(ctx.authority.ocidPrefix, options.plannedContractId),
          },
        ]
      : undefined,
  });
}

/** The leaf changes of a corrigendum, one per line (notice-diff.rules.ts, the diff the portal shows). */
function changeSummary(before: OcdsNotice, after: OcdsNotice): string {
  return noticeDiff(before, after)
    .map((c) => `${c.path}: ${c.before ?? '—'} → ${c.after ?? '—'}`)
    .join('\n');
}

/**
 * A corrigendum (art. 136 LCSP): the new notice version restated, with `tender.amendments[]`
 * describing what changed against the previous version. `previousReleaseId`: the release of the
 * previous version (`amendsReleaseID`).
 */
export function tenderAmendmentRelease(
  ctx: ReleaseContext,
  version: OcdsNoticeVersion,
  previous: OcdsNoticeVersion,
  event: OcdsEvent,
  previousReleaseId?: string,
): JsonObject {
  const n = version.notice;
  const id = releaseIdFor(n.ocid, 'tenderAmendment', event);
  const before = new Set(previous.notice.documents.map((d) => d.id));
  const after = new Set(n.documents.map((d) => d.id));
  const section = tenderSection(ctx, version, {
    first: false,
    newDocumentIds: new Set([...after].filter((d) => !before.has(d))),
    removedDocumentIds: [...before].filter((d) => !after.has(d)),
  });
  return processRelease(ctx, n.ocid, 'tenderAmendment', event, {
    planning: noticePlanning(n),
    tender: {
      ...section,
      amendments: [
        {
          id: `notice-${version.version}`,
          date: utc(version.publishedAt),
          rationale: text(version.reason),
          description: changeSummary(previous.notice, n),
          amendsReleaseID: previousReleaseId,
          releaseID: id,
        },
      ],
    },
  });
}

/**
 * The cancellation of a published tender (art. 152 LCSP: desistimiento or renuncia, with reasons):
 * the tender and all its lots cancelled, the reasons as an amendment.
 */
export function tenderCancellationRelease(
  ctx: ReleaseContext,
  version: OcdsNoticeVersion,
  event: OcdsEvent,
  previousReleaseId?: string,
): JsonObject {
  const n = version.notice;
  const id = releaseIdFor(n.ocid, 'tenderCancellation', event);
  return processRelease(ctx, n.ocid, 'tenderCancellation', event, {
    tender: {
      id: n.id,
      status: 'cancelled',
      lots: n.lots.map((l) => ({ id: lotId(l.number), status: 'cancelled' })),
      amendments: [
        {
          id: `notice-${version.version}`,
          date: utc(version.publishedAt),
          rationale: text(version.reason),
          description: 'Licitació cancel·lada: desistiment o renúncia (art. 152 LCSP)',
          amendsReleaseID: previousReleaseId,
          releaseID: id,
        },
      ],
    },
  });
}

// --- bids ---------------------------------------------------------------------------------------

/**
 * The bids received at the deadline (a `tenderUpdate`): statistics only, per lot and in total. Who
 * bid and at what price become public with the award (see awardRelease).
 */
export function bidsReceivedRelease(
  ctx: ReleaseContext,
  notice: OcdsNotice,
  bids: Pick<OcdsOpenedBid, 'bidId' | 'company' | 'lots'>[],
  event: OcdsEvent,
): JsonObject {
  const at = utc(notice.tenderDeadline ?? event.at);
  const companies = new Set(bids.map((b) => `${b.company.taxIdKind}:${b.company.taxId}`));
  return processRelease(ctx, notice.ocid, 'tenderUpdate', event, {
    tender: { id: notice.id, numberOfTenderers: companies.size },
    bids: {
      statistics: [
        { id: 'bids', measure: 'bids', date: at, value: bids.length },
        { id: 'electronicBids', measure: 'electronicBids', date: at, value: bids.length },
        ...notice.lots.map((l) => ({
          id: `bids-lot-${l.number}`,
          measure: 'bids',
          date: at,
          value: bids.filter((b) => b.lots.some((x) => x.lot === l.number)).length,
          relatedLot: lotId(l.number),
        })),
      ],
    },
  });
}

// --- award --------------------------------------------------------------------------------------

/** The status of a bid's offer for one lot: the lot's own, else the bid's. */
const lotStatus = (b: OcdsOpenedBid, lot: number) => b.lots.find((x) => x.lot === lot)?.status ?? b.status;

/**
 * The bid statistics of one decided lot. The lowest and highest valid prices are compared as
 * decimals (platform/money.ts: never floats), and become JSON numbers only here, at the OCDS edge.
 */
export function lotStatistics(lot: number, bids: OcdsOpenedBid[], at: string): Loose[] {
  const onLot = bids.filter((b) => b.lots.some((x) => x.lot === lot));
  const valid = onLot.filter((b) => lotStatus(b, lot) === 'valid');
  const prices = valid
    .map((b) => b.lots.find((x) => x.lot === lot)?.price)
    .filter((p): p is string => typeof p === 'string' && /^\d+(\.\d+)?$/.test(p))
    .map((p) => new Dec(p));
  const stats: Loose[] = [
    { id: `bids-lot-${lot}`, measure: 'bids', date: at, value: onLot.length, relatedLot: lotId(lot) },
    {
      id: `validBids-lot-${lot}`,
      measure: 'validBids',
      date: at,
      value: valid.length,
      relatedLot: lotId(lot),
    },
    {
      id: `disqualifiedBids-lot-${lot}`,
      measure: 'disqualifiedBids',
      date: at,
      value: onLot.filter((b) => lotStatus(b, lot) === 'disqualified').length,
      relatedLot: lotId(lot),
    },
  ];
  if (prices.length > 0) {
    const lowest = prices.reduce((m, p) => (p.lessThan(m) ? p : m));
    const highest = prices.reduce((m, p) => (p.greaterThan(m) ? p : m));
    stats.push(
      {
        id: `lowestValidBidValue-lot-${lot}`,
        measure: 'lowestValidBidValue',
        date: at,
        value: value(lowest.toFixed())?.amount,
        currency: 'EUR',
        relatedLot: lotId(lot),
      },
      {
        id: `highestValidBidValue-lot-${lot}`,
        measure: 'highestValidBidValue',
        date: at,
        value: value(highest.toFixed())?.amount,
        currency: 'EUR',
        relatedLot: lotId(lot),
      },
    );
  }
  return stats;
}

/**
 * The award of the lots (arts. 151, 154 LCSP), restating every lot whose award is public: awarded
 * lots as `active` awards to their supplier at the awarded price, void lots (desierto) as
 * `unsuccessful` awards, and, for those lots, every bid — losing and disqualified ones included —
 * with its status, price and tenderer (bids extension). `tag`: `award` for an award, `awardCancellation`
 * for a lot declared void, `awardUpdate` for a later act (the notification; the formalisation is
 * the `contract` release).
 */
export function awardRelease(
  ctx: ReleaseContext,
  notice: OcdsNotice,
  awards: OcdsLotAward[],
  bids: OcdsOpenedBid[],
  event: OcdsEvent,
  tag: 'award' | 'awardCancellation' | 'awardUpdate' = 'award',
  annulled: readonly OcdsAnnulledAward[] = [],
): JsonObject {
  const decided = awards.filter((a) => a.award || a.void);
  const publicLots = new Set(decided.map((a) => a.lot));
  const publicBids = bids.filter((b) => b.lots.some((x) => publicLots.has(x.lot)));
  const winners = new Set(decided.flatMap((a) => (a.award ? [a.award.bidId] : [])));
  const awardList: Loose[] = decided.map((a) =>
    a.award
      ? {
          id: awardIdFor(a.lot, a.award.bidId),
          title: `Lot ${a.lot}`,
          description: text(a.award.reasons),
          status: 'active',
          date: utc(a.award.awardedAt),
          value: value(a.award.price),
          suppliers: [companyRef(a.award.company)],
          relatedLots: [lotId(a.lot)],
          relatedBids: [bidDetailIdFor(a.award.bidId, a.lot)],
          documents: awardDocuments(ctx, notice.ocid, a.lot, a.award),
        }
      : {
          id: `${a.lot}-void`,
          title: `Lot ${a.lot}`,
          description: text(a.void?.reasons),
          status: 'unsuccessful',
          date: a.void ? utc(a.void.at) : undefined,
          relatedLots: [lotId(a.lot)],
        },
  );
  // An annulled award stays in the record as `cancelled` (the merge keeps its value and supplier,
  // and the company keeps its roles: an award's supplier is a supplier party, ocds.md §5), and its
  // lot is open again until the committee decides it anew.
  for (const a of annulled)
    awardList.push({ id: awardIdFor(a.lot, a.bidId), status: 'cancelled', relatedLots: [lotId(a.lot)] });
  const reopened = annulled.map((a) => ({ id: lotId(a.lot), status: 'active' }));
  const allDecided = notice.lots.every((l) => publicLots.has(l.number));
  const anyAwarded = decided.some((a) => a.award);
  const deadline = utc(notice.tenderDeadline ?? event.at);
  return processRelease(
    ctx,
    notice.ocid,
    tag,
    event,
    {
      tender: {
        id: notice.id,
        status: allDecided
          ? anyAwarded
            ? 'complete'
            : 'unsuccessful'
          : reopened.length
            ? 'active'
            : undefined,
        lots: [
          ...decided.map((a) => ({ id: lotId(a.lot), status: a.award ? 'complete' : 'unsuccessful' })),
          ...reopened,
        ],
        numberOfTenderers: new Set(publicBids.map((b) => companyRef(b.company).id)).size || undefined,
        tenderers: uniqueRefs(publicBids.map((b) => b.company)),
      },
      awards: awardList,
      bids: {
        statistics: [...publicLots].sort((x, y) => x - y).flatMap((l) => lotStatistics(l, bids, deadline)),
        details: publicBids.flatMap((b) =>
          b.lots
            .filter((x) => publicLots.has(x.lot))
            .map((x) => ({
              id: bidDetailIdFor(b.bidId, x.lot),
              date: utc(b.receivedAt),
              status: x.status ?? b.status,
              tenderers: [companyRef(b.company)],
              value: value(x.price),
              relatedLots: [lotId(x.lot)],
            })),
        ),
      },
    },
    [
      ...publicBids.map((b) => ({
        company: b.company,
        roles: winners.has(b.bidId) ? SUPPLIER_ROLES : TENDERER_ROLES,
      })),
      ...decided.flatMap((a) => (a.award ? [{ company: a.award.company, roles: SUPPLIER_ROLES }] : [])),
    ],
  );
}

/**
 * The published acts of an awarded lot as documents: the award resolution (art. 151.1: published
 * in the perfil de contratante) and, once sent, its notification to the bidders, both read on the
 * file's public award page. OCDS 1.1.5 has no notification date on an award: the notification's
 * datePublished carries it.
 */
function awardDocuments(
  ctx: ReleaseContext,
  ocid: string,
  lot: number,
  award: NonNullable<OcdsLotAward['award']>,
): Loose[] {
  const url = `${ctx.publicBaseUrl.replace(/\/$/, '')}/tenders/${encodeURIComponent(ocid)}#award-lot-${lot}`;
  return [
    {
      id: `award-lot-${lot}`,
      documentType: 'awardNotice',
      title: `Resolució d’adjudicació del lot ${lot} (art. 151 LCSP)`,
      url,
      datePublished: utc(award.awardedAt),
    },
    award.notifiedAt
      ? {
          id: `notification-lot-${lot}`,
          documentType: 'awardNotice',
          title: `Notificació de l’adjudicació del lot ${lot} als licitadors (art. 151.1 LCSP)`,
          url,
          datePublished: utc(award.notifiedAt),
        }
      : undefined,
  ];
}

function uniqueRefs(companies: OcdsCompany[]): JsonObject[] {
  const seen = new Map<string, JsonObject>();
  for (const c of companies) {
    const ref = companyRef(c);
    seen.set(ref.id as string, ref);
  }
  return [...seen.values()];
}

/** A lot declared void (desierto, art. 150.3 LCSP): the award release tagged `awardCancellation`. */
export function awardCancellationRelease(
  ctx: ReleaseContext,
  notice: OcdsNotice,
  awards: OcdsLotAward[],
  bids: OcdsOpenedBid[],
  event: OcdsEvent,
): JsonObject {
  return awardRelease(ctx, notice, awards, bids, event, 'awardCancellation');
}

// --- contracts ----------------------------------------------------------------------------------

/** Contracta's contract states → OCDS contractStatus (closed): completed or terminated early is `terminated`. */
function contractStatus(s: OcdsContract['status']): string {
  return s === 'completed' || s === 'terminated' ? 'terminated' : 'active';
}

const LEGAL_GROUND: Record<string, string> = {
  art_204: 'Modificació prevista al plec (art. 204 LCSP)',
  art_205: 'Modificació no prevista (art. 205 LCSP)',
};

function contractObject(
  ctx: ReleaseContext,
  c: OcdsContract,
  current: { tag: ReleaseTag; releaseId: string },
): Loose {
  const first = c.lots[0] ?? 1;
  // The modification or extension this release publishes is the latest one (events are append-only).
  const latest = [...c.amendments.map((a) => a.at), ...c.extensions.map((e) => e.at)].map(utc).sort().at(-1);
  const isCurrent = (at: string) => current.tag === 'contractAmendment' && utc(at) === latest;
  const amendments: Loose[] = [
    ...c.amendments.map((a, i) => ({
      id: `${c.id}-amendment-${i + 1}`,
      date: utc(a.at),
      rationale: text(a.reasons),
      description: `${LEGAL_GROUND[a.legalGround] ?? a.legalGround}${a.groundCase ? ` (${a.groundCase})` : ''}: ${a.valueChange} EUR; nou import ${a.newTotal} EUR, IVA exclòs`,
      releaseID: isCurrent(a.at) ? current.releaseId : undefined,
    })),
    ...c.extensions.map((e, i) => ({
      id: `${c.id}-extension-${i + 1}`,
      date: utc(e.at),
      rationale: text(e.reasons),
      description: `Pròrroga fins al ${e.newEndDate} (art. 29.2 LCSP)`,
      releaseID: isCurrent(e.at) ? current.releaseId : undefined,
    })),
  ];
  if (c.termination) {
    amendments.push({
      id: `${c.id}-termination`,
      date: utc(c.termination.at),
      rationale: text(`${c.termination.grounds}: ${c.termination.reasons}`),
      description: 'Resolució del contracte (arts. 211-213 LCSP)',
      releaseID: current.tag === 'contractTermination' ? current.releaseId : undefined,
    });
  }
  const documents: Loose[] = c.amendments.flatMap((a) =>
    a.documents.map((d) => ({
      id: d.sha256,
      title: text(d.title) ?? `SHA-256 ${d.sha256}`,
      description: `SHA-256: ${d.sha256}`,
      integrity: integrity(d.sha256),
      url: d.url ? new URL(d.url, ctx.publicBaseUrl).toString() : undefined,
      format: text(d.contentType),
      datePublished: utc(a.at),
    })),
  );
  const milestones: Loose[] = c.milestones.map((m) => ({
    id: `${c.id}-milestone-${m.version}`,
    title: text(m.description),
    type: 'delivery',
    dueDate: m.dueDate ? dayStart(m.dueDate) : undefined,
  }));
  if (c.completedOn) {
    milestones.push({
      id: `${c.id}-completion`,
      title: 'Recepció del contracte (art. 210 LCSP)',
      type: 'delivery',
      status: 'met',
      dateMet: dayStart(c.completedOn),
    });
  }
  return {
    id: c.id,
    awardID: awardIdFor(first, c.bidId),
    title: `Contracte ${c.lots.length > 1 ? 'dels lots' : 'del lot'} ${c.lots.join(', ')}`,
    status: contractStatus(c.status),
    value: value(c.totalExclVat),
    dateSigned: utc(c.signedAt),
    period: {
      startDate: c.startedAt ? utc(c.startedAt) : utc(c.signedAt),
      endDate: c.completedOn
        ? dayStart(c.completedOn)
        : c.termination
          ? utc(c.termination.at)
          : c.endDate
            ? dayStart(c.endDate)
            : undefined,
    },
    relatedBids: c.lots.map((l) => bidDetailIdFor(c.bidId, l)),
    amendments,
    documents,
    implementation: {
      transactions: c.payments.map((p) => ({
        id: `${c.id}-payment-${p.version}`,
        date: dayStart(p.paidOn),
        value: value(p.amount),
        payer: authorityRef(ctx.authority),
        payee: companyRef(c.company),
      })),
      milestones,
    },
  };
}

/**
 * The contracts of a file (art. 153 formalisation; art. 63.3 LCSP modifications, extensions,
 * termination), restated in full: `contract` at formalisation, `contractAmendment` for a
 * modification or extension, `implementation` for a payment or milestone, `contractTermination` at
 * completion (reception) or early termination.
 */
export function contractRelease(
  ctx: ReleaseContext,
  notice: OcdsNotice,
  contracts: OcdsContract[],
  event: OcdsEvent,
  tag:
    | 'contract'
    | 'contractAmendment'
    | 'implementation'
    | 'contractTermination'
    | 'contractUpdate' = 'contract',
): JsonObject {
  const releaseId = releaseIdFor(notice.ocid, tag, event);
  return processRelease(
    ctx,
    notice.ocid,
    tag,
    event,
    { contracts: contracts.map((c) => contractObject(ctx, c, { tag, releaseId })) },
    contracts.map((c) => ({ company: c.company, roles: SUPPLIER_ROLES })),
  );
}

export const contractAmendmentRelease = (
  ctx: ReleaseContext,
  notice: OcdsNotice,
  contracts: OcdsContract[],
  event: OcdsEvent,
) => contractRelease(ctx, notice, contracts, event, 'contractAmendment');

export const implementationRelease = (
  ctx: ReleaseContext,
  notice: OcdsNotice,
  contracts: OcdsContract[],
  event: OcdsEvent,
) => contractRelease(ctx, notice, contracts, event, 'implementation');

export const contractTerminationRelease = (
  ctx: ReleaseContext,
  notice: OcdsNotice,
  contracts: OcdsContract[],
  event: OcdsEvent,
) => contractRelease(ctx, notice, contracts, event, 'contractTermination');

// --- minor contracts ----------------------------------------------------------------------------

/**
 * The award of a minor contract (art. 118 LCSP), which is also its contract: no notice and no
 * formalisation precede or follow it (art. 118.1: the invoice), so one release tagged `award` and
 * `contract` carries the file, the award and the contract, with the facts of the quarterly list
 * (art. 63.4). Amounts without VAT, as every award and contract we publish; the amount with VAT
 * and the duration, which 1.1.5 has no field for, in the contract's description.
 */
export function minorAwardRelease(ctx: ReleaseContext, m: OcdsMinorAward, event: OcdsEvent): JsonObject {
  const ocid = ocidFor(ctx.authority.ocidPrefix, m.tenderId);
  const awardId = `minor-${m.round}`;
  const duration = m.durationMonths === null ? '' : `; durada ${m.durationMonths} mesos`;
  return release(
    ocid,
    'award',
    event,
    {
      parties: partiesOf(ctx.authority, [{ company: m.company, roles: SUPPLIER_ROLES }]),
      buyer: authorityRef(ctx.authority),
      tender: {
        id: m.tenderId,
        ...translated('title', m.title),
        status: 'complete',
        procuringEntity: authorityRef(ctx.authority),
        items: [{ id: '1', ...translated('description', m.title), classification: cpv(m.mainCpv) }],
        ...procedureFields('menor'),
        mainProcurementCategory: procurementCategory(m.contractType),
      },
      awards: [
        {
          id: awardId,
          ...translated('title', m.title),
          status: 'active',
          date: utc(m.awardedAt),
          value: value(m.amountExclVat),
          suppliers: [companyRef(m.company)],
        },
      ],
      contracts: [
        {
          id: `${ocid}-minor-${m.round}`,
          awardID: awardId,
          ...translated('title', m.title),
          description: `Contracte menor (art. 118 LCSP): ${m.amountInclVat} EUR amb IVA${duration}`,
          status: 'active',
          value: value(m.amountExclVat),
        },
      ],
    },
    ['contract'],
  );
}
