/**
 * Pieces shared by the OCDS release builders (release.build.ts): identifiers, values, texts in three
 * languages, organisations and the final pruning. Pure, no I/O.
 *
 * Conventions (ocds.md §2, §5):
 * - ocid = the authority's registered prefix + `-` + the file id (as tender-workflow.service.ts
 *   publishTender assigns it).
 * - release id = `{ocid}-{tag}-{auditEventId}`. Every public act already writes one audit event in its
 *   own transaction; its id is unique and immutable, so the release id is unique within the ocid (and
 *   globally), never contains `#`, and rebuilding the release of an event gives the same id, which
 *   makes storing it idempotent. A counter `{tag}-{n}` would need a read of the previous releases and
 *   could race between two concurrent acts on the same file.
 * - dates: UTC with `Z` (Date#toISOString), since merge sorts the raw strings (ocds.md §3.2).
 * - organisation ids `{scheme}-{id}` (org-id.guide): authorities by their DIR3 code (`ES-DIR3`),
 *   Spanish companies by their NIF (`ES-NIF`; a natural person's NIF/NIE as published, masked,
 *   LOPDGDD DA 7ª), foreign companies by their VAT number under `{country}-VAT`.
 */
import type { Json as JsonValue, JsonObject } from './merge.types.js';
import type { ContractType, ProcedureCode } from '../procedures/procedure.types.js';
import type { Names, OcdsAuthority, OcdsCompany, OcdsEvent } from './release.types.js';

export const CURRENCY = 'EUR';

export type ReleaseTag =
  | 'planning'
  | 'planningUpdate'
  | 'tender'
  | 'tenderAmendment'
  | 'tenderUpdate'
  | 'tenderCancellation'
  | 'award'
  | 'awardUpdate'
  | 'awardCancellation'
  | 'contract'
  | 'contractUpdate'
  | 'contractAmendment'
  | 'implementation'
  | 'implementationUpdate'
  | 'contractTermination';

/** The ocid of a file (or of a plan entry without a file yet). */
export function ocidFor(prefix: string, id: string): string {
  return `${prefix}-${id}`;
}

export function releaseIdFor(ocid: string, tag: ReleaseTag, event: OcdsEvent): string {
  return `${ocid}-${tag}-${event.id}`;
}

/** An instant as RFC 3339 in UTC with `Z`; throws on an unparseable value (a programming error). */
export function utc(at: string | Date): string {
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) throw new Error(`not a date-time: ${String(at)}`);
  return d.toISOString();
}

/** A calendar day (YYYY-MM-DD) as the start of that day in UTC. */
export function dayStart(day: string): string {
  if (!/^\d{4}-\d\d-\d\d$/.test(day)) return utc(day);
  return `${day}T00:00:00.000Z`;
}

/** A decimal string of euros as an OCDS Value (a JSON number, which keeps two decimals exactly enough to read). */
export function value(amount: string | null | undefined): JsonObject | undefined {
  if (amount === null || amount === undefined || !/^-?\d+(\.\d+)?$/.test(amount.trim())) return undefined;
  return { amount: Number(amount), currency: CURRENCY };
}

/** A text or undefined when blank (lib-cove-ocds reports empty strings). */
export function text(s: string | null | undefined): string | undefined {
  return s === null || s === undefined || s.trim() === '' ? undefined : s;
}

/**
 * A field in the three languages of the portal: Catalan (the release `language`) in the field
 * itself and the others as OCDS language variants (`title_es`, `title_en`; the 1.1 schema's
 * patternProperties).
 */
export function translated(field: string, names: Names | null | undefined): JsonObject {
  if (!names) return {};
  const out: JsonObject = {};
  const ca = text(names.ca);
  const es = text(names.es);
  const en = text(names.en);
  if (ca) out[field] = ca;
  if (es) out[`${field}_es`] = es;
  if (en) out[`${field}_en`] = en;
  return out;
}

/** LCSP contract types → OCDS mainProcurementCategory (closed code list). Mixed contracts: none (art. 18 decides by the main part, which the file does not state). */
export function procurementCategory(type: ContractType): string | undefined {
  switch (type) {
    case 'works':
    case 'works_concession':
      return 'works';
    case 'supplies':
      return 'goods';
    case 'services':
    case 'services_concession':
      return 'services';
    default:
      return undefined;
  }
}

/**
 * LCSP procedures → OCDS procurementMethod: open procedures (arts. 156-159) `open`; restricted
 * (art. 160) and competitive negotiation with a call (art. 166-167) `selective`; negotiated without
 * publicity (art. 168) `limited`; minor contracts (art. 118) `direct`.
 */
export function procurementMethod(p: ProcedureCode): string {
  switch (p) {
    case 'abierto':
    case 'abierto_simplificado':
    case 'abierto_simplificado_abreviado':
      return 'open';
    case 'restringido':
    case 'licitacion_con_negociacion':
      return 'selective';
    case 'negociado_sin_publicidad':
      return 'limited';
    case 'menor':
      return 'direct';
  }
}

