import type { ServiceContext } from '../../platform/context.js';
import { cpvLabelRows } from './cpv.repo.js';
import { parseCpv } from './cpv.rules.js';

/**
 * CPV labels in the given language, keyed by the 8-digit code (the check digit is ignored), for
 * the codes the loaded vocabulary knows. The vocabulary is public (Reg. (EC) 213/2008): no policy.
 */
export async function cpvLabels(
  ctx: ServiceContext,
  codes: readonly string[],
  locale: 'ca' | 'es' | 'en',
): Promise<Map<string, string>> {
  const wanted = [
    ...new Set(codes.map((c) => parseCpv(c)?.code).filter((c): c is string => c !== undefined)),
  ];
  const rows = await cpvLabelRows(ctx.db, wanted, locale);
  return new Map(rows.map((r) => [r.code, r.label]));
}
