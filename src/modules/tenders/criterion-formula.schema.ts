import { Type } from '@sinclair/typebox';
import type { AbnormalRule, AbnormalSettings } from '../evaluation/abnormal.types.js';
import type { FormulaSpec } from '../evaluation/formula.types.js';

/**
 * The JSON shapes of a formula spec and of the abnormal-offer parameters, for route schemas (the
 * tender input and the scoring simulator). Strict on shape: unknown fields are refused, so a typo
 * cannot publish a parameter nobody computes with. The values themselves (ranges, order of
 * breakpoints, the parameters each formula takes) are judged by the pure validators
 * (formula.rules.ts validateFormula, abnormal.rules.ts), which give the stable problem codes.
 */

/** A decimal string as the pure rules read it (platform/money.ts parseDecimal), or a near miss they report. */
const Dec = Type.String({ minLength: 1, maxLength: 40 });
const strict = { additionalProperties: false } as const;
const literals = <const T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

/** Most breakpoints or steps a formula may have: more than any notice writes, few enough to read. */
export const MAX_FORMULA_STEPS = 20;

const PriceSpec = Type.Object(
  {
    kind: Type.Literal('price'),
    formula: literals(['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7']),
    params: Type.Object(
      {
        minPoints: Type.Optional(Dec),
        significantDiscount: Type.Optional(Dec),
        satiety: Type.Optional(Dec),
        rootIndex: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
        axis: Type.Optional(literals(['discount', 'relative_discount'])),
        breakpoints: Type.Optional(
          Type.Array(Type.Object({ at: Dec, share: Dec }, strict), { maxItems: MAX_FORMULA_STEPS }),
        ),
      },
      strict,
    ),
    decimals: Type.Integer({ minimum: 0, maximum: 20 }),
    zeroDivisor: literals(['all_zero', 'all_max']),
  },
  strict,
);

const ScaleSpec = Type.Object(
  {
    kind: Type.Literal('scale'),
    scale: literals(['linear', 'proportional', 'threshold']),
    direction: literals(['higher_better', 'lower_better']),
    params: Type.Object(
      {
        worst: Type.Optional(Dec),
        best: Type.Optional(Dec),
        cap: Type.Optional(Dec),
        steps: Type.Optional(
          Type.Array(Type.Object({ value: Dec, share: Dec }, strict), { maxItems: MAX_FORMULA_STEPS }),
        ),
      },
      strict,
    ),
    decimals: Type.Integer({ minimum: 0, maximum: 20 }),
    zeroDivisor: Type.Optional(literals(['all_zero', 'all_max'])),
  },
  strict,
);

/** A FormulaSpec (evaluation/formula.types.ts) as JSON. */
export const FormulaSpecSchema = Type.Unsafe<FormulaSpec>(Type.Union([PriceSpec, ScaleSpec]));

/** An AbnormalRule (evaluation/abnormal.types.ts): 'rglcap85' or the notice's own tests. */
export const AbnormalRuleSchema = Type.Unsafe<AbnormalRule>(
  Type.Union([
    Type.Literal('rglcap85'),
    Type.Object(
      {
        kind: Type.Literal('notice'),
        tests: Type.Array(
          Type.Object({ kind: literals(['percent_below_mean', 'percent_below_budget']), units: Dec }, strict),
          { minItems: 1, maxItems: 4 },
        ),
        combine: Type.Optional(literals(['any', 'all'])),
      },
      strict,
    ),
  ]),
);

/** AbnormalSettings, each reading optional (the defaults of abnormal.rules.ts for the rest). */
export const AbnormalSettingsSchema = Type.Unsafe<Partial<AbnormalSettings>>(
  Type.Object(
    {
      comparison: Type.Optional(literals(['strict', 'inclusive'])),
      units: Type.Optional(literals(['percent_of_base', 'points_of_budget'])),
      threeBidders: Type.Optional(literals(['mean_of_remaining', 'two_bidder_rule'])),
    },
    strict,
  ),
);
