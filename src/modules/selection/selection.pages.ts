/**
 * Pages of the phase before sealed bids in the procedures that invite (issue 5; LCSP arts.
 * 160–171), server-rendered forms posting back with PRG:
 * - `/tenders/:ocid/participation`: a company's own participation — its request to participate
 *   with its statement (art. 162) while requests are taken, the decision and its reasons once the
 *   invitations leave (art. 155), whether it is invited (and the way to the bid page), and the
 *   negotiation rounds with its answers (art. 169);
 * - `/office/:authorityId/tenders/:tenderId/selection`: the requests once their deadline passed,
 *   the committee's selection with reasons, the officer's invitations (to the selected, or without
 *   publication to the companies named by tax id, art. 168), and the negotiation rounds.
 * The services (selection.service.ts) decide everything; the pages only pre-check the forms so that
 * a mistyped field gets its own message, and never write anything themselves.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import type { UserActor } from '../../platform/context.js';
import { DomainError, ErrorCodes } from '../../platform/errors.js';
import { type Html, type HtmlValue, html } from '../../platform/http/html.js';
import { requireSignedIn } from '../portal/account.pages.js';
import { instantFromLocalInput } from '../portal/backoffice-tender-form.js';
import { officeNav, procedureLabel, when } from '../portal/backoffice-view.js';
import {
  csrfField,
  errorSummary,
  type FieldError,
  layout,
  type PageContext,
  sendPage,
} from '../portal/layout.js';
import { formFields, isDomainError, pageContext, validIds } from '../portal/portal.context.js';
import { noticeMailOf } from '../portal/notice-mail.js';
import { OCID_RE } from '../portal/tenders-public.tender.js';
import { PROCEDURES } from '../procedures/procedure.catalogue.js';
import { bidsByInvitation } from '../procedures/procedure.rules.js';
import type { ProcedureCode } from '../procedures/procedure.types.js';
import { getPublicNotice } from '../tenders/tender-public.service.js';
import { getTender } from '../tenders/tender.service.js';
import {
  chooseCompany,
  companyPicker,
  fieldOf,
  formField,
  guardTender,
  noticeLine,
  refusalText,
  shownOnPage,
} from '../portal/page-forms.js';
import { canOnSelection, type SelectionAction } from './selection.policy.js';
import { MIN_REASONS_LENGTH, type SelectionDecision, TEXT_MAX } from './selection.rules.js';
import {
  answerRound,
  type CompanyParticipationView,
  companiesByTaxId,
  companyParticipation,
  decideParticipation,
  type InvitationListView,
  invite,
  listParticipationRequests,
  listTenderInvitations,
  type NegotiationView,
  negotiation,
  openRound,
  type ParticipationRequestView,
  requestParticipation,
} from './selection.service.js';

type OcidParams = { Params: { ocid: string }; Querystring: { companyId?: string; done?: string } };
type RoundParams = { Params: { ocid: string; number: string } };
type TenderParams = { Params: { authorityId: string; tenderId: string } };
type RequestParams = { Params: { authorityId: string; tenderId: string; requestId: string } };

/** Longest subject of a round (the table's check, selection.routes.ts). */
const SUBJECT_MAX = 300;
/** Most companies one invitation names (the API's limit). */
const TAX_IDS_MAX = 200;

/** Why a service refused a move (details.reason), in words; others fall back to the error code. */
const REASON_KEYS: Record<string, string> = {
  not_published: 'selection.reason.not_published',
  no_selection_phase: 'selection.reason.no_selection_phase',
  requests_open: 'selection.reason.requests_open',
  already_invited: 'selection.reason.already_invited',
  requests_undecided: 'selection.reason.requests_undecided',
  no_invitation: 'selection.reason.no_invitation',
  not_negotiated: 'selection.reason.not_negotiated',
  not_invited_yet: 'selection.reason.not_invited_yet',
  round_open: 'selection.reason.round_open',
};

/** Confirmations after a redirect (PRG), from a fixed list so that the query cannot inject text. */
const NOTICE_KEYS: Record<string, string> = {
  requested: 'selection.notice.requested',
  answered: 'selection.notice.answered',
  decided: 'selection.notice.decided',
  invited: 'selection.notice.invited',
  round: 'selection.notice.round',
};

const DECISION_KEYS: Record<SelectionDecision, string> = {
  selected: 'selection.decision.selected',
  rejected: 'selection.decision.rejected',
};

function refusal(t: PageContext['t'], err: DomainError): string {
  return refusalText(t, err, REASON_KEYS, {
    CONFLICT: 'selection.error.conflict',
    STALE_VERSION: 'selection.error.stale',
  });
}

/** A labelled control with its hint and inline error, wired with aria-describedby. */
const field = formField;

/** Text as the person wrote it, line breaks kept. */
function paragraphs(text: string): Html {
  return html`${text.split(/\r?\n/).map((line, i) => html`${i > 0 ? html`<br>` : ''}${line}`)}`;
}

