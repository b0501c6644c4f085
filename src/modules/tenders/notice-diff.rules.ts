/**
 * What a corrigendum changed, field by field, so that readers see the old and the new text side
 * by side instead of re-reading the whole notice (art. 136 LCSP requires the correction to be
 * published; showing exactly what moved is what makes it verifiable). Pure: two frozen notices in,
 * a list of leaf changes out.
 */

export type NoticeChange = {
  /** Dotted path with 1-based positions for lists, e.g. `lots.2.criteria.1.weight`. */
  path: string;
  /** The value before, as text; null when the field did not exist. */
  before: string | null;
  /** The value after, as text; null when the field was removed. */
  after: string | null;
};

/** Fields that differ between any two versions by construction and say nothing to the reader. */
const IGNORED = new Set(['publishedAt']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function leaves(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value === null || value === undefined) {
    if (prefix) out.set(prefix, '');
    return;
  }
  if (Array.isArray(value)) {
    if (value.length === 0 && prefix) out.set(prefix, '');
    value.forEach((v, i) => {
      leaves(v, prefix ? `${prefix}.${i + 1}` : String(i + 1), out);
    });
    return;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, Json>);
    if (entries.length === 0 && prefix) out.set(prefix, '');
    for (const [k, v] of entries) {
      if (!prefix && IGNORED.has(k)) continue;
      leaves(v, prefix ? `${prefix}.${k}` : k, out);
    }
    return;
  }
  out.set(prefix, String(value));
}

/**
 * The leaf-level differences between two notice versions, in path order. Lists are compared by
 * position: lots and criteria carry their number, so a renumbering shows up as the change it is.
 */
export function noticeDiff(before: unknown, after: unknown): NoticeChange[] {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  leaves(before, '', a);
  leaves(after, '', b);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort(comparePaths);
  const changes: NoticeChange[] = [];
  for (const path of paths) {
    const x = a.has(path) ? (a.get(path) as string) : null;
    const y = b.has(path) ? (b.get(path) as string) : null;
    if (x !== y) changes.push({ path, before: x, after: y });
  }
  return changes;
}

/** Orders `lots.10` after `lots.9`: numeric segments compare as numbers. */
function comparePaths(p: string, q: string): number {
  const a = p.split('.');
  const b = q.split('.');
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    const nx = /^\d+$/.test(x) ? Number(x) : Number.NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : Number.NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
