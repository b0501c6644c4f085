/**
 * The committee's minutes as pages (issue 5, points 1 and 8): in the committee workspace every
 * act, internal steps included; on the public side the published acts (art. 63.3.e LCSP).
 * minutes.service.ts reads them from the audit trail; these pages only render.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TFunction } from 'i18next';
import type { App } from '../../app.js';
import { DomainError } from '../../platform/errors.js';
import { type Html, html } from '../../platform/http/html.js';
import { when } from '../portal/backoffice-view.js';
import { layout, type PageContext, sendPage } from '../portal/layout.js';
import { pageContext } from '../portal/portal.context.js';
import { OCID_RE } from '../portal/tenders-public.tender.js';
import { guardIds, OUTCOME_KEYS, workspaceFrame } from './award.pages.js';
import type { AppealOutcome } from './award.types.js';
import { committeeMinutes, type MinutesAction, type MinutesEntry, publicMinutes } from './minutes.service.js';

type TenderParams = { Params: { authorityId: string; tenderId: string } };

const ACTION_KEYS: Record<MinutesAction, string> = {
  'bid.commitment_published': 'minutes.action.commitment',
  'participation.decided': 'minutes.action.participation',
  'tender.invited': 'minutes.action.invited',
  'negotiation.round_opened': 'minutes.action.round',
  'opening.recorded': 'minutes.action.opening',
  'evaluation.qualification_decided': 'minutes.action.qualification',
  'evaluation.judgement_report_approved': 'minutes.action.judgementReport',
  'evaluation.abnormal_review_changed': 'minutes.action.abnormal',
  'evaluation.award_draw_recorded': 'minutes.action.draw',
  'evaluation.award_step': 'minutes.action.award',
};

const DECISION_KEYS = {
  selected: 'minutes.decision.selected',
  rejected: 'minutes.decision.rejected',
} as const;

/** The words for what happened: each machine's own labels, where its pages already have them. */
function stepText(t: TFunction, e: MinutesEntry): string | null {
  switch (e.action) {
    case 'evaluation.qualification_decided':
      return e.status ? t(`evaluation.status.${e.status}`) : null;
    case 'evaluation.abnormal_review_changed':
      return e.status ? t(`award.abnormal.status.${e.status}`) : null;
    case 'evaluation.award_step': {
      if (!e.step) return null;
      // The appeal's resolution is stored as `resolve_appeal:<outcome>` (award.service.ts).
      const [step, outcome] = e.step.split(':');
      const what = outcome
        ? `${t(`award.step.${step}`)}: ${t(OUTCOME_KEYS[outcome as AppealOutcome] ?? outcome)}`
        : t(`award.step.${step}`);
      return `${what} — ${t(`award.status.${e.status ?? 'ranking'}`)}`;
    }
    case 'participation.decided':
      return e.step === 'selected' || e.step === 'rejected' ? t(DECISION_KEYS[e.step]) : null;
    case 'negotiation.round_opened':
      return e.step;
    default:
      return null;
  }
}

function groundText(t: TFunction, e: MinutesEntry, ground: string): string {
  return e.action === 'evaluation.abnormal_review_changed'
    ? t(`award.abnormal.ground.${ground}`)
    : t(`evaluation.ground.${ground}`);
}

function details(pc: PageContext, e: MinutesEntry): Html {
  const t = pc.t;
  const parts: Html[] = [];
  const item = (label: string, value: Html | string) =>
    parts.push(html`<div><dt>${label}</dt><dd>${value}</dd></div>`);
  if (e.lot !== null) item(t('minutes.field.lot'), String(e.lot));
  if (e.envelope) item(t('minutes.field.envelope'), e.envelope);
  if (e.company) item(t('minutes.field.company'), `${e.company.legalName} (${e.company.taxId})`);
  const step = stepText(t, e);
  if (step) item(t('minutes.field.step'), step);
  if (e.counts?.opened !== undefined) {
    item(
      t('minutes.field.opened'),
      t('minutes.openedCount', { opened: e.counts.opened, failed: e.counts.failed ?? 0 }),
    );
  }
  if (e.counts?.bids !== undefined) item(t('minutes.field.bids'), String(e.counts.bids));
  if (e.counts?.invited !== undefined) item(t('minutes.field.invited'), String(e.counts.invited));
  if (e.grounds?.length)
    item(t('minutes.field.grounds'), e.grounds.map((g) => groundText(t, e, g)).join('; '));
  if (e.items?.length)
    item(t('minutes.field.items'), html`<ul>${e.items.map((i) => html`<li>${i}</li>`)}</ul>`);
  if (e.reasons) item(t('minutes.field.reasons'), e.reasons);
  if (e.deadline) item(t('minutes.field.deadline'), when(pc, e.deadline));
  return html`<dl class="minutes-details">${parts}</dl>`;
}

/** The minutes as a table: when, which act, its details and the hash of its audit event. */
export function minutesTable(pc: PageContext, entries: readonly MinutesEntry[]): Html {
  const t = pc.t;
  if (entries.length === 0) return html`<p id="minutes-empty">${t('minutes.empty')}</p>`;
  return html`<p>${t('minutes.hashNote')}</p>
    <table class="minutes" id="minutes">
      <caption class="visually-hidden">${t('minutes.caption')}</caption>
      <thead><tr>
        <th scope="col">${t('minutes.col.when')}</th>
        <th scope="col">${t('minutes.col.act')}</th>
        <th scope="col">${t('minutes.col.details')}</th>
        <th scope="col">${t('minutes.col.hash')}</th>
      </tr></thead>
      <tbody>${entries.map(
        (e) => html`<tr id="minutes-${e.seq}">
          <td>${when(pc, e.occurredAt)}</td>
          <td>${t(ACTION_KEYS[e.action])}</td>
          <td>${details(pc, e)}</td>
          <td><code title="SHA-256">${e.eventSha256.slice(0, 16)}…</code></td>
        </tr>`,
      )}</tbody>
    </table>`;
}

export function minutesPages(app: App, r: FastifyInstance): void {
  r.get<TenderParams>('/office/:authorityId/tenders/:tenderId/minutes', async (request, reply) => {
    const { authorityId, tenderId } = request.params;
    if (!guardIds(request, reply, authorityId, tenderId)) return reply;
    const { ctx, view, pc, t, head } = await workspaceFrame(app, request, reply, 'minutes', []);
    const minutes = await committeeMinutes(ctx, authorityId, tenderId);
    return sendPage(
      reply,
      layout(
        pc,
        t('minutes.pageTitle', { reference: view.reference }),
        html`${head}<p>${t('minutes.internalNote')}</p>${minutesTable(pc, minutes.entries)}`,
      ),
    );
  });

  r.get<{ Params: { ocid: string } }>(
    '/tenders/:ocid/minutes',
    async (request: FastifyRequest<{ Params: { ocid: string } }>, reply: FastifyReply) => {
      const { ocid } = request.params;
      if (!OCID_RE.test(ocid)) throw new DomainError('NOT_FOUND', 'Tender not found');
      const minutes = await publicMinutes(app.serviceContext(request).db, ocid);
      const pc = await pageContext(app, request, reply);
      const t = pc.t;
      return sendPage(
        reply,
        layout(
          pc,
          t('minutes.publicTitle'),
          html`<p><a href="/tenders/${ocid}" id="tender-link">${t('minutes.backToTender')}</a></p>
            <p>${t('minutes.publicNote')}</p>
            ${minutesTable(pc, minutes.entries)}`,
        ),
      );
    },
  );
}