const tooLong = (text: string) => text.length > TEXT_MAX;

// ───────────────────────────── the company's page ─────────────────────────────

type CompanyState = {
  ocid: string;
  title: string;
  status: string;
  company: { id: string; name: string };
  companies: { id: string; name: string }[];
  view: CompanyParticipationView;
  now: Date;
  errors: FieldError[];
  statement?: string;
  answer?: { number: number; text: string };
};

const participationUrl = (ocid: string, companyId: string) =>
  `/tenders/${ocid}/participation?companyId=${encodeURIComponent(companyId)}`;

function companyFacts(pc: PageContext, s: CompanyState): Html {
  const t = pc.t;
  return html`<section aria-labelledby="facts-h" id="facts">
    <h2 id="facts-h">${t('selection.company.facts')}</h2>
    <dl class="facts">
      <dt>${t('selection.facts.tender')}</dt><dd><a href="/tenders/${s.ocid}">${s.title}</a></dd>
      <dt>${t('selection.facts.ocid')}</dt><dd><code>${s.ocid}</code></dd>
      ${
        s.view.participationDeadline
          ? html`<dt>${t('selection.facts.participationDeadline')}</dt><dd id="participation-deadline">${when(pc, s.view.participationDeadline)}</dd>`
          : ''
      }
      <dt>${t('selection.facts.tenderDeadline')}</dt><dd>${when(pc, s.view.tenderDeadline)}</dd>
      <dt>${t('selection.facts.company')}</dt><dd id="participating-company">${s.company.name}</dd>
    </dl>
    <p class="hint">${t('selection.facts.timeZone')}</p>
    ${companyPicker(s, `/tenders/${s.ocid}/participation`, {
      choose: t('selection.company.choose'),
      submit: t('selection.company.chooseSubmit'),
    })}
  </section>`;
}

function requestSection(pc: PageContext, s: CompanyState): Html {
  const t = pc.t;
  const v = s.view;
  if (!v.participationDeadline) {
    // Without publication (art. 168) nobody asks: the authority chooses whom it invites.
    return html`<section aria-labelledby="request-h" id="request">
      <h2 id="request-h">${t('selection.request.title')}</h2>
      <p id="no-requests">${t('selection.request.direct')}</p></section>`;
  }
  const open = s.status === 'published' && new Date(v.participationDeadline).getTime() > s.now.getTime();
  let content: HtmlValue;
  if (v.request) {
    const decision = v.request.decision;
    content = html`<dl class="facts" id="request-state">
        <dt>${t('selection.request.submittedAt')}</dt><dd>${when(pc, v.request.submittedAt)}</dd>
        <dt>${t('selection.request.decision')}</dt><dd id="request-decision" data-decision="${decision ?? 'pending'}">${
          decision ? t(DECISION_KEYS[decision]) : t('selection.request.pending')
        }</dd>
        ${v.request.reasons ? html`<dt>${t('selection.request.reasons')}</dt><dd id="request-reasons">${paragraphs(v.request.reasons)}</dd>` : ''}
      </dl>
      ${decision ? '' : html`<p class="hint">${t('selection.request.pendingHint')}</p>`}`;
  } else if (open) {
    content = html`<p>${t('selection.request.lead', { date: when(pc, v.participationDeadline) })}</p>
      <form method="post" action="/tenders/${s.ocid}/participation" id="request-form" novalidate>
        ${csrfField(pc)}<input type="hidden" name="companyId" value="${s.company.id}">
        ${field(s.errors, {
          id: 'statement',
          name: 'statement',
          label: t('selection.request.statement'),
          hint: t('selection.request.statementHint', { max: TEXT_MAX }),
          control: (a) => html`<textarea ${a} rows="6">${s.statement ?? ''}</textarea>`,
        })}
        <button type="submit" id="request-submit">${t('selection.request.submit')}</button>
      </form>`;
  } else {
    content = html`<p id="requests-closed">${
      s.status === 'published' ? t('selection.request.closed') : t('selection.request.cancelled')
    }</p>`;
  }
  return html`<section aria-labelledby="request-h" id="request">
    <h2 id="request-h">${t('selection.request.title')}</h2>${content}</section>`;
}

function invitationSection(pc: PageContext, s: CompanyState): Html {
  const t = pc.t;
  const v = s.view;
  const bid = `/tenders/${s.ocid}/bid?companyId=${encodeURIComponent(s.company.id)}`;
  return html`<section aria-labelledby="invitation-h" id="invitation">
    <h2 id="invitation-h">${t('selection.invitation.title')}</h2>
    ${
      v.invited
        ? html`<p id="invited" data-invited="yes">${t('selection.invitation.invited')}</p>
          ${
            s.status === 'published' && v.tenderDeadline && new Date(v.tenderDeadline) > s.now
              ? html`<p><a class="button" href="${bid}" id="bid-page">${t('selection.invitation.bid')}</a></p>`
              : ''
          }`
        : html`<p id="invited" data-invited="no">${
            v.request?.decision === 'rejected'
              ? t('selection.invitation.rejected')
              : v.request?.decision === 'selected'
                ? t('selection.invitation.notInvited')
                : t('selection.invitation.notYet')
          }</p>`
    }
  </section>`;
}