const PROCEDURE_NAMES: Record<ProcedureCode, Names> = {
  abierto: {
    ca: 'Procediment obert (art. 156 LCSP)',
    es: 'Procedimiento abierto (art. 156 LCSP)',
    en: 'Open procedure (art. 156 LCSP)',
  },
  abierto_simplificado: {
    ca: 'Procediment obert simplificat (art. 159 LCSP)',
    es: 'Procedimiento abierto simplificado (art. 159 LCSP)',
    en: 'Simplified open procedure (art. 159 LCSP)',
  },
  abierto_simplificado_abreviado: {
    ca: 'Procediment obert simplificat abreujat (art. 159.6 LCSP)',
    es: 'Procedimiento abierto simplificado abreviado (art. 159.6 LCSP)',
    en: 'Abridged simplified open procedure (art. 159.6 LCSP)',
  },
  restringido: {
    ca: 'Procediment restringit (art. 160 LCSP)',
    es: 'Procedimiento restringido (art. 160 LCSP)',
    en: 'Restricted procedure (art. 160 LCSP)',
  },
  licitacion_con_negociacion: {
    ca: 'Procediment de licitació amb negociació (art. 167 LCSP)',
    es: 'Procedimiento de licitación con negociación (art. 167 LCSP)',
    en: 'Competitive procedure with negotiation (art. 167 LCSP)',
  },
  negociado_sin_publicidad: {
    ca: 'Procediment negociat sense publicitat (art. 168 LCSP)',
    es: 'Procedimiento negociado sin publicidad (art. 168 LCSP)',
    en: 'Negotiated procedure without publication (art. 168 LCSP)',
  },
  menor: {
    ca: 'Contracte menor (art. 118 LCSP)',
    es: 'Contrato menor (art. 118 LCSP)',
    en: 'Minor contract (art. 118 LCSP)',
  },
};

export function procedureFields(p: ProcedureCode): JsonObject {
  return {
    procurementMethod: procurementMethod(p),
    ...translated('procurementMethodDetails', PROCEDURE_NAMES[p]),
  };
}

/** A CPV code as OCDS Classification (scheme `CPV`, the code with its check digit as stored). */
export function cpv(code: string): JsonObject {
  return { scheme: 'CPV', id: code };
}

// --- organisations ---------------------------------------------------------------------------

/**
 * Party roles. Merge replaces a `roles` array as a whole (an array of strings is a literal, ocds.md
 * §3.1), so every release lists an organisation with ALL the roles it has in the process, never only
 * the roles of that release; otherwise a later release would drop an earlier role from the compiled
 * release. They are fixed per kind of organisation: the authority buys, runs the procedure and pays
 * its contracts; an awarded company was a tenderer, is a supplier and is paid; other bidders are
 * tenderers.
 */
export const AUTHORITY_ROLES = ['buyer', 'procuringEntity', 'payer'];
export const SUPPLIER_ROLES = ['tenderer', 'supplier', 'payee'];
export const TENDERER_ROLES = ['tenderer'];

export function authorityPartyId(a: OcdsAuthority): string {
  return `ES-DIR3-${a.dir3Code}`;
}

/** `{scheme, id}` of a company's tax id. */
export function companyIdentifier(c: OcdsCompany): { scheme: string; id: string } {
  const tax = c.taxId.trim();
  if (c.taxIdKind === 'VAT') {
    const country = /^[A-Z]{2}/.test(tax) ? tax.slice(0, 2) : 'XX';
    // A Spanish VAT number is ES + NIF: the NIF is the identifier (org-id.guide ES list).
    if (country === 'ES') return { scheme: 'ES-NIF', id: tax.slice(2) };
    return { scheme: `${country}-VAT`, id: tax };
  }
  return { scheme: 'ES-NIF', id: tax };
}

export function companyPartyId(c: OcdsCompany): string {
  const { scheme, id } = companyIdentifier(c);
  return `${scheme}-${id}`;
}

export function authorityRef(a: OcdsAuthority): JsonObject {
  return { id: authorityPartyId(a), name: a.name.ca };
}

export function companyRef(c: OcdsCompany): JsonObject {
  return { id: companyPartyId(c), name: c.legalName };
}

export function authorityParty(a: OcdsAuthority): JsonObject {
  return {
    id: authorityPartyId(a),
    ...translated('name', a.name),
    identifier: { scheme: 'ES-DIR3', id: a.dir3Code, legalName: a.name.ca },
    address: { countryName: 'España' },
    roles: AUTHORITY_ROLES,
  };
}

export function companyParty(c: OcdsCompany, roles: string[]): JsonObject {
  const { scheme, id } = companyIdentifier(c);
  return {
    id: `${scheme}-${id}`,
    name: c.legalName,
    identifier: { scheme, id, legalName: c.legalName },
    roles,
  };
}

/**
 * The parties of a release: the authority and the companies given, each once; a company given with
 * several role sets keeps the largest (supplier roles include the tenderer role).
 */
export function partiesOf(
  a: OcdsAuthority,
  companies: { company: OcdsCompany; roles: string[] }[],
): JsonObject[] {
  const byId = new Map<string, { company: OcdsCompany; roles: string[] }>();
  for (const c of companies) {
    const id = companyPartyId(c.company);
    const seen = byId.get(id);
    if (!seen || c.roles.length > seen.roles.length) byId.set(id, c);
  }
  return [authorityParty(a), ...[...byId.values()].map((c) => companyParty(c.company, c.roles))];
}

// --- pruning -----------------------------------------------------------------------------------

type Loose = JsonValue | undefined | Loose[] | { [key: string]: Loose };

/**
 * Drops undefined values, blank strings, empty arrays and empty objects, recursively: OCDS
 * quality checks report empty fields (lib-cove-ocds `empty_field`), and in a release an empty
 * array or object would mean nothing to the merge anyway. `null` is kept: it deletes a field.
 */
export function prune(v: Loose): JsonValue | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (Array.isArray(v)) {
    const out = v.map(prune).filter((x): x is JsonValue => x !== undefined);
    return out.length === 0 ? undefined : out;
  }
  if (v !== null && typeof v === 'object') {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      const p = prune(x);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v;
}

export type { Loose };
