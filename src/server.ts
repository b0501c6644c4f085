import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type App, buildApp } from './app.js';
import { systemClock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import { openDatabase } from './platform/db/client.js';
import { migrate } from './platform/db/migrate.js';
import { createLogger } from './platform/logger.js';
import { fileOutboxMailer, smtpMailer } from './platform/mail.js';
import { startOcdsPublication } from './modules/ocds/ocds-publish.context.js';
import { startBulkLoop } from './modules/ocds/ocds-bulk.js';
import { loadSigningKeyRing } from './platform/signing-key.js';

/**
 * The secret that signs the CSRF cookie: COOKIE_SECRET, or a random one kept in the data
 * directory so that forms stay valid across restarts of a single instance.
 */
async function cookieSecret(config: Config): Promise<string> {
  if (process.env.COOKIE_SECRET) return process.env.COOKIE_SECRET;
  const file = path.join(config.dataDir, 'cookie-secret');
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    await fs.mkdir(config.dataDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    await fs.writeFile(file, secret, { mode: 0o600 });
    return secret;
  }
}

/** Opens the database, migrates it and builds the app; the caller decides whether to listen. */
export async function startApp(config: Config): Promise<App> {
  const logger = createLogger(config.logLevel);
  // First, so that a bad key file stops the start before the database is opened.
  const signingKey = await loadSigningKeyRing(config);
  logger.info({ keyId: signingKey.current.keyId }, 'receipt signing key loaded');
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : path.join(config.dataDir, 'pglite'),
    onIdleError: (err) => logger.warn({ err }, 'idle database connection lost; the pool opens a new one'),
  });
  const applied = await migrate(database.db);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  // The OCDS merge rules, read once before any public act (never inside an act's transaction);
  // without a schema the app still starts and the acts go on without releases (logged warning).
  await startOcdsPublication({
    schemaDir: config.ocdsSchemaDir,
    publicBaseUrl: config.publicUrl,
    logger,
  });
  const mailer = config.smtpUrl
    ? smtpMailer(config.smtpUrl, config.mailFrom)
    : fileOutboxMailer(path.join(config.dataDir, 'outbox'), config.mailFrom);
  const app = await buildApp({
    config,
    database,
    logger,
    clock: systemClock,
    mailer,
    cookieSecret: await cookieSecret(config),
    // Loaded (or made once, mode 0600) before listening: a receipt must never be signed with a
    // key that is not published. The key is never logged; only its keyId is.
    signingKey,
  });
  // onClose hooks run last-registered first: the database closes after everything that uses it.
  app.addHook('onClose', async () => database.close());
  // The OCDS bulk files (issue 6 point 3), brought up to date every OCDS_BULK_INTERVAL_S seconds.
  if (config.ocdsBulkIntervalS > 0) {
    const stop = startBulkLoop(
      {
        db: database.db,
        driver: database.driver,
        dataDir: config.dataDir,
        baseUrl: config.publicUrl,
        clock: systemClock,
      },
      config.ocdsBulkIntervalS,
      (result) => {
        if (result instanceof Error) logger.error({ err: result }, 'OCDS bulk files not generated');
        else if (result.status === 'done' && result.releases.appended + result.records.changed > 0)
          logger.info({ bulk: result }, 'OCDS bulk files updated');
      },
    );
    app.addHook('onClose', () => stop());
  }
  return app;
}