function roundsSection(pc: PageContext, s: CompanyState): Html {
  const t = pc.t;
  const v = s.view;
  if (!v.invited) return html``;
  return html`<section aria-labelledby="rounds-h" id="rounds">
    <h2 id="rounds-h">${t('selection.rounds.title')}</h2>
    ${v.rounds.length === 0 ? html`<p id="no-rounds">${t('selection.rounds.none')}</p>` : ''}
    ${v.rounds.map((r) => {
      const id = `answer-${r.number}`;
      const due = new Date(r.responsesDue).getTime() > s.now.getTime();
      const typed = s.answer?.number === r.number ? s.answer.text : '';
      return html`<article class="round" id="round-${r.number}" aria-labelledby="round-${r.number}-h">
        <h3 id="round-${r.number}-h">${t('selection.rounds.round', { n: r.number, subject: r.subject })}</h3>
        <p>${paragraphs(r.message)}</p>
        <p>${t('selection.rounds.due', { date: when(pc, r.responsesDue) })}</p>
        ${
          r.answer
            ? html`<h4>${t('selection.rounds.yourAnswer', { date: when(pc, r.answer.submittedAt) })}</h4>
              <p class="answer" id="answer-${r.number}-text">${paragraphs(r.answer.text)}</p>`
            : due && s.status === 'published'
              ? html`<form method="post" action="/tenders/${s.ocid}/participation/rounds/${r.number}" id="answer-form-${r.number}" novalidate>
              ${csrfField(pc)}<input type="hidden" name="companyId" value="${s.company.id}">
              ${field(s.errors, {
                id,
                name: 'text',
                label: t('selection.rounds.answer'),
                hint: t('selection.rounds.answerHint', { max: TEXT_MAX }),
                control: (a) => html`<textarea ${a} rows="5">${typed}</textarea>`,
              })}
              <button type="submit" id="answer-submit-${r.number}">${t('selection.rounds.submit')}</button></form>`
              : html`<p id="answer-${r.number}-missed">${t('selection.rounds.missed')}</p>`
        }
      </article>`;
    })}
  </section>`;
}

// ───────────────────────────── the office page ─────────────────────────────

type OfficeForms = {
  decision?: { requestId: string; decision: string; reasons: string };
  invitation?: { taxIds: string; fewerCandidatesReason: string };
  round?: { subject: string; message: string; responsesDue: string };
};

const allowed = (pc: PageContext, action: SelectionAction, authorityId: string) =>
  canOnSelection(pc.actor, action, authorityId) === 'allow';

