import type { TenderAggregate } from './tender.repo.js';
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
    budgetExclVat: t.budget_excl_vat,
    budgetInclVat: t.budget_incl_vat,
    durationMonths: t.duration_months,
    nutsCode: t.nuts_code,
    questionsDeadline: t.questions_deadline?.toISOString() ?? null,
    tenderDeadline: t.tender_deadline?.toISOString() ?? null,
    openingAt: t.opening_at?.toISOString() ?? null,
    custodianQuorum: t.custodian_quorum,
    ocid: t.ocid,
    lots: agg.lots.map((l) => ({
      number: l.number,
      title: names({ ca: l.title_ca, es: l.title_es, en: l.title_en }),
      estimatedValue: l.estimated_value,
      budgetExclVat: l.budget_excl_vat,
      mainCpv: l.main_cpv,
      reserved: l.reserved,
      criteria: l.criteria.map((c) => ({
        kind: c.kind,
        evaluation: c.evaluation,
        weight: c.weight,
        name: names({ ca: c.name_ca, es: c.name_es, en: c.name_en }),
        formula: c.formula,
      })),
    })),
    findings,
    publishable: findings.every((f) => f.severity !== 'error'),
  };
}

export type TenderView = ReturnType<typeof presentTender>;
