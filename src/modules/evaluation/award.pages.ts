/**
 * The award page of a tender (issue 5, point 8): per lot the ranking after envelope C, the draw
 * the committee records among offers still tied (art. 147.2.d LCSP), and the award steps — the
 * committee proposes the best-ranked bid and checks its documentation (arts. 150.1–150.2, 326.2),
 * the contracting body, for which its officer acts, awards with reasons (art. 151), notifies,
 * waits the standstill where the special appeal lies (art. 153.3), formalises (art. 153) or
 * declares the lot void (art. 150.3), and records appeals (art. 53). Server-rendered forms with
 * PRG, as evaluation.pages.ts; award.service.ts decides every step, the page never writes.
 *
 * This file also holds the pieces the abnormal-offer review and contract pages share with it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TFunction } from 'i18next';
import type { App } from '../../app.js';
import type { ServiceContext } from '../../platform/context.js';
import type { DomainError } from '../../platform/errors.js';
import { type Html, type HtmlValue, html } from '../../platform/http/html.js';
import type { Locale } from '../../platform/i18n/i18n.js';
import { instantFromLocalInput, localInputFromInstant } from '../portal/backoffice-tender-form.js';
import { money, officeNav, problemMessage, when } from '../portal/backoffice-view.js';
import {
  csrfField,
  errorSummary,
  type FieldError,
  layout,
  type PageContext,
  sendPage,
} from '../portal/layout.js';
import { formFields, isDomainError, pageContext } from '../portal/portal.context.js';
import { getTender } from '../tenders/tender.service.js';
import {
  fieldKit,
  fieldOf,
  forged,
  groupError,
  guardIds,
  noticeLine,
  refusalText,
  shownOnPage,
  statusOf,
  versionOf,
} from '../portal/page-forms.js';
import { noticeMailOf } from '../portal/notice-mail.js';
import { type LotAwardView, listAwards, recordDraw, stepAward } from './award.service.js';
import type { AppealOutcome, AwardEvent, AwardEventType, AwardStatus } from './award.types.js';
import { requireCommitteeSeat } from './committee.js';
import { canOnEvaluation } from './evaluation.policy.js';
import { MIN_REASONS_LENGTH } from './transition.js';

// The form helpers live in portal/page-forms.ts; the abnormal-review and contract pages take them from here.
export { fieldKit, fieldOf, forged, groupError, guardIds, shownOnPage, statusOf, versionOf };

type TenderParams = { Params: { authorityId: string; tenderId: string } };
type LotParams = { Params: { authorityId: string; tenderId: string; lot: string } };

/** Longest written reasons the forms take: the API's limit (award.routes.ts). */
export const REASONS_MAX = 4000;

// ───────────────────────────── shared pieces ─────────────────────────────

/** Why a service refused a step (details.reason), in words; others fall back to the error code. */
const REASON_KEYS: Record<string, string> = {
  c_not_opened: 'award.reason.c_not_opened',
  draw_required: 'award.reason.draw_required',
  abnormal_review_pending: 'award.reason.abnormal_review_pending',
  no_tie: 'award.reason.no_tie',
  ranking_frozen: 'award.reason.ranking_frozen',
  no_candidate_left: 'award.reason.no_candidate_left',
  no_special_appeal: 'award.reason.no_special_appeal',
  standstill_required: 'award.reason.standstill_required',
  standstill_not_over: 'award.reason.standstill_not_over',
  suspended_by_appeal: 'award.reason.suspended_by_appeal',
  no_appeal_pending: 'award.reason.no_appeal_pending',
  offer_unreadable: 'award.reason.offer_unreadable',
  not_presumed_abnormal: 'award.reason.not_presumed_abnormal',
  deadline_not_reached: 'award.reason.deadline_not_reached',
  no_justification: 'award.reason.no_justification',
  art_204_limit: 'award.reason.art_204_limit',
  art_205_limit: 'award.reason.art_205_limit',
  art_205_2_c_limit: 'award.reason.art_205_2_c_limit',
  below_paid: 'award.reason.below_paid',
  payments_exceed_total: 'award.reason.payments_exceed_total',
  before_formalisation: 'award.reason.before_formalisation',
  in_the_future: 'award.reason.in_the_future',
};

