/**
 * The review of offers presumed abnormally low, per tender (issue 5, point 8; art. 149.4–149.7
 * LCSP): per lot the offers the screening of the scoring presumes abnormal, why (the notice's
 * tests or RGLCAP art. 85, with their figures), and the adversarial procedure as forms — ask the
 * bidder to justify within business days (at most 5 in the simplified procedures, art. 159.4.f),
 * record the justification or its absence, the technical report, then accept (monitored during
 * execution, art. 149.7) or reject with grounds (out of the ranking, art. 149.6). Committee
 * members act, the officer and auditors read (evaluation.policy.ts); abnormal-review.service.ts
 * decides every step, the page only pre-checks the form and never writes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { type Html, type HtmlValue, html } from '../../platform/http/html.js';
import { money, when } from '../portal/backoffice-view.js';
import { csrfField, type FieldError, layout, sendPage } from '../portal/layout.js';
import { formFields, pageContext } from '../portal/portal.context.js';
import {
  type AbnormalReviewView,
  listAbnormalOffers,
  reviewAbnormalOffer,
} from './abnormal-review.service.js';
import { JUSTIFICATION_MAX_DAYS, JUSTIFICATION_MAX_DAYS_SIMPLIFIED } from './abnormal-review.rules.js';
import {
  ABNORMAL_REJECTION_GROUNDS,
  type AbnormalRejectionGround,
  type AbnormalReviewEvent,
  type AbnormalReviewStatus,
} from './abnormal-review.types.js';
import type { AbnormalReason, AbnormalTestKind } from './abnormal.types.js';
import {
  committeeSeat,
  fieldKit,
  fieldOf,
  forged,
  groupError,
  guardIds,
  listOrSay,
  REASONS_MAX,
  reasonsOk,
  refusal,
  shownOnPage,
  statusOf,
  versionOf,
  workspaceFrame,
} from './award.pages.js';
import { MIN_REASONS_LENGTH } from './transition.js';

type TenderParams = { Params: { authorityId: string; tenderId: string } };
type ReviewParams = { Params: { authorityId: string; tenderId: string; bidId: string; lot: string } };

const STATUS_KEYS: Record<AbnormalReviewStatus, string> = {
  presumed: 'award.abnormal.status.presumed',
  justification_requested: 'award.abnormal.status.justification_requested',
  justification_received: 'award.abnormal.status.justification_received',
  justification_missing: 'award.abnormal.status.justification_missing',
  technical_report: 'award.abnormal.status.technical_report',
  accepted: 'award.abnormal.status.accepted',
  rejected: 'award.abnormal.status.rejected',
};

const GROUND_KEYS: Record<AbnormalRejectionGround, string> = {
  incomplete: 'award.abnormal.ground.incomplete',
  inadequate_assumptions: 'award.abnormal.ground.inadequate_assumptions',
  breaches_environmental_social_labour: 'award.abnormal.ground.breaches_environmental_social_labour',
  subcontracting: 'award.abnormal.ground.subcontracting',
};

const REASON_KEYS: Record<AbnormalReason, string> = {
  not_abnormal: 'award.abnormal.why.not_abnormal',
  not_counted_group: 'award.abnormal.why.not_counted_group',
  below_budget: 'award.abnormal.why.below_budget',
  below_other_offer: 'award.abnormal.why.below_other_offer',
  below_mean: 'award.abnormal.why.below_mean',
};

/** What each check compared the offer with (abnormal.types.ts AbnormalCheck). */
const TEST_KEYS: Record<AbnormalTestKind, string> = {
  below_budget: 'award.abnormal.test.below_budget',
  below_other_offer: 'award.abnormal.test.below_other_offer',
  below_mean: 'award.abnormal.test.below_mean',
};

const CONCLUSION_KEYS = {
  accept: 'award.abnormal.conclusion.accept',
  reject: 'award.abnormal.conclusion.reject',
} as const;

const EVENT_KEYS: Record<AbnormalReviewEvent['type'], string> = {
  request_justification: 'award.abnormal.step.request_justification',
  receive_justification: 'award.abnormal.step.receive_justification',
  record_missing: 'award.abnormal.step.record_missing',
  record_technical_report: 'award.abnormal.step.record_technical_report',
  accept: 'award.abnormal.step.accept',
  reject: 'award.abnormal.step.reject',
};
const EVENTS = Object.keys(EVENT_KEYS) as AbnormalReviewEvent['type'][];

