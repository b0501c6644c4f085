import { DomainError } from '../../platform/errors.js';
import { Dec, parseDecimal } from '../../platform/money.js';
import type {
  AllocationInput,
  AllocationResult,
  LotAllocation,
  RankedOffer,
  RankingInput,
  RankingOfferInput,
  RankingResult,
  RankDecision,
  TieBreakCriterion,
} from './ranking.types.js';

/**
 * Ranking per lot and allocation of lots under a per-company limit. Pure; decimal arithmetic.
 */

/**
 * The tie-break of art. 147.2 LCSP, for notices that set none [K]: (a) the higher percentage of
 * workers with disabilities or at risk of social exclusion, (b) the lower percentage of temporary
 * contracts, (c) the higher percentage of women in the workforce, then (d) a draw. Art. 147.2.a
 * breaks its own ties by the number of permanent workers with disabilities: pass that as a fourth
 * key if the notice asks for it.
 */
export const ART_147_2_TIE_BREAK: readonly TieBreakCriterion[] = Object.freeze([
  { key: 'disabled_or_exclusion_workers_pct', direction: 'higher_better' },
  { key: 'temporary_contracts_pct', direction: 'lower_better' },
  { key: 'women_pct', direction: 'higher_better' },
]);

type Problem = { code: string; path: string };

function fail(message: string, problems: Problem[]): DomainError {
  return new DomainError('UNPROCESSABLE', message, { problems });
}

const decimalsOf = (s: string) => s.split('.')[1]?.length ?? 0;

/** The sum of points given as decimal strings, written with as many decimals as the most precise term. */
export function sumPoints(terms: readonly string[]): string {
  let sum = new Dec(0);
  let dp = 0;
  for (const t of terms) {
    const d = parseDecimal(t);
    if (!d) throw fail('Points must be decimal strings', [{ code: 'POINTS_INVALID', path: t }]);
    sum = sum.plus(d);
    dp = Math.max(dp, decimalsOf(t));
  }
  return sum.toFixed(dp);
}

type Entry = { offer: RankingOfferInput; index: number; total: Dec; totalText: string; keys: (Dec | null)[] };

/**
 * Orders a group of offers equal so far by the tie-break criteria from `k` on, then by the draw.
 * Returns consecutive blocks: each block is ordered as a unit and carries how it was decided; a
 * block of several offers is a tie nobody resolved.
 */
function resolveTie(
  group: Entry[],
  k: number,
  criteria: readonly TieBreakCriterion[],
  draw: readonly string[] | undefined,
): { entries: Entry[]; decidedBy: RankDecision; key?: string }[] {
  if (group.length === 1) return [{ entries: group, decidedBy: 'score' }];
  if (k >= criteria.length) {
    const ids = group.map((e) => e.offer.id);
    if (draw && ids.every((id) => draw.includes(id))) {
      const ordered = [...group].sort((a, b) => draw.indexOf(a.offer.id) - draw.indexOf(b.offer.id));
      return ordered.map((e) => ({ entries: [e], decidedBy: 'draw' }));
    }
    return [{ entries: group, decidedBy: 'unresolved' }];
  }
  const c = criteria[k]!;
  // Better first; a missing figure is the worst for this criterion.
  const better = (a: Entry, b: Entry): number => {
    const x = a.keys[k] ?? null;
    const y = b.keys[k] ?? null;
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return c.direction === 'higher_better' ? y.comparedTo(x) : x.comparedTo(y);
  };
  const sorted = [...group].sort((a, b) => better(a, b) || a.index - b.index);
  const blocks: { entries: Entry[]; decidedBy: RankDecision; key?: string }[] = [];
  let start = 0;
  for (let i = 1; i <= sorted.length; i += 1) {
    if (i === sorted.length || better(sorted[start]!, sorted[i]!) !== 0) {
      const sub = sorted.slice(start, i);
      if (sub.length === 1) blocks.push({ entries: sub, decidedBy: 'tie_break', key: c.key });
      else blocks.push(...resolveTie(sub, k + 1, criteria, draw));
      start = i;
    }
  }
  return blocks;
}

