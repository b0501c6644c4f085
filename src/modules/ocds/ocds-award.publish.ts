/**
 * OCDS releases of the bids and of the award (issue 6 point 1):
 *  - the bids received, as statistics only (`tenderUpdate`), at the first opening: the public act
 *    that makes the bids known (the opening record lists them, and lifts the audit embargo on
 *    them, migration 0012). Who bid and at what price stay out until the award (arts. 151, 157.4).
 *  - the award steps that decide a lot in public (arts. 151, 154 LCSP): `award` (the award of a
 *    lot), `awardCancellation` (a lot declared void, art. 150.3), `awardUpdate` (the notification,
 *    art. 151.1). Each restates every decided lot with every bid on it — losing and disqualified
 *    ones included — as the bids extension expects.
 *
 * An award annulled by an upheld special appeal publishes `awardCancellation` (publishAwardStep).
 *
 * The committee's proposal steps (propose, propose_next, documentation_failed) are public in the
 * minutes but publish no release: OCDS would have to name the candidate (an award `pending`) and
 * its bid before the award of the lot is public, which the bids embargo forbids. The
 * formalisation is published as the `contract` release (ocds-contract.publish.ts): it changes
 * nothing in the award itself.
 *
 * Inputs come from the rows, never from a request: the opening records (bidders, lots, the prices
 * read out at C), the counted bid versions (receipt time), qualification and abnormal-offer review
 * (status), the lot_award states (award, notification, void).
 */
import type { Tx } from '../../platform/db/tx.js';
import type { AwardEventType } from '../evaluation/award.types.js';
import type { OpeningRecord } from '../opening/opening.types.js';
import { currentNoticeOf, publicCompany, publishRelease } from './ocds-publish.context.js';
import type { RecordReleaseResult } from './ocds-publish.service.js';
import { lockOcid } from './ocds.repo.js';
import { awardRelease, bidsReceivedRelease } from './release.build.js';
import type { OcdsAnnulledAward, OcdsLotAward, OcdsOpenedBid } from './release.types.js';

/** The opening records of a file, in the legal order of the stages (A → B → C). */
async function openingRecords(trx: Tx, tenderId: string): Promise<OpeningRecord[]> {
  const rows = await trx
    .selectFrom('opening')
    .select(['envelope', 'record'])
    .where('tender_id', '=', tenderId)
    .orderBy('envelope')
    .execute();
  return rows.map((r) => JSON.parse(r.record) as OpeningRecord);
}

/** The companies behind the bids, unmasked here and masked by publicCompany. */
async function bidFacts(trx: Tx, authorityId: string, tenderId: string, bidIds: readonly string[]) {
  if (bidIds.length === 0) return new Map<string, never>();
  const rows = await trx
    .selectFrom('bid as b')
    .innerJoin('company as c', 'c.id', 'b.company_id')
    .leftJoin('bid_version as v', (j) =>
      j.onRef('v.bid_id', '=', 'b.id').onRef('v.version', '=', 'b.current_version'),
    )
    .select(['b.id as bid_id', 'b.status', 'c.legal_name', 'c.tax_id', 'c.tax_id_kind', 'v.received_at'])
    .where('b.authority_id', '=', authorityId)
    .where('b.tender_id', '=', tenderId)
    .where('b.id', 'in', [...bidIds])
    .execute();
  return new Map(rows.map((r) => [r.bid_id, r]));
}

/**
 * The bids of the file as counted at the deadline (the bids of its first opening record), each
 * with its company as published, its receipt time, its price per lot as read out at C, and its
 * status: disqualified when excluded at qualification, when an envelope could not be opened, or —
 * for one lot — when its offer was rejected as abnormally low (art. 149.6); withdrawn when the
 * bid was withdrawn; valid otherwise.
 */
export async function openedBids(
  trx: Tx,
  authorityId: string,
  tenderId: string,
  records?: OpeningRecord[],
): Promise<OcdsOpenedBid[]> {
  records ??= await openingRecords(trx, tenderId);
  const first = records[0];
  if (!first) return [];
  const ids = first.bids.map((b) => b.bidId);
  const facts = await bidFacts(trx, authorityId, tenderId, ids);
  const excluded = new Set(
    (
      await trx
        .selectFrom('bid_qualification')
        .select('bid_id')
        .where('tender_id', '=', tenderId)
        .where('status', '=', 'excluded')
        .execute()
    ).map((r) => r.bid_id),
  );
  const rejected = new Set(
    (
      await trx
        .selectFrom('bid_abnormal_review')
        .select(['bid_id', 'lot'])
        .where('tender_id', '=', tenderId)
        .where('status', '=', 'rejected')
        .execute()
    ).map((r) => `${r.bid_id}/${r.lot}`),
  );
  const failed = new Set(
    records.flatMap((r) => r.bids.filter((b) => b.outcome === 'failed').map((b) => b.bidId)),
  );
  const c = records.find((r) => r.envelope === 'C');
  return first.bids.map((b) => {
    const f = facts.get(b.bidId);
    if (!f) throw new Error(`bid ${b.bidId} of the opening record is not a bid of tender ${tenderId}`);
    const offer = c?.bids.find((x) => x.bidId === b.bidId)?.offer;
    const status: OcdsOpenedBid['status'] =
      f.status === 'withdrawn'
        ? 'withdrawn'
        : excluded.has(b.bidId) || failed.has(b.bidId)
          ? 'disqualified'
          : 'valid';
    return {
      bidId: b.bidId,
      company: publicCompany(f.legal_name, f.tax_id, f.tax_id_kind),
      receivedAt: new Date(f.received_at ?? first.openedAt).toISOString(),
      lots: b.lots.map((lot) => ({
        lot,
        price: offer?.lots?.find((l) => l.lot === lot)?.price ?? null,
        ...(status === 'valid' && rejected.has(`${b.bidId}/${lot}`)
          ? { status: 'disqualified' as const }
          : {}),
      })),
      status,
    };
  });
}

