import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config.js';

/**
 * The platform's Ed25519 keys that sign bid receipts (LCSP DA 17ª: the time of receipt and the
 * integrity of each tender must be provable; a signed receipt lets a bidder prove both without
 * trusting the platform's database).
 *
 * The key file is a plain PEM file holding one or more blocks:
 * - `PRIVATE KEY` (PKCS#8, as `openssl genpkey -algorithm ed25519` writes it): a key the platform
 *   holds; the **last** one in the file signs new receipts;
 * - `PUBLIC KEY` (SPKI): a retired key whose private half has been destroyed, still published so
 *   that the receipts it signed keep verifying.
 * Rotation is therefore: append a new private key, optionally replace the old private block by its
 * public key, restart. Every key of the file is published with its keyId; none is ever dropped.
 *
 * The private keys live only in KeyObjects: nothing here keeps their PEM text, and a KeyObject
 * serialises as `{}`, so logging the key ring by mistake does not reveal them.
 */

export const SIGNING_ALGORITHM = 'Ed25519';

/** A key that can sign: the newest private key of the file. */
export type SigningKey = {
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
};

/** A key as published at `GET /api/v1/receipt-keys`. */
export type PublishedKey = {
  keyId: string;
  algorithm: typeof SIGNING_ALGORITHM;
  /** SPKI public key, PEM. */
  publicKeyPem: string;
  /** True for the key that signs new receipts. */
  current: boolean;
};

export type SigningKeyRing = {
  /** Signs new receipts. */
  current: SigningKey;
  /** Every key receipts may name, in the order of the file (oldest first). */
  published: PublishedKey[];
};

/** keyId: the first 16 hex digits of the SHA-256 of the public key's SPKI DER encoding. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/** The public key as SPKI PEM, the form `openssl pkeyutl -pubin` reads. */
export function publicKeyPem(publicKey: KeyObject): string {
  return String(publicKey.export({ type: 'spki', format: 'pem' }));
}

/** A fresh Ed25519 private key as PKCS#8 PEM. */
export function generateSigningKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return String(privateKey.export({ type: 'pkcs8', format: 'pem' }));
}

type PemBlock = { label: string; text: string };

function pemBlocks(pem: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem)) blocks.push({ label: m[1] ?? '', text: m[0] });
  return blocks;
}

/** One key of a PEM file: its public half, and its private half when the block held one. */
export type ParsedKey = { keyId: string; publicKey: KeyObject; privateKey: KeyObject | undefined };

/**
 * Reads every Ed25519 key of a PEM text (private PKCS#8 or public SPKI blocks). Throws with a
 * message naming `source` (never the key material) on anything else.
 */
export function parseKeysPem(pem: string, source: string): ParsedKey[] {
  const blocks = pemBlocks(pem);
  if (blocks.length === 0) throw new Error(`${source}: no PEM key found`);
  return blocks.map((block, i) => {
    const where = `${source}: key ${i + 1}`;
    let privateKey: KeyObject | undefined;
    let publicKey: KeyObject;
    try {
      if (block.label === 'PRIVATE KEY') {
        privateKey = createPrivateKey({ key: block.text, format: 'pem' });
        publicKey = createPublicKey(privateKey);
      } else if (block.label === 'PUBLIC KEY') {
        publicKey = createPublicKey({ key: block.text, format: 'pem' });
      } else {
        throw new Error(`"${block.label}" blocks are not supported (use unencrypted PKCS#8 or SPKI)`);
      }
    } catch (err) {
      throw new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (publicKey.asymmetricKeyType !== 'ed25519')
      throw new Error(
        `${where}: an Ed25519 key is required, got ${publicKey.asymmetricKeyType ?? 'unknown'}`,
      );
    return { keyId: keyIdOf(publicKey), publicKey, privateKey };
  });
}

/** Builds the key ring from the key file's text: the last private key signs, all keys are published. */
export function parseSigningKeyFile(pem: string, source: string): SigningKeyRing {
  const keys = parseKeysPem(pem, source);
  const signer = keys.filter((k) => k.privateKey).at(-1);
  if (!signer?.privateKey) throw new Error(`${source}: no private key to sign receipts with`);
  const seen = new Set<string>();
  const published: PublishedKey[] = [];
  for (const k of keys) {
    if (seen.has(k.keyId)) continue;
    seen.add(k.keyId);
    published.push({
      keyId: k.keyId,
      algorithm: SIGNING_ALGORITHM,
      publicKeyPem: publicKeyPem(k.publicKey),
      current: k.keyId === signer.keyId,
    });
  }
  return {
    current: { keyId: signer.keyId, privateKey: signer.privateKey, publicKey: signer.publicKey },
    published,
  };
}

/**
 * A key that lives only as long as the process, for tests and embedded use of `buildApp`. Its
 * receipts cannot be verified once the process ends, so `startApp` always loads a stored key.
 */
export function ephemeralSigningKeyRing(): SigningKeyRing {
  return parseSigningKeyFile(generateSigningKeyPem(), 'ephemeral key');
}

const isErrno = (err: unknown, code: string) =>
  err instanceof Error && (err as NodeJS.ErrnoException).code === code;

/**
 * The platform's key ring: from CONTRACTA_SIGNING_KEY_FILE when set (which must exist: a missing
 * configured file is an operator error, and silently making a new key would orphan the old
 * receipts), else from `<dataDir>/signing-key.pem`, generated on first start with mode 0600.
 * An existing file that cannot be parsed is never overwritten.
 */
export async function loadSigningKeyRing(
  config: Pick<Config, 'dataDir' | 'signingKeyFile'>,
): Promise<SigningKeyRing> {
  if (config.signingKeyFile) {
    let pem: string;
    try {
      pem = await fs.readFile(config.signingKeyFile, 'utf8');
    } catch (err) {
      throw new Error(
        `CONTRACTA_SIGNING_KEY_FILE: cannot read ${config.signingKeyFile} (${isErrno(err, 'ENOENT') ? 'no such file' : String(err)})`,
      );
    }
    return parseSigningKeyFile(pem, config.signingKeyFile);
  }
  const file = path.join(config.dataDir, 'signing-key.pem');
  try {
    return parseSigningKeyFile(await fs.readFile(file, 'utf8'), file);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
  await fs.mkdir(config.dataDir, { recursive: true });
  // Written whole and synced under a temporary name, then hard-linked into place: the link fails
  // if the file exists, so two instances starting together on one data directory agree on one
  // key, and neither can read a half-written file.
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await fs.open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(generateSigningKeyPem());
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.link(tmp, file);
  } catch (err) {
    if (!isErrno(err, 'EEXIST')) throw err;
  } finally {
    await fs.rm(tmp, { force: true });
  }
  return parseSigningKeyFile(await fs.readFile(file, 'utf8'), file);
}
