import type { Locale } from '../../platform/i18n/i18n.js';
import type { CompanyInvitationRow, MinorContractRow, MinorFileRow } from './minor-contract.repo.js';
import { toCsv } from '../../platform/csv.js';
import { fileVatRate, isQuotingOpen, publishedTaxId } from './minor-contract.rules.js';
import type { MinorStatus, QuarterlyLine } from './minor-contract.types.js';

type Names = { ca: string; es: string; en: string };

export type QuoteView = {
  id: string;
  companyId: string;
  legalName: string;
  taxId: string;
  isSme: boolean;
  amountExclVat: string;
  /** VAT rate as quoted, percent (0 when exempt). */
  vatRate: string;
  amountInclVat: string;
  note: string;
  submittedAt: string;
  /** At or above the minor-contract threshold (art. 118.1): cannot be awarded. */
  thresholdExceeded: boolean;
  /** Above the file's estimated value: cannot be awarded. */
  aboveEstimate: boolean;
  /** What the 12-month splitting guard says about awarding this quote. */
  splitting: { reachesThreshold: boolean; cumulative: string; contracts: string[] };
};

export type InvitationView = {
  companyId: string;
  legalName: string;
  taxId: string;
  isSme: boolean;
  invitedAt: string;
  /** Null while quotes are sealed. */
  hasQuoted: boolean | null;
};

export type AwardView = {
  companyId: string;
  legalName: string;
  taxId: string;
  quoteId: string;
  amountExclVat: string;
  amountInclVat: string;
  justification: string;
  splittingJustification: string | null;
  awardedAt: string;
  awardedOn: string;
};

export type MinorContractView = {
  tenderId: string;
  authorityId: string;
  reference: string;
  title: Names;
  contractType: string;
  mainCpv: string;
  estimatedValue: string;
  durationMonths: number | null;
  tenderStatus: string;
  status: MinorStatus | 'not_started';
  /** The request round shown (1, or more after a void round); 0 before the first. */
  round: number;
  version: number;
  quoteDeadline: string | null;
  invitationJustification: string | null;
  minInvitations: number;
  /** The minor-contract threshold in force today for the file's contract type, excl. VAT. */
  threshold: string;
  quotesSealed: boolean;
  invitations: InvitationView[];
  /**
   * Null while quotes are sealed: even how many quotes came in is not shown before the deadline
   * (it would tell an officer, say, that a favoured company is the only one quoting).
   */
  quoteCount: number | null;
  /** Empty while quotes are sealed. */
  quotes: QuoteView[];
  award: AwardView | null;
  voidReason: string | null;
};

type AwardRow = {
  company_id: string;
  legal_name: string;
  tax_id: string;
  quote_id: string;
  amount_excl_vat: string;
  amount_incl_vat: string;
  justification: string;
  splitting_justification: string | null;
  awarded_at: Date;
  awarded_on: string;
};

export function presentMinorContract(input: {
  file: MinorFileRow;
  minor: MinorContractRow | null;
  threshold: string;
  minInvitations: number;
  sealed: boolean;
  invitations: InvitationView[];
  quoteCount: number | null;
  quotes: QuoteView[];
  award: AwardRow | null;
}): MinorContractView {
  const { file, minor, award } = input;
  return {
    tenderId: file.id,
    authorityId: file.authority_id,
    reference: file.reference,
    title: { ca: file.title_ca, es: file.title_es, en: file.title_en },
    contractType: file.contract_type,
    mainCpv: file.main_cpv,
    estimatedValue: file.estimated_value,
    durationMonths: file.duration_months,
    tenderStatus: file.status,
    status: (minor?.status ?? 'not_started') as MinorStatus | 'not_started',
    round: minor?.round ?? 0,
    version: minor?.version ?? 0,
    quoteDeadline: minor?.quote_deadline.toISOString() ?? null,
    invitationJustification: minor?.invitation_justification ?? null,
    minInvitations: input.minInvitations,
    threshold: input.threshold,
    quotesSealed: input.sealed,
    invitations: input.invitations,
    quoteCount: input.quoteCount,
    quotes: input.quotes,
    award: award
      ? {
          companyId: award.company_id,
          legalName: award.legal_name,
          taxId: award.tax_id,
          quoteId: award.quote_id,
          amountExclVat: award.amount_excl_vat,
          amountInclVat: award.amount_incl_vat,
          justification: award.justification,
          splittingJustification: award.splitting_justification,
          awardedAt: award.awarded_at.toISOString(),
          awardedOn: award.awarded_on,
        }
      : null,
    voidReason: minor?.void_reason ?? null,
  };
}

