import type { FastifyInstance } from 'fastify';
import type { App } from '../../app.js';
import { type Html, html } from '../../platform/http/html.js';
import { parseDecimal } from '../../platform/money.js';
import { requireSignedIn } from '../portal/account.pages.js';
import {
  ABNORMAL_CHOICES,
  abnormalFromFields,
  emptyAbnormalFields,
  emptyFormulaFields,
  FORMULA_CHOICES,
  type FormulaFields,
  fieldOfProblem,
  specFromFields,
} from '../portal/backoffice-formula.js';
import {
  formulaChoiceLabel,
  formulaWords,
  officeNav,
  optionLabel,
  selectField,
  textArea,
  textField,
} from '../portal/backoffice-view.js';
import {
  csrfField,
  errorSummary,
  type FieldError,
  layout,
  type PageContext,
  sendPage,
} from '../portal/layout.js';
import { formFields, isDomainError, pageContext } from '../portal/portal.context.js';
import type { AbnormalFields } from '../portal/backoffice-formula.js';
import {
  MAX_SAMPLE_OFFERS,
  requireStaff,
  type SimulationResult,
  simulateFormula,
} from './formula-simulator.routes.js';

/**
 * The scoring simulator page (/office/formula-simulator): a plain form (no JavaScript) with the
 * formula fields of the tender form, the points, the budget and sample offers one per line; the
 * answer is a table of points and of the abnormal-offer screening, computed by the same pure
 * rules as the evaluation (formula-simulator.routes.ts simulateFormula).
 */

type SimForm = {
  formula: FormulaFields;
  maxPoints: string;
  budget: string;
  offers: string;
  abnormal: AbnormalFields;
};

const emptySimForm = (): SimForm => ({
  formula: { ...emptyFormulaFields(), formula: 'F1' },
  maxPoints: '35',
  budget: '100000',
  offers: '80000\n90000\n95000',
  abnormal: emptyAbnormalFields(),
});

/** Messages of the simulator's problems (validators' codes grouped as the form groups them). */
const PROBLEM_KEYS: Record<string, string> = {
  choice: 'backoffice.problem.choice',
  integer: 'backoffice.problem.integer',
  percent: 'backoffice.problem.percent',
  required: 'backoffice.problem.required',
  formulaParams: 'backoffice.problem.formulaParams',
  PARAM_MISSING: 'backoffice.problem.formulaParamMissing',
  PARAMS_INVALID: 'backoffice.problem.formulaParamUnknown',
  BREAKPOINTS_INVALID: 'backoffice.problem.formulaSteps',
  BREAKPOINTS_NEVER_REACH_MAX: 'backoffice.problem.formulaSteps',
  DECIMALS_INVALID: 'backoffice.problem.formulaDecimals',
  MAX_POINTS_INVALID: 'backoffice.simulator.maxPointsInvalid',
  BUDGET_INVALID: 'backoffice.simulator.budgetInvalid',
  OFFER_AMOUNT_INVALID: 'backoffice.simulator.offersInvalid',
  tooMany: 'backoffice.simulator.tooManyOffers',
};
const problemText = (t: PageContext['t'], code: string) =>
  t(PROBLEM_KEYS[code] ?? 'backoffice.problem.formulaParamRange');

/** One sample offer per line: an amount, optionally followed by a corporate group after a space. */
function offersOf(
  text: string,
): { id: string; amount: string; groupId: string | null }[] | 'tooMany' | 'invalid' {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length > MAX_SAMPLE_OFFERS) return 'tooMany';
  const out: { id: string; amount: string; groupId: string | null }[] = [];
  for (const [i, line] of lines.entries()) {
    const [amount, group, ...rest] = line.split(/\s+/);
    const a = amount?.replace(',', '.') ?? '';
    if (!parseDecimal(a) || rest.length > 0 || (group !== undefined && group.length > 60)) return 'invalid';
    out.push({ id: String(i + 1), amount: a, groupId: group ?? null });
  }
  return out;
}

