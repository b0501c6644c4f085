/**
 * OCDS releases of the tender stages (issue 6 point 1): the contract notice (publishTender →
 * `tender`), a corrigendum (publishCorrigendum → `tenderAmendment`) and the cancellation of a
 * published notice (cancelTender → `tenderCancellation`). Each call reads the inputs of the release
 * builders from the rows of the act's own transaction (the authority, the notice versions as frozen
 * in tender_notice, the audit event just written) and stores the release in that same transaction
 * (ocds-publish.context.ts, which also holds the publisher and its start-up).
 */
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/tx.js';
import { noticeVersions, publishRelease } from './ocds-publish.context.js';
import type { RecordReleaseResult } from './ocds-publish.service.js';
import { tenderAmendmentRelease, tenderCancellationRelease, tenderRelease } from './release.build.js';

/** The release of the notice version in force before this act (`amendsReleaseID`), if published. */
async function previousNoticeReleaseId(trx: Tx, ocid: string): Promise<string | undefined> {
  const row = await trx
    .selectFrom('ocds_release')
    .select('id')
    .where('ocid', '=', ocid)
    .where(sql<boolean>`('tender' = ANY(tags) OR 'tenderAmendment' = ANY(tags))`)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

export type TenderStage = 'tender' | 'tenderAmendment' | 'tenderCancellation';

/**
 * Publishes the release of a tender stage, in the act's transaction `trx`, right after the act
 * wrote its notice version and its audit event `eventId`. Without a publisher, nothing (see above).
 */
export async function publishTenderStage(
  trx: Tx,
  input: { stage: TenderStage; authorityId: string; tenderId: string; eventId: string },
): Promise<RecordReleaseResult | undefined> {
  return publishRelease(trx, input, async (ctx, event) => {
    const versions = await noticeVersions(trx, input.tenderId);
    const current = versions.at(-1);
    if (!current) throw new Error(`tender ${input.tenderId} has no notice`);
    switch (input.stage) {
      case 'tender': {
        const plan = await trx
          .selectFrom('planned_contract')
          .select('id')
          .where('tender_id', '=', input.tenderId)
          .where('authority_id', '=', input.authorityId)
          .executeTakeFirst();
        return tenderRelease(ctx, current, event, { plannedContractId: plan?.id ?? null });
      }
      case 'tenderAmendment': {
        const previous = versions.at(-2);
        if (!previous) throw new Error(`tender ${input.tenderId}: a corrigendum without a previous notice`);
        const prior = await previousNoticeReleaseId(trx, current.notice.ocid);
        return tenderAmendmentRelease(ctx, current, previous, event, prior);
      }
      case 'tenderCancellation': {
        const prior = await previousNoticeReleaseId(trx, current.notice.ocid);
        return tenderCancellationRelease(ctx, current, event, prior);
      }
    }
  });
}