export type CompanyInvitationView = {
  tenderId: string;
  authorityId: string;
  authorityName: Names;
  reference: string;
  title: Names;
  contractType: string;
  mainCpv: string;
  durationMonths: number | null;
  /** The request round this invitation belongs to. */
  round: number;
  status: MinorStatus;
  quoteDeadline: string;
  /** Quotes are received: the request is open, the file approved and the deadline ahead. */
  open: boolean;
  /** The file's VAT rate, percent: the rate a quote takes unless the company states another. */
  defaultVatRate: string;
  myQuote: {
    id: string;
    amountExclVat: string;
    vatRate: string;
    amountInclVat: string;
    note: string;
    submittedAt: string;
  } | null;
  /** After the award: whether this company won it. Other companies' quotes never show. */
  awardedToYou: boolean | null;
};

export function presentCompanyInvitation(
  r: CompanyInvitationRow,
  companyId: string,
  now: Date,
): CompanyInvitationView {
  const status = r.status as MinorStatus;
  return {
    tenderId: r.tender_id,
    authorityId: r.authority_id,
    authorityName: { ca: r.name_ca, es: r.name_es, en: r.name_en },
    reference: r.reference,
    title: { ca: r.title_ca, es: r.title_es, en: r.title_en },
    contractType: r.contract_type,
    mainCpv: r.main_cpv,
    durationMonths: r.duration_months,
    round: r.round,
    status,
    quoteDeadline: r.quote_deadline.toISOString(),
    open: status === 'inviting' && r.tender_status === 'approved' && isQuotingOpen(now, r.quote_deadline),
    defaultVatRate: fileVatRate(r.budget_excl_vat, r.budget_incl_vat),
    myQuote:
      r.quote_id &&
      r.quote_amount !== null &&
      r.quote_vat_rate !== null &&
      r.quote_amount_incl_vat !== null &&
      r.quote_submitted_at
        ? {
            id: r.quote_id,
            amountExclVat: r.quote_amount,
            vatRate: r.quote_vat_rate,
            amountInclVat: r.quote_amount_incl_vat,
            note: r.quote_note ?? '',
            submittedAt: r.quote_submitted_at.toISOString(),
          }
        : null,
    awardedToYou: status === 'awarded' ? r.awarded_company_id === companyId : null,
  };
}

type QuarterRow = {
  tender_id: string;
  reference: string;
  title_ca: string;
  title_es: string;
  title_en: string;
  contract_type: string;
  main_cpv: string;
  duration_months: number | null;
  amount_excl_vat: string;
  amount_incl_vat: string;
  awarded_on: string;
  legal_name: string;
  tax_id: string;
  tax_id_kind: string;
};

/** One public line; a natural person's tax id is masked (LOPDGDD DA 7ª, see publishedTaxId). */
export function presentQuarterLine(r: QuarterRow): QuarterlyLine {
  return {
    tenderId: r.tender_id,
    reference: r.reference,
    object: { ca: r.title_ca, es: r.title_es, en: r.title_en },
    contractType: r.contract_type,
    mainCpv: r.main_cpv,
    durationMonths: r.duration_months,
    amountExclVat: r.amount_excl_vat,
    amountInclVat: r.amount_incl_vat,
    awardee: { name: r.legal_name, taxId: publishedTaxId(r.tax_id, r.tax_id_kind) },
    awardedOn: r.awarded_on,
  };
}

/** Column headers of the CSV per language: the file is for people as much as for machines. */
const CSV_HEADERS: Record<Locale, string[]> = {
  ca: [
    'Expedient',
    'Objecte',
    'Tipus de contracte',
    'CPV',
    'Durada (mesos)',
    'Import sense IVA (EUR)',
    'Import amb IVA (EUR)',
    'Adjudicatari',
    'NIF adjudicatari',
    "Data d'adjudicació",
  ],
  es: [
    'Expediente',
    'Objeto',
    'Tipo de contrato',
    'CPV',
    'Duración (meses)',
    'Importe sin IVA (EUR)',
    'Importe con IVA (EUR)',
    'Adjudicatario',
    'NIF adjudicatario',
    'Fecha de adjudicación',
  ],
  en: [
    'File',
    'Object',
    'Contract type',
    'CPV',
    'Duration (months)',
    'Amount excl. VAT (EUR)',
    'Amount incl. VAT (EUR)',
    'Awardee',
    'Awardee tax id',
    'Award date',
  ],
};

/** The quarterly list as CSV (RFC 4180, UTF-8): amounts with a dot and two decimals, dates ISO. */
export function quarterlyCsv(lines: readonly QuarterlyLine[], locale: Locale): string {
  return toCsv([
    CSV_HEADERS[locale],
    ...lines.map((l) => [
      l.reference,
      l.object[locale],
      l.contractType,
      l.mainCpv,
      l.durationMonths,
      l.amountExclVat,
      l.amountInclVat,
      l.awardee.name,
      l.awardee.taxId,
      l.awardedOn,
    ]),
  ]);
}