/** The service's refusal in words for the error summary. */
export function refusal(t: TFunction, err: DomainError): string {
  return refusalText(t, err, REASON_KEYS, { CONFLICT: 'award.conflict' });
}

/** Written reasons within the bounds the services accept (transition.ts requireReasons, schemas). */
export function reasonsOk(text: string): boolean {
  return text.length >= MIN_REASONS_LENGTH && text.length <= REASONS_MAX;
}

/**
 * Whether the signed-in user sits on the tender's committee (the services check it again): a
 * committee member of the authority who passes the services' own seat check (committee.ts).
 */
export async function committeeSeat(
  ctx: ServiceContext,
  pc: PageContext,
  authorityId: string,
  tenderId: string,
): Promise<boolean> {
  const actor = pc.actor;
  if (actor.kind !== 'user' || !(actor.authorityRoles.get(authorityId) ?? []).includes('committee_member')) {
    return false;
  }
  try {
    await requireCommitteeSeat(ctx.db, authorityId, tenderId, actor.userId);
    return true;
  } catch (err) {
    if (isDomainError(err) && err.code === 'FORBIDDEN') return false;
    throw err;
  }
}

const INTL_TAGS: Record<Locale, string> = { ca: 'ca-ES', es: 'es-ES', en: 'en-GB' };