/**
 * The ranking of a lot's offers by total score (judgement + formula points), best first, with
 * ties resolved by the notice's tie-break list (art. 147.1, or art. 147.2 by default) and then by
 * the recorded draw (art. 147.2.d). Without a draw covering a remaining tie, the result is
 * `needs_draw` with the tied ids, and those offers share a rank.
 */
export function rankOffers(input: RankingInput): RankingResult {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const keys = new Set<string>();
  input.tieBreak.forEach((c, i) => {
    if (
      typeof c.key !== 'string' ||
      c.key === '' ||
      keys.has(c.key) ||
      (c.direction !== 'higher_better' && c.direction !== 'lower_better')
    ) {
      problems.push({ code: 'TIE_BREAK_INVALID', path: `tieBreak[${i}]` });
    }
    keys.add(c.key);
  });
  const entries: Entry[] = [];
  input.offers.forEach((offer, index) => {
    if (typeof offer.id !== 'string' || seen.has(offer.id)) {
      problems.push({ code: 'OFFER_ID_DUPLICATE', path: `offers[${index}].id` });
    }
    seen.add(offer.id);
    const j = parseDecimal(offer.judgementPoints);
    const f = parseDecimal(offer.formulaPoints);
    if (!j || !f || j.isNegative() || f.isNegative()) {
      problems.push({ code: 'POINTS_INVALID', path: `offers[${index}]` });
      return;
    }
    const tie = input.tieBreak.map((c) => {
      const raw = offer.tieBreak?.[c.key];
      if (raw === undefined) return null;
      const d = parseDecimal(raw);
      if (!d) problems.push({ code: 'TIE_BREAK_VALUE_INVALID', path: `offers[${index}].tieBreak.${c.key}` });
      return d ?? null;
    });
    const totalText = sumPoints([offer.judgementPoints, offer.formulaPoints]);
    entries.push({ offer, index, total: new Dec(totalText), totalText, keys: tie });
  });
  if (input.draw && new Set(input.draw).size !== input.draw.length) {
    problems.push({ code: 'DRAW_INVALID', path: 'draw' });
  }
  if (problems.length > 0) throw fail('The offers to rank are not valid', problems);

  const byTotal = [...entries].sort((a, b) => b.total.comparedTo(a.total) || a.index - b.index);
  const ranking: RankedOffer[] = [];
  const ties: string[][] = [];
  let i = 0;
  while (i < byTotal.length) {
    let j = i + 1;
    while (j < byTotal.length && byTotal[j]!.total.eq(byTotal[i]!.total)) j += 1;
    for (const block of resolveTie(byTotal.slice(i, j), 0, input.tieBreak, input.draw)) {
      const rank = ranking.length + 1;
      if (block.decidedBy === 'unresolved') ties.push(block.entries.map((e) => e.offer.id));
      for (const e of block.entries) {
        const r: RankedOffer = { id: e.offer.id, rank, total: e.totalText, decidedBy: block.decidedBy };
        if (block.key !== undefined) r.tieBreakKey = block.key;
        ranking.push(r);
      }
    }
    i = j;
  }
  return { status: ties.length > 0 ? 'needs_draw' : 'ranked', ranking, ties };
}

/**
 * Awards each lot to the best-ranked company that has not reached the per-company limit
 * (art. 99.4 LCSP), fixing lots one at a time in the order the notice's allocation rule gives;
 * the lots a company cannot keep go to the next company in each lot's ranking. Deterministic.
 *
 * `company_choice`: when a company is first available in more lots than it may still take and
 * stated no preference, the result is `needs_choice` (ask it, then call again with `choices`).
 * Lots missing from a company's stated preferences come after the listed ones, in notice order.
 */