/**
 * The stored award state of a lot (award.service.ts `Stored`: instants as ISO strings); only the
 * published facts are read.
 */
type StoredAward = {
  award: { id: string; reasons: string; at: string } | null;
  notifiedAt: string | null;
  formalisedAt: string | null;
  voided: { reasons: string; at: string } | null;
};

/** The public acts of the award of each lot (as award.service.ts publicAwards, with the bid ids). */
export async function lotAwardsOf(
  trx: Tx,
  tenderId: string,
  bids: readonly OcdsOpenedBid[],
): Promise<OcdsLotAward[]> {
  const rows = await trx
    .selectFrom('lot_award')
    .select(['lot', 'state'])
    .where('tender_id', '=', tenderId)
    .orderBy('lot')
    .execute();
  const out: OcdsLotAward[] = [];
  for (const r of rows) {
    const s = JSON.parse(r.state) as StoredAward;
    if (s.voided) {
      out.push({
        lot: r.lot,
        stage: 'void',
        award: null,
        void: { reasons: s.voided.reasons, at: s.voided.at },
      });
      continue;
    }
    if (!s.award) continue;
    const bidId = s.award.id;
    const bid = bids.find((b) => b.bidId === bidId);
    if (!bid) throw new Error(`lot ${r.lot}: the awarded bid is not in the opening records`);
    // An offer whose price could not be read at C (its problem is in the opening record) is
    // published without a value, as the public award view shows it with none.
    const price = bid.lots.find((l) => l.lot === r.lot)?.price ?? '';
    out.push({
      lot: r.lot,
      stage: s.formalisedAt ? 'formalised' : 'awarded',
      award: {
        bidId,
        company: bid.company,
        price,
        reasons: s.award.reasons,
        awardedAt: s.award.at,
        notifiedAt: s.notifiedAt,
      },
      void: null,
    });
  }
  return out;
}

/**
 * Publishes the bids received (`tenderUpdate`) at the first opening of a file, in the opening's
 * transaction right after its audit event `eventId`; later openings publish nothing.
 */
export async function publishBidsReceived(
  trx: Tx,
  input: { authorityId: string; tenderId: string; eventId: string },
): Promise<RecordReleaseResult | undefined> {
  return publishRelease(trx, input, async (ctx, event) => {
    const records = await openingRecords(trx, input.tenderId);
    if (records.length !== 1) return undefined;
    const notice = await currentNoticeOf(trx, input.authorityId, input.tenderId);
    const bids = await openedBids(trx, input.authorityId, input.tenderId, records);
    return bidsReceivedRelease(ctx, notice, bids, event);
  });
}

/** The release tag of each award step that publishes one (see above). */
const AWARD_TAGS: Partial<Record<AwardEventType, 'award' | 'awardCancellation' | 'awardUpdate'>> = {
  award: 'award',
  declare_void: 'awardCancellation',
  notify: 'awardUpdate',
};

/**
 * Publishes the release of an award step, in the step's transaction right after its audit event
 * `eventId`; a step without a release (see above) publishes nothing. `annulled` is the award an
 * upheld special appeal has just annulled (art. 57.2 LCSP): published as `awardCancellation`, the
 * award `cancelled` and its lot open again, or the open data would keep showing it in force.
 */
export async function publishAwardStep(
  trx: Tx,
  input: {
    step: AwardEventType;
    authorityId: string;
    tenderId: string;
    eventId: string;
    annulled?: OcdsAnnulledAward | undefined;
  },
): Promise<RecordReleaseResult | undefined> {
  const tag = input.annulled ? 'awardCancellation' : AWARD_TAGS[input.step];
  if (!tag) return undefined;
  return publishRelease(trx, input, async (ctx, event) => {
    const notice = await currentNoticeOf(trx, input.authorityId, input.tenderId);
    // Each release restates every decided lot, and a step locks only its own lot: the ocid's lock
    // first (as for contracts), so that the other lots are read after a concurrent step commits.
    await lockOcid(trx, notice.ocid);
    const bids = await openedBids(trx, input.authorityId, input.tenderId);
    const awards = await lotAwardsOf(trx, input.tenderId, bids);
    const annulled = input.annulled ? [input.annulled] : [];
    return awardRelease(ctx, notice, awards, bids, event, tag, annulled);
  });
}
