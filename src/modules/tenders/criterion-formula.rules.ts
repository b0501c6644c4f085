import { DEFAULT_ABNORMAL_SETTINGS, presumedAbnormal } from '../evaluation/abnormal.rules.js';
import type { AbnormalRule, AbnormalSettings } from '../evaluation/abnormal.types.js';
import { DomainError } from '../../platform/errors.js';
import type { CriterionKind } from './tender.types.js';

/**
 * What the tenders module needs to know about a lot's formulas and abnormal-offer parameters
 * beyond the pure evaluation rules: which rule the notice states by default, and whether the
 * declared parameters are valid. Pure.
 */

/**
 * A lot whose only criterion is the price (art. 149.2.a LCSP): without parameters in the pliego,
 * RGLCAP art. 85 applies. Cost criteria (life-cycle cost, art. 148) are not "the price".
 */
export function isPriceOnly(criteria: readonly { kind: CriterionKind | string }[]): boolean {
  return criteria.length > 0 && criteria.every((c) => c.kind === 'price');
}

/**
 * The problems of a lot's abnormal-offer rule and settings as stored (any JSON), as the pure rule
 * reports them (RULE_INVALID, SETTINGS_INVALID with their paths); empty when valid. The pure rule
 * validates while computing, so it runs here on no offers.
 */
export function abnormalProblems(rule: unknown, settings: unknown): { code: string; path: string }[] {
  const settingsShapeOk =
    settings === undefined || (typeof settings === 'object' && settings !== null && !Array.isArray(settings));
  if (!settingsShapeOk) return [{ code: 'SETTINGS_INVALID', path: 'settings' }];
  try {
    presumedAbnormal({
      budget: '1',
      offers: [],
      rule: rule as AbnormalRule,
      ...(settings === undefined ? {} : { settings: settings as Partial<AbnormalSettings> }),
    });
    return [];
  } catch (err) {
    const details =
      err instanceof DomainError ? (err.details as { problems?: unknown } | undefined) : undefined;
    if (Array.isArray(details?.problems)) return details.problems as { code: string; path: string }[];
    throw err;
  }
}

/**
 * The abnormal-offer parameters a lot's notice states: those declared, or RGLCAP art. 85 for a
 * price-only lot that declares none (art. 149.2.a), always with every reading of §6 written out
 * (the defaults of abnormal.rules.ts for the ones not declared), so that bidders read which
 * reading applies and the evaluation reads it from the notice. A lot with several criteria and
 * no parameters states none (the checks block its publication, art. 149.2.b).
 */
export function noticeAbnormal(lot: {
  abnormal: unknown;
  abnormalSettings: unknown;
  criteria: readonly { kind: string }[];
}): { abnormal: unknown; abnormalSettings: unknown } {
  const declared = lot.abnormal ?? null;
  const settings = lot.abnormalSettings;
  // Readings of art. 85's open points declared without a rule adopt art. 85 (the checks read them
  // so too, tender.checks.ts abnormalFindings): the notice must then state it, not drop them.
  const rule = declared ?? (isPriceOnly(lot.criteria) || (settings ?? null) !== null ? 'rglcap85' : null);
  if (rule === null) return { abnormal: null, abnormalSettings: null };
  const partial =
    typeof settings === 'object' && settings !== null && !Array.isArray(settings) ? settings : {};
  return { abnormal: rule, abnormalSettings: { ...DEFAULT_ABNORMAL_SETTINGS, ...partial } };
}
