import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

type Q = Db | Tx;

/** Labels of the given codes (8 digits) in one language; codes not in the loaded vocabulary are absent. */
export async function cpvLabelRows(
  db: Q,
  codes: readonly string[],
  locale: 'ca' | 'es' | 'en',
): Promise<{ code: string; label: string }[]> {
  if (codes.length === 0) return [];
  const col = `label_${locale}` as const;
  const rows = await db
    .selectFrom('cpv_code')
    .select(['code', col])
    .where('code', 'in', [...codes])
    .execute();
  return rows.map((r) => ({ code: r.code, label: r[col] }));
}
