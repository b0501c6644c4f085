/**
 * The SIGKILL crash test of bid submission (issue 4 acceptance): a bid is either stored whole, with
 * the receipt the client got, or not at all, whatever moment the server dies at.
 *
 *   CRASH_TEST=1 npx vitest run test/crash/bid-crash.test.ts      (CRASH_TEST_KILLS=n for more kills)
 * (through vitest, because the setup reuses the test helpers, which need vitest's context).
 *
 * 1. Prepares a temporary data dir (embedded PGlite): a published tender with three custodians
 *    (quorum 2, envelopes A, B, C), and bidding companies with API tokens.
 * 2. Starts the real server (`node bin/contracta.js serve`) as a child process, and submits bids
 *    continuously over HTTP (each sealed in memory with the sealing library, one small file per
 *    envelope: 12 piece uploads and a commit per bid). After a failed attempt the client either
 *    retries the bid whole with the same bid id, as a client would, or (half the time, at its first
 *    failure) abandons it, leaving uploaded pieces that no row references.
 * 3. Kills the server with SIGKILL at random moments (`kills` times) and restarts it each time.
 * 4. Afterwards, on the database and the store: every receipt the client received matches a
 *    complete stored bid (its version row and signature, every envelope's manifest hash, every blob
 *    row, every file present with its hash); no bid version is partial (all its envelopes, every
 *    envelope all the pieces its manifest lists, every blob row's file present); then
 *    `contracta storage cleanup --grace-minutes 0` runs, after which every file in the store is
 *    referenced by a row.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixedClock } from '../src/platform/clock.js';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/db/client.js';
import { hashToken, newId, newSecretToken } from '../src/platform/ids.js';
import { startApp } from '../src/server.js';
import { parseManifest } from '../src/modules/sealing/manifest.rules.js';
import type { BidReceipt, ReceiptFile } from '../src/modules/bids/receipt.rules.js';
import { makeCompany, makeUser, type TestApp } from '../test/helpers/app.js';
import {
  publishSealedTender,
  type SealedBid,
  sealBid,
  type SealedTender,
} from '../test/helpers/sealed-bids.js';
import { validNif } from '../test/helpers/tax-ids.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export type CrashReport = {
  kills: number;
  bidsAttempted: number;
  attempts: number;
  receipts: number;
  /** Bids given up after a failed attempt (never retried): their pieces are left to the cleanup. */
  abandoned: number;
  networkFailures: number;
  refusals: Record<string, number>;
  storedVersions: number;
  storeFilesBeforeCleanup: number;
  orphansRemoved: number;
  temporaryRemoved: number;
  storeFilesAfterCleanup: number;
  problems: string[];
  seconds: number;
};

type Log = (line: string) => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function childEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONTRACTA_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '1000000',
    NODE_ENV: 'production',
  };
  delete env.DATABASE_URL;
  delete env.CONTRACTA_SIGNING_KEY_FILE;
  return env;
}

/** Runs `contracta …` to completion; resolves with its stdout. */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'contracta.js'), ...args], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`contracta ${args.join(' ')}: exit ${code}: ${err}`)),
    );
  });
}

