import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import type { Actor } from '../../platform/context.js';
import { DomainError } from '../../platform/errors.js';
import { Body, errors } from '../../platform/http/schemas.js';
import {
  AbnormalRuleSchema,
  AbnormalSettingsSchema,
  FormulaSpecSchema,
} from '../tenders/criterion-formula.schema.js';
import { presumedAbnormal } from './abnormal.rules.js';
import type { AbnormalResult, AbnormalRule, AbnormalSettings } from './abnormal.types.js';
import { scoreOffers } from './formula.rules.js';
import type { FormulaSpec, ScoringResult } from './formula.types.js';

/**
 * The scoring simulator (issue 5, procurement-rules.md §5 "Offer a scoring simulator for pliego
 * authors"): an officer drafting a notice tries a formula on sample offers and sees the points
 * each gets, with O_min and B_max, and which offers the abnormal-offer rule would presume
 * abnormally low. Pure computation on what is posted: nothing is read or written, so no audit.
 */

/** Most sample offers a simulation takes: the size of the largest tender the benchmark covers. */
export const MAX_SAMPLE_OFFERS = 200;

export type SimulationInput = {
  spec: FormulaSpec;
  maxPoints: string;
  budget?: string | undefined;
  offers: { id: string; amount: string; groupId?: string | null | undefined }[];
  abnormal?: AbnormalRule | undefined;
  abnormalSettings?: Partial<AbnormalSettings> | undefined;
};

export type SimulationResult = ScoringResult & {
  /** The abnormal-offer screening of the same offers (price formulas only: it compares prices). */
  abnormal: AbnormalResult | null;
};

/**
 * Staff of an authority only (any role): the simulator is a drafting tool, and companies must
 * not rehearse formulas against the staff's figures. Signed out: UNAUTHENTICATED.
 */
export function requireStaff(actor: Actor): void {
  if (actor.kind !== 'user') throw new DomainError('UNAUTHENTICATED', 'Sign in first');
  const staff = [...actor.authorityRoles.values()].some((roles) => roles.length > 0);
  if (!staff) throw new DomainError('FORBIDDEN', 'Only an authority’s staff may use the simulator');
}

/**
 * Scores the sample offers (formula.rules.ts scoreOffers) and, for a price formula, screens them
 * for abnormally low offers (abnormal.rules.ts; RGLCAP art. 85 unless a rule is given). Throws
 * DomainError UNPROCESSABLE with `details.problems` (the validators' codes) on invalid input.
 */
export function simulateFormula(actor: Actor, input: SimulationInput): SimulationResult {
  requireStaff(actor);
  if (input.offers.length > MAX_SAMPLE_OFFERS) {
    throw new DomainError('UNPROCESSABLE', 'Too many sample offers', {
      problems: [{ code: 'TOO_MANY_OFFERS', path: 'offers' }],
    });
  }
  const offers = input.offers.map((o) => ({ id: o.id, amount: o.amount }));
  const scoring = scoreOffers(input.spec, {
    maxPoints: input.maxPoints,
    ...(input.budget !== undefined ? { budget: input.budget } : {}),
    offers,
  });
  const abnormal =
    input.spec.kind === 'price' && input.budget !== undefined && offers.length > 0
      ? presumedAbnormal({
          budget: input.budget,
          offers: input.offers.map((o) => ({ id: o.id, amount: o.amount, groupId: o.groupId ?? null })),
          rule: input.abnormal ?? 'rglcap85',
          ...(input.abnormalSettings ? { settings: input.abnormalSettings } : {}),
        })
      : null;
  return { ...scoring, abnormal };
}

const Dec = Type.String({ minLength: 1, maxLength: 40 });

const SimulationBody = Body({
  spec: FormulaSpecSchema,
  maxPoints: Dec,
  budget: Type.Optional(Dec),
  offers: Type.Array(
    Type.Object(
      {
        id: Type.String({ minLength: 1, maxLength: 60 }),
        amount: Dec,
        groupId: Type.Optional(Type.Union([Type.String({ maxLength: 60 }), Type.Null()])),
      },
      { additionalProperties: false },
    ),
    { maxItems: MAX_SAMPLE_OFFERS },
  ),
  abnormal: Type.Optional(AbnormalRuleSchema),
  abnormalSettings: Type.Optional(AbnormalSettingsSchema),
});

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const SimulationSchema = Type.Object({
  scores: Type.Array(Type.Object({ id: Type.String(), points: Type.String(), exact: Type.String() })),
  reference: Type.Object({
    lowest: Nullable(Type.String()),
    highest: Nullable(Type.String()),
    maxDiscount: Nullable(Type.String()),
    divisorZero: Type.Boolean(),
  }),
  /** The AbnormalResult of abnormal.types.ts, or null for scales. */
  abnormal: Type.Unknown(),
});

export const formulaSimulatorRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    r.post(
      '/formulas/simulate',
      {
        schema: {
          tags: ['Evaluation'],
          summary:
            'Try a formula on sample offers while drafting: the points of each, O_min and B_max, and the abnormal-offer screening (authority staff)',
          body: SimulationBody,
          response: { 200: SimulationSchema, ...errors(400, 401, 403, 422) },
        },
      },
      async (request) => simulateFormula(app.serviceContext(request).actor, request.body),
    );
  };
