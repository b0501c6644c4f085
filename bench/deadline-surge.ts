/**
 * deadline-surge: the last minutes before a tender deadline. BENCH_SURGE_BIDS (500) sealed bids of
 * one envelope holding one file of BENCH_SURGE_MB (1) MiB are submitted by BENCH_SURGE_CLIENTS (100)
 * concurrent clients on loopback to the real app (a child process, on PGlite, or on PostgreSQL with
 * BENCH_SURGE_DB=postgres in a database made for the run at BENCH_PG_ADMIN_URL): per bid, the client
 * PUTs the file's ciphertext and the three encrypted key shares, then POSTs the version with the
 * manifest and gets the signed receipt. Then the same requests go to a bare node:http server that
 * only streams, hashes and fsyncs (bench/bare-upload-server.ts). Last, the app is restarted and
 * BENCH_SURGE_BIG_COUNT (3) bids of BENCH_SURGE_BIG_MB (200) MiB are submitted at once, for the
 * peak server RSS with large envelopes.
 *
 * Setup (not measured): the bench process opens the app in-process on the child's data directory
 * (`startApp`, same code, migrations and signing key as the CLI), writes the authority, users,
 * companies, memberships, custodian keys and API tokens directly into the database (fast: no 500
 * sign-ins through scrypt), creates, approves and publishes the tender through the API (inject,
 * bearer token), closes, and only then spawns `node bin/contracta.js serve` on that directory.
 * Sealing (age + Shamir, `sealEnvelope`) is client work and is done for every bid before the clock
 * starts.
 *
 * Each surge also reports the server's CPU time per bid (/proc), steadier than throughput on a
 * machine shared with other work. BENCH_SURGE_PROFILE=<dir> makes the app write a V8 CPU profile
 * there when it stops (summarise it with bench/cpu-profile-summary.ts).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { DEMO_CPV } from '../src/modules/cpv/cpv.demo.js';
import { loadCpv } from '../src/modules/cpv/cpv.import.js';
import { generateCustodianKey, recipientFingerprint } from '../src/modules/sealing/custodian-key.js';
import { sealEnvelope, sealEnvelopeToMemory } from '../src/modules/sealing/envelope.seal.js';
import type { EnvelopeLetter, SealedEnvelope, SealingTarget } from '../src/modules/sealing/sealing.types.js';
import { loadConfig } from '../src/platform/config.js';
import { hashToken, newId, newSecretToken } from '../src/platform/ids.js';
import { startApp } from '../src/server.js';
import {
  type Benchmark,
  type BenchResult,
  type Child,
  childEnv,
  cpuTimeOf,
  envInt,
  freePort,
  makeTempDir,
  memoryOf,
  type Metric,
  percentile,
  removeTempDir,
  spawnNode,
  stopChild,
  waitFor200,
} from './support.js';

const MIB = 1024 * 1024;
const TARGET_RATIO = 0.7;
const TARGET_P99_MS = 1000;
const TARGET_RSS_MIB = 300;

type Piece = { sha256: string; size: number; bytes?: Uint8Array; file?: string };
type Bid = {
  bidId: string;
  companyId: string;
  token: string;
  pieces: Piece[];
  /** The commit body, JSON. */
  commit: string;
};
type Surge = {
  wallMs: number;
  bids: number;
  bytes: number;
  latencies: number[];
  peakRss: number | undefined;
  /** 1-minute load average when the surge started and ended. */
  load: [number, number];
  /** CPU time (user + system) the server used during the surge, in ms. */
  serverCpuMs: number | undefined;
};

// ---------------------------------------------------------------------------------------------
// Setup

type Tender = { ocid: string; envelope: EnvelopeLetter; target: SealingTarget };
type Company = { companyId: string; token: string };

function nif(n: number): string {
  const digits = String(n).padStart(8, '0');
  return `${digits}${'TRWAGMYFPDXBNJZSQVHLCKE'.charAt(n % 23)}`;
}