/** Starts `contracta serve`; resolves once it listens. */
function startServer(env: NodeJS.ProcessEnv, log: Log): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'contracta.js'), 'serve'], { env });
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within 60 s: ${stderr}`));
    }, 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      if (String(d).includes('Contracta listening')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d;
      if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') log(`server exited: code ${code} signal ${signal} ${stderr.slice(-2000)}`);
      reject(new Error(`the server exited before listening (code ${code}): ${stderr.slice(-2000)}`));
    });
  });
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

type Bidder = { companyId: string; token: string };

/** The setup, in-process on the data dir, before the server child starts. */
async function prepare(
  dataDir: string,
  bidders: number,
): Promise<{ tender: SealedTender; bidders: Bidder[] }> {
  const config = loadConfig({ ...childEnv(dataDir, 0), LOG_LEVEL: 'error' });
  const app = await startApp(config);
  await app.ready();
  // The test helpers want a TestApp: the same app, its database, and a clock for the payloads.
  const t = {
    app,
    db: app.deps.database,
    clock: fixedClock(new Date()),
    logs: [],
    blobDir: path.join(dataDir, 'blobs'),
    close: async () => app.close(),
  } as unknown as TestApp;
  try {
    const tender = await publishSealedTender(t);
    const list: Bidder[] = [];
    for (let i = 0; i < bidders; i++) {
      const company = await makeCompany(t, validNif());
      const user = await makeUser(t, { companies: [{ companyId: company.id, roles: ['bidder'] }] });
      const token = newSecretToken('ctk_');
      await t.db.db
        .insertInto('api_token')
        .values({
          id: newId(),
          user_id: user.id,
          authority_id: null,
          company_id: company.id,
          name: 'crash-test',
          token_hash: hashToken(token),
          token_prefix: token.slice(0, 10),
          expires_at: new Date(Date.now() + 86_400_000),
        })
        .execute();
      list.push({ companyId: company.id, token });
    }
    return { tender, bidders: list };
  } finally {
    await app.close();
  }
}

class Refused extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/** One whole attempt: every piece, then the commit. Network failures throw TypeError (fetch). */
async function submitOnce(
  base: string,
  tender: SealedTender,
  bidder: Bidder,
  bid: SealedBid,
): Promise<ReceiptFile> {
  const url = `${base}/api/v1/tenders/${tender.ocid}/bids/${bid.bidId}`;
  const auth = { authorization: `Bearer ${bidder.token}` };
  const refused = async (res: Response) => {
    const body = (await res.json().catch(() => ({}))) as { code?: string };
    return new Refused(body.code ?? `HTTP_${res.status}`);
  };
  for (const e of bid.envelopes) {
    for (const piece of [...e.ciphertexts, ...e.shares.map((s) => s.ciphertext)]) {
      const sha = createHash('sha256').update(piece).digest('hex');
      const res = await fetch(`${url}/blobs/${sha}?companyId=${bidder.companyId}`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/octet-stream' },
        body: piece,
      });
      if (res.status !== 201) throw await refused(res);
      await res.arrayBuffer();
    }
  }
  const res = await fetch(`${url}/versions`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      companyId: bidder.companyId,
      lots: bid.lots,
      envelopes: bid.envelopes.map((e) => ({ manifest: e.manifest })),
    }),
  });
  if (res.status !== 201) throw await refused(res);
  return (await res.json()) as ReceiptFile;
}

async function fileSha256(file: string): Promise<string | null> {
  try {
    const h = createHash('sha256');
    for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
    return h.digest('hex');
  } catch {
    return null;
  }
}

const blobPath = (dataDir: string, sha: string) =>
  path.join(dataDir, 'blobs', 'sha256', sha.slice(0, 2), sha.slice(2, 4), sha);

async function storeFiles(dataDir: string): Promise<string[]> {
  const top = path.join(dataDir, 'blobs', 'sha256');
  const out: string[] = [];
  const ls = (d: string) => fs.readdir(d).catch(() => [] as string[]);
  for (const a of await ls(top))
    for (const b of await ls(path.join(top, a))) for (const n of await ls(path.join(top, a, b))) out.push(n);
  return out;
}

/** The checks after the run, on the database (opened directly: the server is stopped). */
async function verify(
  dataDir: string,
  tender: SealedTender,
  received: ReceiptFile[],
): Promise<{ problems: string[]; storedVersions: number }> {
  const problems: string[] = [];
  const handle = await openDatabase({ dataDir: path.join(dataDir, 'pglite') });
  try {
    const db = handle.db;
    const versions = await db
      .selectFrom('bid_version')
      .select(['id', 'bid_id', 'version', 'kind', 'signature'])
      .where('tender_id', '=', tender.tenderId)
      .execute();
    const envelopes = await db
      .selectFrom('bid_envelope')
      .select(['id', 'bid_version_id', 'envelope', 'manifest', 'manifest_sha256'])
      .where('tender_id', '=', tender.tenderId)
      .execute();
    const blobs = await db
      .selectFrom('bid_blob')
      .select(['bid_envelope_id', 'kind', 'position', 'sha256'])
      .execute();
    const fileOk = new Map<string, boolean>();
    for (const b of blobs) {
      if (!fileOk.has(b.sha256))
        fileOk.set(b.sha256, (await fileSha256(blobPath(dataDir, b.sha256))) === b.sha256);
      if (!fileOk.get(b.sha256)) problems.push(`blob row ${b.sha256} has no file with that hash`);
    }
    const blobsOf = (envId: string, kind: string) =>
      blobs
        .filter((b) => b.bid_envelope_id === envId && b.kind === kind)
        .sort((x, y) => x.position - y.position)
        .map((b) => b.sha256);
    // No partial bid: every submitted version has every envelope, each with all its pieces.
    for (const v of versions.filter((x) => x.kind === 'submission')) {
      const own = envelopes.filter((e) => e.bid_version_id === v.id);
      if (
        own
          .map((e) => e.envelope)
          .sort()
          .join('') !== [...tender.envelopes].sort().join('')
      ) {
        problems.push(`bid ${v.bid_id} v${v.version} has envelopes ${own.map((e) => e.envelope).join('')}`);
      }
      for (const e of own) {
        const m = parseManifest(JSON.parse(e.manifest));
        if (JSON.stringify(blobsOf(e.id, 'file')) !== JSON.stringify(m.files.map((f) => f.sha256)))
          problems.push(`bid ${v.bid_id} v${v.version} ${e.envelope}: file rows differ from the manifest`);
        if (JSON.stringify(blobsOf(e.id, 'share')) !== JSON.stringify(m.shares.map((s) => s.sha256)))
          problems.push(`bid ${v.bid_id} v${v.version} ${e.envelope}: share rows differ from the manifest`);
      }
    }
    // Every receipt the client got is a complete stored bid.
    for (const file of received) {
      const r = file.receipt as BidReceipt;
      const v = versions.find((x) => x.bid_id === r.bidId && x.version === r.version);
      if (!v) {
        problems.push(`receipt ${r.bidId} v${r.version}: no stored version`);
        continue;
      }
      if (v.signature !== file.signature)
        problems.push(`receipt ${r.bidId} v${r.version}: another signature stored`);
      for (const re of r.envelopes) {
        const e = envelopes.find((x) => x.bid_version_id === v.id && x.envelope === re.envelope);
        if (!e || e.manifest_sha256 !== re.manifestSha256) {
          problems.push(`receipt ${r.bidId} v${r.version} ${re.envelope}: manifest not stored`);
          continue;
        }
        if (JSON.stringify(blobsOf(e.id, 'file')) !== JSON.stringify(re.files))
          problems.push(`receipt ${r.bidId} v${r.version} ${re.envelope}: files differ`);
        if (JSON.stringify(blobsOf(e.id, 'share')) !== JSON.stringify(re.shares))
          problems.push(`receipt ${r.bidId} v${r.version} ${re.envelope}: shares differ`);
      }
    }
    return { problems, storedVersions: versions.length };
  } finally {
    await handle.close();
  }
}

/** Every stored file is referenced by a row of some table with a sha256 column. */
async function unreferencedFiles(dataDir: string): Promise<string[]> {
  const handle = await openDatabase({ dataDir: path.join(dataDir, 'pglite') });
  try {
    const referenced = new Set<string>();
    for (const r of await handle.db.selectFrom('bid_blob').select('sha256').execute())
      referenced.add(r.sha256);
    for (const r of await handle.db.selectFrom('tender_document').select('sha256').execute())
      referenced.add(r.sha256);
    for (const r of await handle.db.selectFrom('bid_plaintext').select('sha256').execute())
      referenced.add(r.sha256);
    return (await storeFiles(dataDir)).filter((sha) => !referenced.has(sha));
  } finally {
    await handle.close();
  }
}

export async function runCrashTest(
  opts: { kills?: number; bidders?: number; keep?: boolean; log?: Log } = {},
): Promise<CrashReport> {
  const started = performance.now();
  const kills = opts.kills ?? 20;
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'contracta-crash-'));
  const port = await freePort();
  const env = childEnv(dataDir, port);
  const base = `http://127.0.0.1:${port}`;
  const report: CrashReport = {
    kills: 0,
    bidsAttempted: 0,
    attempts: 0,
    receipts: 0,
    abandoned: 0,
    networkFailures: 0,
    refusals: {},
    storedVersions: 0,
    storeFilesBeforeCleanup: 0,
    orphansRemoved: 0,
    temporaryRemoved: 0,
    storeFilesAfterCleanup: 0,
    problems: [],
    seconds: 0,
  };
  try {
    log(`data dir ${dataDir}`);
    const { tender, bidders } = await prepare(dataDir, opts.bidders ?? 400);
    log(`tender ${tender.ocid} published; ${bidders.length} bidders ready`);
    let server = await startServer(env, log);
    const received: ReceiptFile[] = [];
    let stop = false;

    const client = (async () => {
      for (const bidder of bidders) {
        if (stop) break;
        const bid = await sealBid(tender, { text: (e) => `Oferta ${bidder.companyId} sobre ${e}` });
        report.bidsAttempted++;
        let retrying = false;
        for (;;) {
          if (stop) break;
          report.attempts++;
          try {
            const file = await submitOnce(base, tender, bidder, bid);
            received.push(file);
            report.receipts++;
            break;
          } catch (err) {
            if (err instanceof Refused) {
              report.refusals[err.code] = (report.refusals[err.code] ?? 0) + 1;
              break;
            }
            // The server is down (killed). Half the time the client gives up on this bid (its
            // uploaded pieces become orphans for the cleanup); else it waits and retries it whole.
            report.networkFailures++;
            if (!retrying && Math.random() < 0.5) {
              report.abandoned++;
              break;
            }
            retrying = true;
            await sleep(100);
          }
        }
      }
    })();

    for (let i = 0; i < kills; i++) {
      // Random moments: anywhere from the first upload of a bid to its commit.
      await sleep(300 + Math.floor(Math.random() * 2700));
      await killHard(server);
      report.kills++;
      server = await startServer(env, log);
      log(`kill ${report.kills}/${kills}: receipts so far ${report.receipts}`);
    }
    await sleep(500);
    stop = true;
    await client;
    await killHard(server);

    const checked = await verify(dataDir, tender, received);
    report.problems.push(...checked.problems);
    report.storedVersions = checked.storedVersions;
    report.storeFilesBeforeCleanup = (await storeFiles(dataDir)).length;
    const out = await runCli(['storage', 'cleanup', '--grace-minutes', '0'], env);
    log(out.trim());
    const m = /removed (\d+), kept \d+; removed (\d+) unfinished/.exec(out);
    report.orphansRemoved = Number(m?.[1] ?? Number.NaN);
    report.temporaryRemoved = Number(m?.[2] ?? Number.NaN);
    report.storeFilesAfterCleanup = (await storeFiles(dataDir)).length;
    for (const sha of await unreferencedFiles(dataDir)) report.problems.push(`file ${sha} left unreferenced`);
    // The cleanup must not have removed anything a bid needs: check the bids again.
    const after = await verify(dataDir, tender, received);
    report.problems.push(...after.problems.map((p) => `after cleanup: ${p}`));
  } finally {
    report.seconds = Math.round((performance.now() - started) / 1000);
    if (!opts.keep) await fs.rm(dataDir, { recursive: true, force: true });
  }
  return report;
}
