/**
 * Latency of an authenticated API read under load: GET /api/v1/authorities/<barcelona>/settings
 * (session cookie → cached actor; authorisation; two queries) at 100 concurrent connections over
 * loopback, next to a bare Fastify route that returns the same JSON, in the same run. Target: p99 < 5 ms.
 *
 * The app and the bare server each run as a child process (the real CLI for the app), and
 * autocannon runs in this process: on 2 cores the load generator and the server then get a core
 * each instead of sharing one event loop, and the generator's CPU is not charged to the server.
 * Latencies are recorded per response from autocannon's `response` event (sub-millisecond;
 * autocannon's own histogram has a 1 ms resolution). Only the steady state is recorded (see cannon).
 *
 * autocannon is a closed loop: each connection sends its next request when the previous one has
 * answered, so mean latency = connections / throughput (Little's law) and p99 < 5 ms at 100
 * connections needs > 20 000 req/s. To show the service time apart from that queueing, each server
 * is then also loaded open-loop at a steady BENCH_PACED_RATE req/s (default 200; 0 skips it).
 *
 * The app runs with RATE_LIMIT_MAX=100000000 so the rate limiter (600/min per client by default)
 * does not answer 429. The same read is also measured on PostgreSQL when one is reachable at
 * BENCH_PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres), on a database created
 * for the run and dropped afterwards.
 */
import http from 'node:http';
import autocannon from 'autocannon';
import pg from 'pg';
import {
  type Benchmark,
  type Child,
  childEnv,
  DEMO_PASSWORD,
  envInt,
  freePort,
  makeTempDir,
  memoryOf,
  type Metric,
  percentile,
  removeTempDir,
  spawnCli,
  spawnNode,
  stopChild,
  waitFor200,
} from './support.js';

const TARGET_P99_MS = 5;
const DEMO_USER = 'officer@barcelona.example';

type LoadStats = {
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
};

type ClosedStats = LoadStats & {
  /** Seconds from the start of the load until every connection had had an answer (the warm-up). */
  rampS: number;
  /** Connections that had had an answer when the measured window opened. */
  active: number;
  /** Socket errors and timeouts (10 s) during the warm-up: connections that waited too long for a first answer. */
  warmupErrors: number;
};

