import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runtime configuration, read once from the environment. Every variable is listed in the README. */
export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  logLevel: string;
  /** Public base URL, used in emailed links. */
  publicUrl: string;
  /** Send the session cookie only over HTTPS. Defaults to true when NODE_ENV=production. */
  cookieSecure: boolean;
  /** SMTP connection URL; without it, mail is written to `<dataDir>/outbox`. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Requests per minute per client address across the API. */
  rateLimitMax: number;
  /** Maximum request body in bytes for JSON and forms. */
  bodyLimit: number;
  /** Largest document a procurement file may carry, in bytes (uploads stream; nothing is buffered whole). */
  documentMaxBytes: number;
  /**
   * Largest sealed piece of a bid (one encrypted file or share) in bytes, 1 GiB by default: bids are
   * streamed into the store, never buffered whole (issue 4).
   */
  bidEnvelopeMaxBytes: number;
  /**
   * PEM file with the platform's Ed25519 receipt-signing key(s); without it, one key is generated
   * once into `<dataDir>/signing-key.pem`. See docs/RECEIPTS.md.
   */
  signingKeyFile: string | undefined;
  /**
   * OCDS release schema directory (OCDS_SCHEMA_DIR; default `../shared/data/ocds/schema` next to the
   * repository when it exists). Undefined: the schema cached on disk or the official URL, at start-up.
   */
  ocdsSchemaDir: string | undefined;
  /**
   * Seconds between two runs of the OCDS bulk files generator in the server (OCDS_BULK_INTERVAL_S,
   * 300 by default; 0 turns it off, the default under NODE_ENV=test). `contracta ocds bulk` runs it once.
   */
  ocdsBulkIntervalS: number;
  /** OCDS package metadata (issue 6): the publisher, licence and publication policy of /ocds/v1. */
  ocds: {
    publisherName: string;
    publisherScheme?: string;
    publisherUid?: string;
    license: string;
    publicationPolicy: string;
  };
};

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

/** The OCDS schemas beside the repository (`../shared/data/ocds/schema`), when they are there. */
/**
 * The repository's root: the nearest folder above this module holding package.json. This module
 * runs from src/platform (tsx, tests) or bundled into dist/cli.js (the CLI), so a fixed number of
 * `..` would be wrong in one of them.
 */
function repositoryRoot(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function defaultOcdsSchemaDir(): string | undefined {
  const repository = repositoryRoot();
  if (!repository) return undefined;
  const dir = path.resolve(repository, '..', 'shared', 'data', 'ocds', 'schema');
  return fs.existsSync(dir) ? dir : undefined;
}

/** Reads the configuration from an environment (process.env by default). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = intFrom(env.PORT, 3000, 'PORT');
  const host = env.HOST || '0.0.0.0';
  return {
    port,
    host,
    dataDir: path.resolve(env.CONTRACTA_DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    publicUrl: (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/$/, ''),
    cookieSecure: env.COOKIE_SECURE ? env.COOKIE_SECURE === 'true' : env.NODE_ENV === 'production',
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || 'Contracta <no-reply@contracta.localhost>',
    rateLimitMax: intFrom(env.RATE_LIMIT_MAX, 600, 'RATE_LIMIT_MAX'),
    bodyLimit: intFrom(env.BODY_LIMIT, 1_048_576, 'BODY_LIMIT'),
    documentMaxBytes: intFrom(env.DOCUMENT_MAX_BYTES, 104_857_600, 'DOCUMENT_MAX_BYTES'),
    bidEnvelopeMaxBytes: intFrom(env.BID_ENVELOPE_MAX_BYTES, 1_073_741_824, 'BID_ENVELOPE_MAX_BYTES'),
    signingKeyFile: env.CONTRACTA_SIGNING_KEY_FILE ? path.resolve(env.CONTRACTA_SIGNING_KEY_FILE) : undefined,
    ocdsBulkIntervalS: intFrom(
      env.OCDS_BULK_INTERVAL_S,
      env.NODE_ENV === 'test' ? 0 : 300,
      'OCDS_BULK_INTERVAL_S',
    ),
    ocdsSchemaDir: env.OCDS_SCHEMA_DIR ? path.resolve(env.OCDS_SCHEMA_DIR) : defaultOcdsSchemaDir(),
    ocds: {
      publisherName: env.OCDS_PUBLISHER_NAME || 'Contracta',
      ...(env.OCDS_PUBLISHER_SCHEME ? { publisherScheme: env.OCDS_PUBLISHER_SCHEME } : {}),
      ...(env.OCDS_PUBLISHER_UID ? { publisherUid: env.OCDS_PUBLISHER_UID } : {}),
      license: env.OCDS_LICENSE || 'https://creativecommons.org/licenses/by/4.0/',
      publicationPolicy:
        env.OCDS_PUBLICATION_POLICY ||
        `${(env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/$/, '')}/open-data`,
    },
  };
}
