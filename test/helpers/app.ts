import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { type App, buildApp, SESSION_COOKIE } from '../../src/app.js';
import { type Clock, fixedClock, systemClock } from '../../src/platform/clock.js';
import { loadConfig } from '../../src/platform/config.js';
import type { AuthorityRole, CompanyRole } from '../../src/platform/context.js';
import type { DatabaseHandle } from '../../src/platform/db/client.js';
import { newId } from '../../src/platform/ids.js';
import { createLogger } from '../../src/platform/logger.js';
import { memoryMailer } from '../../src/platform/mail.js';
import { fsBlobStore } from '../../src/platform/storage/blob-store.js';
import { hashPassword } from '../../src/modules/identity/password.js';
import { testDatabase } from './db.js';

export const PASSWORD = 'correct horse battery staple';

export type TestApp = {
  app: App;
  db: DatabaseHandle;
  mail: ReturnType<typeof memoryMailer>;
  /** Every log line the app wrote, for checks that no secret is logged. */
  logs: string[];
  clock: Clock & { set(d: Date): void; advance(ms: number): void };
  /** The app's document store: a private temporary directory, created on first upload, removed on close. */
  blobDir: string;
  close(): Promise<void>;
};

/** An app on a fresh database with an in-memory mailer, captured logs and a movable clock. */
export async function buildTestApp(
  opts: { rateLimitMax?: number; now?: Date; logLevel?: string; documentMaxBytes?: number } = {},
): Promise<TestApp> {
  const db = await testDatabase();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const defaults = loadConfig({ CONTRACTA_DATA_DIR: '/nonexistent-test-dir' });
  const config = {
    ...defaults,
    rateLimitMax: opts.rateLimitMax ?? 100_000,
    logLevel: opts.logLevel ?? 'info',
    documentMaxBytes: opts.documentMaxBytes ?? defaults.documentMaxBytes,
  };
  const blobDir = path.join(os.tmpdir(), `contracta-test-blobs-${randomBytes(6).toString('hex')}`);
  const clock = fixedClock(opts.now ?? systemClock.now());
  const mail = memoryMailer();
  const app = await buildApp({
    config,
    database: db,
    logger: createLogger(config.logLevel, sink),
    clock,
    mailer: mail,
    cookieSecret: 'test-cookie-secret-test-cookie-secret',
    blobStore: fsBlobStore(blobDir),
  });
  await app.ready();
  return {
    app,
    db,
    mail,
    logs,
    clock,
    blobDir,
    close: async () => {
      await app.close();
      await db.close();
      await fs.rm(blobDir, { recursive: true, force: true });
    },
  };
}

let cachedHash: Promise<string> | undefined;
/** All factory users share one password hash: scrypt is slow on purpose. */
export function passwordHash(): Promise<string> {
  cachedHash ??= hashPassword(PASSWORD);
  return cachedHash;
}

let counter = 0;
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}

/** Inserts an authority directly (no HTTP), for arranging tests. */
export async function makeAuthority(
  t: TestApp,
  slug = unique('city-'),
): Promise<{ id: string; slug: string }> {
  const id = newId();
  const suffix = String(counter).padStart(6, '0').slice(-6);
  await t.db.db
    .insertInto('authority')
    .values({
      id,
      slug,
      name_ca: `Ajuntament ${slug}`,
      name_es: `Ayuntamiento ${slug}`,
      name_en: `City of ${slug}`,
      dir3_code: `L01${suffix}`,
      ocid_prefix: `ocds-${suffix}`,
    })
    .execute();
  counter += 1;
  return { id, slug };
}