function stats(latencies: number[], count: number, windowMs: number): LoadStats {
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: sorted.length,
    rps: count / (windowMs / 1000),
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/**
 * Closed-loop load with autocannon, measured in steady state only. The warm-up lasts at least
 * `warmupS` and until every connection has had an answer (at most MAX_RAMP_MS): a Node server
 * accepts one new connection per event-loop iteration, so on a slow server the last connections
 * wait a long time for their first answer, and counting that ramp would measure the ramp. Then a
 * window of `seconds` is measured: latencies of requests sent inside it, throughput of answers
 * received inside it. Throws on any non-2xx answer, or on a socket error or timeout inside the window
 * (timeouts during the warm-up are reported: they are connections that waited > 10 s to be served).
 */
function cannon(
  url: string,
  headers: Record<string, string>,
  connections: number,
  warmupS: number,
  seconds: number,
) {
  const MAX_RAMP_MS = 90_000;
  return new Promise<ClosedStats>((resolve, reject) => {
    const latencies: number[] = [];
    const answered = new Set<unknown>();
    let received = 0;
    const t0 = performance.now();
    let windowStart: number | undefined;
    let windowEnd: number | undefined;
    let active = 0;
    let windowErrors = 0;
    const budgetS = Math.ceil((MAX_RAMP_MS + 5_000) / 1000) + warmupS + seconds;
    const instance = autocannon({ url, connections, duration: budgetS, headers }, (err, result) => {
      if (err) return reject(err instanceof Error ? err : new Error(String(err)));
      if (result.non2xx || windowErrors) {
        return reject(
          new Error(
            `${url}: ${result.non2xx} non-2xx (4xx ${result['4xx']}, 5xx ${result['5xx']}) out of ` +
              `${result.requests.total} requests; ${windowErrors} socket errors or timeouts in the measured window`,
          ),
        );
      }
      if (windowStart === undefined || windowEnd === undefined)
        return reject(new Error(`${url}: the load ended before the measured window`));
      resolve({
        ...stats(latencies, received, windowEnd - windowStart),
        rampS: (windowStart - t0) / 1000,
        active,
        warmupErrors: result.errors - windowErrors,
      });
    });
    instance.on('reqError', () => {
      if (windowStart !== undefined && windowEnd === undefined) windowErrors++;
    });
    instance.on('response', (client, status, _bytes, ms) => {
      const now = performance.now();
      if (windowStart === undefined) {
        answered.add(client);
        const warm = now - t0 >= warmupS * 1000;
        if ((warm && answered.size >= connections) || now - t0 >= MAX_RAMP_MS) {
          windowStart = now;
          active = answered.size;
          setTimeout(() => {
            windowEnd = performance.now();
            instance.stop();
          }, seconds * 1000);
        }
        return;
      }
      if (windowEnd !== undefined) return;
      received++;
      if (now - ms >= windowStart && status >= 200 && status < 300) latencies.push(ms);
    });
  });
}

/**
 * Open-loop load at a steady `rate` (req/s) over up to 100 keep-alive sockets: requests are sent on
 * a schedule whether or not earlier ones have answered, and latency is counted from the scheduled
 * send time, so queueing behind a slow server is not hidden (no coordinated omission). autocannon's
 * own rate option sends each connection's quota in a burst at the top of every second, which is not this.
 */
function paced(url: string, headers: Record<string, string>, rate: number, seconds: number) {
  return new Promise<LoadStats>((resolve, reject) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: envInt('BENCH_CONNECTIONS', 100) });
    const latencies: number[] = [];
    let sent = 0;
    let done = 0;
    let failed = '';
    const total = Math.round(rate * seconds);
    const start = performance.now();
    const finish = () => {
      agent.destroy();
      if (failed) return reject(new Error(`${url} (paced): ${failed}`));
      resolve(stats(latencies, latencies.length, performance.now() - start));
    };
    const fire = (scheduled: number) => {
      const req = http.get(url, { agent, headers, timeout: 10_000 }, (res) => {
        res.resume();
        res.once('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - scheduled);
          else failed ||= `HTTP ${res.statusCode}`;
          if (++done === total) finish();
        });
      });
      req.once('timeout', () => req.destroy(new Error('timeout')));
      req.once('error', (e) => {
        failed ||= e.message;
        if (++done === total) finish();
      });
    };
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      while (sent < due) fire(start + (sent++ * 1000) / rate);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
}

/** The closed-loop run (warm-up, then the measured window), then (if BENCH_PACED_RATE > 0) the paced run. */
async function measure(
  url: string,
  headers: Record<string, string>,
): Promise<{ closed: ClosedStats; paced: LoadStats | undefined }> {
  const connections = envInt('BENCH_CONNECTIONS', 100);
  const seconds = envInt('BENCH_DURATION_S', 10);
  const closed = await cannon(url, headers, connections, envInt('BENCH_WARMUP_S', 3), seconds);
  const rate = pacedRate();
  return { closed, paced: rate ? await paced(url, headers, rate, seconds) : undefined };
}

function pacedRate(): number {
  return process.env.BENCH_PACED_RATE === '0' ? 0 : envInt('BENCH_PACED_RATE', 200);
}

type Running = { child: Child; base: string; dataDir: string };

/** Peak resident memory of the server so far, as a metric (Linux only). */
async function peakRss(label: string, r: Running | Child): Promise<Metric[]> {
  const m = await memoryOf(('child' in r ? r.child : r).proc.pid);
  return m ? [{ label: `${label}: server peak RSS`, value: m.peak, unit: 'MiB' }] : [];
}

