/**
 * Offline commands of the sealing protocol (no server, no database):
 *   contracta custodian keygen [--out FILE] [--passphrase-from-env VAR]
 *   contracta custodian unwrap --identity FILE --share SHAREFILE [--manifest FILE] [--passphrase-from-env VAR]
 *   contracta bid seal --target TARGET.json --bid-id UUID --lots 1,2 --envelope A=FILE[,FILE…] … --out DIR
 * Output layout of `bid seal` (one folder per envelope):
 *   DIR/A/manifest.json   canonical JSON manifest (its SHA-256 goes into the receipt)
 *   DIR/A/file-1.age …    age ciphertexts, in manifest order (file names live in the manifest only)
 *   DIR/A/share-1.age …   share i, age-encrypted to custodian i
 * The commands are plain functions so tests run them in-process.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { DomainError } from '../../platform/errors.js';
import { fromUtf8, sha256Hex } from './bytes.js';
import {
  formatIdentityFile,
  generateCustodianKey,
  loadIdentity,
  protectIdentity,
  recipientFingerprint,
} from './custodian-key.js';
import { sealEnvelope } from './envelope.seal.js';
import { isEnvelopeLetter, parseManifest } from './manifest.rules.js';
import { makeOffer, OFFER_FILE_NAME, type OfferLot, offerBytes } from './offer.rules.js';
import type { EnvelopeLetter, PlainFile, SealingTarget } from './sealing.types.js';
import { fileSink, fileStream, writeNewFile } from './sealing.node.js';
import { encodeSharePayload, unwrapShare } from './shares.js';
import { identityToRecipient } from 'age-encryption';
import { registerBidCommands } from '../bids/bid.cli.js';

export type Output = (text: string) => void;

function passphraseFrom(variable: string | undefined): string | undefined {
  if (variable === undefined) return undefined;
  const value = process.env[variable];
  if (!value) throw new Error(`The environment variable ${variable} is empty or not set`);
  return value;
}

export async function custodianKeygen(
  opts: { out?: string; passphrase?: string; workFactor?: number; now?: Date },
  out: Output,
): Promise<{ recipient: string; fingerprint: string }> {
  const key = await generateCustodianKey();
  let text = formatIdentityFile(key, opts.now ?? new Date());
  if (opts.passphrase !== undefined) {
    // Plain armor, nothing around it, so that `age -d -i FILE` (which asks for the passphrase) reads it too.
    text = await protectIdentity(text, opts.passphrase, { workFactor: opts.workFactor });
  }
  if (opts.out) {
    await writeNewFile(opts.out, text, 0o600);
    out(`Public key: ${key.recipient}\nFingerprint: ${key.fingerprint}\n`);
  } else {
    // Like age-keygen: the identity on stdout for redirection, the public key on stderr.
    out(text);
    process.stderr.write(`Public key: ${key.recipient}\nFingerprint: ${key.fingerprint}\n`);
  }
  return { recipient: key.recipient, fingerprint: key.fingerprint };
}

/** Accepts the `sealing` object itself or a published notice that carries it in `sealing`. */
export function parseTarget(json: unknown): SealingTarget {
  const value =
    typeof json === 'object' && json !== null && 'sealing' in json
      ? (json as { sealing: unknown }).sealing
      : json;
  const t = value as Partial<SealingTarget> | null;
  if (
    !t ||
    typeof t.ocid !== 'string' ||
    typeof t.quorum !== 'number' ||
    !Array.isArray(t.custodians) ||
    !t.custodians.every(
      (c) => typeof c?.index === 'number' && typeof c.keyId === 'string' && typeof c.recipient === 'string',
    )
  ) {
    throw new DomainError(
      'UNPROCESSABLE',
      'The target must be {ocid, quorum, custodians:[{index, keyId, recipient}]}',
    );
  }
  return { ocid: t.ocid, quorum: t.quorum, custodians: t.custodians };
}

/** `A=one.pdf,two.pdf` → envelope A with two files. */
export function parseEnvelopeSpec(spec: string): { envelope: EnvelopeLetter; paths: string[] } {
  const eq = spec.indexOf('=');
  const letter = spec.slice(0, eq);
  const paths = spec
    .slice(eq + 1)
    .split(',')
    .filter((p) => p.length > 0);
  if (eq < 1 || !isEnvelopeLetter(letter) || paths.length === 0) {
    throw new DomainError('UNPROCESSABLE', `--envelope must look like A=FILE[,FILE…], got "${spec}"`);
  }
  return { envelope: letter, paths };
}

export function parseLots(text: string): number[] {
  const lots = text.split(',').map((s) => Number(s.trim()));
  if (lots.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new DomainError('UNPROCESSABLE', `--lots must be lot numbers like 1,2, got "${text}"`);
  }
  return lots;
}

