/**
 * Shared plumbing for the benchmarks: child processes of the real CLI, free ports, temporary data
 * directories, polling for a 200, percentiles and the machine description. Everything a benchmark
 * starts is registered here, so `run.ts` can clean up even when a benchmark throws or is interrupted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEMO_PASSWORD = 'contracta-demo-2026';

/**
 * One figure of a benchmark; `target` means "value must be below target", or "at least target"
 * with `atLeast` (reported, never asserted).
 */
export type Metric = {
  label: string;
  value: number | null;
  unit: 'ms' | 'req/s' | 'x' | 'MiB' | 'bids/s' | 'MiB/s' | '';
  target?: number;
  atLeast?: boolean;
};

export type BenchResult = { metrics: Metric[]; notes: string[] };

export type Benchmark = {
  name: string;
  title: string;
  run(log: (message: string) => void): Promise<BenchResult>;
};

// ---------------------------------------------------------------------------------------------
// Resources to clean up

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `contracta-bench-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Stops every child still running and removes every temporary directory (idempotent). */
export async function cleanupAll(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c)));
  await Promise.all([...tempDirs].map((d) => removeTempDir(d)));
}

// ---------------------------------------------------------------------------------------------
// Child processes

export type Child = {
  proc: ChildProcess;
  /** performance.now() when spawn() was called. */
  spawnedAt: number;
  /** performance.now() when a stdout line matching `listening` first arrived, if it did. */
  listeningAt: number | undefined;
  /** The "after N ms" the CLI reports in its listening line (time inside the process). */
  reportedListenMs: number | undefined;
  output(): string;
  exited: Promise<number | null>;
};

/** Environment for a child: the parent's, minus settings that would change what is measured. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.SMTP_URL;
  delete env.NODE_OPTIONS;
  return { ...env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...extra };
}

/** Spawns `node <args>` in the repository root, capturing its output. */
export function spawnNode(args: string[], env: NodeJS.ProcessEnv): Child {
  const spawnedAt = performance.now();
  const proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let out = '';
  const child: Child = {
    proc,
    spawnedAt,
    listeningAt: undefined,
    reportedListenMs: undefined,
    output: () => out,
    exited: new Promise((resolve) => {
      proc.once('exit', (code) => {
        children.delete(proc);
        resolve(code);
      });
    }),
  };
  proc.stdout?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    out += text;
    if (child.listeningAt === undefined && /listening/i.test(text)) {
      child.listeningAt = performance.now();
      const m = /after (\d+) ms/.exec(text);
      if (m?.[1]) child.reportedListenMs = Number(m[1]);
    }
  });
  proc.stderr?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return child;
}

/** The real CLI: `node bin/contracta.js <args>`. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv): Child {
  return spawnNode(['bin/contracta.js', ...args], env);
}

/** SIGTERM (the CLI closes the app and the database), then SIGKILL after `graceMs`. */
export async function stopChild(target: Child | ChildProcess, graceMs = 20_000): Promise<void> {
  const proc = 'proc' in target ? target.proc : target;
  if (proc.exitCode !== null || proc.signalCode !== null) {
    children.delete(proc);
    return;
  }
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  children.delete(proc);
}

/** Resident memory of a process from /proc (Linux): current and peak, in MiB; undefined elsewhere. */
export async function memoryOf(pid: number | undefined): Promise<{ rss: number; peak: number } | undefined> {
  if (pid === undefined) return undefined;
  try {
    const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc (Linux; clock ticks of
 * 10 ms); undefined elsewhere. On a machine shared with other work, CPU per request is steadier
 * than throughput.
 */
export async function cpuTimeOf(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime + stime) ? (utime + stime) * 10 : undefined;
  } catch {
    return undefined;
  }
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

// ---------------------------------------------------------------------------------------------
// HTTP

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** One GET without keep-alive; resolves with the status code, or undefined when nothing answers. */
function probe(url: string, timeoutMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode));
      res.once('error', () => resolve(undefined));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(undefined));
  });
}

/**
 * Polls `url` every `intervalMs` until it answers 200; resolves with performance.now() of that
 * answer. Rejects if the child exits first or after `timeoutMs`.
 */
export async function waitFor200(
  url: string,
  child: Child,
  { timeoutMs = 180_000, intervalMs = 10 } = {},
): Promise<number> {
  let exitCode: number | null | undefined;
  void child.exited.then((code) => {
    exitCode = code;
  });
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const status = await probe(url, 2_000);
    if (status === 200) return performance.now();
    if (exitCode !== undefined || child.proc.exitCode !== null) {
      throw new Error(
        `the server exited (code ${child.proc.exitCode}) before ${url} answered 200:\n${tail(child.output())}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${tail(child.output())}`);
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function formatValue(value: number | null, unit: Metric['unit']): string {
  if (value === null || Number.isNaN(value)) return 'n/a';
  if (unit === 'ms') return value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(2)} ms`;
  if (unit === 'req/s') return `${Math.round(value)} req/s`;
  if (unit === 'x') return `${value.toFixed(2)}x`;
  if (unit === 'MiB') return `${Math.round(value)} MiB`;
  if (unit === 'bids/s') return `${value.toFixed(1)} bids/s`;
  if (unit === 'MiB/s') return `${value.toFixed(1)} MiB/s`;
  return String(value);
}

export function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${v}"`);
  return n;
}

/** nproc, CPU model, memory, Node version and load average, for the results header and the doc. */
export async function machineInfo(): Promise<Record<string, string>> {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const cpuinfo = await fs.readFile('/proc/cpuinfo', 'utf8');
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux; keep os.cpus()
  }
  const gib = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GiB`;
  return {
    cpus: String(os.availableParallelism()),
    cpu: cpuModel,
    memory: `${gib(os.totalmem())} total, ${gib(os.freemem())} free`,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    load: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}
