/**
 * Online commands of the sealing protocol, talking to a Contracta server with an API token
 * (`Authorization: Bearer ctk_…`):
 *   contracta bid submit --url BASE --token TOKEN --company ID --dir DIR
 *   contracta custodian open --url BASE --token TOKEN --authority ID --tender ID --envelope A
 *                            --identity FILE [--passphrase-from-env VAR]
 * `bid submit` sends what `contracta bid seal` wrote (DIR/A/manifest.json, file-N.age, share-N.age),
 * streaming each piece from disk, then commits the version and keeps the signed receipt in
 * DIR/receipt-vN.json. `custodian open` does the custodian's part of an opening: the encrypted
 * shares are decrypted on this machine only (the server never sees the custodian's key), and only
 * the plaintext share payloads, each checked to belong to this tender, bid, envelope and position,
 * are sent (LCSP DA 17ª: the opening needs the simultaneous action of authorised persons).
 * The commands are plain functions so tests run them in-process against a listening server.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { identityToRecipient } from 'age-encryption';
import type { Command } from 'commander';
import { DomainError } from '../../platform/errors.js';
import { fromBase64, fromUtf8, sha256Hex } from '../sealing/bytes.js';
import { loadIdentity, recipientFingerprint } from '../sealing/custodian-key.js';
import { isEnvelopeLetter, parseManifest } from '../sealing/manifest.rules.js';
import type { EnvelopeLetter, EnvelopeManifest } from '../sealing/sealing.types.js';
import { writeNewFile } from '../sealing/sealing.node.js';
import { encodeSharePayload, unwrapShare } from '../sealing/shares.js';
import { type BidReceipt, parseReceiptFile, receiptSummary } from './receipt.rules.js';
import { verifyReceiptCommand } from './receipt.verify.js';

export type Output = (text: string) => void;

/** A refusal by the server, with its stable code (docs: `src/platform/errors.ts`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(`${code}: ${message} (HTTP ${status})`);
    this.name = 'ApiError';
  }
}

type Api = { url: string; token: string };

function baseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

async function call<T>(
  api: Api,
  method: 'GET' | 'POST' | 'PUT',
  route: string,
  body?: { json: unknown } | { file: string; size: number },
): Promise<T> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${api.token}`,
    accept: 'application/json',
  };
  let init: RequestInit & { duplex?: 'half' } = { method, headers };
  if (body && 'json' in body) {
    headers['content-type'] = 'application/json';
    init = { ...init, body: JSON.stringify(body.json) };
  } else if (body) {
    // Streamed from disk in 64 KiB reads: a sealed file of any size never sits in memory.
    headers['content-type'] = 'application/octet-stream';
    headers['content-length'] = String(body.size);
    const stream = Readable.toWeb(createReadStream(body.file, { highWaterMark: 64 * 1024 }));
    init = { ...init, body: stream as ReadableStream<Uint8Array>, duplex: 'half' };
  }
  const url = `${baseUrl(api.url)}/api/v1${route}`;
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    throw new Error(`Cannot reach ${url}${cause}`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!res.ok) {
    const e = (parsed ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
    throw new ApiError(
      res.status,
      typeof e.code === 'string' ? e.code : `HTTP_${res.status}`,
      typeof e.message === 'string' ? e.message : text.slice(0, 200) || res.statusText,
      e.details,
    );
  }
  return parsed as T;
}

type LocalEnvelope = {
  manifest: EnvelopeManifest;
  manifestSha256: string;
  files: string[];
  shares: string[];
};

/** Reads the folder `bid seal` wrote: one subfolder per envelope, in A, B, C order. */
async function readSealedDir(dir: string): Promise<LocalEnvelope[]> {
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch (err) {
    throw new Error(`Cannot read ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const letters = entries.filter((e): e is EnvelopeLetter => isEnvelopeLetter(e)).sort();
  const envelopes: LocalEnvelope[] = [];
  for (const letter of letters) {
    const sub = path.join(dir, letter);
    const manifestPath = path.join(sub, 'manifest.json');
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(manifestPath));
    } catch {
      // `bid seal` writes the manifest last: without it the envelope was not sealed completely.
      throw new Error(`${manifestPath} is missing: seal the envelope again with \`contracta bid seal\``);
    }
    const manifest = parseManifest(JSON.parse(fromUtf8(bytes)));
    if (manifest.envelope !== letter) {
      throw new Error(`${manifestPath} is the manifest of envelope ${manifest.envelope}, not ${letter}`);
    }
    envelopes.push({
      manifest,
      manifestSha256: sha256Hex(bytes),
      files: manifest.files.map((_, i) => path.join(sub, `file-${i + 1}.age`)),
      shares: manifest.shares.map((s) => path.join(sub, `share-${s.index}.age`)),
    });
  }
  if (envelopes.length === 0) throw new Error(`${dir} holds no sealed envelope (A/, B/ or C/)`);
  const [first] = envelopes as [LocalEnvelope, ...LocalEnvelope[]];
  for (const e of envelopes) {
    if (
      e.manifest.ocid !== first.manifest.ocid ||
      e.manifest.bidId !== first.manifest.bidId ||
      e.manifest.lots.join(',') !== first.manifest.lots.join(',')
    ) {
      throw new Error(`The envelopes in ${dir} were sealed for different tenders, bids or lots`);
    }
  }
  return envelopes;
}

