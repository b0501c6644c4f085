/**
 * OCDS releases of the tender stages (issue 6 point 1, first wiring): the contract notice
 * (publishTender → `tender`), a corrigendum (publishCorrigendum → `tenderAmendment`) and the
 * cancellation of a published notice (cancelTender → `tenderCancellation`). Each call reads the
 * inputs of the release builders from the rows of the act's own transaction (the authority, the
 * notice versions as frozen in tender_notice, the audit event just written) and stores the release
 * with recordRelease in that same transaction, so the act, its audit event and its open data commit
 * together or not at all.
 *
 * The merge rules come from the release schema, read once at start-up (startOcdsPublication, called
 * by server.ts): a public act never waits on the disk or the network for them. Without them (no
 * schema directory and no cached or downloadable schema) publication is off, the start-up logs a
 * warning, and the acts go on without releases: open data must never block a public act.
 */
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/tx.js';
import type { MergeRules } from './merge-rules.js';
import type { JsonObject } from './merge.types.js';
import { ocdsMergeRules, type RecordReleaseResult, recordRelease } from './ocds-publish.service.js';
import { tenderAmendmentRelease, tenderCancellationRelease, tenderRelease } from './release.build.js';
import type { OcdsEvent, OcdsNotice, OcdsNoticeVersion, ReleaseContext } from './release.types.js';

/** What publishing needs besides the facts: the merge rules and the portal's public origin. */
export type OcdsPublisher = { rules: MergeRules; publicBaseUrl: string };

/** The process's publisher: one app per process (server.ts); undefined = publication off. */
let publisher: OcdsPublisher | undefined;

export function setOcdsPublisher(p: OcdsPublisher | undefined): void {
  publisher = p;
}

export function ocdsPublisher(): OcdsPublisher | undefined {
  return publisher;
}

type WarnLogger = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
};

/** How long the start-up waits for a schema download before giving up (no network: start anyway). */
const LOAD_TIMEOUT_MS = 20_000;

/**
 * Loads the merge rules once (the schema directory, else the on-disk cache or the official URL:
 * schema.load.ts) and turns publication on; on failure publication stays off with a warning, and
 * the app starts all the same. Returns the publisher, or undefined when off.
 */
export async function startOcdsPublication(opts: {
  schemaDir: string | undefined;
  publicBaseUrl: string;
  logger: WarnLogger;
}): Promise<OcdsPublisher | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const rules = await Promise.race([
      ocdsMergeRules({ schema: { dir: opts.schemaDir } }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no schema after ${LOAD_TIMEOUT_MS / 1000} s`)),
          LOAD_TIMEOUT_MS,
        );
        timer.unref();
      }),
    ]);
    publisher = { rules, publicBaseUrl: opts.publicBaseUrl };
    opts.logger.info({ schemaDir: opts.schemaDir ?? 'official URL (cached)' }, 'OCDS publication on');
  } catch (err) {
    publisher = undefined;
    opts.logger.warn(
      { schemaDir: opts.schemaDir ?? null, err: err instanceof Error ? err.message : String(err) },
      'OCDS release schema not available (set OCDS_SCHEMA_DIR): OCDS releases are not published',
    );
  } finally {
    if (timer) clearTimeout(timer);
  }
  return publisher;
}

async function releaseContext(trx: Tx, authorityId: string, p: OcdsPublisher): Promise<ReleaseContext> {
  const a = await trx
    .selectFrom('authority')
    .select(['id', 'name_ca', 'name_es', 'name_en', 'dir3_code', 'ocid_prefix'])
    .where('id', '=', authorityId)
    .executeTakeFirstOrThrow();
  return {
    authority: {
      id: a.id,
      name: { ca: a.name_ca, es: a.name_es, en: a.name_en },
      dir3Code: a.dir3_code,
      ocidPrefix: a.ocid_prefix,
    },
    publicBaseUrl: p.publicBaseUrl,
  };
}

/** The public act's audit event, as the builders take it: its id and its own recorded time. */
async function eventOf(trx: Tx, eventId: string): Promise<OcdsEvent> {
  const row = await trx
    .selectFrom('audit_event')
    .select('occurred_at')
    .where('id', '=', eventId)
    .executeTakeFirstOrThrow();
  return { id: eventId, at: new Date(row.occurred_at).toISOString() };
}

/** The notice versions of a file, oldest first (tender_notice, canonical JSON parsed). */
async function noticeVersions(trx: Tx, tenderId: string): Promise<OcdsNoticeVersion[]> {
  const rows = await trx
    .selectFrom('tender_notice')
    .select(['version', 'kind', 'reason', 'substantial', 'published_at', 'canonical'])
    .where('tender_id', '=', tenderId)
    .orderBy('version')
    .execute();
  return rows.map((r) => {
    // The canonical notice is presentTender's view with ocid, status, publishedAt and documents:
    // a superset of OcdsNotice (release.types.ts), stored by tender-workflow.service.ts buildNotice.
    const notice = JSON.parse(r.canonical) as OcdsNotice;
    if (typeof notice.ocid !== 'string' || !Array.isArray(notice.lots) || !Array.isArray(notice.documents))
      throw new Error(`tender_notice ${tenderId} v${r.version} is not a notice`);
    return {
      version: r.version,
      kind: r.kind as OcdsNoticeVersion['kind'],
      reason: r.reason,
      substantial: r.substantial,
      publishedAt: new Date(r.published_at).toISOString(),
      notice,
    };
  });
}

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
  const p = publisher;
  if (!p) return undefined;
  const versions = await noticeVersions(trx, input.tenderId);
  const current = versions.at(-1);
  if (!current) throw new Error(`tender ${input.tenderId} has no notice`);
  const ctx = await releaseContext(trx, input.authorityId, p);
  const event = await eventOf(trx, input.eventId);
  let release: JsonObject;
  switch (input.stage) {
    case 'tender': {
      const plan = await trx
        .selectFrom('planned_contract')
        .select('id')
        .where('tender_id', '=', input.tenderId)
        .where('authority_id', '=', input.authorityId)
        .executeTakeFirst();
      release = tenderRelease(ctx, current, event, { plannedContractId: plan?.id ?? null });
      break;
    }
    case 'tenderAmendment': {
      const previous = versions.at(-2);
      if (!previous) throw new Error(`tender ${input.tenderId}: a corrigendum without a previous notice`);
      const prior = await previousNoticeReleaseId(trx, current.notice.ocid);
      release = tenderAmendmentRelease(ctx, current, previous, event, prior);
      break;
    }
    case 'tenderCancellation': {
      const prior = await previousNoticeReleaseId(trx, current.notice.ocid);
      release = tenderCancellationRelease(ctx, current, event, prior);
      break;
    }
  }
  return recordRelease(trx, release, input.authorityId, { rules: p.rules, now: new Date(event.at) });
}