export function selectionPages(app: App, r: FastifyInstance): void {
  // ── company ──

  const loadCompany = async (
    request: FastifyRequest<{ Params: { ocid: string } }>,
    reply: FastifyReply,
    askedCompany: string | undefined,
  ): Promise<{ pc: PageContext; state: CompanyState }> => {
    const ocid = request.params.ocid;
    if (!OCID_RE.test(ocid)) throw new DomainError('NOT_FOUND', 'Tender not found');
    const ctx = app.serviceContext(request);
    const n = await getPublicNotice(ctx, ocid);
    const pc = await pageContext(app, request, reply);
    const { company, companies } = chooseCompany(
      request.actor as UserActor,
      pc,
      askedCompany,
      'Only members of a company may ask to participate',
    );
    const view = await companyParticipation(ctx, { ocid, companyId: company.id });
    // An open procedure has no participation: anyone bids (bid.pages.ts).
    if (!view.byInvitation) throw new DomainError('NOT_FOUND', 'This tender takes no requests');
    const title = (n.notice as { title?: Record<string, unknown> } | null)?.title?.[pc.locale];
    return {
      pc,
      state: {
        ocid,
        title: typeof title === 'string' ? title : ocid,
        status: n.status,
        company,
        companies,
        view,
        now: app.deps.clock.now(),
        errors: [],
      },
    };
  };

  const renderCompany = (
    reply: FastifyReply,
    pc: PageContext,
    s: CompanyState,
    notice: HtmlValue,
    status = 200,
  ) => {
    const t = pc.t;
    const body = html`${notice}${errorSummary(pc, s.errors)}
      ${companyFacts(pc, s)}
      ${requestSection(pc, s)}
      ${invitationSection(pc, s)}
      ${roundsSection(pc, s)}
      <p><a href="/tenders/${s.ocid}">${t('selection.company.back')}</a></p>`;
    return sendPage(reply, layout(pc, t('selection.company.title'), body), status);
  };

  r.get<OcidParams>('/tenders/:ocid/participation', async (request, reply) => {
    if (!requireSignedIn(request, reply)) return reply;
    const { pc, state } = await loadCompany(request, reply, request.query.companyId || undefined);
    return renderCompany(reply, pc, state, noticeLine(pc, request, NOTICE_KEYS));
  });

  r.post<OcidParams>('/tenders/:ocid/participation', async (request, reply) => {
    if (!requireSignedIn(request, reply)) return reply;
    const f = formFields(request);
    const { pc, state } = await loadCompany(request, reply, f.get('companyId') || undefined);
    const statement = f.get('statement');
    const again = (errors: FieldError[], status: number) =>
      renderCompany(reply, pc, { ...state, errors, statement }, '', status);
    if (statement.length === 0 || tooLong(statement)) {
      return again(
        [{ field: 'statement', message: pc.t('selection.error.statement', { max: TEXT_MAX }) }],
        422,
      );
    }
    try {
      await requestParticipation(app.serviceContext(request), {
        ocid: state.ocid,
        companyId: state.company.id,
        statement,
      });
    } catch (err) {
      if (!shownOnPage(err)) throw err;
      return again(
        [{ field: fieldOf(err) === 'statement' ? 'statement' : 'request-h', message: refusal(pc.t, err) }],
        ErrorCodes[err.code],
      );
    }
    return reply.redirect(`${participationUrl(state.ocid, state.company.id)}&done=requested#request`, 303);
  });

  r.post<RoundParams>('/tenders/:ocid/participation/rounds/:number', async (request, reply) => {
    if (!requireSignedIn(request, reply)) return reply;
    if (!/^[1-9]\d{0,2}$/.test(request.params.number)) {
      void reply.callNotFound();
      return reply;
    }
    const number = Number(request.params.number);
    const f = formFields(request);
    const { pc, state } = await loadCompany(request, reply, f.get('companyId') || undefined);
    const text = f.get('text');
    const id = `answer-${number}`;
    const again = (errors: FieldError[], status: number) =>
      renderCompany(reply, pc, { ...state, errors, answer: { number, text } }, '', status);
    if (text.length === 0 || tooLong(text)) {
      return again([{ field: id, message: pc.t('selection.error.answer', { max: TEXT_MAX }) }], 422);
    }
    try {
      await answerRound(app.serviceContext(request), {
        ocid: state.ocid,
        companyId: state.company.id,
        number,
        text,
      });
    } catch (err) {
      if (!shownOnPage(err)) throw err;
      // Point at what the page shows: the round, the rounds, or (not invited) the invitation.
      const target = state.view.rounds.some((x) => x.number === number)
        ? `round-${number}-h`
        : state.view.invited
          ? 'rounds-h'
          : 'invitation-h';
      return again(
        [{ field: fieldOf(err) === 'text' ? id : target, message: refusal(pc.t, err) }],
        ErrorCodes[err.code],
      );
    }
    return reply.redirect(
      `${participationUrl(state.ocid, state.company.id)}&done=answered#round-${number}`,
      303,
    );
  });

  // ── office ──

  const base = (authorityId: string, tenderId: string) => `/office/${authorityId}/tenders/${tenderId}`;

  const guard = guardTender;

  const renderOffice = async (
    request: FastifyRequest<TenderParams>,
    reply: FastifyReply,
    opts: { errors?: FieldError[]; forms?: OfficeForms; status?: number } = {},
  ) => {
    const { authorityId, tenderId } = request.params;
    const ctx = app.serviceContext(request);
    // Tenancy and role first (tender.read): another authority's file does not exist for the user.
    const view = await getTender(ctx, authorityId, tenderId);
    const procedure = view.procedure as ProcedureCode;
    // Only the procedures that invite have this phase; for the others the page does not exist.
    if (!bidsByInvitation(procedure)) throw new DomainError('NOT_FOUND', 'This tender invites nobody');
    // The selection's own read right (committee, officer, auditors): others get 403 here.
    const invitations: InvitationListView = await listTenderInvitations(ctx, authorityId, tenderId);
    const pc = await pageContext(app, request, reply);
    const t = pc.t;
    const errors = opts.errors ?? [];
    const forms = opts.forms ?? {};
    const b = base(authorityId, tenderId);
    const def = PROCEDURES[procedure];
    const published = view.status === 'published';
    const invited = invitations.invitedAt !== null;

    let requests: ParticipationRequestView[] | null = null;
    let requestsNote: HtmlValue = '';
    if (def.twoPhase) {
      try {
        requests = (await listParticipationRequests(ctx, authorityId, tenderId)).requests;
      } catch (err) {
        if (!isDomainError(err) || err.code !== 'INVALID_TRANSITION') throw err;
        requestsNote = html`<p id="requests-open">${t('selection.office.requestsOpen', { date: when(pc, view.participationDeadline) })}</p>`;
      }
    }
    const canDecide = allowed(pc, 'selection.decide', authorityId) && published && !invited;
    const canInvite = allowed(pc, 'selection.invite', authorityId) && published && !invited;
    const canNegotiate = allowed(pc, 'selection.negotiate', authorityId) && published && invited;

    const decisionForm = (q: ParticipationRequestView): Html => {
      const mine = forms.decision?.requestId === q.id ? forms.decision : undefined;
      const chosen = mine?.decision ?? q.decision ?? '';
      const first = `decision-${q.id}-selected`;
      const err = errors.find((e) => e.field === first);
      return html`<form method="post" action="${b}/selection/requests/${q.id}" id="decide-form-${q.id}" novalidate>
        ${csrfField(pc)}<input type="hidden" name="version" value="${q.version}">
        <fieldset class="${err ? 'field-error' : ''}" ${err ? html`aria-describedby="${first}-error"` : ''}>
          <legend>${t('selection.office.decisionFor', { company: q.company.legalName })}</legend>
          ${err ? html`<p class="error" id="${first}-error">${err.message}</p>` : ''}
          ${(['selected', 'rejected'] as const).map(
            (
              d,
            ) => html`<div class="radio"><input type="radio" id="decision-${q.id}-${d}" name="decision" value="${d}" ${chosen === d ? html`checked` : ''}>
            <label for="decision-${q.id}-${d}">${t(DECISION_KEYS[d])}</label></div>`,
          )}
        </fieldset>
        ${field(errors, {
          id: `reasons-${q.id}`,
          name: 'reasons',
          label: t('selection.office.reasons'),
          hint: t('selection.office.reasonsHint', { min: MIN_REASONS_LENGTH }),
          control: (a) => html`<textarea ${a} rows="3">${mine ? mine.reasons : (q.reasons ?? '')}</textarea>`,
        })}
        <button type="submit" id="decide-${q.id}">${t('selection.office.decide')}</button>
      </form>`;
    };

    const requestsSection = def.twoPhase
      ? html`<section aria-labelledby="requests-h" id="requests">
        <h2 id="requests-h">${t('selection.office.requests')}</h2>
        ${requestsNote}
        ${
          requests && requests.length === 0
            ? html`<p id="no-requests">${t('selection.office.noRequests')}</p>`
            : requests
              ? html`<table id="requests-table">
            <caption>${t('selection.office.requestsCaption', { count: requests.length })}</caption>
            <thead><tr><th scope="col">${t('selection.office.company')}</th><th scope="col">${t('selection.office.taxId')}</th>
              <th scope="col">${t('selection.office.statement')}</th><th scope="col">${t('selection.office.submittedAt')}</th>
              <th scope="col">${t('selection.office.decision')}</th></tr></thead>
            <tbody>${requests.map(
              (q) => html`<tr id="request-${q.id}" data-decision="${q.decision ?? 'pending'}">
              <th scope="row">${q.company.legalName}</th><td>${q.company.taxId}</td><td>${paragraphs(q.statement)}</td>
              <td>${when(pc, q.submittedAt)}</td>
              <td>${q.decision ? t(DECISION_KEYS[q.decision]) : t('selection.request.pending')}${q.reasons ? html`<br><small>${q.reasons}</small>` : ''}</td></tr>`,
            )}</tbody></table>
            ${
              canDecide && requests.length > 0
                ? html`<h3 id="decide-h">${t('selection.office.decideTitle')}</h3>${requests.map(decisionForm)}`
                : ''
            }`
              : ''
        }
      </section>`
      : '';

    const selectedCount = requests?.filter((q) => q.decision === 'selected').length ?? 0;
    const undecided = requests?.filter((q) => q.decision === null).length ?? 0;
    const minimum = def.minimumCandidates ?? 0;
    const inviteForm = (): HtmlValue => {
      if (!canInvite) return '';
      if (def.twoPhase && requests === null) return '';
      const reasonField =
        minimum > 0
          ? field(errors, {
              id: 'fewerCandidatesReason',
              name: 'fewerCandidatesReason',
              label: t('selection.office.fewerReason'),
              hint: t('selection.office.fewerReasonHint', { minimum, min: MIN_REASONS_LENGTH }),
              control: (a) =>
                html`<textarea ${a} rows="3">${forms.invitation?.fewerCandidatesReason ?? ''}</textarea>`,
            })
          : '';
      return html`<form method="post" action="${b}/selection/invitations" id="invite-form" novalidate>${csrfField(pc)}
        ${
          def.twoPhase
            ? html`<p id="invite-summary">${t('selection.office.inviteSelected', { count: selectedCount, minimum })}</p>
              ${undecided > 0 ? html`<p class="hint" id="undecided">${t('selection.office.undecided', { count: undecided })}</p>` : ''}`
            : field(errors, {
                id: 'taxIds',
                name: 'taxIds',
                label: t('selection.office.taxIds'),
                hint: t('selection.office.taxIdsHint', { max: TAX_IDS_MAX }),
                control: (a) => html`<textarea ${a} rows="4">${forms.invitation?.taxIds ?? ''}</textarea>`,
              })
        }
        ${reasonField}
        <button type="submit" id="invite-submit">${t('selection.office.invite')}</button></form>`;
    };

    const invitationsSection = html`<section aria-labelledby="invitations-h" id="invitations">
      <h2 id="invitations-h">${t('selection.office.invitations')}</h2>
      ${
        invited
          ? html`<p id="invited-at">${t('selection.office.invitedAt', { date: when(pc, invitations.invitedAt) })}</p>
          <table id="invited-table"><caption>${t('selection.office.invitedCaption', { count: invitations.companies.length })}</caption>
          <thead><tr><th scope="col">${t('selection.office.company')}</th><th scope="col">${t('selection.office.taxId')}</th></tr></thead>
          <tbody>${invitations.companies.map((c) => html`<tr id="invited-${c.id}"><th scope="row">${c.legalName}</th><td>${c.taxId}</td></tr>`)}</tbody></table>`
          : html`<p id="not-invited">${t('selection.office.notInvited')}</p>${inviteForm()}`
      }
    </section>`;

    let negotiationSection: HtmlValue = '';
    if (def.negotiated) {
      const rounds: NegotiationView = await negotiation(ctx, authorityId, tenderId);
      const round = forms.round;
      negotiationSection = html`<section aria-labelledby="negotiation-h" id="negotiation">
        <h2 id="negotiation-h">${t('selection.office.negotiation')}</h2>
        ${rounds.rounds.length === 0 ? html`<p id="no-rounds">${t('selection.rounds.none')}</p>` : ''}
        ${rounds.rounds.map(
          (x) => html`<article class="round" id="round-${x.number}" aria-labelledby="round-${x.number}-h">
          <h3 id="round-${x.number}-h">${t('selection.rounds.round', { n: x.number, subject: x.subject })}</h3>
          <p>${paragraphs(x.message)}</p>
          <p>${t('selection.rounds.due', { date: when(pc, x.responsesDue) })}</p>
          ${
            x.answers.length === 0
              ? html`<p>${t('selection.office.noAnswers')}</p>`
              : html`<table id="answers-${x.number}"><caption>${t('selection.office.answersCaption', { n: x.number })}</caption>
            <thead><tr><th scope="col">${t('selection.office.company')}</th><th scope="col">${t('selection.office.answer')}</th><th scope="col">${t('selection.office.submittedAt')}</th></tr></thead>
            <tbody>${x.answers.map((a) => html`<tr><th scope="row">${a.company.legalName}</th><td>${paragraphs(a.text)}</td><td>${when(pc, a.submittedAt)}</td></tr>`)}</tbody></table>`
          }
        </article>`,
        )}
        ${
          canNegotiate
            ? html`<h3 id="round-form-h">${t('selection.office.openRound')}</h3>
          <form method="post" action="${b}/selection/rounds" id="round-form" novalidate>${csrfField(pc)}
          ${field(errors, {
            id: 'subject',
            name: 'subject',
            label: t('selection.office.subject'),
            control: (a) =>
              html`<input ${a} type="text" maxlength="${SUBJECT_MAX}" value="${round?.subject ?? ''}">`,
          })}
          ${field(errors, {
            id: 'message',
            name: 'message',
            label: t('selection.office.message'),
            hint: t('selection.office.messageHint'),
            control: (a) => html`<textarea ${a} rows="5">${round?.message ?? ''}</textarea>`,
          })}
          ${field(errors, {
            id: 'responsesDue',
            name: 'responsesDue',
            label: t('selection.office.responsesDue'),
            hint: t('selection.office.responsesDueHint', { date: when(pc, view.tenderDeadline) }),
            control: (a) => html`<input ${a} type="datetime-local" value="${round?.responsesDue ?? ''}">`,
          })}
          <button type="submit" id="round-submit">${t('selection.office.openRoundSubmit')}</button></form>`
            : ''
        }
      </section>`;
    }

    const readOnly =
      !allowed(pc, 'selection.decide', authorityId) &&
      !allowed(pc, 'selection.invite', authorityId) &&
      !allowed(pc, 'selection.negotiate', authorityId);
    const body = html`${officeNav(pc, `/office/${authorityId}/tenders`)}
      ${noticeLine(pc, request, NOTICE_KEYS)}
      ${errorSummary(pc, errors)}
      <p class="lead">${view.title[pc.locale]}</p>
      <p><a href="${b}" id="file-link">${t('selection.office.back')}</a>${view.ocid ? html` · <a href="/tenders/${view.ocid}" id="public-page">${t('selection.office.publicPage')}</a>` : ''}</p>
      <dl class="facts" id="facts">
        <dt>${t('selection.office.procedure')}</dt><dd>${procedureLabel(t, procedure)}</dd>
        ${view.participationDeadline ? html`<dt>${t('selection.facts.participationDeadline')}</dt><dd>${when(pc, view.participationDeadline)}</dd>` : ''}
        <dt>${t('selection.facts.tenderDeadline')}</dt><dd>${when(pc, view.tenderDeadline)}</dd>
      </dl>
      ${readOnly ? html`<p class="hint" id="read-only">${t('selection.office.readOnly')}</p>` : ''}
      ${published || invited ? '' : html`<p id="not-published">${t('selection.reason.not_published')}</p>`}
      ${requestsSection}
      ${invitationsSection}
      ${negotiationSection}`;
    const title = t('selection.office.title', { reference: view.reference });
    return sendPage(reply, layout(pc, title, body), opts.status ?? 200);
  };

  r.get<TenderParams>('/office/:authorityId/tenders/:tenderId/selection', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    return renderOffice(request, reply);
  });

  r.post<RequestParams>(
    '/office/:authorityId/tenders/:tenderId/selection/requests/:requestId',
    async (request, reply) => {
      if (!guard(request, reply) || !validIds(reply, request.params.requestId)) return reply;
      const { authorityId, tenderId, requestId } = request.params;
      const f = formFields(request);
      const t = (await pageContext(app, request, reply)).t;
      const versionText = f.get('version');
      // A hidden field the page wrote itself: only a forged post gets it wrong.
      if (!/^[1-9]\d{0,8}$/.test(versionText)) {
        throw new DomainError('VALIDATION_FAILED', 'The form is incomplete; reload the page');
      }
      const form = { requestId, decision: f.get('decision'), reasons: f.get('reasons') };
      const errors: FieldError[] = [];
      if (form.decision !== 'selected' && form.decision !== 'rejected') {
        errors.push({ field: `decision-${requestId}-selected`, message: t('selection.error.decision') });
      }
      if (
        (form.decision === 'rejected' && form.reasons.length < MIN_REASONS_LENGTH) ||
        tooLong(form.reasons)
      ) {
        errors.push({
          field: `reasons-${requestId}`,
          message: t('selection.error.reasons', { min: MIN_REASONS_LENGTH, max: TEXT_MAX }),
        });
      }
      if (errors.length > 0)
        return renderOffice(request, reply, { errors, forms: { decision: form }, status: 422 });
      try {
        await decideParticipation(app.serviceContext(request), authorityId, tenderId, requestId, {
          version: Number(versionText),
          decision: form.decision as SelectionDecision,
          reasons: form.reasons || undefined,
        });
      } catch (err) {
        if (!shownOnPage(err)) throw err;
        const target = fieldOf(err) === 'reasons' ? `reasons-${requestId}` : 'requests-h';
        return renderOffice(request, reply, {
          errors: [{ field: target, message: refusal(t, err) }],
          forms: { decision: form },
          status: ErrorCodes[err.code],
        });
      }
      return reply.redirect(`${base(authorityId, tenderId)}/selection?done=decided#requests`, 303);
    },
  );

  r.post<TenderParams>(
    '/office/:authorityId/tenders/:tenderId/selection/invitations',
    async (request, reply) => {
      if (!guard(request, reply)) return reply;
      const { authorityId, tenderId } = request.params;
      const f = formFields(request);
      const t = (await pageContext(app, request, reply)).t;
      const ctx = app.serviceContext(request);
      const view = await getTender(ctx, authorityId, tenderId);
      const twoPhase = view.participationDeadline !== null;
      const form = { taxIds: f.get('taxIds'), fewerCandidatesReason: f.get('fewerCandidatesReason') };
      const again = (errors: FieldError[], status: number) =>
        renderOffice(request, reply, { errors, forms: { invitation: form }, status });
      if (tooLong(form.fewerCandidatesReason)) {
        return again(
          [{ field: 'fewerCandidatesReason', message: t('selection.error.fewerReason', { max: TEXT_MAX }) }],
          422,
        );
      }
      let companyIds: string[] | undefined;
      if (!twoPhase) {
        const taxIds = form.taxIds
          .split(/[\s,;]+/)
          .map((x) => x.trim())
          .filter(Boolean);
        if (taxIds.length === 0 || taxIds.length > TAX_IDS_MAX) {
          return again(
            [{ field: 'taxIds', message: t('selection.error.taxIds', { max: TAX_IDS_MAX }) }],
            422,
          );
        }
        const found = await companiesByTaxId(ctx, authorityId, taxIds);
        if (found.unknown.length > 0) {
          return again(
            [
              {
                field: 'taxIds',
                message: t('selection.error.unknownTaxIds', { list: found.unknown.join(', ') }),
              },
            ],
            422,
          );
        }
        companyIds = found.companies.map((c) => c.companyId);
      }
      try {
        await invite(
          ctx,
          authorityId,
          tenderId,
          {
            ...(companyIds ? { companyIds } : {}),
            ...(form.fewerCandidatesReason ? { fewerCandidatesReason: form.fewerCandidatesReason } : {}),
          },
          noticeMailOf(app, request, 'invitation'),
        );
      } catch (err) {
        if (!shownOnPage(err)) throw err;
        const target =
          err.code === 'TOO_FEW_CANDIDATES'
            ? 'fewerCandidatesReason'
            : fieldOf(err) === 'companyIds' && !twoPhase
              ? 'taxIds'
              : 'invitations-h';
        const message =
          err.code === 'TOO_FEW_CANDIDATES'
            ? t('selection.error.tooFew', {
                minimum: (err.details as { minimum?: unknown } | undefined)?.minimum ?? '',
                min: MIN_REASONS_LENGTH,
              })
            : refusal(t, err);
        return again([{ field: target, message }], ErrorCodes[err.code]);
      }
      return reply.redirect(`${base(authorityId, tenderId)}/selection?done=invited#invitations`, 303);
    },
  );

  r.post<TenderParams>('/office/:authorityId/tenders/:tenderId/selection/rounds', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const { authorityId, tenderId } = request.params;
    const f = formFields(request);
    const t = (await pageContext(app, request, reply)).t;
    const form = {
      subject: f.get('subject'),
      message: f.get('message'),
      responsesDue: f.get('responsesDue'),
    };
    const errors: FieldError[] = [];
    if (form.subject.length === 0 || form.subject.length > SUBJECT_MAX) {
      errors.push({ field: 'subject', message: t('selection.error.subject', { max: SUBJECT_MAX }) });
    }
    if (form.message.length === 0 || tooLong(form.message)) {
      errors.push({ field: 'message', message: t('selection.error.message', { max: TEXT_MAX }) });
    }
    const due = instantFromLocalInput(form.responsesDue);
    if (!('iso' in due)) errors.push({ field: 'responsesDue', message: t('selection.error.responsesDue') });
    if (errors.length > 0 || !('iso' in due)) {
      return renderOffice(request, reply, { errors, forms: { round: form }, status: 422 });
    }
    try {
      await openRound(app.serviceContext(request), authorityId, tenderId, {
        subject: form.subject,
        message: form.message,
        responsesDue: due.iso,
      });
    } catch (err) {
      if (!shownOnPage(err)) throw err;
      const named = fieldOf(err);
      const target =
        named && ['subject', 'message', 'responsesDue'].includes(named) ? named : 'negotiation-h';
      const message =
        named === 'responsesDue' && err.code === 'UNPROCESSABLE'
          ? t('selection.error.responsesDueLate')
          : refusal(t, err);
      return renderOffice(request, reply, {
        errors: [{ field: target, message }],
        forms: { round: form },
        status: ErrorCodes[err.code],
      });
    }
    return reply.redirect(`${base(authorityId, tenderId)}/selection?done=round#negotiation`, 303);
  });
}

