import fs from 'node:fs/promises';
import { parseKeysPem } from '../../platform/signing-key.js';
import { receiptSummary } from './receipt.rules.js';
import { type VerificationKey, verifyReceiptFile } from './receipt.signing.js';

/**
 * `contracta receipt verify FILE [--key PEM_FILE | --url BASE_URL]`: checks a downloaded receipt
 * offline (with a saved public key) or against the keys a platform publishes. Every failure is an
 * Error with a message meant for the person at the terminal; the CLI turns it into exit status 1.
 */

export type ReceiptVerifyOptions = {
  /** A PEM file with the platform's public key(s) (or the key file itself). */
  key?: string;
  /** A platform's base URL; its keys are read from `/api/v1/receipt-keys`. */
  url?: string;
};

async function keysFromFile(file: string): Promise<VerificationKey[]> {
  let pem: string;
  try {
    pem = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new Error(
      `Cannot read the key file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  return parseKeysPem(pem, file).map(({ keyId, publicKey }) => ({ keyId, publicKey }));
}

async function keysFromUrl(base: string): Promise<VerificationKey[]> {
  const url = `${base.replace(/\/+$/, '')}/api/v1/receipt-keys`;
  let body: unknown;
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    body = await res.json();
  } catch (err) {
    throw new Error(
      `Cannot read the platform's keys from ${url}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const list = (body as { keys?: unknown }).keys;
  if (!Array.isArray(list)) throw new Error(`${url} did not return a key list`);
  return list.flatMap((entry: unknown) => {
    const { keyId, publicKeyPem } = (entry ?? {}) as { keyId?: unknown; publicKeyPem?: unknown };
    if (typeof publicKeyPem !== 'string') throw new Error(`${url} returned a key without publicKeyPem`);
    const parsed = parseKeysPem(publicKeyPem, url);
    // A published keyId that is not the key's own would let a receipt name the wrong key.
    for (const k of parsed)
      if (k.keyId !== keyId)
        throw new Error(`${url} lists key ${String(keyId)}, but that key's id is ${k.keyId}`);
    return parsed.map(({ keyId: id, publicKey }) => ({ keyId: id, publicKey }));
  });
}

/** Verifies the receipt file; returns the lines to print, or throws with the reason it is not valid. */
export async function verifyReceiptCommand(file: string, opts: ReceiptVerifyOptions): Promise<string[]> {
  if (Boolean(opts.key) === Boolean(opts.url))
    throw new Error('Give the platform key with exactly one of --key PEM_FILE or --url BASE_URL');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read the receipt ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const keys = opts.key ? await keysFromFile(opts.key) : await keysFromUrl(opts.url ?? '');
  const result = verifyReceiptFile(json, keys);
  if (!result.ok) throw new Error(`${file}: INVALID receipt. ${result.message}`);
  return [
    `${file}: VALID receipt, signed with platform key ${result.keyId} (Ed25519).`,
    ...receiptSummary(result.file.receipt).map((l) => `  ${l}`),
  ];
}
