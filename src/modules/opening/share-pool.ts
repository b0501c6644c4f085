/**
 * The in-memory holding of custodians' plaintext key shares until a stage reaches its quorum
 * (docs/SEALING.md "Opening"). Shares are NEVER written to the database, the logs or the audit
 * trail: an administrator holding the database and the disks must not find k shares there. The
 * price is that shares live in one process only and vanish on restart (custodians resubmit), and
 * that an installation running several processes must route a tender's opening to one of them.
 *
 * One pool per app instance (made by the opening routes), keyed by tender and envelope stage, then
 * by bid envelope and custodian index. Each custodian's submission expires `ttlMs` after it was
 * made (default 30 minutes): shares must not linger in memory if the quorum never forms.
 */
import type { Clock } from '../../platform/clock.js';
import type { SharePayload } from '../sealing/sealing.types.js';

export const DEFAULT_SHARE_TTL_MS = 30 * 60 * 1000;

type Submission = { userId: string; at: number; shares: Map<string, SharePayload> };

type StagePool = {
  /** By custodian index: who submitted, when, and their shares by bid envelope id. */
  custodians: Map<number, Submission>;
};

export type SharePool = {
  /** Runs `fn` alone for this tender stage: submissions and the opening do not interleave. */
  exclusive<T>(tenderId: string, envelope: string, fn: () => Promise<T>): Promise<T>;
  /** The live submissions of a stage (expired ones dropped first). */
  submissions(tenderId: string, envelope: string): ReadonlyMap<number, Readonly<Submission>>;
  /** Adds (or extends) a custodian's submission; its expiry restarts. */
  add(
    tenderId: string,
    envelope: string,
    index: number,
    userId: string,
    shares: ReadonlyMap<string, SharePayload>,
  ): void;
  /** The pooled shares of one bid envelope, by custodian index. */
  sharesFor(tenderId: string, envelope: string, bidEnvelopeId: string): Map<number, SharePayload>;
  /** Forgets the shares of one bid envelope (for example after they failed to rebuild its key). */
  dropEnvelope(tenderId: string, envelope: string, bidEnvelopeId: string): void;
  /** Forgets a whole stage (after its opening). */
  drop(tenderId: string, envelope: string): void;
  /** Number of stages held (tests: the pool is empty after a restart or an opening). */
  size(): number;
};

export function createSharePool(clock: Clock, ttlMs = DEFAULT_SHARE_TTL_MS): SharePool {
  const stages = new Map<string, StagePool>();
  const locks = new Map<string, Promise<unknown>>();
  const key = (tenderId: string, envelope: string) => `${tenderId}/${envelope}`;

  function live(tenderId: string, envelope: string): StagePool | undefined {
    const k = key(tenderId, envelope);
    const stage = stages.get(k);
    if (!stage) return undefined;
    const now = clock.now().getTime();
    for (const [index, s] of stage.custodians) {
      if (now - s.at >= ttlMs) stage.custodians.delete(index);
    }
    if (stage.custodians.size === 0) {
      stages.delete(k);
      return undefined;
    }
    return stage;
  }

  return {
    async exclusive(tenderId, envelope, fn) {
      const k = key(tenderId, envelope);
      const previous = locks.get(k) ?? Promise.resolve();
      const run = previous.then(fn, fn);
      const settled = run.catch(() => undefined);
      locks.set(k, settled);
      try {
        return await run;
      } finally {
        if (locks.get(k) === settled) locks.delete(k);
      }
    },
    submissions(tenderId, envelope) {
      return live(tenderId, envelope)?.custodians ?? new Map();
    },
    add(tenderId, envelope, index, userId, shares) {
      const k = key(tenderId, envelope);
      const stage = live(tenderId, envelope) ?? { custodians: new Map() };
      stages.set(k, stage);
      const existing = stage.custodians.get(index);
      const merged = new Map(existing?.shares ?? []);
      for (const [bidEnvelopeId, share] of shares) merged.set(bidEnvelopeId, share);
      stage.custodians.set(index, { userId, at: clock.now().getTime(), shares: merged });
    },
    sharesFor(tenderId, envelope, bidEnvelopeId) {
      const out = new Map<number, SharePayload>();
      for (const [index, s] of live(tenderId, envelope)?.custodians ?? []) {
        const share = s.shares.get(bidEnvelopeId);
        if (share) out.set(index, share);
      }
      return out;
    },
    dropEnvelope(tenderId, envelope, bidEnvelopeId) {
      for (const s of live(tenderId, envelope)?.custodians.values() ?? []) s.shares.delete(bidEnvelopeId);
    },
    drop(tenderId, envelope) {
      stages.delete(key(tenderId, envelope));
    },
    size() {
      return stages.size;
    },
  };
}

/**
 * The one pool of an app instance, shared by the opening's API routes and its pages (which show
 * how many custodians have submitted). Keyed by the app object: a restarted app gets an empty pool.
 */
const pools = new WeakMap<object, SharePool>();
export function sharePoolOf(app: object, clock: Clock): SharePool {
  let pool = pools.get(app);
  if (!pool) {
    pool = createSharePool(clock);
    pools.set(app, pool);
  }
  return pool;
}