export type SubmitResult = { file: string; receipt: BidReceipt; uploaded: number };

export async function bidSubmit(
  opts: { url: string; token: string; company: string; dir: string; verify?: boolean },
  out: Output,
): Promise<SubmitResult> {
  const api: Api = { url: opts.url, token: opts.token };
  const envelopes = await readSealedDir(opts.dir);
  const { ocid, bidId, lots } = (envelopes[0] as LocalEnvelope).manifest;
  const bidPath = `/tenders/${encodeURIComponent(ocid)}/bids/${bidId}`;
  let uploaded = 0;
  for (const e of envelopes) {
    const pieces = [
      ...e.files.map((file, i) => ({ file, sha256: e.manifest.files[i]?.sha256 ?? '' })),
      ...e.shares.map((file, i) => ({ file, sha256: e.manifest.shares[i]?.sha256 ?? '' })),
    ];
    for (const piece of pieces) {
      const size = (await fs.stat(piece.file)).size;
      // The server hashes while streaming and keeps the piece only if it matches the manifest's hash.
      await call(
        api,
        'PUT',
        `${bidPath}/blobs/${piece.sha256}?companyId=${encodeURIComponent(opts.company)}`,
        { file: piece.file, size },
      );
      uploaded++;
    }
  }
  const answer = await call<unknown>(api, 'POST', `${bidPath}/versions`, {
    json: { companyId: opts.company, lots, envelopes: envelopes.map((e) => ({ manifest: e.manifest })) },
  });
  const parsed = parseReceiptFile(answer);
  if (!parsed.ok) throw new Error(`The server answered a malformed receipt: ${parsed.problems.join('; ')}`);
  const receipt = parsed.file.receipt as BidReceipt;
  // The receipt must attest exactly what was sealed here: compare every hash with the manifests.
  const expected = envelopes.map((e) => ({
    envelope: e.manifest.envelope,
    manifestSha256: e.manifestSha256,
    files: e.manifest.files.map((f) => f.sha256),
    shares: e.manifest.shares.map((s) => s.sha256),
  }));
  if (
    receipt.bidId !== bidId ||
    receipt.ocid !== ocid ||
    JSON.stringify(receipt.envelopes) !== JSON.stringify(expected)
  ) {
    throw new Error(
      'The receipt does not match the sealed envelopes: keep the upload log and contact the platform',
    );
  }
  const file = path.join(opts.dir, `receipt-v${receipt.version}.json`);
  await writeNewFile(file, `${JSON.stringify(parsed.file, null, 2)}\n`);
  const lines = [`Receipt saved to ${file}`, ...receiptSummary(receipt)];
  if (opts.verify !== false) {
    // Checked against the keys the platform publishes; save them to verify later without it.
    const checked = await verifyReceiptCommand(file, { url: opts.url });
    lines.push(checked[0] ?? 'Signature verified');
  }
  out(`${lines.join('\n')}\n`);
  return { file, receipt, uploaded };
}

type MineView = {
  envelope: EnvelopeLetter;
  custodianIndex: number;
  quorum: number;
  shares: { bidId: string; sha256: string; ciphertext: string }[];
};

export type OpenAnswer = {
  envelope: EnvelopeLetter;
  custodianIndex: number;
  quorum: number;
  custodiansSubmitted: number;
  pending: { bidId: string; shares: number }[];
  opened: {
    record: { openedAt: string; bids: { bidId: string; outcome: string; failure: string | null }[] };
    recordSha256: string;
  } | null;
};

