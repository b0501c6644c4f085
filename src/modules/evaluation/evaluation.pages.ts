/**
 * The committee's workspace after the opening (issue 5, point 8): qualification of the bids opened
 * at the first envelope (arts. 140–141, 157.1 LCSP; RGLCAP art. 81.2), the judgement scoring sheet
 * of envelope B and its report (arts. 146.2, 157.2–3), and the computed scoring after C (arts. 146,
 * 149, 150.1). Server-rendered forms posting back with PRG; committee members act, the officer and
 * auditors read (evaluation.policy.ts). The services do every check; the pages only pre-check the
 * form so that a mistyped field gets its own message, and never write anything themselves.
 * `publicEvaluationSection` is the public page's summary of the published judgement report.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import type { ServiceContext } from '../../platform/context.js';
import { DomainError } from '../../platform/errors.js';
import { type Html, type HtmlValue, html } from '../../platform/http/html.js';
import type { Locale } from '../../platform/i18n/i18n.js';
import { money, officeNav, when } from '../portal/backoffice-view.js';
import {
  csrfField,
  errorSummary,
  type FieldError,
  layout,
  type PageContext,
  sendPage,
} from '../portal/layout.js';
import { formFields, isDomainError, pageContext, validIds } from '../portal/portal.context.js';
import { getPublicNotice } from '../tenders/tender-public.service.js';
import {
  fieldKit,
  guardTender,
  noticeLine,
  refusalText,
  shownOnPage,
  statusOf,
} from '../portal/page-forms.js';
import { getTender } from '../tenders/tender.service.js';
import { getAssignments } from '../tenders/tender-workflow.service.js';
import {
  approveJudgementReport,
  judgementSheet,
  publishedJudgementReport,
  scoreJudgement,
} from './judgement.service.js';
import { judgementSeat } from './committee.js';
import { REMEDIATION_MAX_DAYS } from './qualification.rules.js';
import { decideQualification, listQualification, type QualificationView } from './qualification.service.js';
import { EXCLUSION_GROUNDS, type ExclusionGround, type QualificationEvent } from './qualification.types.js';
import { lotScoring } from './scoring.service.js';
import { MIN_REASONS_LENGTH } from './transition.js';

type TenderParams = { Params: { authorityId: string; tenderId: string } };
type BidParams = { Params: { authorityId: string; tenderId: string; bidId: string } };
type ScoreParams = {
  Params: { authorityId: string; tenderId: string; bidId: string; lot: string; criterion: string };
};

/** Longest texts the forms take: the API's limits (qualification.routes.ts, judgement.routes.ts). */
const REASONS_MAX = 4000;
const ITEM_MAX = 500;
const ITEMS_MAX = 30;
const SUMMARY_MAX = 2000;

const INTL_TAGS: Record<Locale, string> = { ca: 'ca-ES', es: 'es-ES', en: 'en-GB' };