function simForm(
  pc: PageContext,
  f: SimForm,
  errors: FieldError[],
  result: SimulationResult | null,
  sent: { id: string; amount: string; groupId: string | null }[],
): Html {
  const t = pc.t;
  const spec = specFromFields(f.formula);
  const words = 'spec' in spec && spec.spec ? formulaWords(t, spec.spec, f.maxPoints || '?') : '';
  const opts = (list: readonly string[], blank: string): [string, string][] =>
    list.map((k): [string, string] => [k, k === '' ? blank : optionLabel(t, k)]);
  const abnormalById = new Map((result?.abnormal?.offers ?? []).map((o) => [o.id, o]));
  const table = result
    ? html`<section aria-labelledby="sim-results-h"><h2 id="sim-results-h">${t('backoffice.simulator.results')}</h2>
      ${words ? html`<p class="formula-words">${words}</p>` : ''}
      <dl class="facts" id="sim-reference">
        <dt>${t('backoffice.simulator.lowest')}</dt><dd>${result.reference.lowest ?? '—'}</dd>
        <dt>${t('backoffice.simulator.highest')}</dt><dd>${result.reference.highest ?? '—'}</dd>
        <dt>${t('backoffice.simulator.maxDiscount')}</dt><dd>${result.reference.maxDiscount ?? '—'}</dd>
        <dt>${t('backoffice.simulator.divisorZero')}</dt><dd>${result.reference.divisorZero ? t('backoffice.simulator.yes') : t('backoffice.simulator.no')}</dd>
        ${result.abnormal ? html`<dt>${t('backoffice.simulator.abnormalMean')}</dt><dd>${result.abnormal.mean ?? '—'}</dd>` : ''}
      </dl>
      <table id="sim-scores"><caption>${t('backoffice.simulator.caption', { count: result.scores.length })}</caption>
        <thead><tr><th scope="col">${t('backoffice.simulator.offer')}</th><th scope="col">${t('backoffice.simulator.amount')}</th><th scope="col">${t('backoffice.simulator.points')}</th><th scope="col">${t('backoffice.simulator.exact')}</th>${result.abnormal ? html`<th scope="col">${t('backoffice.simulator.abnormal')}</th>` : ''}</tr></thead>
        <tbody>${result.scores.map((s, i) => {
          const a = abnormalById.get(s.id);
          return html`<tr><td>${s.id}</td><td>${sent[i]?.amount ?? ''}${sent[i]?.groupId ? html` (${sent[i]?.groupId})` : ''}</td><td>${s.points}</td><td><code>${s.exact}</code></td>${
            result.abnormal
              ? html`<td>${a?.abnormal ? t('backoffice.simulator.yes') : a && !a.counted ? t('backoffice.simulator.notCounted') : t('backoffice.simulator.no')}</td>`
              : ''
          }</tr>`;
        })}</tbody>
      </table></section>`
    : '';
  return html`${officeNav(pc, '/office/formula-simulator')}
    <h1>${t('backoffice.simulator.title')}</h1>
    <p>${t('backoffice.simulator.intro')}</p>
    ${errorSummary(pc, errors)}
    <form method="post" action="/office/formula-simulator" novalidate>
      ${csrfField(pc)}
      ${selectField({ name: 'formula', label: t('backoffice.form.formula'), value: f.formula.formula, errors, hint: t('backoffice.form.formulaHint'), options: FORMULA_CHOICES.map((k): [string, string] => [k, formulaChoiceLabel(t, k)]) })}
      ${selectField({ name: 'direction', label: t('backoffice.form.direction'), value: f.formula.direction, errors, hint: t('backoffice.form.directionHint'), options: opts(['higher_better', 'lower_better'], '') })}
      ${textField({ name: 'formulaParams', label: t('backoffice.form.formulaParams'), value: f.formula.params, errors, hint: t('backoffice.form.formulaParamsHint') })}
      ${textField({ name: 'decimals', label: t('backoffice.form.decimals'), value: f.formula.decimals, errors, inputmode: 'numeric' })}
      ${selectField({ name: 'zeroDivisor', label: t('backoffice.form.zeroDivisor'), value: f.formula.zeroDivisor, errors, hint: t('backoffice.form.zeroDivisorHint'), options: opts(['all_zero', 'all_max'], '') })}
      ${textField({ name: 'maxPoints', label: t('backoffice.simulator.maxPoints'), value: f.maxPoints, errors, inputmode: 'decimal', required: true })}
      ${textField({ name: 'budget', label: t('backoffice.simulator.budget'), value: f.budget, errors, inputmode: 'decimal', hint: t('backoffice.simulator.budgetHint') })}
      ${textArea({ name: 'offers', label: t('backoffice.simulator.offers'), value: f.offers, errors, rows: 8, hint: t('backoffice.simulator.offersHint', { max: MAX_SAMPLE_OFFERS }) })}
      <fieldset class="abnormal"><legend>${t('backoffice.form.abnormalLegend')}</legend>
        ${selectField({ name: 'abnormal', label: t('backoffice.form.abnormal'), value: f.abnormal.rule, errors, options: opts(ABNORMAL_CHOICES, t('backoffice.simulator.abnormalDefault')) })}
        ${textField({ name: 'abnormalBelowMean', label: t('backoffice.form.abnormalBelowMean'), value: f.abnormal.belowMean, errors, inputmode: 'decimal', hint: t('backoffice.form.abnormalUnitsHint') })}
        ${textField({ name: 'abnormalBelowBudget', label: t('backoffice.form.abnormalBelowBudget'), value: f.abnormal.belowBudget, errors, inputmode: 'decimal' })}
        ${selectField({ name: 'abnormalCombine', label: t('backoffice.form.abnormalCombine'), value: f.abnormal.combine, errors, options: opts(['any', 'all'], '') })}
      </fieldset>
      <p><button type="submit" id="simulate">${t('backoffice.simulator.submit')}</button></p>
    </form>
    ${table}`;
}