/** A calendar day (YYYY-MM-DD) in the page's language. */
export function dayText(pc: PageContext, day: string | null | undefined): string {
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return '—';
  return new Intl.DateTimeFormat(INTL_TAGS[pc.locale], { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(`${day}T00:00:00Z`),
  );
}

/** Points as the decimal string they are (Intl takes the string, so no float rounding). */
export function pointsText(pc: PageContext, value: string): string {
  if (value === '') return '—';
  return new Intl.NumberFormat(INTL_TAGS[pc.locale], {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(value as unknown as number);
}

/** A status message after a redirect (PRG), from a fixed list so the query cannot inject text. */
const NOTICE_KEYS: Record<string, string> = {
  reviewed: 'award.notice.reviewed',
  stepped: 'award.notice.stepped',
  drawn: 'award.notice.drawn',
  recorded: 'award.notice.recorded',
};

export function doneNotice(pc: PageContext, request: FastifyRequest): HtmlValue {
  return noticeLine(pc, request, NOTICE_KEYS);
}

export type WorkspaceSection = 'abnormal-offers' | 'award' | 'minutes';

/**
 * The frame of the committee's pages after C: the tender (tenancy and tender.read first: another
 * authority's file does not exist for the user), the workspace navigation, notices and errors.
 */
export async function workspaceFrame(
  app: App,
  request: FastifyRequest<TenderParams>,
  reply: FastifyReply,
  section: WorkspaceSection,
  errors: FieldError[],
) {
  const { authorityId, tenderId } = request.params;
  const ctx = app.serviceContext(request);
  const view = await getTender(ctx, authorityId, tenderId);
  const pc = await pageContext(app, request, reply);
  const t = pc.t;
  const b = `/office/${authorityId}/tenders/${tenderId}`;
  const links: [string, string, string][] = [
    [`${b}/qualification`, 'nav-qualification', t('evaluation.qualification.title')],
    [`${b}/judgement`, 'nav-judgement', t('evaluation.judgement.title')],
    [`${b}/scoring`, 'nav-scoring', t('evaluation.scoring.title')],
    [`${b}/abnormal-offers`, 'nav-abnormal-offers', t('award.abnormal.title')],
    [`${b}/award`, 'nav-award', t('award.award.title')],
    [`${b}/minutes`, 'nav-minutes', t('minutes.title')],
  ];
  const head = html`${officeNav(pc, `/office/${authorityId}/tenders`)}
    ${doneNotice(pc, request)}
    ${errorSummary(pc, errors)}
    <p class="lead">${view.title[pc.locale]}</p>
    <nav class="evaluation-nav" aria-label="${t('evaluation.nav')}"><ul>
      <li><a href="${b}" id="file-link">${t('evaluation.back')}</a></li>
      <li><a href="${b}/opening" id="opening-link">${t('evaluation.opening')}</a></li>
      ${links.map(([href, id, text]) => html`<li><a href="${href}" id="${id}" ${href === `${b}/${section}` ? html`aria-current="page"` : ''}>${text}</a></li>`)}
      <li><a href="/office/${authorityId}/contracts?tenderId=${tenderId}" id="nav-contracts">${t('award.contracts.title')}</a></li>
    </ul></nav>`;
  return { ctx, view, pc, t, head, b };
}

/**
 * The list a page shows, from its service; when the service says the step has not come yet
 * (INVALID_TRANSITION: C not opened…), the page with the frame and why, and no list.
 */
export async function listOrSay<T>(
  reply: FastifyReply,
  page: { pc: PageContext; title: string; head: Html; status: number | undefined },
  load: () => Promise<T>,
): Promise<{ list: T } | { sent: FastifyReply }> {
  try {
    return { list: await load() };
  } catch (err) {
    if (!isDomainError(err) || err.code !== 'INVALID_TRANSITION') throw err;
    const { pc, title, head } = page;
    const body = html`${head}<p id="not-available">${refusal(pc.t, err)}</p>`;
    return { sent: sendPage(reply, layout(pc, title, body), page.status ?? 200) };
  }
}

// ───────────────────────────── award page ─────────────────────────────

const STATUS_KEYS: Record<AwardStatus, string> = {
  ranking: 'award.status.ranking',
  proposed: 'award.status.proposed',
  documentation_requested: 'award.status.documentation_requested',
  documentation_ok: 'award.status.documentation_ok',
  documentation_failed: 'award.status.documentation_failed',
  awarded: 'award.status.awarded',
  notified: 'award.status.notified',
  standstill: 'award.status.standstill',
  ready_to_formalise: 'award.status.ready_to_formalise',
  formalised: 'award.status.formalised',
  void: 'award.status.void',
};

const STEP_KEYS: Record<AwardEventType, string> = {
  propose: 'award.step.propose',
  request_documentation: 'award.step.request_documentation',
  documentation_ok: 'award.step.documentation_ok',
  documentation_failed: 'award.step.documentation_failed',
  propose_next: 'award.step.propose_next',
  award: 'award.step.award',
  notify: 'award.step.notify',
  start_standstill: 'award.step.start_standstill',
  clear_for_formalisation: 'award.step.clear_for_formalisation',
  formalise: 'award.step.formalise',
  declare_void: 'award.step.declare_void',
  lodge_appeal: 'award.step.lodge_appeal',
  resolve_appeal: 'award.step.resolve_appeal',
};

export const OUTCOME_KEYS: Record<AppealOutcome, string> = {
  dismissed: 'award.outcome.dismissed',
  suspension_lifted: 'award.outcome.suspension_lifted',
  upheld: 'award.outcome.upheld',
};
const OUTCOMES = Object.keys(OUTCOME_KEYS) as AppealOutcome[];

const EVENTS = Object.keys(STEP_KEYS) as AwardEventType[];

/** Statuses in which an appeal can be lodged (award.rules.ts APPEALABLE). */
const APPEALABLE: readonly AwardStatus[] = ['awarded', 'notified', 'standstill', 'ready_to_formalise'];

/** What the user typed in a step form, shown again with its errors. */
type StepForm = { lot: number; event: string; reasons: string; signedAt: string; outcome: string };
type DrawForm = { lot: number; positions: Record<string, string> };

export function awardPages(app: App, r: FastifyInstance): void {
  const render = async (
    request: FastifyRequest<TenderParams>,
    reply: FastifyReply,
    opts: { errors?: FieldError[]; step?: StepForm; draw?: DrawForm; status?: number } = {},
  ) => {
    const errors = opts.errors ?? [];
    const { authorityId, tenderId } = request.params;
    const { ctx, view, pc, t, head, b } = await workspaceFrame(app, request, reply, 'award', errors);
    const title = t('award.award.pageTitle', { reference: view.reference });
    const loaded = await listOrSay(reply, { pc, title, head, status: opts.status }, () =>
      listAwards(ctx, authorityId, tenderId),
    );
    if ('sent' in loaded) return loaded.sent;
    const list = loaded.list;
    const committee = await committeeSeat(ctx, pc, authorityId, tenderId);
    const body = canOnEvaluation(pc.actor, 'evaluation.award', authorityId) === 'allow';
    const kit = fieldKit(errors);
    const now = ctx.clock.now();

    const company = (lot: LotAwardView, bidId: string | null | undefined) =>
      lot.ranking.find((x) => x.bidId === bidId)?.company || '—';

    const rankingTable = (lot: LotAwardView): Html => {
      if (lot.ranking.length === 0)
        return html`<p id="no-offers-${lot.lot}">${t('award.award.noOffers')}</p>`;
      const tied = new Set(lot.ties.flat());
      return html`<table id="ranking-${lot.lot}">
        <caption>${t('award.award.rankingCaption', { n: lot.lot })}</caption>
        <thead><tr>
          <th scope="col">${t('award.award.rank')}</th>
          <th scope="col">${t('evaluation.company')}</th>
          <th scope="col">${t('award.award.price')}</th>
          <th scope="col">${t('award.award.total')}</th>
          <th scope="col">${t('award.award.note')}</th>
        </tr></thead>
        <tbody>${lot.ranking.map((x) => {
          const notes = [
            tied.has(x.bidId) ? t('award.award.tied') : '',
            lot.candidate === x.bidId && lot.award === null && lot.void === null
              ? t('award.award.candidate')
              : '',
            lot.failed.some((f) => f.bidId === x.bidId) ? t('award.award.failed') : '',
            lot.award?.bidId === x.bidId ? t('award.award.awardee') : '',
          ].filter(Boolean);
          return html`<tr id="rank-${lot.lot}-${x.bidId}">
            <td>${x.rank}</td><th scope="row">${x.company}</th><td class="num">${money(pc, x.price)}</td>
            <td class="num">${pointsText(pc, x.total)}</td><td>${notes.join(' · ') || '—'}</td></tr>`;
        })}</tbody></table>`;
    };

    const facts = (lot: LotAwardView): Html => {
      const rows: [string, HtmlValue][] = [
        [t('award.award.specialAppeal'), lot.specialAppeal ? t('award.yes') : t('award.no')],
      ];
      if (lot.draw) rows.push([t('award.award.draw'), lot.draw.map((id) => company(lot, id)).join(' → ')]);
      if (lot.documentationDeadline) {
        rows.push([t('award.award.documentationDeadline'), when(pc, lot.documentationDeadline)]);
      }
      for (const f of lot.failed) {
        rows.push([
          t('award.award.failedOn', { company: company(lot, f.bidId) }),
          html`${f.reason} (${when(pc, f.at)})`,
        ]);
      }
      if (lot.award) {
        rows.push([
          t('award.award.awardedTo'),
          html`<strong>${company(lot, lot.award.bidId)}</strong>: ${lot.award.reasons} (${when(pc, lot.award.at)})`,
        ]);
      }
      if (lot.notifiedAt) rows.push([t('award.award.notifiedAt'), when(pc, lot.notifiedAt)]);
      if (lot.standstillEnds) rows.push([t('award.award.standstillEnds'), when(pc, lot.standstillEnds)]);
      if (lot.appeal) rows.push([t('award.award.appeal'), when(pc, lot.appeal.lodgedAt)]);
      if (lot.formalisedAt) rows.push([t('award.award.formalisedAt'), when(pc, lot.formalisedAt)]);
      if (lot.void)
        rows.push([t('award.award.voidReasons'), html`${lot.void.reasons} (${when(pc, lot.void.at)})`]);
      if (lot.contractId) {
        rows.push([
          t('award.award.contract'),
          html`<a href="/office/${authorityId}/contracts/${lot.contractId}" id="contract-link-${lot.lot}">${t('award.award.contractLink')}</a>`,
        ]);
      }
      return html`<dl class="facts" id="facts-${lot.lot}">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
    };

    /** One step form; `fields` are the inputs it needs besides the hidden ones. */
    const stepForm = (lot: LotAwardView, event: AwardEventType, fields: HtmlValue = '', secondary = false) =>
      html`<form method="post" action="${b}/award/${lot.lot}" id="form-${event}-${lot.lot}" class="${fields ? '' : 'inline-form'}" novalidate>
        ${csrfField(pc)}<input type="hidden" name="version" value="${lot.version}"><input type="hidden" name="event" value="${event}">
        ${fields}
        <button type="submit" id="${event}-${lot.lot}" ${secondary ? html`class="secondary"` : ''}>${t(STEP_KEYS[event])}</button>
      </form>`;
    const typed = (lot: number, event: string) =>
      opts.step && opts.step.lot === lot && opts.step.event === event ? opts.step : undefined;
    const reasonsField = (lot: LotAwardView, event: AwardEventType, label: string) =>
      kit.field({
        id: `${event}-${lot.lot}-reasons`,
        name: 'reasons',
        label,
        hint: t('award.reasonsHint', { min: MIN_REASONS_LENGTH }),
        control: (a) => html`<textarea ${a} rows="3">${typed(lot.lot, event)?.reasons ?? ''}</textarea>`,
      });

    const committeeForms = (lot: LotAwardView): HtmlValue[] => {
      if (!committee || lot.appeal) return [];
      const out: HtmlValue[] = [];
      if (lot.status === 'ranking' && lot.rankingStatus === 'needs_draw') {
        const tied = lot.ties.flat();
        const typedDraw = opts.draw?.lot === lot.lot ? opts.draw.positions : undefined;
        const drawId = `draw-${lot.lot}`;
        const first = `${drawId}-${tied[0] ?? ''}`;
        const err = kit.errorOf(first);
        out.push(html`<form method="post" action="${b}/award/${lot.lot}/draw" id="form-draw-${lot.lot}" novalidate>
          ${csrfField(pc)}<input type="hidden" name="version" value="${lot.version}">
          <fieldset class="${err ? 'field-error' : ''}"><legend>${t('award.award.drawLegend')}</legend>
            <p class="hint" id="${drawId}-hint">${t('award.award.drawHint', { n: tied.length })}</p>
            ${err ? html`<p class="error" id="${first}-error">${err.message}</p>` : ''}
            ${tied.map((id, i) => {
              const iid = `${drawId}-${id}`;
              const by = i === 0 && err ? `${drawId}-hint ${first}-error` : `${drawId}-hint`;
              return html`<div class="field"><label for="${iid}">${company(lot, id)}</label>
                <input type="text" inputmode="numeric" id="${iid}" name="order-${id}" size="4" value="${typedDraw?.[id] ?? ''}" aria-describedby="${by}" ${i === 0 && err ? html`aria-invalid="true"` : ''}></div>`;
            })}
          </fieldset>
          <button type="submit" id="draw-${lot.lot}">${t('award.award.recordDraw')}</button></form>`);
      }
      if (lot.status === 'ranking' && lot.rankingStatus === 'ranked' && lot.ranking.length > 0) {
        out.push(stepForm(lot, 'propose'));
      }
      if (lot.status === 'proposed') out.push(stepForm(lot, 'request_documentation'));
      if (lot.status === 'documentation_requested') {
        out.push(stepForm(lot, 'documentation_ok'));
        out.push(
          stepForm(
            lot,
            'documentation_failed',
            reasonsField(lot, 'documentation_failed', t('award.award.failureReason')),
            true,
          ),
        );
      }
      if (lot.status === 'documentation_failed') {
        const position = lot.ranking.findIndex((x) => x.bidId === lot.candidate);
        if (position >= 0 && position + 1 < lot.ranking.length) out.push(stepForm(lot, 'propose_next'));
      }
      return out;
    };

    const bodyForms = (lot: LotAwardView): HtmlValue[] => {
      if (!body) return [];
      const out: HtmlValue[] = [];
      if (lot.appeal) {
        const sel = typed(lot.lot, 'resolve_appeal')?.outcome ?? '';
        out.push(
          stepForm(
            lot,
            'resolve_appeal',
            kit.choices({
              id: `resolve_appeal-${lot.lot}-outcome`,
              name: 'outcome',
              legend: t('award.award.outcome'),
              type: 'radio',
              options: OUTCOMES.map((o) => [o, t(OUTCOME_KEYS[o])]),
              checked: [sel],
            }),
          ),
        );
        return out;
      }
      if (lot.status === 'documentation_ok') {
        out.push(stepForm(lot, 'award', reasonsField(lot, 'award', t('award.award.awardReasons'))));
      }
      if (lot.status === 'awarded') out.push(stepForm(lot, 'notify'));
      if (lot.status === 'notified') {
        out.push(stepForm(lot, lot.specialAppeal ? 'start_standstill' : 'clear_for_formalisation'));
      }
      if (lot.status === 'standstill') {
        out.push(
          html`<p class="hint" id="standstill-hint-${lot.lot}">${t('award.award.standstillHint', { date: when(pc, lot.standstillEnds) })}</p>`,
        );
        out.push(stepForm(lot, 'clear_for_formalisation'));
      }
      if (lot.status === 'ready_to_formalise') {
        out.push(
          stepForm(
            lot,
            'formalise',
            kit.field({
              id: `formalise-${lot.lot}-signedAt`,
              name: 'signedAt',
              label: t('award.award.signedAt'),
              hint: t('award.award.signedAtHint'),
              control: (a) =>
                html`<input ${a} type="datetime-local" value="${typed(lot.lot, 'formalise')?.signedAt ?? localInputFromInstant(now.toISOString())}">`,
            }),
          ),
        );
      }
      if (lot.specialAppeal && APPEALABLE.includes(lot.status))
        out.push(stepForm(lot, 'lodge_appeal', '', true));
      if (lot.status === 'ranking' || lot.status === 'proposed' || lot.status === 'documentation_failed') {
        out.push(
          stepForm(
            lot,
            'declare_void',
            reasonsField(lot, 'declare_void', t('award.award.voidReasons')),
            true,
          ),
        );
      }
      return out;
    };

    const lots = list.lots.map((lot) => {
      const forms = [...committeeForms(lot), ...bodyForms(lot)];
      return html`<section class="award-lot" id="lot-${lot.lot}" data-status="${lot.status}" aria-labelledby="lot-${lot.lot}-h">
        <h2 id="lot-${lot.lot}-h" tabindex="-1">${t('evaluation.lot', { n: lot.lot })}</h2>
        <p id="status-${lot.lot}">${t('award.award.status')}: <strong>${t(STATUS_KEYS[lot.status])}</strong>${lot.appeal ? html` · <strong>${t('award.award.suspended')}</strong>` : ''}</p>
        ${lot.rankingStatus === 'needs_draw' ? html`<p id="needs-draw-${lot.lot}">${t('award.reason.draw_required')}</p>` : ''}
        ${rankingTable(lot)}
        ${facts(lot)}
        ${forms.length ? html`<h3>${t('award.award.nextSteps')}</h3>${forms}` : ''}
      </section>`;
    });
    const readOnly =
      !committee && !body ? html`<p class="hint" id="read-only">${t('award.award.readOnly')}</p>` : '';
    const page = html`${head}<p>${t('award.award.lead')}</p>${readOnly}${lots}`;
    return sendPage(reply, layout(pc, title, page), opts.status ?? 200);
  };

  const lotNumber = (reply: FastifyReply, lot: string): number | null => {
    if (!/^\d{1,5}$/.test(lot) || Number(lot) < 1) {
      void reply.callNotFound();
      return null;
    }
    return Number(lot);
  };

  r.get<TenderParams>('/office/:authorityId/tenders/:tenderId/award', async (request, reply) => {
    if (!guardIds(request, reply, request.params.authorityId, request.params.tenderId)) return reply;
    return render(request, reply);
  });

  r.post<LotParams>('/office/:authorityId/tenders/:tenderId/award/:lot', async (request, reply) => {
    const { authorityId, tenderId } = request.params;
    if (!guardIds(request, reply, authorityId, tenderId)) return reply;
    const lot = lotNumber(reply, request.params.lot);
    if (lot === null) return reply;
    const f = formFields(request);
    const t = (await pageContext(app, request, reply)).t;
    const version = versionOf(f.get('version'));
    const name = f.get('event');
    if (!(EVENTS as string[]).includes(name)) forged();
    const type = name as AwardEventType;
    const step: StepForm = {
      lot,
      event: type,
      reasons: f.get('reasons'),
      signedAt: f.get('signedAt'),
      outcome: f.get('outcome'),
    };
    const errors: FieldError[] = [];
    let event: AwardEvent;
    switch (type) {
      case 'documentation_failed':
      case 'award':
      case 'declare_void':
        if (!reasonsOk(step.reasons)) {
          errors.push({
            field: `${type}-${lot}-reasons`,
            message: t('award.error.reasons', { min: MIN_REASONS_LENGTH, max: REASONS_MAX }),
          });
        }
        event =
          type === 'documentation_failed'
            ? { type, reason: step.reasons }
            : type === 'award'
              ? { type, reasons: step.reasons }
              : { type, reasons: step.reasons };
        break;
      case 'formalise': {
        const parsed = instantFromLocalInput(step.signedAt);
        if ('problem' in parsed) {
          errors.push({ field: `formalise-${lot}-signedAt`, message: problemMessage(t, parsed.problem) });
          event = { type, signedAt: new Date(Number.NaN) };
        } else event = { type, signedAt: new Date(parsed.iso) };
        break;
      }
      case 'resolve_appeal':
        if (!(OUTCOMES as string[]).includes(step.outcome)) {
          errors.push(groundOutcome(lot, t('award.error.outcome')));
        }
        event = { type, outcome: step.outcome as AppealOutcome };
        break;
      default:
        event = { type } as AwardEvent;
    }
    if (errors.length > 0) return render(request, reply, { errors, step, status: 422 });
    try {
      await stepAward(
        app.serviceContext(request),
        authorityId,
        tenderId,
        lot,
        { version, event },
        noticeMailOf(app, request, 'award notification'),
      );
    } catch (err) {
      if (!shownOnPage(err)) throw err;
      const field = fieldOf(err);
      const target =
        field === 'reasons' || field === 'reason'
          ? `${type}-${lot}-reasons`
          : field === 'signedAt'
            ? `formalise-${lot}-signedAt`
            : `lot-${lot}-h`;
      const message =
        field === 'reasons' || field === 'reason'
          ? t('award.error.reasons', { min: MIN_REASONS_LENGTH, max: REASONS_MAX })
          : field === 'signedAt' && err.code === 'UNPROCESSABLE'
            ? t('award.error.signedAt')
            : refusal(t, err);
      return render(request, reply, { errors: [{ field: target, message }], step, status: statusOf(err) });
    }
    return reply.redirect(`/office/${authorityId}/tenders/${tenderId}/award?done=stepped#lot-${lot}`, 303);
  });

  r.post<LotParams>('/office/:authorityId/tenders/:tenderId/award/:lot/draw', async (request, reply) => {
    const { authorityId, tenderId } = request.params;
    if (!guardIds(request, reply, authorityId, tenderId)) return reply;
    const lot = lotNumber(reply, request.params.lot);
    if (lot === null) return reply;
    const f = formFields(request);
    const t = (await pageContext(app, request, reply)).t;
    const version = versionOf(f.get('version'));
    const ctx = app.serviceContext(request);
    // The tied bids as the page showed them; the service checks the order against its own.
    const current = (await listAwards(ctx, authorityId, tenderId)).lots.find((l) => l.lot === lot);
    if (!current) {
      void reply.callNotFound();
      return reply;
    }
    const tied = current.ties.flat();
    const positions: Record<string, string> = Object.fromEntries(
      tied.map((id) => [id, f.get(`order-${id}`)]),
    );
    const numbers = tied.map((id) => (/^\d{1,3}$/.test(positions[id] ?? '') ? Number(positions[id]) : 0));
    const valid =
      tied.length > 0 &&
      numbers.every((n) => n >= 1 && n <= tied.length) &&
      new Set(numbers).size === numbers.length;
    const draw: DrawForm = { lot, positions };
    const first = `draw-${lot}-${tied[0] ?? ''}`;
    if (!valid) {
      return render(request, reply, {
        errors: [{ field: first, message: t('award.error.draw', { n: tied.length }) }],
        draw,
        status: 422,
      });
    }
    const order = [...tied].sort((x, y) => Number(positions[x]) - Number(positions[y]));
    try {
      await recordDraw(ctx, authorityId, tenderId, lot, { version, order });
    } catch (err) {
      if (!shownOnPage(err)) throw err;
      return render(request, reply, {
        errors: [{ field: fieldOf(err) === 'order' ? first : `lot-${lot}-h`, message: refusal(t, err) }],
        draw,
        status: statusOf(err),
      });
    }
    return reply.redirect(`/office/${authorityId}/tenders/${tenderId}/award?done=drawn#lot-${lot}`, 303);
  });
}

/** The error of the appeal outcome radios, linked to the first radio. */
function groundOutcome(lot: number, message: string): FieldError {
  return groupError(`resolve_appeal-${lot}-outcome`, OUTCOMES[0] ?? 'dismissed', message);
}