export type SealSummary = {
  bidId: string;
  envelopes: {
    envelope: EnvelopeLetter;
    dir: string;
    manifestSha256: string;
    files: string[];
    shares: string[];
  }[];
};

/**
 * `--price 1=12345.60` (repeatable, one per lot bid): the offer.json sealed with envelope C, the
 * prices the opening of C reads out (offer.rules.ts). A decimal comma is accepted.
 */
export function parsePrices(specs: readonly string[], lots: readonly number[]): OfferLot[] {
  const prices = new Map<number, string>();
  for (const spec of specs) {
    const m = /^(\d{1,6})=(\d{1,13}(?:[.,]\d{1,2})?)$/.exec(spec.trim());
    if (!m)
      throw new DomainError('UNPROCESSABLE', `--price must look like LOT=AMOUNT (1=12345.60), got "${spec}"`);
    const lot = Number(m[1]);
    if (!lots.includes(lot))
      throw new DomainError('UNPROCESSABLE', `--price names lot ${lot}, which is not in --lots`);
    if (prices.has(lot)) throw new DomainError('UNPROCESSABLE', `--price is given twice for lot ${lot}`);
    // Leading zeros would make a second spelling of the same amount.
    prices.set(lot, (m[2] ?? '').replace(',', '.').replace(/^0+(?=\d)/, ''));
  }
  const missing = lots.filter((l) => !prices.has(l));
  if (missing.length > 0) {
    throw new DomainError('UNPROCESSABLE', `--price is missing for lot(s) ${missing.join(', ')}`);
  }
  return lots.map((lot) => ({ lot, price: prices.get(lot) ?? '', values: [] }));
}