/** Opens the app in-process on `dataDir`, writes the fixtures, publishes the tender, closes. */
async function prepare(
  dataDir: string,
  databaseUrl: string | undefined,
  companies: number,
): Promise<{ tender: Tender; companies: Company[] }> {
  const config = loadConfig({
    CONTRACTA_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '100000000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  const app = await startApp(config);
  try {
    const db = app.deps.database.db;
    const now = new Date();
    const expires = new Date(now.getTime() + 30 * 86_400_000);
    const hash = 'scrypt$bench$unused'; // nobody signs in with a password: every client uses an API token
    await loadCpv(db, DEMO_CPV);
    const authorityId = newId();
    await db
      .insertInto('authority')
      .values({
        id: authorityId,
        slug: 'surge-city',
        name_ca: 'Ajuntament de Surge',
        name_es: 'Ayuntamiento de Surge',
        name_en: 'City of Surge',
        dir3_code: 'L01999999',
        ocid_prefix: 'ocds-surge1',
        approval_chain: [],
        // Price-only award (allowed for art. 159.6 files): lift this city's own cap on price weight.
        price_weight_cap: '100',
      })
      .execute();
    const user = async (email: string) => {
      const id = newId();
      await db
        .insertInto('app_user')
        .values({ id, email, name: email, password_hash: hash, is_platform_admin: false })
        .execute();
      return id;
    };
    const token = async (userId: string, scope: { authority_id?: string; company_id?: string }) => {
      const clear = newSecretToken('ctk_');
      await db
        .insertInto('api_token')
        .values({
          id: newId(),
          user_id: userId,
          authority_id: scope.authority_id ?? null,
          company_id: scope.company_id ?? null,
          name: 'bench',
          token_hash: hashToken(clear),
          token_prefix: clear.slice(0, 10),
          created_at: now,
          expires_at: expires,
        })
        .execute();
      return clear;
    };
    const officerId = await user('officer@surge.example');
    await db
      .insertInto('membership')
      .values({ authority_id: authorityId, user_id: officerId, roles: ['procurement_officer'] })
      .execute();
    const officerToken = await token(officerId, { authority_id: authorityId });
    const custodianIds: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const id = await user(`custodian${i}@surge.example`);
      await db
        .insertInto('membership')
        .values({ authority_id: authorityId, user_id: id, roles: ['key_custodian'] })
        .execute();
      const key = await generateCustodianKey();
      await db
        .insertInto('custodian_key')
        .values({
          id: newId(),
          authority_id: authorityId,
          user_id: id,
          recipient: key.recipient,
          fingerprint: recipientFingerprint(key.recipient),
          created_at: now,
        })
        .execute();
      custodianIds.push(id);
    }

    const out: Company[] = [];
    const base = 10_000_000 + Math.floor(Math.random() * 80_000_000);
    for (let i = 0; i < companies; i++) {
      const companyId = newId();
      await db
        .insertInto('company')
        .values({
          id: companyId,
          legal_name: `Bidder ${i + 1} SL`,
          tax_id: nif(base + i),
          tax_id_kind: 'NIF',
          country: 'ES',
          is_sme: true,
          street: 'Carrer 1',
          locality: 'Barcelona',
          postal_code: '08001',
        })
        .execute();
      const userId = await user(`bidder${i + 1}@surge.example`);
      await db
        .insertInto('company_member')
        .values({ company_id: companyId, user_id: userId, roles: ['bidder'] })
        .execute();
      out.push({ companyId, token: await token(userId, { company_id: companyId }) });
    }

    const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${officerToken}` },
        ...(payload ? { payload } : {}),
      });
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: HTTP ${res.statusCode} ${res.body}`);
      return res.json() as { id: string; version: number; ocid: string | null };
    };
    const names = (t: string) => ({ ca: `${t} (ca)`, es: `${t} (es)`, en: `${t} (en)` });
    const tenders = `/api/v1/authorities/${authorityId}/tenders`;
    // An abbreviated open procedure (LCSP art. 159.6): price only, so a single envelope per bid;
    // the deadline is 30 days away, far from the surge.
    const created = await call('POST', tenders, {
      reference: `2026/SURGE-${Date.now()}`,
      procedure: 'abierto_simplificado_abreviado',
      contractType: 'services',
      title: names('Neteja'),
      mainCpv: '90910000-9',
      estimatedValue: '30000.00',
      budgetExclVat: '30000.00',
      budgetInclVat: '36300.00',
      durationMonths: 12,
      singleLotJustification: 'Bench',
      tenderDeadline: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
      lots: [
        {
          number: 1,
          title: names('Lot únic'),
          estimatedValue: '30000.00',
          budgetExclVat: '30000.00',
          mainCpv: '90910000-9',
          criteria: [
            {
              kind: 'price',
              evaluation: 'formula',
              weight: '100',
              name: names('Preu'),
              // F1, inverse proportional (procurement-rules.md §5), as test/helpers/tenders.ts.
              formula: { kind: 'price', formula: 'F1', params: {}, decimals: 2, zeroDivisor: 'all_zero' },
            },
          ],
        },
      ],
    });
    for (const kind of ['memoria_justificativa', 'pcap', 'ppt']) {
      await db
        .insertInto('tender_document')
        .values({
          id: newId(),
          tender_id: created.id,
          authority_id: authorityId,
          kind,
          title: kind,
          file_name: `${kind}.pdf`,
          content_type: 'application/pdf',
          size_bytes: 10,
          sha256: randomBytes(32).toString('hex'),
          uploaded_by: officerId,
        })
        .execute();
    }
    const assigned = await call('PUT', `${tenders}/${created.id}/assignments`, {
      version: created.version,
      committee: [],
      custodians: custodianIds,
    });
    const approved = await call('POST', `${tenders}/${created.id}/submit`, { version: assigned.version });
    const published = await call('POST', `${tenders}/${created.id}/publish`, { version: approved.version });
    const ocid = published.ocid ?? '';
    const notice = (await app.inject({ url: `/api/v1/tenders/${ocid}` })).json() as {
      notice: {
        envelopes: EnvelopeLetter[];
        sealing: { quorum: number; custodians: { index: number; keyId: string; recipient: string }[] };
      };
    };
    if (notice.notice.envelopes.length !== 1)
      throw new Error(`expected one envelope, the notice has ${notice.notice.envelopes.join(', ')}`);
    const target: SealingTarget = { ocid, ...notice.notice.sealing };
    return {
      tender: { ocid, envelope: notice.notice.envelopes[0] as EnvelopeLetter, target },
      companies: out,
    };
  } finally {
    await app.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Sealing (client work, before the clock)

function bidOf(_tender: Tender, company: Company, bidId: string, sealed: SealedEnvelope, file: Piece): Bid {
  return {
    bidId,
    companyId: company.companyId,
    token: company.token,
    pieces: [
      file,
      ...sealed.shares.map((s) => ({ sha256: s.sha256, size: s.ciphertext.length, bytes: s.ciphertext })),
    ],
    commit: JSON.stringify({
      companyId: company.companyId,
      lots: [1],
      envelopes: [{ manifest: sealed.manifest }],
    }),
  };
}

async function sealSmall(tender: Tender, company: Company, mib: number): Promise<Bid> {
  const bidId = newId();
  const sealed = await sealEnvelopeToMemory({
    target: tender.target,
    bidId,
    lots: [1],
    envelope: tender.envelope,
    files: [{ name: 'oferta.bin', content: randomBytes(Math.round(mib * MIB)) }],
  });
  const bytes = sealed.ciphertexts[0] as Uint8Array;
  const f = sealed.manifest.files[0];
  if (!f) throw new Error('no file in the manifest');
  return bidOf(tender, company, bidId, sealed, { sha256: f.sha256, size: bytes.length, bytes });
}

/** A large envelope is sealed from a generated stream into a file, never held in memory. */
async function sealLarge(tender: Tender, company: Company, mib: number, dir: string): Promise<Bid> {
  const bidId = newId();
  const file = path.join(dir, `${bidId}.age`);
  let left = Math.round(mib * MIB);
  const chunk = randomBytes(MIB);
  const plain = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (left <= 0) return controller.close();
      const n = Math.min(left, chunk.length);
      // A fresh copy per chunk: age may keep a reference until it has encrypted it.
      controller.enqueue(new Uint8Array(chunk.subarray(0, n)));
      left -= n;
    },
  });
  const sealed = await sealEnvelope(
    {
      target: tender.target,
      bidId,
      lots: [1],
      envelope: tender.envelope,
      files: [{ name: 'oferta.bin', content: plain }],
    },
    async (_f, ciphertext) => {
      await pipeline(
        Readable.fromWeb(ciphertext as import('node:stream/web').ReadableStream<Uint8Array>),
        createWriteStream(file),
      );
    },
  );
  const f = sealed.manifest.files[0];
  if (!f) throw new Error('no file in the manifest');
  return bidOf(tender, company, bidId, sealed, { sha256: f.sha256, size: f.ciphertextSize, file });
}