/** Starts the real CLI (`serve --seed-demo`) on a fresh data directory, optionally on PostgreSQL. */
async function startApp(databaseUrl?: string): Promise<Running> {
  const dataDir = await makeTempDir('api');
  const port = await freePort();
  const child = spawnCli(
    ['serve', '--seed-demo'],
    childEnv({
      PORT: String(port),
      CONTRACTA_DATA_DIR: dataDir,
      RATE_LIMIT_MAX: '100000000',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor200(`${base}/readyz`, child);
  return { child, base, dataDir };
}

async function stopApp(r: Running): Promise<void> {
  await stopChild(r.child);
  await removeTempDir(r.dataDir);
}

/** Signs in as the demo officer; returns the Cookie header, the settings path and its JSON body. */
async function prepareRead(base: string): Promise<{ cookie: string; path: string; body: string }> {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: DEMO_USER, password: DEMO_PASSWORD }),
  });
  if (login.status !== 200)
    throw new Error(`login as ${DEMO_USER}: HTTP ${login.status} ${await login.text()}`);
  const session = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith('contracta_session='));
  if (!session) throw new Error('login answered 200 without a contracta_session cookie');

  const dir = await fetch(`${base}/api/v1/authorities`);
  const authorities = (await dir.json()) as { id: string; slug: string }[];
  const barcelona = authorities.find((a) => a.slug === 'barcelona');
  if (!barcelona) throw new Error('the demo authority "barcelona" is missing');

  const path = `/api/v1/authorities/${barcelona.id}/settings`;
  const res = await fetch(`${base}${path}`, { headers: { cookie: session } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${body}`);
  const anonymous = await fetch(`${base}${path}`);
  if (anonymous.status === 200)
    throw new Error(`GET ${path} answered 200 without a session: not an authenticated read`);
  await anonymous.arrayBuffer();
  return { cookie: session, path, body };
}

type Measured = Awaited<ReturnType<typeof measure>>;

function statMetrics(label: string, m: Measured, notes: string[], target?: number): Metric[] {
  const s = m.closed;
  const connections = envInt('BENCH_CONNECTIONS', 100);
  notes.push(
    `${label}: warm-up lasted ${s.rampS.toFixed(1)} s until ${s.active}/${connections} connections had had an answer` +
      (s.active < connections ? ' (gave up waiting: the window opened with fewer connections)' : '') +
      (s.warmupErrors ? `, with ${s.warmupErrors} request timeouts (> 10 s) during the warm-up` : '') +
      `; ${s.requests} requests measured`,
  );
  const out: Metric[] = [
    { label: `${label}: throughput`, value: s.rps, unit: 'req/s' },
    { label: `${label}: p50`, value: s.p50, unit: 'ms' },
    { label: `${label}: p90`, value: s.p90, unit: 'ms' },
    { label: `${label}: p99`, value: s.p99, unit: 'ms', ...(target ? { target } : {}) },
    { label: `${label}: max`, value: s.max, unit: 'ms' },
  ];
  if (m.paced) {
    const at = `${label} at a steady ${pacedRate()} req/s`;
    out.push(
      { label: `${at}: p50`, value: m.paced.p50, unit: 'ms' },
      { label: `${at}: p99`, value: m.paced.p99, unit: 'ms' },
      { label: `${at}: max`, value: m.paced.max, unit: 'ms' },
    );
  }
  return out;
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

export const apiRead: Benchmark = {
  name: 'api-read',
  title: 'Authenticated GET /api/v1 read at 100 connections vs a bare Fastify route',
  async run(log) {
    const metrics: Metric[] = [];
    const notes: string[] = [];
    /** Peak RSS figures, appended after the latency figures. */
    const memory: Metric[] = [];
    const rate = pacedRate();
    notes.push(
      `${envInt('BENCH_CONNECTIONS', 100)} connections (closed loop, autocannon), ${envInt('BENCH_WARMUP_S', 3)} s ` +
        `warm-up then ${envInt('BENCH_DURATION_S', 10)} s measured` +
        (rate ? `, then ${envInt('BENCH_DURATION_S', 10)} s open loop at a steady ${rate} req/s` : '') +
        '; app and bare server are child processes, the load generator runs in the bench process; ' +
        'RATE_LIMIT_MAX=100000000',
    );

    // 1. The real app on PGlite.
    log('starting the app on PGlite (fresh data dir, demo seed)…');
    const lite = await startApp();
    let read: Awaited<ReturnType<typeof prepareRead>>;
    let appLite: Measured;
    try {
      read = await prepareRead(lite.base);
      log(`loading GET ${read.path} (PGlite)…`);
      appLite = await measure(`${lite.base}${read.path}`, { cookie: read.cookie });
      memory.push(...(await peakRss('app on PGlite', lite)));
    } finally {
      await stopApp(lite);
    }
    metrics.push(...statMetrics('app on PGlite', appLite, notes, TARGET_P99_MS));
    notes.push(`response body ${Buffer.byteLength(read.body)} bytes of JSON`);

    // 2. The bare Fastify route, same path and body.
    log('loading the bare Fastify route…');
    const barePort = await freePort();
    const bare = spawnNode(
      ['--import', 'tsx', 'bench/bare-server.ts'],
      childEnv({ PORT: String(barePort), BARE_BODY: read.body, BARE_PATH: read.path }),
    );
    let bareStats: Measured;
    try {
      const base = `http://127.0.0.1:${barePort}`;
      await waitFor200(`${base}${read.path}`, bare);
      const check = await (await fetch(`${base}${read.path}`)).text();
      if (JSON.stringify(JSON.parse(check)) !== JSON.stringify(JSON.parse(read.body)))
        throw new Error('the bare server does not return the same JSON as the app');
      bareStats = await measure(`${base}${read.path}`, { cookie: read.cookie });
      memory.push(...(await peakRss('bare Fastify', bare)));
    } finally {
      await stopChild(bare);
    }
    metrics.push(...statMetrics('bare Fastify', bareStats, notes));
    metrics.push({
      label: 'ratio p99(app PGlite) / p99(bare)',
      value: appLite.closed.p99 / bareStats.closed.p99,
      unit: 'x',
    });

    // 3. The real app on PostgreSQL, when reachable.
    const adminUrl = process.env.BENCH_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
    const admin = await pgAdmin(adminUrl);
    if (!admin) {
      notes.push(`PostgreSQL not reachable at ${adminUrl}: PostgreSQL run skipped`);
      return { metrics: [...metrics, ...memory], notes };
    }
    const dbName = `contracta_bench_${process.pid}`;
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
      await admin.query(`CREATE DATABASE ${dbName}`);
      const version =
        (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v.split(
          ' ',
        )[0] ?? '?';
      const url = new URL(adminUrl);
      url.pathname = `/${dbName}`;
      log(`starting the app on PostgreSQL ${version} (${dbName})…`);
      const onPg = await startApp(url.toString());
      let appPg: Measured;
      try {
        const pgRead = await prepareRead(onPg.base);
        log(`loading GET ${pgRead.path} (PostgreSQL)…`);
        appPg = await measure(`${onPg.base}${pgRead.path}`, { cookie: pgRead.cookie });
        memory.push(...(await peakRss('app on PostgreSQL', onPg)));
      } finally {
        await stopApp(onPg);
      }
      metrics.push(...statMetrics('app on PostgreSQL', appPg, notes, TARGET_P99_MS));
      metrics.push({
        label: 'ratio p99(app PostgreSQL) / p99(bare)',
        value: appPg.closed.p99 / bareStats.closed.p99,
        unit: 'x',
      });
      notes.push(
        `PostgreSQL ${version} at ${url.host}, database ${dbName} (created, then dropped), app pool of 10 connections`,
      );
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((e: unknown) => {
        notes.push(`could not drop ${dbName}: ${e instanceof Error ? e.message : String(e)}`);
      });
      await admin.end();
    }
    return { metrics: [...metrics, ...memory], notes };
  },
};