export async function bidSeal(
  opts: { target: string; bidId: string; lots: string; envelope: string[]; out: string; price?: string[] },
  out: Output,
): Promise<SealSummary> {
  const target = parseTarget(JSON.parse(await fs.readFile(opts.target, 'utf8')));
  const lots = parseLots(opts.lots);
  const specs = opts.envelope.map(parseEnvelopeSpec);
  if (specs.length === 0) throw new DomainError('UNPROCESSABLE', 'Give at least one --envelope');
  if (new Set(specs.map((s) => s.envelope)).size !== specs.length) {
    throw new DomainError('UNPROCESSABLE', 'An envelope letter is given twice');
  }
  const priced = (opts.price ?? []).length > 0;
  const hasC = specs.some((s) => s.envelope === 'C');
  if (priced !== hasC) {
    // The formula criteria, price first, are always in envelope C (envelopesFor, arts. 145–157).
    throw new DomainError(
      'UNPROCESSABLE',
      hasC
        ? 'Envelope C needs the offered prices: give --price LOT=AMOUNT for each lot'
        : '--price goes with envelope C',
    );
  }
  const offer = priced
    ? makeOffer({ ocid: target.ocid, bidId: opts.bidId, lots: parsePrices(opts.price ?? [], lots) })
    : undefined;
  await fs.mkdir(opts.out, { recursive: true });
  const summary: SealSummary = { bidId: opts.bidId, envelopes: [] };
  for (const spec of specs) {
    const dir = path.join(opts.out, spec.envelope);
    await fs.mkdir(dir); // fails if it exists: never mix two sealings of one envelope
    const files: PlainFile[] = spec.paths.map((p) => ({ name: path.basename(p), content: fileStream(p) }));
    if (spec.envelope === 'C' && offer) {
      if (files.some((f) => f.name === OFFER_FILE_NAME)) {
        throw new DomainError(
          'UNPROCESSABLE',
          `${OFFER_FILE_NAME} is written from --price; rename your file`,
        );
      }
      files.push({ name: OFFER_FILE_NAME, content: offerBytes(offer) });
    }
    const sealed = await sealEnvelope(
      { target, bidId: opts.bidId, lots, envelope: spec.envelope, files },
      fileSink((position) => path.join(dir, `file-${position + 1}.age`)),
    );
    for (const share of sealed.shares) {
      await writeNewFile(path.join(dir, `share-${share.index}.age`), share.ciphertext);
    }
    // Written last: a manifest on disk means every file it lists is complete.
    await writeNewFile(path.join(dir, 'manifest.json'), sealed.manifestBytes);
    summary.envelopes.push({
      envelope: spec.envelope,
      dir,
      manifestSha256: sealed.manifestSha256,
      files: sealed.manifest.files.map((_, i) => path.join(dir, `file-${i + 1}.age`)),
      shares: sealed.shares.map((s) => path.join(dir, `share-${s.index}.age`)),
    });
  }
  out(`${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/**
 * The custodian's offline step: decrypt my share of an envelope, after checking against the manifest
 * that I am one of its custodians, that this encrypted share is the one the manifest lists for my
 * position, and that its context names this tender, bid, envelope and position.
 */
export async function custodianUnwrap(
  opts: { identity: string; share: string; manifest?: string; passphrase?: string },
  out: Output,
): Promise<string> {
  const identity = await loadIdentity(await fs.readFile(opts.identity, 'utf8'), opts.passphrase);
  const manifestPath = opts.manifest ?? path.join(path.dirname(opts.share), 'manifest.json');
  const manifest = parseManifest(JSON.parse(fromUtf8(await fs.readFile(manifestPath))));
  const recipient = await identityToRecipient(identity);
  const position = manifest.custodians.find((c) => c.recipient === recipient);
  if (!position) {
    throw new DomainError(
      'SHARE_FOREIGN',
      `Key ${recipientFingerprint(recipient)} is not a custodian of this envelope`,
    );
  }
  const ciphertext = new Uint8Array(await fs.readFile(opts.share));
  if (manifest.shares[position.index - 1]?.sha256 !== sha256Hex(ciphertext)) {
    throw new DomainError(
      'SHARE_FOREIGN',
      `This is not the share the manifest lists for custodian ${position.index}`,
    );
  }
  const payload = await unwrapShare(ciphertext, identity, {
    ocid: manifest.ocid,
    bidId: manifest.bidId,
    envelope: manifest.envelope,
    index: position.index,
  });
  const text = encodeSharePayload(payload);
  out(`${text}\n`);
  return text;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** DomainErrors reach the terminal with their stable code. */
function withCode<A extends unknown[]>(fn: (...args: A) => Promise<unknown>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof DomainError) throw new Error(`${err.code}: ${err.message}`);
      throw err;
    }
  };
}

/**
 * Adds the `custodian` and `bid` command groups and returns them, so that other modules can attach
 * their own subcommands (e.g. `bid submit`, `custodian open`) instead of declaring the groups twice.
 */
export function registerSealingCommands(
  program: Command,
  out: Output = (t) => process.stdout.write(t),
): { custodian: Command; bid: Command } {
  const custodian = program.command('custodian').description('Key custodian tools (offline)');
  custodian
    .command('keygen')
    .description('Generate a custodian key (age X25519); prints the public key and fingerprint to register')
    .option('--out <file>', 'write the identity to this new file (mode 0600) instead of stdout')
    .option(
      '--passphrase-from-env <var>',
      'protect the identity with the passphrase in this environment variable',
    )
    .action(
      withCode((opts: { out?: string; passphraseFromEnv?: string }) =>
        custodianKeygen({ out: opts.out, passphrase: passphraseFrom(opts.passphraseFromEnv) }, out),
      ),
    );
  custodian
    .command('unwrap')
    .description('Decrypt your share of a sealed envelope and print the share JSON to submit at the opening')
    .requiredOption('--identity <file>', 'your identity file')
    .requiredOption('--share <file>', 'the encrypted share (share-N.age)')
    .option('--manifest <file>', "the envelope's manifest.json (default: next to the share)")
    .option(
      '--passphrase-from-env <var>',
      'passphrase of a protected identity file, from this environment variable',
    )
    .action(
      withCode((opts: { identity: string; share: string; manifest?: string; passphraseFromEnv?: string }) =>
        custodianUnwrap(
          {
            identity: opts.identity,
            share: opts.share,
            manifest: opts.manifest,
            passphrase: passphraseFrom(opts.passphraseFromEnv),
          },
          out,
        ),
      ),
    );
  const bid = program.command('bid').description('Bidder tools');
  bid
    .command('seal')
    .description('Seal the envelopes of a bid offline for the custodians of a tender')
    .requiredOption('--target <file>', "the tender's sealing target (JSON, or a notice with a sealing field)")
    .requiredOption('--bid-id <uuid>', 'the bid id (a UUID you choose, lowercase)')
    .requiredOption('--lots <list>', 'lot numbers, comma-separated')
    .requiredOption('--envelope <spec>', 'A=FILE[,FILE…]; repeat for B and C', collect, [])
    .requiredOption('--out <dir>', 'output folder (one subfolder per envelope)')
    .option(
      '--price <spec>',
      'LOT=AMOUNT in euros excl. VAT, per lot; sealed as offer.json in C',
      collect,
      [],
    )
    .action(
      withCode(
        (opts: {
          target: string;
          bidId: string;
          lots: string;
          envelope: string[];
          out: string;
          price: string[];
        }) => bidSeal(opts, out),
      ),
    );
  // Online commands (`bid submit`, `custodian open`) live with the bid API they talk to.
  registerBidCommands({ custodian, bid }, out);
  return { custodian, bid };
}