/** Points as the decimal string they are (Intl takes the string, so no float rounding). */
function pts(locale: Locale, value: string): string {
  return new Intl.NumberFormat(INTL_TAGS[locale], {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(value as unknown as number);
}

/** A name in the page's language from the notice's `{ca, es, en}` object. */
function nameIn(locale: Locale, v: unknown): string {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const s = (v as Record<string, unknown>)[locale];
    if (typeof s === 'string') return s;
  }
  return '';
}

const STATUS_KEYS: Record<QualificationView['status'], string> = {
  pending: 'evaluation.status.pending',
  remediation_requested: 'evaluation.status.remediation_requested',
  admitted: 'evaluation.status.admitted',
  excluded: 'evaluation.status.excluded',
};

const GROUND_KEYS: Record<ExclusionGround, string> = {
  capacity: 'evaluation.ground.capacity',
  prohibition: 'evaluation.ground.prohibition',
  solvency: 'evaluation.ground.solvency',
  documentation: 'evaluation.ground.documentation',
  remediation_not_provided: 'evaluation.ground.remediation_not_provided',
  other: 'evaluation.ground.other',
};

/** Why the service refused a move (details.reason), in words; others fall back to the error code. */
const REASON_KEYS: Record<string, string> = {
  deadline_not_reached: 'evaluation.reason.deadline_not_reached',
  no_remediation_requested: 'evaluation.reason.no_remediation_requested',
  envelope_failed: 'evaluation.reason.envelope_failed',
  report_approved: 'evaluation.reason.report_approved',
  b_not_opened: 'evaluation.reason.b_not_opened',
  c_not_opened: 'evaluation.reason.c_not_opened',
  scores_missing: 'evaluation.reason.scores_missing',
};

const NOTICE_KEYS: Record<string, string> = {
  decided: 'evaluation.notice.decided',
  scored: 'evaluation.notice.scored',
  approved: 'evaluation.notice.approved',
};

type Section = 'qualification' | 'judgement' | 'scoring';

/** Whether the signed-in user may act as the tender's committee (the services check it again). */
async function committeeSeat(ctx: ServiceContext, pc: PageContext, authorityId: string, tenderId: string) {
  const actor = pc.actor;
  if (actor.kind !== 'user' || !(actor.authorityRoles.get(authorityId) ?? []).includes('committee_member')) {
    return false;
  }
  const assigned = await getAssignments(ctx, authorityId, tenderId);
  return assigned.committee.length === 0 || assigned.committee.includes(actor.userId);
}

function refusal(t: PageContext['t'], err: DomainError): string {
  return refusalText(t, err, REASON_KEYS, { CONFLICT: 'evaluation.conflict' });
}

export function evaluationPages(app: App, r: FastifyInstance): void {
  const base = (authorityId: string, tenderId: string) => `/office/${authorityId}/tenders/${tenderId}`;

  /** The frame shared by the three pages: tender, navigation between them, notices and errors. */
  const frame = async (
    request: FastifyRequest<TenderParams>,
    reply: FastifyReply,
    section: Section,
    errors: FieldError[],
  ) => {
    const { authorityId, tenderId } = request.params;
    const ctx = app.serviceContext(request);
    // Tenancy and role first (tender.read): another authority's file does not exist for the user.
    const view = await getTender(ctx, authorityId, tenderId);
    const pc = await pageContext(app, request, reply);
    const t = pc.t;
    const b = base(authorityId, tenderId);
    const links: [Section, string][] = [
      ['qualification', t('evaluation.qualification.title')],
      ['judgement', t('evaluation.judgement.title')],
      ['scoring', t('evaluation.scoring.title')],
    ];
    const head = html`${officeNav(pc, `/office/${authorityId}/tenders`)}
      ${noticeLine(pc, request, NOTICE_KEYS)}
      ${errorSummary(pc, errors)}
      <p class="lead">${view.title[pc.locale]}</p>
      <nav class="evaluation-nav" aria-label="${t('evaluation.nav')}"><ul>
        <li><a href="${b}" id="file-link">${t('evaluation.back')}</a></li>
        <li><a href="${b}/opening" id="opening-link">${t('evaluation.opening')}</a></li>
        ${links.map(([s, text]) => html`<li><a href="${b}/${s}" id="nav-${s}" ${s === section ? html`aria-current="page"` : ''}>${text}</a></li>`)}
        <li><a href="${b}/abnormal-offers" id="nav-abnormal-offers">${t('award.abnormal.title')}</a></li>
        <li><a href="${b}/award" id="nav-award">${t('award.award.title')}</a></li>
        <li><a href="/office/${authorityId}/contracts?tenderId=${tenderId}" id="nav-contracts">${t('award.contracts.title')}</a></li>
      </ul></nav>`;
    return { ctx, view, pc, t, head, b };
  };

  /** A page whose service refused to show anything yet (not published, envelope not open…). */
  const unavailable = (pc: PageContext, title: string, head: Html, err: DomainError) => {
    const reason = (err.details as { reason?: unknown } | undefined)?.reason;
    const key = typeof reason === 'string' ? REASON_KEYS[reason] : undefined;
    return layout(
      pc,
      title,
      html`${head}<p id="not-available">${key ? pc.t(key) : pc.t('evaluation.notAvailable')}</p>`,
    );
  };

  const guard = guardTender;

  // ───────────────────────────── qualification ─────────────────────────────

  type QualificationForm = {
    bidId: string;
    decision: string;
    grounds: string[];
    reasons: string;
    items: string;
    days: string;
  };

  const renderQualification = async (
    request: FastifyRequest<TenderParams>,
    reply: FastifyReply,
    opts: { errors?: FieldError[]; form?: QualificationForm; status?: number } = {},
  ) => {
    const errors = opts.errors ?? [];
    const { ctx, view, pc, t, head, b } = await frame(request, reply, 'qualification', errors);
    const { authorityId, tenderId } = request.params;
    const title = t('evaluation.qualification.pageTitle', { reference: view.reference });
    let list: Awaited<ReturnType<typeof listQualification>>;
    try {
      list = await listQualification(ctx, authorityId, tenderId);
    } catch (err) {
      if (!isDomainError(err) || err.code !== 'INVALID_TRANSITION') throw err;
      return sendPage(reply, unavailable(pc, title, head, err), opts.status ?? 200);
    }
    const canAct = await committeeSeat(ctx, pc, authorityId, tenderId);
    const form = opts.form;

    const details = (q: QualificationView): HtmlValue => {
      if (q.exclusion) {
        return html`<p>${q.exclusion.grounds.map((g) => t(GROUND_KEYS[g])).join(', ')}</p><p>${q.exclusion.reasons}</p>`;
      }
      if (q.remediation) {
        return html`<ul class="plain">${q.remediation.items.map((i) => html`<li>${i}</li>`)}</ul>
          <p>${t('evaluation.qualification.until', { date: when(pc, q.remediation.deadline) })}</p>`;
      }
      return q.opening.outcome === 'failed'
        ? t('evaluation.qualification.failed', { code: q.opening.failure ?? '' })
        : '—';
    };

    const table = html`<table id="qualification-table">
      <caption>${t('evaluation.qualification.caption', { envelope: list.envelope })}</caption>
      <thead><tr>
        <th scope="col">${t('evaluation.company')}</th>
        <th scope="col">${t('evaluation.taxId')}</th>
        <th scope="col">${t('evaluation.qualification.state')}</th>
        <th scope="col">${t('evaluation.qualification.details')}</th>
        <th scope="col">${t('evaluation.qualification.decidedAt')}</th>
      </tr></thead>
      <tbody>${list.bids.map(
        (q) => html`<tr id="row-${q.bidId}" data-status="${q.status}">
        <th scope="row">${q.company.legalName}</th><td>${q.company.taxId}</td>
        <td>${t(STATUS_KEYS[q.status])}</td><td>${details(q)}</td><td>${when(pc, q.decidedAt)}</td></tr>`,
      )}</tbody></table>`;

    const { errorOf: fieldError, errorLine, describe } = fieldKit(errors);

    const forms = (q: QualificationView): HtmlValue => {
      if (q.status === 'admitted' || q.status === 'excluded') return '';
      const mine = form?.bidId === q.bidId ? form : undefined;
      const action = `${b}/qualification/${q.bidId}`;
      const hidden = (decision: string) =>
        html`${csrfField(pc)}<input type="hidden" name="version" value="${q.version}"><input type="hidden" name="decision" value="${decision}">`;
      const id = (f: string) => `${f}-${q.bidId}`;
      const firstGround = `${id('grounds')}-${EXCLUSION_GROUNDS[0]}`;
      const chosen = mine?.decision === 'exclude' ? mine.grounds : [];
      // Nothing of an envelope that failed to open can be read: it can only be excluded.
      const readable = q.opening.outcome === 'opened';
      return html`<section class="decision" id="bid-${q.bidId}" aria-labelledby="bid-${q.bidId}-h">
        <h3 id="bid-${q.bidId}-h">${q.company.legalName}</h3>
        ${
          readable
            ? html`<form method="post" action="${action}" class="inline-form" id="${id('admit-form')}">${hidden('admit')}
          <button type="submit" id="${id('admit')}">${t('evaluation.qualification.admit')}</button></form>`
            : ''
        }
        <form method="post" action="${action}" id="${id('exclude-form')}" novalidate>${hidden('exclude')}
          <fieldset class="grounds${fieldError(firstGround) ? ' field-error' : ''}">
            <legend>${t('evaluation.qualification.grounds')}</legend>
            ${errorLine(firstGround)}
            ${EXCLUSION_GROUNDS.map((g) => {
              const gid = `${id('grounds')}-${g}`;
              return html`<div class="checkbox"><input type="checkbox" id="${gid}" name="grounds" value="${g}" ${chosen.includes(g) ? html`checked` : ''} ${g === EXCLUSION_GROUNDS[0] ? describe(firstGround, false) : ''}>
                <label for="${gid}">${t(GROUND_KEYS[g])}</label></div>`;
            })}
          </fieldset>
          <div class="field${fieldError(id('reasons')) ? ' field-error' : ''}">
            <label for="${id('reasons')}">${t('evaluation.qualification.reasons')}</label>
            <p class="hint" id="${id('reasons')}-hint">${t('evaluation.qualification.reasonsHint', { min: MIN_REASONS_LENGTH })}</p>
            ${errorLine(id('reasons'))}
            <textarea id="${id('reasons')}" name="reasons" rows="3" ${describe(id('reasons'), true)}>${mine?.decision === 'exclude' ? mine.reasons : ''}</textarea>
          </div>
          <button type="submit" id="${id('exclude')}" class="secondary">${t('evaluation.qualification.exclude')}</button>
        </form>
        ${
          readable && q.status === 'pending'
            ? html`<form method="post" action="${action}" id="${id('remediation-form')}" novalidate>${hidden('request_remediation')}
          <div class="field${fieldError(id('items')) ? ' field-error' : ''}">
            <label for="${id('items')}">${t('evaluation.qualification.items')}</label>
            <p class="hint" id="${id('items')}-hint">${t('evaluation.qualification.itemsHint')}</p>
            ${errorLine(id('items'))}
            <textarea id="${id('items')}" name="items" rows="3" ${describe(id('items'), true)}>${mine?.decision === 'request_remediation' ? mine.items : ''}</textarea>
          </div>
          <div class="field${fieldError(id('days')) ? ' field-error' : ''}">
            <label for="${id('days')}">${t('evaluation.qualification.days')}</label>
            <p class="hint" id="${id('days')}-hint">${t('evaluation.qualification.daysHint', { max: REMEDIATION_MAX_DAYS })}</p>
            ${errorLine(id('days'))}
            <select id="${id('days')}" name="days" ${describe(id('days'), true)}>
              ${Array.from({ length: REMEDIATION_MAX_DAYS }, (_, i) => String(i + 1)).map((d) => html`<option value="${d}" ${mine?.days === d ? html`selected` : ''}>${d}</option>`)}
            </select>
          </div>
          <button type="submit" id="${id('remediation')}" class="secondary">${t('evaluation.qualification.remediation')}</button>
        </form>`
            : ''
        }
      </section>`;
    };

    const body = html`${head}
      <p id="qualification-state">${
        !list.opened
          ? t('evaluation.qualification.notOpened', { envelope: list.envelope })
          : list.complete
            ? t('evaluation.qualification.complete')
            : t('evaluation.qualification.pending')
      }</p>
      ${list.bids.length ? table : html`<p id="no-bids">${t('evaluation.qualification.noBids')}</p>`}
      ${
        canAct && list.bids.some((q) => q.status !== 'admitted' && q.status !== 'excluded')
          ? html`<section aria-labelledby="decide-h" id="decisions"><h2 id="decide-h">${t('evaluation.qualification.decide')}</h2>
          ${list.bids.map(forms)}</section>`
          : canAct
            ? ''
            : html`<p class="hint" id="read-only">${t('evaluation.readOnly')}</p>`
      }`;
    return sendPage(reply, layout(pc, title, body), opts.status ?? 200);
  };

  r.get<TenderParams>('/office/:authorityId/tenders/:tenderId/qualification', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    return renderQualification(request, reply);
  });

  r.post<BidParams>('/office/:authorityId/tenders/:tenderId/qualification/:bidId', async (request, reply) => {
    if (!guard(request, reply) || !validIds(reply, request.params.bidId)) return reply;
    const { authorityId, tenderId, bidId } = request.params;
    const f = formFields(request);
    const t = (await pageContext(app, request, reply)).t;
    const form: QualificationForm = {
      bidId,
      decision: f.get('decision'),
      grounds: f.all('grounds'),
      reasons: f.get('reasons'),
      items: f.get('items'),
      days: f.get('days'),
    };
    const versionText = f.get('version');
    if (
      !/^\d{1,9}$/.test(versionText) ||
      !['admit', 'exclude', 'request_remediation'].includes(form.decision)
    ) {
      // Hidden fields the page wrote itself: only a forged post gets them wrong.
      throw new DomainError('VALIDATION_FAILED', 'The form is incomplete; reload the page');
    }
    const errors: FieldError[] = [];
    let event: QualificationEvent = { type: 'admit' };
    if (form.decision === 'exclude') {
      const grounds = form.grounds.filter((g): g is ExclusionGround =>
        (EXCLUSION_GROUNDS as readonly string[]).includes(g),
      );
      if (grounds.length === 0 || grounds.length !== form.grounds.length) {
        errors.push({
          field: `grounds-${bidId}-${EXCLUSION_GROUNDS[0]}`,
          message: t('evaluation.error.grounds'),
        });
      }
      if (form.reasons.length < MIN_REASONS_LENGTH || form.reasons.length > REASONS_MAX) {
        errors.push({
          field: `reasons-${bidId}`,
          message: t('evaluation.error.reasons', { min: MIN_REASONS_LENGTH, max: REASONS_MAX }),
        });
      }
      event = { type: 'exclude', grounds: [...new Set(grounds)], reasons: form.reasons };
    } else if (form.decision === 'request_remediation') {
      const items = form.items
        .split(/\r?\n/)
        .map((i) => i.trim())
        .filter(Boolean);
      if (items.length === 0 || items.length > ITEMS_MAX || items.some((i) => i.length > ITEM_MAX)) {
        errors.push({
          field: `items-${bidId}`,
          message: t('evaluation.error.items', { max: ITEMS_MAX, length: ITEM_MAX }),
        });
      }
      const days = /^\d$/.test(form.days) ? Number(form.days) : 0;
      if (days < 1 || days > REMEDIATION_MAX_DAYS) {
        errors.push({
          field: `days-${bidId}`,
          message: t('evaluation.error.days', { max: REMEDIATION_MAX_DAYS }),
        });
      }
      event = { type: 'request_remediation', items, days };
    }
    if (errors.length > 0) return renderQualification(request, reply, { errors, form, status: 422 });
    try {
      await decideQualification(app.serviceContext(request), authorityId, tenderId, bidId, {
        event,
        version: Number(versionText),
      });
    } catch (err) {
      if (!shownOnPage(err)) throw err;
      const field = (err.details as { field?: unknown } | undefined)?.field;
      const target =
        field === 'grounds'
          ? `grounds-${bidId}-${EXCLUSION_GROUNDS[0]}`
          : typeof field === 'string'
            ? `${field}-${bidId}`
            : `bid-${bidId}-h`;
      return renderQualification(request, reply, {
        errors: [{ field: target, message: refusal(t, err) }],
        form,
        status: statusOf(err),
      });
    }
    return reply.redirect(`${base(authorityId, tenderId)}/qualification?done=decided`, 303);
  });

  // ───────────────────────────── judgement ─────────────────────────────

  type ScoreForm = { key: string; points: string; justification: string };

  const renderJudgement = async (
    request: FastifyRequest<TenderParams>,
    reply: FastifyReply,
    opts: { errors?: FieldError[]; score?: ScoreForm; summary?: string; status?: number } = {},
  ) => {
    const errors = opts.errors ?? [];
    const { ctx, view, pc, t, head, b } = await frame(request, reply, 'judgement', errors);
    const { authorityId, tenderId } = request.params;
    const title = t('evaluation.judgement.pageTitle', { reference: view.reference });
    let sheet: Awaited<ReturnType<typeof judgementSheet>>;
    try {
      sheet = await judgementSheet(ctx, authorityId, tenderId);
    } catch (err) {
      if (!isDomainError(err) || err.code !== 'INVALID_TRANSITION') throw err;
      return sendPage(reply, unavailable(pc, title, head, err), opts.status ?? 200);
    }
    // Experts score the lots of art. 146.2.a LCSP, the committee the others and approves (committee.ts).
    const seat = await judgementSeat(ctx.db, authorityId, tenderId, pc.actor);
    const canAct = seat.approve || seat.scoreLots.length > 0;
    const me = pc.actor.kind === 'user' ? pc.actor.userId : '';
    const l = pc.locale;
    const { field } = fieldKit(errors);

    const criterion = (bid: (typeof sheet.bids)[number], c: (typeof sheet.criteria)[number]) => {
      const key = `${bid.bidId}-${c.lot}-${c.criterion}`;
      const here = sheet.scores.filter(
        (s) => s.bidId === bid.bidId && s.lot === c.lot && s.criterion === c.criterion,
      );
      const own = here.find((s) => s.memberId === me);
      const typed = opts.score?.key === key ? opts.score : undefined;
      return html`<article class="criterion" id="c-${key}" aria-labelledby="c-${key}-h">
        <h4 id="c-${key}-h">${nameIn(l, c.name)} (${t('evaluation.judgement.max', { points: pts(l, c.maxPoints) })})</h4>
        ${
          here.length
            ? html`<table class="scores"><caption>${t('evaluation.judgement.scoresCaption', { company: bid.company.legalName })}</caption>
          <thead><tr><th scope="col">${t('evaluation.judgement.member')}</th><th scope="col">${t('evaluation.judgement.points')}</th><th scope="col">${t('evaluation.judgement.justification')}</th><th scope="col">${t('evaluation.judgement.scoredAt')}</th></tr></thead>
          <tbody>${here.map((s) => html`<tr><th scope="row">${s.memberName}</th><td>${pts(l, s.points)}</td><td>${s.justification}</td><td>${when(pc, s.scoredAt)}</td></tr>`)}</tbody></table>`
            : html`<p>${t('evaluation.judgement.noScores')}</p>`
        }
        ${
          seat.scoreLots.includes(c.lot) && sheet.opened && !sheet.reportApproved
            ? html`<form method="post" action="${b}/judgement/${bid.bidId}/${c.lot}/${c.criterion}" id="score-form-${key}" novalidate>${csrfField(pc)}
          ${field({
            id: `points-${key}`,
            name: 'points',
            label: t('evaluation.judgement.yourPoints'),
            hint: t('evaluation.judgement.pointsHint', { max: pts(l, c.maxPoints) }),
            control: (a) =>
              html`<input ${a} type="text" inputmode="decimal" value="${typed?.points ?? (own ? pts(l, own.points) : '')}">`,
          })}
          ${field({
            id: `justification-${key}`,
            name: 'justification',
            label: t('evaluation.judgement.yourJustification'),
            hint: t('evaluation.qualification.reasonsHint', { min: MIN_REASONS_LENGTH }),
            control: (a) =>
              html`<textarea ${a} rows="3">${typed?.justification ?? own?.justification ?? ''}</textarea>`,
          })}
          <button type="submit" id="score-${key}">${t('evaluation.judgement.save')}</button></form>`
            : ''
        }
      </article>`;
    };

    const bids = sheet.bids.map(
      (bid) => html`<section class="judgement-bid" id="bid-${bid.bidId}" aria-labelledby="bid-${bid.bidId}-h">
      <h2 id="bid-${bid.bidId}-h">${bid.company.legalName}</h2>
      ${bid.lots.map((lot) => {
        const criteria = sheet.criteria.filter((c) => c.lot === lot);
        if (criteria.length === 0) return '';
        return html`<h3>${t('evaluation.lot', { n: lot })}</h3>${criteria.map((c) => criterion(bid, c))}`;
      })}
    </section>`,
    );

    const reportForm =
      seat.approve && sheet.opened && !sheet.reportApproved && sheet.missing.length === 0
        ? html`<form method="post" action="${b}/judgement/report" id="report-form" novalidate>${csrfField(pc)}
        ${field({
          id: 'summary',
          name: 'summary',
          label: t('evaluation.report.summary'),
          hint: t('evaluation.report.summaryHint'),
          control: (a) => html`<textarea ${a} rows="3">${opts.summary ?? ''}</textarea>`,
        })}
        <button type="submit" id="approve-report">${t('evaluation.report.approve')}</button></form>`
        : '';

    const body = html`${head}
      <p id="judgement-state">${
        !sheet.opened
          ? t('evaluation.reason.b_not_opened')
          : sheet.reportApproved
            ? t('evaluation.report.approved')
            : t('evaluation.judgement.open')
      }</p>
      ${sheet.opened ? html`<p id="missing-count" data-missing="${sheet.missing.length}">${t('evaluation.judgement.missing', { count: sheet.missing.length })}</p>` : ''}
      ${!canAct ? html`<p class="hint" id="read-only">${t('evaluation.readOnly')}</p>` : ''}
      ${bids}
      <section aria-labelledby="report-h" id="report">
        <h2 id="report-h">${t('evaluation.report.title')}</h2>
        ${
          sheet.reportApproved && view.ocid
            ? html`<p><a href="/api/v1/tenders/${view.ocid}/judgement-report" id="report-json">${t('evaluation.report.json')}</a></p>`
            : sheet.opened && sheet.missing.length > 0
              ? html`<p id="report-waiting">${t('evaluation.report.waiting')}</p>`
              : ''
        }
        ${reportForm}
      </section>`;
    return sendPage(reply, layout(pc, title, body), opts.status ?? 200);
  };

  r.get<TenderParams>('/office/:authorityId/tenders/:tenderId/judgement', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    return renderJudgement(request, reply);
  });

  r.post<ScoreParams>(
    '/office/:authorityId/tenders/:tenderId/judgement/:bidId/:lot/:criterion',
    async (request, reply) => {
      if (!guard(request, reply) || !validIds(reply, request.params.bidId)) return reply;
      const { authorityId, tenderId, bidId, lot, criterion } = request.params;
      if (!/^\d{1,5}$/.test(lot) || !/^\d{1,3}$/.test(criterion)) {
        void reply.callNotFound();
        return reply;
      }
      const key = `${bidId}-${lot}-${criterion}`;
      const f = formFields(request);
      const t = (await pageContext(app, request, reply)).t;
      const score: ScoreForm = { key, points: f.get('points'), justification: f.get('justification') };
      const errors: FieldError[] = [];
      // A decimal comma is what people type in ca/es; the service takes a dot.
      const points = score.points.replace(',', '.');
      if (!/^\d{1,6}(\.\d{1,2})?$/.test(points)) {
        errors.push({ field: `points-${key}`, message: t('evaluation.error.points') });
      }
      if (score.justification.length < MIN_REASONS_LENGTH || score.justification.length > REASONS_MAX) {
        errors.push({
          field: `justification-${key}`,
          message: t('evaluation.error.reasons', { min: MIN_REASONS_LENGTH, max: REASONS_MAX }),
        });
      }
      if (errors.length > 0) return renderJudgement(request, reply, { errors, score, status: 422 });
      try {
        await scoreJudgement(app.serviceContext(request), authorityId, tenderId, {
          bidId,
          lot: Number(lot),
          criterion: Number(criterion),
          points,
          justification: score.justification,
        });
      } catch (err) {
        if (!shownOnPage(err)) throw err;
        const d = err.details as { field?: unknown; max?: unknown } | undefined;
        const target = typeof d?.field === 'string' ? `${d.field}-${key}` : `c-${key}-h`;
        const message =
          d?.field === 'points' && typeof d.max === 'string'
            ? t('evaluation.error.pointsMax', { max: d.max })
            : refusal(t, err);
        return renderJudgement(request, reply, {
          errors: [{ field: target, message }],
          score,
          status: statusOf(err),
        });
      }
      return reply.redirect(`${base(authorityId, tenderId)}/judgement?done=scored#c-${key}`, 303);
    },
  );

  r.post<TenderParams>('/office/:authorityId/tenders/:tenderId/judgement/report', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const { authorityId, tenderId } = request.params;
    const summary = formFields(request).get('summary');
    const t = (await pageContext(app, request, reply)).t;
    // The minutes' reference is required here as on the opening page (the API leaves it optional).
    if (summary.length === 0 || summary.length > SUMMARY_MAX) {
      return renderJudgement(request, reply, {
        errors: [{ field: 'summary', message: t('evaluation.error.summary', { max: SUMMARY_MAX }) }],
        summary,
        status: 422,
      });
    }
    try {
      await approveJudgementReport(app.serviceContext(request), authorityId, tenderId, { summary });
    } catch (err) {
      if (!shownOnPage(err)) throw err;
      const details = err.details as { reason?: string; missing?: unknown[] } | undefined;
      const message =
        details?.reason === 'scores_missing'
          ? t('evaluation.judgement.missing', { count: details.missing?.length ?? 0 })
          : refusal(t, err);
      return renderJudgement(request, reply, {
        errors: [{ field: 'report-h', message }],
        summary,
        status: statusOf(err),
      });
    }
    return reply.redirect(`${base(authorityId, tenderId)}/judgement?done=approved`, 303);
  });

  // ───────────────────────────── scoring ─────────────────────────────

  r.get<TenderParams>('/office/:authorityId/tenders/:tenderId/scoring', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const { authorityId, tenderId } = request.params;
    const { ctx, view, pc, t, head } = await frame(request, reply, 'scoring', []);
    const title = t('evaluation.scoring.pageTitle', { reference: view.reference });
    const l = pc.locale;
    let scoring: Awaited<ReturnType<typeof lotScoring>>;
    try {
      scoring = await lotScoring(ctx, authorityId, tenderId);
    } catch (err) {
      if (!isDomainError(err) || err.code !== 'INVALID_TRANSITION') throw err;
      return sendPage(reply, unavailable(pc, title, head, err));
    }
    const notice = (await getPublicNotice(ctx, scoring.ocid)).notice as {
      lots?: { number: number; criteria?: { name?: unknown; evaluation?: string }[] }[];
    };
    const lots = scoring.lots.map((lot) => {
      const criteria = notice.lots?.find((x) => x.number === lot.lot)?.criteria ?? [];
      const header = lot.offers[0]?.points.map((p) => p.criterion) ?? criteria.map((_, i) => i + 1);
      return html`<section class="scoring-lot" id="lot-${lot.lot}" aria-labelledby="lot-${lot.lot}-h">
        <h2 id="lot-${lot.lot}-h">${t('evaluation.lot', { n: lot.lot })}</h2>
        <p>${t('evaluation.scoring.budget')}: ${money(pc, lot.budget)}</p>
        ${
          lot.offers.length
            ? html`<table class="scoring" id="scoring-${lot.lot}">
          <caption>${t('evaluation.scoring.caption', { n: lot.lot })}</caption>
          <thead><tr>
            <th scope="col">${t('evaluation.scoring.rank')}</th>
            <th scope="col">${t('evaluation.company')}</th>
            <th scope="col">${t('evaluation.scoring.price')}</th>
            ${header.map((n) => html`<th scope="col">${nameIn(l, criteria[n - 1]?.name) || t('evaluation.scoring.criterion', { n })}</th>`)}
            <th scope="col">${t('evaluation.scoring.judgement')}</th>
            <th scope="col">${t('evaluation.scoring.formula')}</th>
            <th scope="col">${t('evaluation.scoring.total')}</th>
            <th scope="col">${t('evaluation.scoring.abnormal')}</th>
          </tr></thead>
          <tbody>${[...lot.offers]
            .sort((x, y) => (x.rank ?? Number.MAX_SAFE_INTEGER) - (y.rank ?? Number.MAX_SAFE_INTEGER))
            .map(
              (o) => html`<tr id="offer-${o.bidId}">
            <td>${o.rank ?? '—'}</td><th scope="row">${o.company}</th><td class="num">${money(pc, o.price)}</td>
            ${header.map((n) => {
              const p = o.points.find((x) => x.criterion === n);
              return html`<td class="num">${p ? pts(l, p.points) : '—'}</td>`;
            })}
            <td class="num">${pts(l, o.judgementPoints)}</td><td class="num">${pts(l, o.formulaPoints)}</td>
            <td class="num"><strong>${pts(l, o.total)}</strong></td>
            <td>${o.presumedAbnormal ? html`<strong class="flag">${t('evaluation.scoring.presumed')}</strong>` : t('evaluation.scoring.no')}</td>
          </tr>`,
            )}</tbody></table>`
            : html`<p>${t('evaluation.scoring.noOffers')}</p>`
        }
        ${
          lot.unreadable.length
            ? html`<h3>${t('evaluation.scoring.unreadable')}</h3><ul id="unreadable-${lot.lot}">${lot.unreadable.map((u) => html`<li>${u.company}: <code>${u.problem}</code></li>`)}</ul>`
            : ''
        }
      </section>`;
    });
    const body = html`${head}<p>${t('evaluation.scoring.lead')}</p>${lots}`;
    return sendPage(reply, layout(pc, title, body));
  });
}

