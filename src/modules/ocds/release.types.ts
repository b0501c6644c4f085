/**
 * Inputs of the OCDS release builders (issue 6 point 1). Plain typed objects that a later step reads
 * from the database; each one keeps the shape of an existing public view so that the wiring is a
 * direct copy:
 *  - OcdsPlannedContract  ← PublicPlannedContract (plan/planned-contract.types.ts) + tenderId
 *  - OcdsNoticeVersion    ← a tender_notice row, its `canonical` JSON parsed (tender-workflow.service.ts
 *                           buildNotice; the same object tender-public.service.ts getPublicNotice shows)
 *  - OcdsOpenedBid        ← OpeningRecord bids (opening/opening.types.ts) with the offer's prices and the
 *                           outcome of qualification/scoring (valid, disqualified, withdrawn)
 *  - OcdsLotAward         ← PublicLotAward (evaluation/award.service.ts publicAwards) + the bid id
 *  - OcdsContract         ← PublicContract (evaluation/contract.service.ts publicContracts) + the bid id,
 *                           the payments and milestones (public contract events)
 * Every builder also takes the public event it publishes (the audit event: its id and time), which
 * gives the release id and date.
 */
import type { ContractStatus } from '../evaluation/contract.types.js';
import type { TaxIdKind } from '../parties/tax-id.rules.js';
import type { ContractType, ProcedureCode } from '../procedures/procedure.types.js';
import type { PlanStatus } from '../plan/planned-contract.types.js';

export type Names = { ca: string; es: string; en: string };

/** The contracting authority (authority table): buyer and procuring entity of its processes. */
export type OcdsAuthority = {
  id: string;
  name: Names;
  /** DIR3 code (Directorio Común de unidades orgánicas): the party id is `ES-DIR3-{dir3Code}`. */
  dir3Code: string;
  /** The registered OCDS prefix, `ocds-` and six lowercase alphanumerics. */
  ocidPrefix: string;
};

/** A company as the public views show it: the tax id already masked for natural persons (LOPDGDD DA 7ª). */
export type OcdsCompany = { legalName: string; taxId: string; taxIdKind: TaxIdKind };

/** What every builder needs besides its facts. */
export type ReleaseContext = {
  authority: OcdsAuthority;
  /** The portal's public origin, e.g. `https://contracta.example.cat` (document URLs). */
  publicBaseUrl: string;
};

/**
 * The public act a release publishes: the audit event written in the same transaction (its id is
 * unique and immutable, so rebuilding a release gives the same id), and its time (the release date).
 */
export type OcdsEvent = { id: string; at: string };

// --- planning ---------------------------------------------------------------------------------

export type OcdsPlannedContract = {
  id: string;
  status: PlanStatus;
  title: Names;
  description: Names;
  contractType: ContractType;
  procedure: ProcedureCode;
  mainCpv: string;
  /** Valor estimado (art. 101 LCSP), euros excluding VAT, decimal string. */
  estimatedValue: string;
  expectedYear: number;
  expectedQuarter: number;
  lotCount: number;
  reservedLots: number;
  withdrawalReason: string | null;
  /** The file started from the entry, once there is one (plan status `file_started`). */
  tenderId: string | null;
};

// --- tender notice ----------------------------------------------------------------------------

export type OcdsNoticeCriterion = {
  kind: 'price' | 'cost' | 'quality';
  evaluation: 'formula' | 'judgement';
  /** Percent of the total score, decimal string. */
  weight: string;
  name: Names;
};

export type OcdsNoticeLot = {
  number: number;
  title: Names;
  estimatedValue: string;
  budgetExclVat?: string | null | undefined;
  mainCpv?: string | null | undefined;
  reserved?: boolean | undefined;
  criteria: OcdsNoticeCriterion[];
};

export type OcdsNoticeDocument = {
  id: string;
  kind: string;
  title: string;
  file_name: string;
  content_type: string;
  size_bytes: string;
  sha256: string;
};