export function allocateLots(input: AllocationInput): AllocationResult {
  const problems: Problem[] = [];
  const limit = input.maxLotsPerCompany;
  if (limit !== null && (!Number.isInteger(limit) || limit < 1)) {
    problems.push({ code: 'LIMIT_INVALID', path: 'maxLotsPerCompany' });
  }
  if (!['lot_order', 'value_desc', 'best_relative_score', 'company_choice'].includes(input.rule)) {
    problems.push({ code: 'RULE_INVALID', path: 'rule' });
  }
  const lotIds = new Set<string>();
  const values: Dec[] = [];
  const relative: (Dec | null)[][] = [];
  input.lots.forEach((lot, li) => {
    if (lotIds.has(lot.lotId)) problems.push({ code: 'LOT_ID_DUPLICATE', path: `lots[${li}].lotId` });
    lotIds.add(lot.lotId);
    const v = parseDecimal(lot.value);
    if (!v || v.isNegative()) problems.push({ code: 'LOT_VALUE_INVALID', path: `lots[${li}].value` });
    values.push(v ?? new Dec(0));
    const companies = new Set<string>();
    const max = lot.maxPoints === undefined ? undefined : parseDecimal(lot.maxPoints);
    relative.push(
      lot.ranking.map((r, ri) => {
        if (companies.has(r.companyId)) {
          problems.push({ code: 'COMPANY_DUPLICATE', path: `lots[${li}].ranking[${ri}]` });
        }
        companies.add(r.companyId);
        if (input.rule !== 'best_relative_score') return null;
        const total = r.total === undefined ? undefined : parseDecimal(r.total);
        if (!total || !max?.gt(0)) {
          problems.push({ code: 'SCORE_MISSING', path: `lots[${li}].ranking[${ri}]` });
          return null;
        }
        return total.div(max);
      }),
    );
  });
  if (problems.length > 0) throw fail('The lots to allocate are not valid', problems);

  const taken = new Map<string, number>();
  const room = (c: string) => limit === null || (taken.get(c) ?? 0) < limit;
  const result = new Map<number, LotAllocation>();
  const open = new Set(input.lots.map((_, i) => i));

  while (open.size > 0) {
    // The best-ranked company with room, for every lot still open.
    const candidates: { li: number; pos: number; companyId: string }[] = [];
    for (const li of open) {
      const lot = input.lots[li]!;
      const pos = lot.ranking.findIndex((r) => room(r.companyId));
      if (pos < 0) {
        result.set(li, {
          lotId: lot.lotId,
          companyId: null,
          position: null,
          skipped: lot.ranking.map((r) => r.companyId),
        });
        open.delete(li);
      } else candidates.push({ li, pos, companyId: lot.ranking[pos]!.companyId });
    }
    if (candidates.length === 0) break;

    if (input.rule === 'company_choice' && limit !== null) {
      for (const c of new Set(candidates.map((x) => x.companyId))) {
        const mine = candidates.filter((x) => x.companyId === c);
        const keep = limit - (taken.get(c) ?? 0);
        if (mine.length > keep && input.choices?.[c] === undefined) {
          return {
            status: 'needs_choice',
            companyId: c,
            lotIds: mine.map((x) => input.lots[x.li]!.lotId),
            keep,
          };
        }
      }
    }

    const priority = (x: { li: number; pos: number; companyId: string }): (Dec | number)[] => {
      switch (input.rule) {
        case 'value_desc':
          return [values[x.li]!.negated(), x.li];
        case 'best_relative_score':
          return [relative[x.li]![x.pos]!.negated(), x.li];
        case 'company_choice': {
          const pref = input.choices?.[x.companyId]?.indexOf(input.lots[x.li]!.lotId) ?? -1;
          return [pref < 0 ? Number.MAX_SAFE_INTEGER : pref, x.li];
        }
        default:
          return [x.li];
      }
    };
    const cmp = (a: (Dec | number)[], b: (Dec | number)[]): number => {
      for (let k = 0; k < a.length; k += 1) {
        const x = a[k]!;
        const y = b[k]!;
        const c = typeof x === 'number' && typeof y === 'number' ? x - y : new Dec(x).comparedTo(new Dec(y));
        if (c !== 0) return c;
      }
      return 0;
    };
    const next = candidates.reduce((best, x) => (cmp(priority(x), priority(best)) < 0 ? x : best));
    const lot = input.lots[next.li]!;
    result.set(next.li, {
      lotId: lot.lotId,
      companyId: next.companyId,
      position: next.pos + 1,
      skipped: lot.ranking.slice(0, next.pos).map((r) => r.companyId),
    });
    taken.set(next.companyId, (taken.get(next.companyId) ?? 0) + 1);
    open.delete(next.li);
  }
  return { status: 'allocated', lots: input.lots.map((_, i) => result.get(i)!) };
}
