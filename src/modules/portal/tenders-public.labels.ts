import type { FormulaWordKeys } from './backoffice-formula.js';
import type { TFunction } from 'i18next';
import { type Html, html } from '../../platform/http/html.js';
import { formatDateTime, formatMoney, type Locale } from '../../platform/i18n/i18n.js';

/*
 * Labels of the public tender pages. Every translation key is written out literally so that the
 * i18n test can see it is used; codes without a label are shown as they are.
 */

const PROCEDURE_KEYS: Record<string, string> = {
  menor: 'publicTenders.procedure.menor',
  abierto_simplificado_abreviado: 'publicTenders.procedure.abierto_simplificado_abreviado',
  abierto_simplificado: 'publicTenders.procedure.abierto_simplificado',
  abierto: 'publicTenders.procedure.abierto',
  restringido: 'publicTenders.procedure.restringido',
  licitacion_con_negociacion: 'publicTenders.procedure.licitacion_con_negociacion',
  negociado_sin_publicidad: 'publicTenders.procedure.negociado_sin_publicidad',
};

const CONTRACT_TYPE_KEYS: Record<string, string> = {
  works: 'publicTenders.contractType.works',
  supplies: 'publicTenders.contractType.supplies',
  services: 'publicTenders.contractType.services',
  works_concession: 'publicTenders.contractType.works_concession',
  services_concession: 'publicTenders.contractType.services_concession',
  mixed: 'publicTenders.contractType.mixed',
};

const STATUS_KEYS: Record<string, string> = {
  published: 'publicTenders.status.published',
  cancelled: 'publicTenders.status.cancelled',
};

const CRITERION_KIND_KEYS: Record<string, string> = {
  price: 'publicTenders.criterion.price',
  cost: 'publicTenders.criterion.cost',
  quality: 'publicTenders.criterion.quality',
};

const EVALUATION_KEYS: Record<string, string> = {
  formula: 'publicTenders.evaluation.formula',
  judgement: 'publicTenders.evaluation.judgement',
};

const DOCUMENT_KIND_KEYS: Record<string, string> = {
  memoria_justificativa: 'publicTenders.documentKind.memoria_justificativa',
  pcap: 'publicTenders.documentKind.pcap',
  ppt: 'publicTenders.documentKind.ppt',
  informe_necesidad: 'publicTenders.documentKind.informe_necesidad',
  other: 'publicTenders.documentKind.other',
};

/** Envelopes by what they hold (art. 157 LCSP). */
const ENVELOPE_KEYS: Record<string, string> = {
  A: 'publicTenders.envelope.A',
  B: 'publicTenders.envelope.B',
  C: 'publicTenders.envelope.C',
};

/** Art. 152 LCSP: renuncia (public interest, 152.3) or desistimiento (a defect in the procedure, 152.4). */
const CANCELLATION_KEYS: Record<string, string> = {
  renuncia: 'publicTenders.cancellation.renuncia',
  desistimiento: 'publicTenders.cancellation.desistimiento',
};

const label = (keys: Record<string, string>) => (t: TFunction, code: string) => {
  const key = keys[code];
  return key ? t(key) : code;
};

export const procedureLabel = label(PROCEDURE_KEYS);
export const contractTypeLabel = label(CONTRACT_TYPE_KEYS);
export const statusLabel = label(STATUS_KEYS);
export const criterionKindLabel = label(CRITERION_KIND_KEYS);
export const evaluationLabel = label(EVALUATION_KEYS);
export const documentKindLabel = label(DOCUMENT_KIND_KEYS);
export const cancellationLabel = label(CANCELLATION_KEYS);
export const envelopeLabel = label(ENVELOPE_KEYS);

/** Names of the notice's fields, for the corrigenda diff. */
const FIELD_KEYS: Record<string, string> = {
  title: 'publicTenders.field.title',
  description: 'publicTenders.field.description',
  reference: 'publicTenders.field.reference',
  procedure: 'publicTenders.field.procedure',
  contractType: 'publicTenders.field.contractType',
  mainCpv: 'publicTenders.field.mainCpv',
  additionalCpvs: 'publicTenders.field.additionalCpvs',
  estimatedValue: 'publicTenders.field.estimatedValue',
  budgetExclVat: 'publicTenders.field.budgetExclVat',
  budgetInclVat: 'publicTenders.field.budgetInclVat',
  durationMonths: 'publicTenders.field.durationMonths',
  nutsCode: 'publicTenders.field.nutsCode',
  questionsDeadline: 'publicTenders.field.questionsDeadline',
  tenderDeadline: 'publicTenders.field.tenderDeadline',
  openingAt: 'publicTenders.field.openingAt',
  status: 'publicTenders.field.status',
  name: 'publicTenders.field.name',
  weight: 'publicTenders.field.weight',
  kind: 'publicTenders.field.kind',
  evaluation: 'publicTenders.field.evaluation',
  formula: 'publicTenders.field.formula',
  reserved: 'publicTenders.field.reserved',
  file_name: 'publicTenders.field.fileName',
  size_bytes: 'publicTenders.field.size',
  sha256: 'publicTenders.field.sha256',
  content_type: 'publicTenders.field.contentType',
  envelopes: 'publicTenders.field.envelopes',
  envelope: 'publicTenders.field.envelope',
  mandatory: 'publicTenders.field.mandatory',
};