/** The frozen public notice (tender_notice.canonical parsed); only the fields the mapping reads. */
export type OcdsNotice = {
  id: string;
  reference: string;
  ocid: string;
  status: 'published' | 'cancelled';
  publishedAt: string;
  procedure: ProcedureCode;
  contractType: ContractType;
  title: Names;
  description: Names;
  mainCpv: string;
  additionalCpvs?: string[] | null | undefined;
  estimatedValue: string;
  budgetExclVat?: string | null | undefined;
  budgetInclVat?: string | null | undefined;
  durationMonths?: number | null | undefined;
  nutsCode?: string | null | undefined;
  questionsDeadline: string | null;
  tenderDeadline: string | null;
  participationDeadline: string | null;
  openingAt: string | null;
  maxLotsPerBidder?: number | null | undefined;
  maxLotsAwarded?: number | null | undefined;
  lots: OcdsNoticeLot[];
  documents: OcdsNoticeDocument[];
};

/** One version of the notice (a tender_notice row). */
export type OcdsNoticeVersion = {
  version: number;
  kind: 'original' | 'corrigendum' | 'cancellation';
  /** Corrigendum: its reason; cancellation: `{kind}: {reason}` (desistimiento or renuncia, art. 152). */
  reason: string | null;
  substantial: boolean | null;
  publishedAt: string;
  notice: OcdsNotice;
};

// --- bids ---------------------------------------------------------------------------------------

/**
 * A bid as public once the award is published (arts. 151, 157.4 LCSP: the prices read at the public
 * opening of envelope C, the bidders known from the first opening): one per bid, with a price per
 * lot it covers. `status`: valid (admitted and scored), disqualified (excluded at qualification or
 * as abnormally low, art. 149.6), withdrawn.
 */
export type OcdsOpenedBid = {
  bidId: string;
  company: OcdsCompany;
  /** When the counted version of the bid was received (the receipt). */
  receivedAt: string;
  /** `status` of one lot, where it differs from the bid's (an offer rejected as abnormal, art. 149.6). */
  lots: { lot: number; price: string | null; status?: OcdsBidStatus | undefined }[];
  status: OcdsBidStatus;
};

export type OcdsBidStatus = 'valid' | 'disqualified' | 'withdrawn';

// --- award and contract -------------------------------------------------------------------------

/** PublicLotAward with the awarded bid id (relatedBids). */
export type OcdsLotAward = {
  lot: number;
  stage: 'awarded' | 'formalised' | 'void';
  award: {
    bidId: string;
    company: OcdsCompany;
    price: string;
    reasons: string;
    awardedAt: string;
    notifiedAt: string | null;
  } | null;
  void: { reasons: string; at: string } | null;
};

/**
 * A minor contract's award (art. 118 LCSP) with the facts of the quarterly list (art. 63.4:
 * object, duration, amount, awardee): there is no notice, no lot and no formalisation besides it.
 */
export type OcdsMinorAward = {
  tenderId: string;
  title: Names;
  contractType: ContractType;
  mainCpv: string;
  durationMonths: number | null;
  round: number;
  amountExclVat: string;
  amountInclVat: string;
  awardedAt: string;
  company: OcdsCompany;
};

/**
 * An award annulled by an upheld special appeal (art. 57.2 LCSP): the lot goes back to the
 * committee's ranking, and the award published for `bidId` is withdrawn.
 */
export type OcdsAnnulledAward = { lot: number; bidId: string };

export type OcdsContractDocument = {
  sha256: string;
  title: string | null;
  contentType: string | null;
  url: string | null;
};

/** PublicContract with the bid it formalises and its public payments and milestones. */
export type OcdsContract = {
  id: string;
  bidId: string;
  lots: number[];
  company: OcdsCompany;
  amountExclVat: string;
  totalExclVat: string;
  signedAt: string;
  status: ContractStatus;
  startedAt?: string | null | undefined;
  endDate: string | null;
  amendments: {
    legalGround: string;
    groundCase: string | null;
    valueChange: string;
    newTotal: string;
    reasons: string;
    documents: OcdsContractDocument[];
    at: string;
  }[];
  extensions: { newEndDate: string; reasons: string; at: string }[];
  /** Each payment event (contract.event type `payment`), in order. */
  payments: { version: number; amount: string; paidOn: string; invoiceRef: string | null; at: string }[];
  /** Each milestone event (type `milestone`), in order. */
  milestones: { version: number; description: string; dueDate: string | null; at: string }[];
  completedOn: string | null;
  termination: { grounds: string; reasons: string; at: string } | null;
};
