import type { UserActor } from '../../platform/context.js';

/**
 * A short-lived in-process cache of resolved sessions, so an authenticated read does not pay
 * three queries for the actor. Changes made through this process invalidate it at once; in a
 * multi-instance deployment another instance sees a revocation within TTL_MS at most.
 */
const TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

type Entry = { actor: UserActor; until: number };

class SessionCache {
  readonly #entries = new Map<string, Entry>();

  get(key: string, now: Date): UserActor | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (e.until <= now.getTime()) {
      this.#entries.delete(key);
      return undefined;
    }
    return e.actor;
  }

  set(key: string, actor: UserActor, expiresAt: Date, now: Date): void {
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(key, { actor, until: Math.min(now.getTime() + TTL_MS, expiresAt.getTime()) });
  }

  /** Drops every cached session of a user (sign-out, role or password change). */
  invalidateUser(userId: string): void {
    for (const [k, e] of this.#entries) if (e.actor.userId === userId) this.#entries.delete(k);
  }
}

export const sessionCache = new SessionCache();
