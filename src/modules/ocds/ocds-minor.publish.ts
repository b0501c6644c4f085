/**
 * OCDS release of a minor contract's award (art. 118 LCSP; issue 6 point 1). The award is public
 * the moment it is made (its audit event is public, and it enters the quarterly list of art. 63.4),
 * so its release is stored in the award's transaction, like every other public act. The request
 * for quotes before it publishes nothing: a minor contract has no notice, and who was asked to
 * quote stays internal (minor-contract.service.ts).
 */
import type { Tx } from '../../platform/db/tx.js';
import { listedAward } from '../minor/minor-contract.repo.js';
import type { ContractType } from '../procedures/procedure.types.js';
import type { OcdsMinorAward } from './release.types.js';
import { publicCompany, publishRelease } from './ocds-publish.context.js';
import type { RecordReleaseResult } from './ocds-publish.service.js';
import { minorAwardRelease } from './release.build.js';

/** The award of `round` of a minor file, as the quarterly list reads it. */
async function minorAwardOf(
  trx: Tx,
  authorityId: string,
  tenderId: string,
  round: number,
): Promise<OcdsMinorAward> {
  const r = await listedAward(trx, authorityId, tenderId, round);
  return {
    tenderId,
    title: { ca: r.title_ca, es: r.title_es, en: r.title_en },
    contractType: r.contract_type as ContractType,
    mainCpv: r.main_cpv,
    durationMonths: r.duration_months,
    round: r.round,
    amountExclVat: String(r.amount_excl_vat),
    amountInclVat: String(r.amount_incl_vat),
    awardedAt: new Date(r.awarded_at).toISOString(),
    company: publicCompany(r.legal_name, r.tax_id, r.tax_id_kind),
  };
}

/** Publishes the award of a minor contract, in its transaction right after its audit event `eventId`. */
export async function publishMinorAward(
  trx: Tx,
  input: { authorityId: string; tenderId: string; round: number; eventId: string },
): Promise<RecordReleaseResult | undefined> {
  return publishRelease(trx, input, async (ctx, event) =>
    minorAwardRelease(ctx, await minorAwardOf(trx, input.authorityId, input.tenderId, input.round), event),
  );
}