/**
 * The public page's note for a tender that takes bids only from the companies it invites
 * (tenders-public.tender.ts): the deadline for requests to participate where there is one, and the
 * way to the company's participation page (through the sign-in for visitors).
 */
export function publicParticipationNote(
  pc: PageContext,
  ocid: string,
  notice: { procedure?: unknown; participationDeadline?: unknown },
): Html {
  const procedure = notice.procedure;
  if (typeof procedure !== 'string' || !(procedure in PROCEDURES)) return html``;
  if (!bidsByInvitation(procedure as ProcedureCode)) return html``;
  const t = pc.t;
  const deadline = typeof notice.participationDeadline === 'string' ? notice.participationDeadline : null;
  const target = `/tenders/${ocid}/participation`;
  const link =
    pc.actor.kind !== 'user'
      ? html`<a href="/sign-in?next=${encodeURIComponent(target)}" id="participation-link">${t('selection.public.linkSignIn')}</a>`
      : pc.actor.companyRoles.size > 0
        ? html`<a href="${target}" id="participation-link">${t('selection.public.link')}</a>`
        : '';
  return html`<section aria-labelledby="participation-h" id="participation">
    <h2 id="participation-h">${t('selection.public.title')}</h2>
    <p>${deadline ? t('selection.public.twoPhase') : t('selection.public.direct')}</p>
    ${deadline ? html`<p id="public-participation-deadline"><strong>${t('selection.facts.participationDeadline')}:</strong> ${when(pc, deadline)}</p>` : ''}
    ${link ? html`<p>${link}</p>` : ''}
  </section>`;
}
