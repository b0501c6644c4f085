/**
 * OCDS releases of the contracts (issue 6 point 1; arts. 153, 63.3 LCSP): the formalisation
 * (award.service.ts, step `formalise`) → `contract`; each contract event (contract.service.ts
 * recordContractEvent, every one a published act) → by its kind:
 *  - amendment (arts. 203–205) and extension (art. 29.2) → `contractAmendment`;
 *  - payment and milestone → `implementation`;
 *  - completion (reception, art. 210) and termination (arts. 211–213) → `contractTermination`;
 *  - start, suspension and resumption (art. 208) → `contractUpdate`: the contract's period and
 *    status as they stand (OCDS 1.1.5 has no suspended status; the contract stays `active`).
 * Each release restates every contract of the file, read from the rows of the act's own
 * transaction: the contract, its events, and the documents its amendments name (migration 0021)
 * with their SHA-256.
 */
import type { Tx } from '../../platform/db/tx.js';
import { Dec } from '../../platform/money.js';
import { contractDocumentIndex } from '../evaluation/contract-document.service.js';
import { contractEvents, listContracts } from '../evaluation/contract.repo.js';
import type { ContractStatus } from '../evaluation/contract.types.js';
import { currentNoticeOf, publicCompany, publishRelease } from './ocds-publish.context.js';
import type { RecordReleaseResult } from './ocds-publish.service.js';
import { lockOcid } from './ocds.repo.js';
import { contractRelease } from './release.build.js';
import type { OcdsContract } from './release.types.js';

export type ContractStage =
  | 'contract'
  | 'contractUpdate'
  | 'contractAmendment'
  | 'implementation'
  | 'contractTermination';

/** contract.service.ts CONTRACT_EVENT_TYPES → the release tag of the event. */
const EVENT_TAGS: Record<string, ContractStage> = {
  start: 'contractUpdate',
  suspension: 'contractUpdate',
  resumption: 'contractUpdate',
  amendment: 'contractAmendment',
  extension: 'contractAmendment',
  milestone: 'implementation',
  payment: 'implementation',
  completion: 'contractTermination',
  termination: 'contractTermination',
};

export function contractStageOf(eventType: string): ContractStage {
  const tag = EVENT_TAGS[eventType];
  if (!tag) throw new Error(`contract event ${eventType} has no OCDS release tag`);
  return tag;
}

/** The stored contract state (contract.service.ts `Stored`); only the published facts are read. */
type StoredContract = {
  status: ContractStatus;
  startedAt: string | null;
  endDate: string | null;
  termination: { grounds: string; reasons: string; at: string } | null;
};

const money = (v: string | null) => (v === null ? '' : new Dec(v).toFixed(2));
const instant = (d: Date) => new Date(d).toISOString();

/** Every contract of the file as the builders take it (release.types.ts OcdsContract). */
export async function contractsOf(trx: Tx, authorityId: string, tenderId: string): Promise<OcdsContract[]> {
  const rows = await listContracts(trx, authorityId, tenderId);
  const all = await contractEvents(
    trx,
    authorityId,
    rows.map((r) => r.id),
  );
  const documentOf = await contractDocumentIndex(
    trx,
    authorityId,
    rows.map((r) => r.id),
  );
  return rows.map((r) => {
    const events = all.filter((e) => e.contract_id === r.id);
    const state: StoredContract | null = r.state === null ? null : (JSON.parse(r.state) as StoredContract);
    let total = new Dec(r.amount_excl_vat);
    for (const e of events) if (e.type === 'amendment' && e.new_total !== null) total = new Dec(e.new_total);
    return {
      id: r.id,
      bidId: r.bid_id,
      lots: r.lots,
      company: publicCompany(r.legal_name, r.tax_id, r.tax_id_kind),
      amountExclVat: money(r.amount_excl_vat),
      totalExclVat: total.toFixed(2),
      signedAt: instant(r.signed_at),
      status: state?.status ?? 'formalised',
      startedAt: state?.startedAt ?? null,
      endDate: state?.endDate ?? null,
      amendments: events
        .filter((e) => e.type === 'amendment')
        .map((e) => ({
          legalGround: e.legal_ground ?? '',
          groundCase: e.ground_case,
          valueChange: money(e.value_change),
          newTotal: money(e.new_total),
          reasons: e.reasons ?? '',
          documents: (e.documents ?? []).map((d) => {
            const doc = documentOf(r.id, r.ocid ?? '', d);
            return { sha256: doc.sha256, title: doc.title, contentType: doc.contentType, url: doc.url };
          }),
          at: instant(e.created_at),
        })),
      extensions: events
        .filter((e) => e.type === 'extension')
        .map((e) => ({ newEndDate: e.end_date ?? '', reasons: e.reasons ?? '', at: instant(e.created_at) })),
      payments: events
        .filter((e) => e.type === 'payment')
        .map((e) => ({
          version: e.version,
          amount: money(e.amount),
          paidOn: e.paid_on ?? '',
          invoiceRef: e.invoice_ref,
          at: instant(e.created_at),
        })),
      milestones: events
        .filter((e) => e.type === 'milestone')
        .map((e) => ({
          version: e.version,
          description: e.description ?? '',
          dueDate: e.due_date,
          at: instant(e.created_at),
        })),
      completedOn: events.find((e) => e.type === 'completion')?.completed_on ?? null,
      termination: state?.termination ?? null,
    };
  });
}

/**
 * Publishes the release of a contract act, in the act's transaction right after its audit event
 * `eventId`. Without a publisher, nothing (ocds-publish.context.ts).
 */
export async function publishContractStage(
  trx: Tx,
  input: { stage: ContractStage; authorityId: string; tenderId: string; eventId: string },
): Promise<RecordReleaseResult | undefined> {
  return publishRelease(trx, input, async (ctx, event) => {
    const notice = await currentNoticeOf(trx, input.authorityId, input.tenderId);
    // Each release restates every contract of the file, and an event locks only its own contract:
    // the ocid's lock first (recordRelease takes it again, re-entrant), so that the contracts are read
    // after any concurrent event on another contract of the file has committed, never stale.
    await lockOcid(trx, notice.ocid);
    const contracts = await contractsOf(trx, input.authorityId, input.tenderId);
    return contractRelease(ctx, notice, contracts, event, input.stage);
  });
}