export async function makeUser(
  t: TestApp,
  opts: {
    email?: string;
    roles?: { authorityId: string; roles: AuthorityRole[] }[];
    companies?: { companyId: string; roles: CompanyRole[] }[];
    platformAdmin?: boolean;
  } = {},
): Promise<{ id: string; email: string }> {
  const id = newId();
  const email = opts.email ?? `${unique('user')}@test.example`;
  await t.db.db
    .insertInto('app_user')
    .values({
      id,
      email,
      name: `User ${email}`,
      password_hash: await passwordHash(),
      is_platform_admin: opts.platformAdmin ?? false,
    })
    .execute();
  for (const m of opts.roles ?? []) {
    await t.db.db
      .insertInto('membership')
      .values({ authority_id: m.authorityId, user_id: id, roles: m.roles })
      .execute();
  }
  for (const m of opts.companies ?? []) {
    await t.db.db
      .insertInto('company_member')
      .values({ company_id: m.companyId, user_id: id, roles: m.roles })
      .execute();
  }
  return { id, email };
}

export async function makeCompany(t: TestApp, taxId: string): Promise<{ id: string }> {
  const id = newId();
  await t.db.db
    .insertInto('company')
    .values({
      id,
      legal_name: `Company ${taxId}`,
      tax_id: taxId,
      tax_id_kind: 'CIF',
      country: 'ES',
      is_sme: true,
      street: 'Carrer 1',
      locality: 'Barcelona',
      postal_code: '08001',
    })
    .execute();
  return { id };
}

export type Session = { cookie: string; csrf: string; headers: Record<string, string> };

/**
 * Signs in through the API and returns the cookies and CSRF header for later requests.
 * `remoteAddress` sets the client address, so that files signing in many times can stay under the
 * per-address rate limit of the sign-in route (20 a minute).
 */
export async function login(
  t: TestApp,
  email: string,
  password = PASSWORD,
  opts: { remoteAddress?: string } = {},
): Promise<Session> {
  const from = opts.remoteAddress ? { remoteAddress: opts.remoteAddress } : {};
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
    ...from,
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const session = res.cookies.find((c) => c.name === SESSION_COOKIE);
  if (!session) throw new Error('no session cookie');
  const csrfRes = await t.app.inject({
    method: 'GET',
    url: '/api/v1/auth/csrf',
    cookies: { [SESSION_COOKIE]: session.value },
    ...from,
  });
  const csrfCookie = csrfRes.cookies.find((c) => c.name === 'contracta_csrf');
  const token = (csrfRes.json() as { token: string }).token;
  const cookie = `${SESSION_COOKIE}=${session.value}; contracta_csrf=${csrfCookie?.value ?? ''}`;
  return { cookie, csrf: token, headers: { cookie, 'x-csrf-token': token } };
}

/** Counts rows of every table: for "nothing was written" checks. */
export async function rowCounts(t: TestApp): Promise<Record<string, number>> {
  const tables = [
    'consortium',
    'authority',
    'authority_holiday',
    'app_user',
    'membership',
    'company',
    'company_email',
    'company_member',
    'user_session',
    'password_reset_token',
    'api_token',
    'audit_event',
    'audit_embargo_lifted',
    'bid_qualification',
    'tender',
    'tender_lot',
    'award_criterion',
    'tender_bid_document',
    'tender_assignment',
    'tender_document',
    'tender_approval',
    'tender_notice',
    'tender_question',
    'tender_follow',
    'planned_contract',
    'authority_holiday_exclusion',
    'minor_contract',
    'minor_invitation',
    'minor_quote',
    'minor_award',
    'custodian_key',
    'bid',
    'bid_version',
    'tender_bid_counter',
    'bid_envelope',
    'bid_blob',
    'opening',
    'opening_custodian',
    'bid_opening',
    'bid_plaintext',
    'opening_b_report',
    // abnormal-offer review (0016)
    'bid_abnormal_review',
    // award of lots and contracts (0017)
    'lot_award',
    'contract',
    // contract management (0018)
    'contract_event',
    // documents of contracts (0021)
    'contract_document',
    // selection and negotiation (0019)
    'participation_request',
    'tender_invitation',
    'negotiation_round',
    'negotiation_response',
    // OCDS releases and records (0022)
    'ocds_release',
    'ocds_record',
    // imported third-party OCDS (0023)
    'ocds_import_release',
    'ocds_import_record',
  ] as const;
  const out: Record<string, number> = {};
  for (const table of tables) {
    const r = await t.db.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(r.n);
  }
  return out;
}