/** Items of the notice's lists, numbered from 1 in the diff paths. */
const ITEM_KEYS: Record<string, string> = {
  lots: 'publicTenders.field.lotN',
  criteria: 'publicTenders.field.criterionN',
  documents: 'publicTenders.field.documentN',
  bidDocuments: 'publicTenders.field.bidDocumentN',
};

const LANGUAGE_KEYS: Record<string, string> = {
  ca: 'publicTenders.field.inCatalan',
  es: 'publicTenders.field.inSpanish',
  en: 'publicTenders.field.inEnglish',
};

/**
 * A diff path (`lots.2.criteria.1.weight`, `title.ca`) in words: "Lot 2 · Criterion 1 · Weight",
 * "Title (in Catalan)". Segments without a label stay as they are, so nothing is ever hidden.
 */
export function humanisePath(t: TFunction, path: string): string {
  const segments = path.split('.');
  const parts: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] as string;
    const next = segments[i + 1];
    const item = ITEM_KEYS[s];
    if (item && next !== undefined && /^\d+$/.test(next)) {
      parts.push(t(item, { n: next }));
      i += 1;
      continue;
    }
    const lang = LANGUAGE_KEYS[s];
    if (lang && i === segments.length - 1 && parts.length > 0) {
      parts[parts.length - 1] = `${parts[parts.length - 1]} (${t(lang)})`;
      continue;
    }
    const field = FIELD_KEYS[s];
    parts.push(field ? t(field) : s);
  }
  return parts.join(' · ');
}

const INSTANT_FIELD_RE = /(Deadline|At)$/;
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const AMOUNT_RE = /^\d{1,15}(\.\d{1,6})?$/;
const MONEY_FIELDS = new Set(['estimatedValue', 'budgetExclVat', 'budgetInclVat']);

/** Coded fields of the notice whose values have labels. */
const CODED_FIELDS: Record<string, (t: TFunction, code: string) => string> = {
  status: statusLabel,
  procedure: procedureLabel,
  contractType: contractTypeLabel,
  kind: (t, code) => (CRITERION_KIND_KEYS[code] ? criterionKindLabel(t, code) : documentKindLabel(t, code)),
  evaluation: evaluationLabel,
};

/**
 * A value of the diff as the reader understands it: instants and amounts formatted, codes with
 * their labels (the code kept beside it), the rest as text.
 */
export function diffValue(t: TFunction, locale: Locale, path: string, value: string): Html | string {
  const last = path.split('.').at(-1) ?? '';
  // Only the notice's own instants (deadlines, opening, publication) are dates: a title that
  // happens to look like one stays text, and an impossible date is never formatted.
  const instant = INSTANT_FIELD_RE.test(last) && INSTANT_RE.test(value) ? new Date(value) : undefined;
  if (instant && !Number.isNaN(instant.getTime())) {
    return html`<time datetime="${value}">${formatDateTime(locale, instant)}</time>`;
  }
  if (MONEY_FIELDS.has(last) && AMOUNT_RE.test(value)) return formatMoney(locale, value);
  const coded = CODED_FIELDS[last];
  if (coded) {
    const label = coded(t, value);
    if (label !== value) return html`${label} (<code>${value}</code>)`;
  }
  return value;
}

/** An instant of the notice, in Madrid time, inside a machine-readable <time>. */
export function when(locale: Locale, iso: string | null | undefined): Html | string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return html`<time datetime="${d.toISOString()}">${formatDateTime(locale, d)}</time>`;
}

const INTL_TAGS: Record<Locale, string> = { ca: 'ca-ES', es: 'es-ES', en: 'en-GB' };

/** A file size in bytes, kB, MB or GB (display only; sizes are whole numbers of bytes). */
export function formatSize(locale: Locale, bytes: number): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(INTL_TAGS[locale], {
    style: 'unit',
    unit: units[unit],
    unitDisplay: 'short',
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
}

/** The words of the formulas on the public page (backoffice-formula.ts formulaInWords). */
export const PUBLIC_FORMULA_WORD_KEYS: FormulaWordKeys = {
  F1: 'publicTenders.formulaWords.F1',
  F2: 'publicTenders.formulaWords.F2',
  F3: 'publicTenders.formulaWords.F3',
  F4: 'publicTenders.formulaWords.F4',
  F5: 'publicTenders.formulaWords.F5',
  F6: 'publicTenders.formulaWords.F6',
  F7: 'publicTenders.formulaWords.F7',
  linear: 'publicTenders.formulaWords.linear',
  proportional: 'publicTenders.formulaWords.proportional',
  proportionalLower: 'publicTenders.formulaWords.proportionalLower',
  threshold: 'publicTenders.formulaWords.threshold',
  cap: 'publicTenders.formulaWords.cap',
  decimals: 'publicTenders.formulaWords.decimals',
  zeroAllZero: 'publicTenders.formulaWords.zeroAllZero',
  zeroAllMax: 'publicTenders.formulaWords.zeroAllMax',
  axisDiscount: 'publicTenders.formulaWords.axisDiscount',
  axisRelative: 'publicTenders.formulaWords.axisRelative',
  lowerBetter: 'publicTenders.formulaWords.lowerBetter',
  higherBetter: 'publicTenders.formulaWords.higherBetter',
};