/**
 * The public page's "Evaluation" section (tenders-public.tender.ts): once the committee's report
 * on envelope B is approved and published, the committee's score per company and judgement
 * criterion, per lot, with a link to the report as published (JSON with its hash).
 */
export async function publicEvaluationSection(
  pc: PageContext,
  db: ServiceContext['db'],
  ocid: string,
  notice: { authorityId?: unknown; id?: unknown; lots?: unknown },
): Promise<Html> {
  if (typeof notice.authorityId !== 'string' || typeof notice.id !== 'string') return html``;
  const published = await publishedJudgementReport(db, notice.authorityId, notice.id);
  if (!published) return html``;
  const t = pc.t;
  const l = pc.locale;
  const scores = published.report.scores;
  const lotsOfNotice = Array.isArray(notice.lots)
    ? (notice.lots as { number?: unknown; criteria?: { name?: unknown }[] }[])
    : [];
  const lotNumbers = [...new Set(scores.map((s) => s.lot))].sort((x, y) => x - y);
  return html`<section aria-labelledby="evaluation-h" id="evaluation">
    <h2 id="evaluation-h">${t('evaluation.public.title')}</h2>
    <p>${t('evaluation.public.lead', { date: when(pc, published.report.approvedAt) })}</p>
    ${lotNumbers.map((lot) => {
      const here = scores.filter((s) => s.lot === lot);
      const criteria = [...new Set(here.map((s) => s.criterion))].sort((x, y) => x - y);
      const companies = [...new Map(here.map((s) => [s.bidId, s.company])).entries()];
      const noticeCriteria = lotsOfNotice.find((x) => x.number === lot)?.criteria ?? [];
      return html`<table class="public-scores" id="evaluation-lot-${lot}">
        <caption>${t('evaluation.public.caption', { n: lot })}</caption>
        <thead><tr><th scope="col">${t('evaluation.company')}</th>${criteria.map((c) => {
          const max = here.find((s) => s.criterion === c)?.maxPoints ?? '0';
          return html`<th scope="col">${nameIn(l, noticeCriteria[c - 1]?.name) || t('evaluation.scoring.criterion', { n: c })} (${t('evaluation.judgement.max', { points: pts(l, max) })})</th>`;
        })}</tr></thead>
        <tbody>${companies.map(
          ([bidId, company]) =>
            html`<tr><th scope="row">${company}</th>${criteria.map((c) => {
              const s = here.find((x) => x.bidId === bidId && x.criterion === c);
              return html`<td class="num">${s ? pts(l, s.points) : '—'}</td>`;
            })}</tr>`,
        )}</tbody></table>`;
    })}
    <p><a href="/api/v1/tenders/${ocid}/judgement-report" id="evaluation-json">${t('evaluation.public.json')}</a></p>
  </section>`;
}