export async function custodianOpen(
  opts: {
    url: string;
    token: string;
    authority: string;
    tender: string;
    envelope: string;
    identity: string;
    passphrase?: string;
  },
  out: Output,
): Promise<OpenAnswer> {
  const envelope = opts.envelope;
  if (!isEnvelopeLetter(envelope)) throw new Error(`--envelope must be A, B or C, got "${envelope}"`);
  const api: Api = { url: opts.url, token: opts.token };
  const identity = await loadIdentity(await fs.readFile(opts.identity, 'utf8'), opts.passphrase);
  const recipient = await identityToRecipient(identity);
  const tenderPath = `/authorities/${opts.authority}/tenders/${opts.tender}`;
  const tender = await call<{ ocid: string | null }>(api, 'GET', tenderPath);
  if (!tender.ocid) throw new Error('This tender is not published: it has no sealed bids to open');
  const ocid = tender.ocid;
  // My position comes from the server; check it against the published (frozen) sealing target, so a
  // server cannot make me decrypt for another position or with another custodian's key.
  const notice = await call<{
    notice: { sealing?: { custodians: { index: number; recipient: string }[] } };
  }>(api, 'GET', `/tenders/${encodeURIComponent(ocid)}`);
  const mine = await call<MineView>(api, 'GET', `${tenderPath}/opening/${envelope}/shares/mine`);
  const published = notice.notice.sealing?.custodians.find((c) => c.index === mine.custodianIndex);
  if (!published || published.recipient !== recipient) {
    throw new DomainError(
      'SHARE_FOREIGN',
      `Key ${recipientFingerprint(recipient)} is not custodian ${mine.custodianIndex} of the published notice`,
    );
  }
  const shares: { bidId: string; share: string }[] = [];
  for (const s of mine.shares) {
    const bytes = fromBase64(s.ciphertext);
    if (!bytes || sha256Hex(bytes) !== s.sha256) {
      throw new DomainError('SHARE_INVALID', `The encrypted share of bid ${s.bidId} does not match its hash`);
    }
    // Decrypted here; its context must name this tender, bid, envelope and my position.
    const payload = await unwrapShare(bytes, identity, {
      ocid,
      bidId: s.bidId,
      envelope,
      index: mine.custodianIndex,
    });
    shares.push({ bidId: s.bidId, share: encodeSharePayload(payload) });
  }
  const answer = await call<OpenAnswer>(api, 'POST', `${tenderPath}/opening/${envelope}/shares`, {
    json: { shares },
  });
  const lines = [
    `Envelope ${envelope}: submitted ${shares.length} share(s) as custodian ${answer.custodianIndex}`,
    `Custodians submitted: ${answer.custodiansSubmitted} of the ${answer.quorum} needed`,
  ];
  if (answer.opened) {
    const r = answer.opened.record;
    lines.push(`Opened at ${r.openedAt} (record ${answer.opened.recordSha256}):`);
    for (const b of r.bids) lines.push(`  bid ${b.bidId}: ${b.outcome}${b.failure ? ` (${b.failure})` : ''}`);
  } else {
    lines.push('Not opened yet: waiting for more custodians');
  }
  out(`${lines.join('\n')}\n`);
  return answer;
}

function passphraseFrom(variable: string | undefined): string | undefined {
  if (variable === undefined) return undefined;
  const value = process.env[variable];
  if (!value) throw new Error(`The environment variable ${variable} is empty or not set`);
  return value;
}

/** DomainErrors (local checks) reach the terminal with their stable code, like the server's. */
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

/** Attaches `bid submit` and `custodian open` to the groups `registerSealingCommands` declared. */
export function registerBidCommands(
  groups: { bid: Command; custodian: Command },
  out: Output = (t) => process.stdout.write(t),
): void {
  groups.bid
    .command('submit')
    .description('Upload a bid sealed with `bid seal` and commit it; saves the signed receipt in the folder')
    .requiredOption('--url <base>', "the platform's address, e.g. https://contracta.example")
    .requiredOption('--token <token>', 'an API token of the bidding company (ctk_…)')
    .requiredOption('--company <id>', 'the bidding company id')
    .requiredOption('--dir <dir>', 'the folder `bid seal` wrote')
    .action(withCode((o: { url: string; token: string; company: string; dir: string }) => bidSubmit(o, out)));
  groups.custodian
    .command('open')
    .description(
      'Decrypt your key shares of an envelope stage on this machine and submit them to the opening',
    )
    .requiredOption('--url <base>', "the platform's address")
    .requiredOption('--token <token>', 'your API token for the authority (ctk_…)')
    .requiredOption('--authority <id>', 'the contracting authority id')
    .requiredOption('--tender <id>', 'the tender id')
    .requiredOption('--envelope <letter>', 'A, B or C')
    .requiredOption('--identity <file>', 'your identity file')
    .option('--passphrase-from-env <var>', 'passphrase of a protected identity file, from this variable')
    .action(
      withCode(
        (o: {
          url: string;
          token: string;
          authority: string;
          tender: string;
          envelope: string;
          identity: string;
          passphraseFromEnv?: string;
        }) => custodianOpen({ ...o, passphrase: passphraseFrom(o.passphraseFromEnv) }, out),
      ),
    );
}
