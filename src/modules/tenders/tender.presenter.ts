import type { EnvelopeCode, ProcedureCode } from '../procedures/procedure.types.js';
import { fileEnvelopes } from './bid-document.rules.js';
import { breakdownOf, jsonOf, type TenderAggregate } from './tender.repo.js';
import type { CheckFinding } from './tender.types.js';

const names = (o: { ca: string; es: string; en: string }) => ({ ca: o.ca, es: o.es, en: o.en });

/** A file as the back office sees it, with the findings of its checks. */
export function presentTender(agg: TenderAggregate, findings: CheckFinding[]) {
  const t = agg.tender;
  return {
    id: t.id,
    authorityId: t.authority_id,
    reference: t.reference,
    status: t.status,
    version: t.version,
    procedure: t.procedure,
    contractType: t.contract_type,
    title: names({ ca: t.title_ca, es: t.title_es, en: t.title_en }),
    description: names({ ca: t.description_ca, es: t.description_es, en: t.description_en }),
    mainCpv: t.main_cpv,
    additionalCpvs: t.additional_cpvs,
    estimatedValue: t.estimated_value,
    valueBreakdown: breakdownOf(t),
    budgetExclVat: t.budget_excl_vat,
    budgetInclVat: t.budget_incl_vat,
    durationMonths: t.duration_months,
    nutsCode: t.nuts_code,
    questionsDeadline: t.questions_deadline?.toISOString() ?? null,
    tenderDeadline: t.tender_deadline?.toISOString() ?? null,
    participationDeadline: t.participation_deadline?.toISOString() ?? null,
    openingAt: t.opening_at?.toISOString() ?? null,
    // Facts that set the periods and the checks: urgency (art. 119), the reason for a single lot
    // (art. 99.3), the lot limits the notice must state (art. 99.4), the reason for a price weight
    // above the authority's cap. They belong to the file and to its published notice.
    flags: {
      urgent: t.urgent,
      intellectualServices: t.intellectual_services,
      socialServices: t.social_services,
      priorInformationNotice: t.prior_information_notice,
      routinePurchase: t.routine_purchase,
    },
    singleLotJustification: t.single_lot_justification,
    priceWeightJustification: t.price_weight_justification,
    maxLotsPerBidder: t.max_lots_per_bidder,
    maxLotsAwarded: t.max_lots_awarded,
    custodianQuorum: t.custodian_quorum,
    ocid: t.ocid,
    /** Desistimiento or renuncia (art. 152), once the file is cancelled. */
    cancellation:
      t.cancelled_at && t.cancellation_kind
        ? {
            kind: t.cancellation_kind,
            reason: t.cancellation_reason ?? '',
            at: t.cancelled_at.toISOString(),
          }
        : null,
    lots: agg.lots.map((l) => ({
      number: l.number,
      title: names({ ca: l.title_ca, es: l.title_es, en: l.title_en }),
      estimatedValue: l.estimated_value,
      budgetExclVat: l.budget_excl_vat,
      mainCpv: l.main_cpv,
      reserved: l.reserved,
      // The notice's parameters for abnormally low offers as stored (null: not declared).
      abnormal: jsonOf(l.abnormal),
      abnormalSettings: jsonOf(l.abnormal_settings),
      criteria: l.criteria.map((c) => ({
        kind: c.kind,
        evaluation: c.evaluation,
        weight: c.weight,
        name: names({ ca: c.name_ca, es: c.name_es, en: c.name_en }),
        // The formula spec as stored: the notice publishes it and the evaluation reads it from there.
        formula: jsonOf(c.formula_spec),
      })),
    })),
    /**
     * The envelopes bidders submit (A administrative/ESPD, B judgement, C formula), derived from
     * the procedure and all lots' criteria; with the documents each must hold, they are part of
     * the published notice (arts. 157, 159.4.d LCSP).
     */
    envelopes: fileEnvelopes(t.procedure as ProcedureCode, agg.lots),
    bidDocuments: agg.bidDocuments.map((d) => ({
      envelope: d.envelope as EnvelopeCode,
      name: names({ ca: d.name_ca, es: d.name_es, en: d.name_en }),
      mandatory: d.mandatory,
    })),
    findings,
    publishable: findings.every((f) => f.severity !== 'error'),
  };
}

export type TenderView = ReturnType<typeof presentTender>;