// ---------------------------------------------------------------------------------------------
// The surge

function request(
  agent: http.Agent,
  base: string,
  method: 'PUT' | 'POST',
  url: string,
  headers: Record<string, string>,
  body: Uint8Array | string | Readable,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${url}`, { method, agent, headers, timeout: 300_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => {
        const text = Buffer.concat(chunks).toString();
        if ((res.statusCode ?? 0) >= 300)
          reject(new Error(`${method} ${url}: HTTP ${res.statusCode} ${text.slice(0, 300)}`));
        else resolve(text);
      });
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error(`${method} ${url}: timeout`)));
    req.once('error', reject);
    if (body instanceof Readable) body.pipe(req);
    else req.end(body);
  });
}

/** Submits every bid from `clients` concurrent workers; latency runs from the first PUT to the receipt. */
async function surge(
  base: string,
  bids: Bid[],
  clients: number,
  pid: number | undefined,
  tender: Tender,
): Promise<Surge> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    for (;;) {
      const bid = bids[next++];
      if (!bid) return;
      const auth = { authorization: `Bearer ${bid.token}` };
      const prefix = `/api/v1/tenders/${tender.ocid}/bids/${bid.bidId}`;
      const t0 = performance.now();
      for (const p of bid.pieces) {
        await request(
          agent,
          base,
          'PUT',
          `${prefix}/blobs/${p.sha256}?companyId=${bid.companyId}`,
          { ...auth, 'content-type': 'application/octet-stream', 'content-length': String(p.size) },
          p.bytes ?? createReadStream(p.file ?? ''),
        );
        bytes += p.size;
      }
      const receipt = await request(
        agent,
        base,
        'POST',
        `${prefix}/versions`,
        { ...auth, 'content-type': 'application/json' },
        bid.commit,
      );
      if (!receipt.includes('"signature"'))
        throw new Error(`no receipt for ${bid.bidId}: ${receipt.slice(0, 200)}`);
      latencies.push(performance.now() - t0);
    }
  };
  let peak: number | undefined;
  const sampler = setInterval(() => {
    void memoryOf(pid).then((m) => {
      if (m) peak = Math.max(peak ?? 0, m.peak);
    });
  }, 200);
  const loadStart = os.loadavg()[0] ?? 0;
  const cpuStart = await cpuTimeOf(pid);
  const start = performance.now();
  try {
    await Promise.all(Array.from({ length: Math.min(clients, bids.length) }, worker));
  } finally {
    clearInterval(sampler);
    agent.destroy();
  }
  const wallMs = performance.now() - start;
  const cpuEnd = await cpuTimeOf(pid);
  const m = await memoryOf(pid);
  if (m) peak = Math.max(peak ?? 0, m.peak);
  return {
    wallMs,
    bids: latencies.length,
    bytes,
    latencies: latencies.sort((a, b) => a - b),
    peakRss: peak,
    load: [loadStart, os.loadavg()[0] ?? 0],
    serverCpuMs: cpuStart !== undefined && cpuEnd !== undefined ? cpuEnd - cpuStart : undefined,
  };
}

async function startServe(
  dataDir: string,
  databaseUrl: string | undefined,
): Promise<{ child: Child; base: string }> {
  const port = await freePort();
  // BENCH_SURGE_PROFILE=<dir>: the server writes a V8 CPU profile there when it stops (SIGTERM).
  // BENCH_SURGE_NODE_ARGS: more flags for the server's node (e.g. --max-semi-space-size=4).
  const profile = process.env.BENCH_SURGE_PROFILE;
  const nodeArgs = (process.env.BENCH_SURGE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawnNode(
    [...nodeArgs, ...(profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : []), 'bin/contracta.js', 'serve'],
    childEnv({
      PORT: String(port),
      CONTRACTA_DATA_DIR: dataDir,
      RATE_LIMIT_MAX: '100000000',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor200(`${base}/readyz`, child);
  return { child, base };
}

function figures(label: string, s: Surge, target?: boolean): Metric[] {
  return [
    { label: `${label}: throughput`, value: s.bids / (s.wallMs / 1000), unit: 'bids/s' },
    { label: `${label}: throughput`, value: s.bytes / MIB / (s.wallMs / 1000), unit: 'MiB/s' },
    { label: `${label}: receipt p50`, value: percentile(s.latencies, 50), unit: 'ms' },
    {
      label: `${label}: receipt p99`,
      value: percentile(s.latencies, 99),
      unit: 'ms',
      ...(target ? { target: TARGET_P99_MS } : {}),
    },
    { label: `${label}: receipt max`, value: s.latencies.at(-1) ?? Number.NaN, unit: 'ms' },
    {
      label: `${label}: server CPU per bid`,
      value: s.serverCpuMs !== undefined && s.bids ? s.serverCpuMs / s.bids : null,
      unit: 'ms',
    },
  ];
}

/** An admin connection to PostgreSQL, or undefined when none answers within 2 s. */
async function pgAdmin(url: string): Promise<pg.Client | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return client;
  } catch {
    await client.end().catch(() => undefined);
    return undefined;
  }
}

/** BENCH_SURGE_DB: `pglite` (default, the embedded database) or `postgres` (a database made for the run). */
function surgeDriver(): 'pglite' | 'postgres' {
  const v = process.env.BENCH_SURGE_DB || 'pglite';
  if (v !== 'pglite' && v !== 'postgres')
    throw new Error(`BENCH_SURGE_DB must be pglite or postgres, got "${v}"`);
  return v;
}

export const deadlineSurge: Benchmark = {
  name: 'deadline-surge',
  title: 'Sealed bids at the deadline: N bids from 100 clients vs a bare stream-hash-fsync server',
  async run(log) {
    if (surgeDriver() === 'pglite') return runSurge(log, undefined);
    // The app on PostgreSQL: a fresh database for this run, dropped at the end.
    const adminUrl = process.env.BENCH_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
    const admin = await pgAdmin(adminUrl);
    if (!admin) throw new Error(`BENCH_SURGE_DB=postgres: PostgreSQL not reachable at ${adminUrl}`);
    const dbName = `contracta_surge_${process.pid}`;
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
      await admin.query(`CREATE DATABASE ${dbName}`);
      const version =
        (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v.split(
          ' ',
        )[0] ?? '?';
      const url = new URL(adminUrl);
      url.pathname = `/${dbName}`;
      const result = await runSurge(log, { url: url.toString(), label: `PostgreSQL ${version}` });
      result.notes.push(
        `app on PostgreSQL ${version} at ${url.host}, database ${dbName} (created for the run, then dropped), default pool of 10 connections`,
      );
      return result;
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    }
  },
};

async function runSurge(
  log: (message: string) => void,
  database: { url: string; label: string } | undefined,
): Promise<BenchResult> {
  const databaseUrl = database?.url;
  const dbLabel = database?.label ?? 'PGlite';
  const nBids = envInt('BENCH_SURGE_BIDS', 500);
  const clients = envInt('BENCH_SURGE_CLIENTS', 100);
  const mib = envInt('BENCH_SURGE_MB', 1);
  const bigMib = envInt('BENCH_SURGE_BIG_MB', 200);
  const bigCount = envInt('BENCH_SURGE_BIG_COUNT', 3);
  const metrics: Metric[] = [];
  const notes: string[] = [];
  const dataDir = await makeTempDir('surge');
  const sealDir = await makeTempDir('surge-sealed');

  log(`setting up: ${nBids + 2 * bigCount} companies with API tokens, a published tender (in-process)…`);
  let t = performance.now();
  const { tender, companies } = await prepare(dataDir, databaseUrl, nBids + 2 * bigCount);
  notes.push(
    `setup (fixtures in the database, tender published through the API, in-process) ${Math.round(performance.now() - t)} ms`,
  );

  log(`sealing ${nBids} bids of ${mib} MiB (client work, not measured)…`);
  t = performance.now();
  const bids: Bid[] = [];
  for (let i = 0; i < nBids; i++) bids.push(await sealSmall(tender, companies[i] as Company, mib));
  notes.push(
    `sealing ${nBids} × ${mib} MiB took ${Math.round(performance.now() - t)} ms in the client (not measured)`,
  );

  // 1. The app.
  log(`starting the app (${dbLabel}) and submitting…`);
  const app = await startServe(dataDir, databaseUrl);
  let appSurge: Surge;
  let idleRss: number | undefined;
  try {
    idleRss = (await memoryOf(app.child.proc.pid))?.rss;
    appSurge = await surge(app.base, bids, clients, app.child.proc.pid, tender);
  } finally {
    await stopChild(app.child);
  }
  log(`app: ${appSurge.bids} receipts in ${Math.round(appSurge.wallMs)} ms`);

  // 2. The bare server, same bytes, same requests.
  const bareDir = await makeTempDir('surge-bare');
  const barePort = await freePort();
  const bare = spawnNode(
    ['--import', 'tsx', 'bench/bare-upload-server.ts'],
    childEnv({ PORT: String(barePort), BARE_DIR: bareDir }),
  );
  let bareSurge: Surge;
  try {
    const base = `http://127.0.0.1:${barePort}`;
    await waitFor200(`${base}/`, bare);
    log('submitting to the bare upload server…');
    bareSurge = await surge(base, bids, clients, bare.proc.pid, tender);
  } finally {
    await stopChild(bare);
    await removeTempDir(bareDir);
  }
  bids.length = 0; // let the ciphertexts go before the large run

  metrics.push(...figures(`app (${dbLabel}), ${nBids} × ${mib} MiB, ${clients} clients`, appSurge, true));
  metrics.push(...figures(`bare server, same`, bareSurge));
  metrics.push({
    label: 'throughput app / bare',
    value: appSurge.wallMs ? bareSurge.wallMs / appSurge.wallMs : Number.NaN,
    unit: 'x',
    target: TARGET_RATIO,
    atLeast: true,
  });

  // 3. Large envelopes: the server's memory must not grow with the envelope size.
  log(`sealing ${bigCount} bids of ${bigMib} MiB to files…`);
  t = performance.now();
  const big: Bid[] = [];
  for (let i = 0; i < bigCount; i++)
    big.push(await sealLarge(tender, companies[nBids + i] as Company, bigMib, sealDir));
  notes.push(
    `sealing ${bigCount} × ${bigMib} MiB took ${Math.round(performance.now() - t)} ms (streamed to files)`,
  );
  log('restarting the app and submitting the large bids at once…');
  const app2 = await startServe(dataDir, databaseUrl);
  let bigSurge: Surge;
  try {
    bigSurge = await surge(app2.base, big, bigCount, app2.child.proc.pid, tender);
  } finally {
    await stopChild(app2.child);
  }
  metrics.push(
    { label: `app: server RSS idle after start`, value: idleRss ?? null, unit: 'MiB' },
    {
      label: `app: peak server RSS, ${nBids} × ${mib} MiB`,
      value: appSurge.peakRss ?? null,
      unit: 'MiB',
      target: TARGET_RSS_MIB,
    },
    {
      label: `app: peak server RSS, ${bigCount} × ${bigMib} MiB at once (fresh process)`,
      value: bigSurge.peakRss ?? null,
      unit: 'MiB',
      target: TARGET_RSS_MIB,
    },
    {
      label: `bare server: peak RSS, ${nBids} × ${mib} MiB`,
      value: bareSurge.peakRss ?? null,
      unit: 'MiB',
    },
    {
      label: `app: ${bigCount} × ${bigMib} MiB throughput`,
      value: bigSurge.bytes / MIB / (bigSurge.wallMs / 1000),
      unit: 'MiB/s',
    },
    {
      label: `app: ${bigCount} × ${bigMib} MiB receipt max`,
      value: bigSurge.latencies.at(-1) ?? Number.NaN,
      unit: 'ms',
    },
  );
  notes.push(
    `per bid: 4 PUTs (the file's age ciphertext, ${mib} MiB + 207 bytes, and 3 encrypted key shares) then the POST of the version, ` +
      `over keep-alive sockets from one client process; latency from the first PUT of a bid to its receipt; ` +
      `throughput = bids (or uploaded MiB) / wall time from the first request to the last receipt`,
    'bare server: node:http, streams + SHA-256 + write with fsync + rename + directory fsync per piece, fixed JSON for the POST (no database, no signature)',
  );
  const load = (s: Surge) => `${s.load[0].toFixed(2)} → ${s.load[1].toFixed(2)}`;
  notes.push(
    `1-min load average during the app run ${load(appSurge)}, the bare run ${load(bareSurge)}, the large run ${load(bigSurge)}`,
  );
  await removeTempDir(sealDir);
  await removeTempDir(dataDir);
  return { metrics, notes };
}
