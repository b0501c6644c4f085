/**
 * What every OCDS publishing step shares (issue 6 point 1): the process's publisher (merge rules
 * and public origin, loaded once at start-up), the release context of an authority, the audit
 * event a release publishes, the notice versions of a file, the public form of a company, and the
 * final store. The stage files (ocds-plan / ocds-tender / ocds-award / ocds-contract / ocds-minor
 * .publish.ts) read their builders' inputs from the rows of the act's own transaction inside
 * `publishRelease`, which stores the release there: the act, its audit event and its open data
 * commit together or not at all.
 *
 * The merge rules come from the release schema, read once at start-up (startOcdsPublication, called
 * by server.ts): a public act never waits on the disk or the network for them. Without them (no
 * schema directory and no cached or downloadable schema) publication is off, the start-up logs a
 * warning, and the acts go on without releases: open data must never block a public act. When it
 * is on, a release that cannot be stored throws, and the act rolls back with it.
 */
import type { Tx } from '../../platform/db/tx.js';
import { publishedTaxId } from '../minor/minor-contract.rules.js';
import { currentNotice } from '../opening/opening.repo.js';
import type { TaxIdKind } from '../parties/tax-id.rules.js';
import { declaredExtensionUrls } from './extensions.js';
import type { MergeRules } from './merge-rules.js';
import type { JsonObject } from './merge.types.js';
import { ocdsMergeRules, type RecordReleaseResult, recordRelease } from './ocds-publish.service.js';
import type {
  OcdsCompany,
  OcdsEvent,
  OcdsNotice,
  OcdsNoticeVersion,
  ReleaseContext,
} from './release.types.js';

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

/**
 * A stored notice (tender_notice.canonical): presentTender's view with ocid, status, publishedAt
 * and documents, a superset of OcdsNotice (release.types.ts), stored by tender-workflow.service.ts
 * buildNotice.
 */
function parseNotice(canonical: string, what: string): OcdsNotice {
  const notice = JSON.parse(canonical) as OcdsNotice;
  if (typeof notice.ocid !== 'string' || !Array.isArray(notice.lots) || !Array.isArray(notice.documents))
    throw new Error(`${what} is not a notice`);
  return notice;
}

/** The notice versions of a file, oldest first (tender_notice, canonical JSON parsed). */
export async function noticeVersions(trx: Tx, tenderId: string): Promise<OcdsNoticeVersion[]> {
  const rows = await trx
    .selectFrom('tender_notice')
    .select(['version', 'kind', 'reason', 'substantial', 'published_at', 'canonical'])
    .where('tender_id', '=', tenderId)
    .orderBy('version')
    .execute();
  return rows.map((r) => ({
    version: r.version,
    kind: r.kind as OcdsNoticeVersion['kind'],
    reason: r.reason,
    substantial: r.substantial,
    publishedAt: new Date(r.published_at).toISOString(),
    notice: parseNotice(r.canonical, `tender_notice ${tenderId} v${r.version}`),
  }));
}

/** The notice in force (the last version) of a published file. */
export async function currentNoticeOf(trx: Tx, authorityId: string, tenderId: string): Promise<OcdsNotice> {
  const canonical = await currentNotice(trx, authorityId, tenderId);
  if (canonical === null) throw new Error(`tender ${tenderId} has no notice`);
  return parseNotice(canonical, `the current notice of tender ${tenderId}`);
}

/**
 * A company as the public views show it (LOPDGDD DA 7ª: a natural person's NIF/NIE masked with
 * publishedTaxId, the function the public award and contract views use). A Spanish VAT number of
 * a natural person is published as its masked NIF, so it is stated as a NIF: the party id must not
 * claim a VAT scheme for a value that no longer carries its country prefix.
 */
export function publicCompany(legalName: string, taxId: string, kind: string): OcdsCompany {
  const taxIdKind = kind as TaxIdKind;
  const shown = publishedTaxId(taxId, taxIdKind);
  if (taxIdKind === 'VAT' && shown !== taxId) return { legalName, taxId: shown, taxIdKind: 'NIF' };
  return { legalName, taxId: shown, taxIdKind };
}

/** Stores a built release with the publisher's rules, published at the act's own instant. */
function storeRelease(
  trx: Tx,
  release: JsonObject,
  authorityId: string,
  p: OcdsPublisher,
  event: OcdsEvent,
): Promise<RecordReleaseResult> {
  return recordRelease(trx, release, authorityId, {
    rules: p.rules,
    now: new Date(event.at),
    // Ours too (document integrity): the deployment serves it, so its URL needs the public origin.
    extensions: declaredExtensionUrls(p.publicBaseUrl),
  });
}

/**
 * What every publisher does around its own reads and builder: nothing while publication is off;
 * otherwise the release that `build` makes from the authority's context and the act's audit event,
 * stored in the act's transaction. `build` returns undefined when the act publishes nothing.
 */
export async function publishRelease(
  trx: Tx,
  input: { authorityId: string; eventId: string },
  build: (ctx: ReleaseContext, event: OcdsEvent) => Promise<JsonObject | undefined>,
): Promise<RecordReleaseResult | undefined> {
  const p = ocdsPublisher();
  if (!p) return undefined;
  const ctx = await releaseContext(trx, input.authorityId, p);
  const event = await eventOf(trx, input.eventId);
  const release = await build(ctx, event);
  return release && storeRelease(trx, release, input.authorityId, p, event);
}