/** What the user typed in a review form, shown again with its errors. */
type ReviewForm = {
  key: string;
  event: string;
  days: string;
  conclusion: string;
  summary: string;
  reasons: string;
  grounds: string[];
};

export function abnormalReviewPages(app: App, r: FastifyInstance): void {
  const render = async (
    request: FastifyRequest<TenderParams>,
    reply: FastifyReply,
    opts: { errors?: FieldError[]; form?: ReviewForm; status?: number } = {},
  ) => {
    const errors = opts.errors ?? [];
    const { authorityId, tenderId } = request.params;
    const { ctx, view, pc, t, head, b } = await workspaceFrame(
      app,
      request,
      reply,
      'abnormal-offers',
      errors,
    );
    const title = t('award.abnormal.pageTitle', { reference: view.reference });
    const loaded = await listOrSay(reply, { pc, title, head, status: opts.status }, () =>
      listAbnormalOffers(ctx, authorityId, tenderId),
    );
    if ('sent' in loaded) return loaded.sent;
    const list = loaded.list;
    const canAct = await committeeSeat(ctx, pc, authorityId, tenderId);
    const kit = fieldKit(errors);
    const now = ctx.clock.now();

    const why = (o: AbnormalReviewView): Html => html`${t(REASON_KEYS[o.reason])}
      ${
        o.checks.length
          ? html`<ul class="plain">${o.checks.map(
              (c) =>
                html`<li>${t(TEST_KEYS[c.test])}: ${t('award.abnormal.check', { base: money(pc, c.base), threshold: money(pc, c.threshold) })}${c.triggered ? html` — <strong>${t('award.abnormal.triggered')}</strong>` : ''}</li>`,
            )}</ul>`
          : ''
      }`;

    const record = (o: AbnormalReviewView): HtmlValue[] => {
      const out: HtmlValue[] = [];
      if (o.deadline) {
        out.push(html`<p>${t('award.abnormal.deadline', { date: when(pc, o.deadline) })}</p>`);
      }
      if (o.receivedAt)
        out.push(html`<p>${t('award.abnormal.received', { date: when(pc, o.receivedAt) })}</p>`);
      if (o.report) {
        out.push(
          html`<p>${t('award.abnormal.report', { conclusion: t(CONCLUSION_KEYS[o.report.conclusion]) })}: ${o.report.summary}</p>`,
        );
      }
      if (o.decision) {
        out.push(
          html`<p>${o.decision.outcome === 'rejected' ? html`${o.decision.grounds.map((g) => t(GROUND_KEYS[g])).join('; ')}: ` : ''}${o.decision.reasons}</p>`,
        );
      }
      if (o.monitoring) out.push(html`<p><strong>${t('award.abnormal.monitoring')}</strong></p>`);
      return out.length ? out : ['—'];
    };

    const forms = (o: AbnormalReviewView): HtmlValue => {
      if (o.status === 'accepted' || o.status === 'rejected') return '';
      const key = `${o.bidId}-${o.lot}`;
      const action = `${b}/abnormal-offers/${o.bidId}/${o.lot}`;
      const mine = opts.form?.key === key ? opts.form : undefined;
      const typed = (event: string) => (mine?.event === event ? mine : undefined);
      const form = (event: AbnormalReviewEvent['type'], fields: HtmlValue = '', secondary = false) =>
        html`<form method="post" action="${action}" id="form-${event}-${key}" class="${fields ? '' : 'inline-form'}" novalidate>
          ${csrfField(pc)}<input type="hidden" name="version" value="${o.version}"><input type="hidden" name="event" value="${event}">
          ${fields}
          <button type="submit" id="${event}-${key}" ${secondary ? html`class="secondary"` : ''}>${t(EVENT_KEYS[event])}</button>
        </form>`;
      const reasons = (event: 'accept' | 'reject', label: string) =>
        kit.field({
          id: `${event}-${key}-reasons`,
          name: 'reasons',
          label,
          hint: t('award.reasonsHint', { min: MIN_REASONS_LENGTH }),
          control: (a) => html`<textarea ${a} rows="3">${typed(event)?.reasons ?? ''}</textarea>`,
        });
      const out: HtmlValue[] = [];
      switch (o.status) {
        case 'presumed': {
          const max = o.simplified ? JUSTIFICATION_MAX_DAYS_SIMPLIFIED : JUSTIFICATION_MAX_DAYS;
          out.push(
            form(
              'request_justification',
              kit.field({
                id: `request_justification-${key}-days`,
                name: 'days',
                label: t('award.abnormal.days'),
                hint: t('award.abnormal.daysHint', { max }),
                control: (a) =>
                  html`<input ${a} type="text" inputmode="numeric" size="4" value="${typed('request_justification')?.days ?? ''}">`,
              }),
            ),
          );
          break;
        }
        case 'justification_requested':
          // Before the deadline the justification can be received; after it, only its absence recorded.
          if (o.deadline && now.getTime() <= new Date(o.deadline).getTime())
            out.push(form('receive_justification'));
          else out.push(form('record_missing', '', true));
          break;
        case 'justification_received':
        case 'justification_missing':
          out.push(
            form(
              'record_technical_report',
              html`${kit.choices({
                id: `record_technical_report-${key}-conclusion`,
                name: 'conclusion',
                legend: t('award.abnormal.conclusion'),
                type: 'radio',
                options: [
                  ['accept', t(CONCLUSION_KEYS.accept)],
                  ['reject', t(CONCLUSION_KEYS.reject)],
                ],
                checked: [typed('record_technical_report')?.conclusion ?? ''],
              })}
              ${kit.field({
                id: `record_technical_report-${key}-summary`,
                name: 'summary',
                label: t('award.abnormal.summary'),
                hint: t('award.reasonsHint', { min: MIN_REASONS_LENGTH }),
                control: (a) =>
                  html`<textarea ${a} rows="3">${typed('record_technical_report')?.summary ?? ''}</textarea>`,
              })}`,
            ),
          );
          break;
        case 'technical_report':
          // Art. 149.4: only an offer whose low level was justified can be accepted.
          if (o.receivedAt) out.push(form('accept', reasons('accept', t('award.abnormal.acceptReasons'))));
          out.push(
            form(
              'reject',
              html`${kit.choices({
                id: `reject-${key}-grounds`,
                name: 'grounds',
                legend: t('award.abnormal.grounds'),
                type: 'checkbox',
                options: ABNORMAL_REJECTION_GROUNDS.map((g) => [g, t(GROUND_KEYS[g])]),
                checked: typed('reject')?.grounds ?? [],
              })}
              ${reasons('reject', t('award.abnormal.rejectReasons'))}`,
              true,
            ),
          );
          break;
      }
      return html`<section class="decision" id="review-${key}" aria-labelledby="review-${key}-h">
        <h3 id="review-${key}-h" tabindex="-1">${o.company}</h3>${out}</section>`;
    };

    const lots = list.lots.map((lot) => {
      const open = lot.offers.filter((o) => o.status !== 'accepted' && o.status !== 'rejected');
      return html`<section class="abnormal-lot" id="lot-${lot.lot}" aria-labelledby="lot-${lot.lot}-h">
        <h2 id="lot-${lot.lot}-h">${t('evaluation.lot', { n: lot.lot })}</h2>
        ${
          lot.offers.length === 0
            ? html`<p id="none-${lot.lot}">${t('award.abnormal.none')}</p>`
            : html`<table id="abnormal-${lot.lot}">
          <caption>${t('award.abnormal.caption', { n: lot.lot })}</caption>
          <thead><tr>
            <th scope="col">${t('evaluation.company')}</th>
            <th scope="col">${t('award.award.price')}</th>
            <th scope="col">${t('award.abnormal.why')}</th>
            <th scope="col">${t('award.abnormal.state')}</th>
            <th scope="col">${t('award.abnormal.record')}</th>
          </tr></thead>
          <tbody>${lot.offers.map(
            (o) => html`<tr id="offer-${o.bidId}-${o.lot}" data-status="${o.status}">
            <th scope="row">${o.company}</th><td class="num">${money(pc, o.price)}</td><td>${why(o)}</td>
            <td>${t(STATUS_KEYS[o.status])}${o.simplified ? html`<br><small>${t('award.abnormal.simplified')}</small>` : ''}</td>
            <td>${record(o)}</td></tr>`,
          )}</tbody></table>`
        }
        ${canAct && open.length ? html`<h3>${t('award.award.nextSteps')}</h3>${open.map(forms)}` : ''}
      </section>`;
    });
    const body = html`${head}<p>${t('award.abnormal.lead')}</p>
      ${!canAct ? html`<p class="hint" id="read-only">${t('award.abnormal.readOnly')}</p>` : ''}
      ${lots}`;
    return sendPage(reply, layout(pc, title, body), opts.status ?? 200);
  };

  r.get<TenderParams>('/office/:authorityId/tenders/:tenderId/abnormal-offers', async (request, reply) => {
    if (!guardIds(request, reply, request.params.authorityId, request.params.tenderId)) return reply;
    return render(request, reply);
  });

  r.post<ReviewParams>(
    '/office/:authorityId/tenders/:tenderId/abnormal-offers/:bidId/:lot',
    async (request, reply) => {
      const { authorityId, tenderId, bidId } = request.params;
      if (!guardIds(request, reply, authorityId, tenderId, bidId)) return reply;
      if (!/^\d{1,5}$/.test(request.params.lot) || Number(request.params.lot) < 1) {
        void reply.callNotFound();
        return reply;
      }
      const lot = Number(request.params.lot);
      const key = `${bidId}-${lot}`;
      const f = formFields(request);
      const t = (await pageContext(app, request, reply)).t;
      const version = versionOf(f.get('version'));
      const name = f.get('event');
      if (!(EVENTS as string[]).includes(name)) forged();
      const type = name as AbnormalReviewEvent['type'];
      const form: ReviewForm = {
        key,
        event: type,
        days: f.get('days'),
        conclusion: f.get('conclusion'),
        summary: f.get('summary'),
        reasons: f.get('reasons'),
        grounds: f.all('grounds'),
      };
      const errors: FieldError[] = [];
      const reasonsError = (field: string) => ({
        field,
        message: t('award.error.reasons', { min: MIN_REASONS_LENGTH, max: REASONS_MAX }),
      });
      let event: AbnormalReviewEvent;
      switch (type) {
        case 'request_justification': {
          // The upper bound (5 or 30 business days) is the service's: it knows the procedure.
          const days = /^\d{1,3}$/.test(form.days) ? Number(form.days) : 0;
          if (days < 1 || days > JUSTIFICATION_MAX_DAYS) {
            errors.push({
              field: `request_justification-${key}-days`,
              message: t('award.error.days', { max: JUSTIFICATION_MAX_DAYS }),
            });
          }
          event = { type, days };
          break;
        }
        case 'record_technical_report':
          if (form.conclusion !== 'accept' && form.conclusion !== 'reject') {
            errors.push(
              groupError(`record_technical_report-${key}-conclusion`, 'accept', t('award.error.conclusion')),
            );
          }
          if (!reasonsOk(form.summary)) errors.push(reasonsError(`record_technical_report-${key}-summary`));
          event = {
            type,
            conclusion: form.conclusion === 'accept' ? 'accept' : 'reject',
            summary: form.summary,
          };
          break;
        case 'accept':
          if (!reasonsOk(form.reasons)) errors.push(reasonsError(`accept-${key}-reasons`));
          event = { type, reasons: form.reasons };
          break;
        case 'reject': {
          const grounds = form.grounds.filter((g): g is AbnormalRejectionGround =>
            (ABNORMAL_REJECTION_GROUNDS as readonly string[]).includes(g),
          );
          if (grounds.length === 0 || grounds.length !== form.grounds.length) {
            errors.push(
              groupError(`reject-${key}-grounds`, ABNORMAL_REJECTION_GROUNDS[0], t('award.error.grounds')),
            );
          }
          if (!reasonsOk(form.reasons)) errors.push(reasonsError(`reject-${key}-reasons`));
          event = { type, grounds: [...new Set(grounds)], reasons: form.reasons };
          break;
        }
        default:
          event = { type };
      }
      if (errors.length > 0) return render(request, reply, { errors, form, status: 422 });
      try {
        await reviewAbnormalOffer(app.serviceContext(request), authorityId, tenderId, bidId, lot, {
          event,
          version,
        });
      } catch (err) {
        if (!shownOnPage(err)) throw err;
        const field = fieldOf(err);
        const details = err.details as { max?: unknown } | undefined;
        let target = `review-${key}-h`;
        let message = refusal(t, err);
        if (field === 'days') {
          target = `request_justification-${key}-days`;
          message = t('award.error.days', {
            max: typeof details?.max === 'number' ? details.max : JUSTIFICATION_MAX_DAYS,
          });
        } else if (field === 'summary' || field === 'reasons') {
          target = `${type}-${key}-${field}`;
          message = t('award.error.reasons', { min: MIN_REASONS_LENGTH, max: REASONS_MAX });
        }
        // A review that is not on the page (not presumed abnormal) has no heading to link to.
        return render(request, reply, { errors: [{ field: target, message }], form, status: statusOf(err) });
      }
      return reply.redirect(
        `/office/${authorityId}/tenders/${tenderId}/abnormal-offers?done=reviewed#review-${key}`,
        303,
      );
    },
  );
}