export function formulaSimulatorPages(app: App) {
  return async (r: FastifyInstance) => {
    r.get('/office/formula-simulator', async (request, reply) => {
      if (!requireSignedIn(request, reply)) return reply;
      requireStaff(request.actor);
      const pc = await pageContext(app, request, reply);
      return sendPage(
        reply,
        layout(pc, pc.t('backoffice.simulator.title'), simForm(pc, emptySimForm(), [], null, [])),
      );
    });

    r.post('/office/formula-simulator', async (request, reply) => {
      if (!requireSignedIn(request, reply)) return reply;
      requireStaff(request.actor);
      const body = formFields(request);
      const pc = await pageContext(app, request, reply);
      const t = pc.t;
      const f: SimForm = {
        formula: {
          formula: body.get('formula'),
          direction: body.get('direction'),
          decimals: body.get('decimals'),
          zeroDivisor: body.get('zeroDivisor'),
          params: body.get('formulaParams'),
        },
        maxPoints: body.get('maxPoints').replace(',', '.'),
        budget: body.get('budget').replace(',', '.'),
        offers: body.get('offers'),
        abnormal: {
          ...emptyAbnormalFields(),
          rule: body.get('abnormal'),
          belowMean: body.get('abnormalBelowMean'),
          belowBudget: body.get('abnormalBelowBudget'),
          combine: body.get('abnormalCombine') || 'any',
        },
      };
      const page = (
        errors: FieldError[],
        result: SimulationResult | null,
        sent: { id: string; amount: string; groupId: string | null }[],
        status: number,
      ) =>
        sendPage(
          reply,
          layout(pc, t('backoffice.simulator.title'), simForm(pc, f, errors, result, sent)),
          status,
        );
      const errors: FieldError[] = [];
      const spec = specFromFields(f.formula);
      if ('field' in spec) {
        errors.push({
          field: spec.field === 'params' ? 'formulaParams' : spec.field,
          message: problemText(t, spec.problem),
        });
      } else if (!spec.spec) errors.push({ field: 'formula', message: problemText(t, 'required') });
      const offers = offersOf(f.offers);
      if (typeof offers === 'string')
        errors.push({
          field: 'offers',
          message: problemText(t, offers === 'tooMany' ? 'tooMany' : 'OFFER_AMOUNT_INVALID'),
        });
      const abnormal = abnormalFromFields(f.abnormal);
      if ('field' in abnormal) {
        const name = `abnormal${abnormal.field === 'rule' ? '' : abnormal.field[0]?.toUpperCase() + abnormal.field.slice(1)}`;
        errors.push({ field: name, message: problemText(t, abnormal.problem) });
      }
      if (
        errors.length > 0 ||
        'field' in spec ||
        !spec.spec ||
        typeof offers === 'string' ||
        'field' in abnormal
      ) {
        return page(errors, null, [], 422);
      }
      try {
        const result = simulateFormula(request.actor, {
          spec: spec.spec,
          maxPoints: f.maxPoints,
          ...(f.budget !== '' ? { budget: f.budget } : {}),
          offers,
          ...(abnormal.rule ? { abnormal: abnormal.rule } : {}),
        });
        return page([], result, offers, 200);
      } catch (err) {
        if (!isDomainError(err) || err.code !== 'UNPROCESSABLE') throw err;
        const problems =
          (err.details as { problems?: { code: string; path: string }[] } | undefined)?.problems ?? [];
        const seen = new Set<string>();
        for (const p of problems) {
          const field =
            p.code === 'MAX_POINTS_INVALID'
              ? 'maxPoints'
              : p.code === 'BUDGET_INVALID'
                ? 'budget'
                : p.path.startsWith('offers')
                  ? 'offers'
                  : (() => {
                      const k = fieldOfProblem(p as Parameters<typeof fieldOfProblem>[0]);
                      return k === 'params' ? 'formulaParams' : k;
                    })();
          if (seen.has(field)) continue;
          seen.add(field);
          errors.push({ field, message: problemText(t, p.code) });
        }
        return page(errors, null, [], 422);
      }
    });
  };
}
