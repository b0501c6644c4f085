/**
 * The opening page of a published file (issue 4, protocol point 5; docs/SEALING.md "Opening"):
 * the state of each envelope stage (A → B → C), and for the tender's key custodians the step
 * that decrypts their shares on their own device and submits them (script `custodian-open`, the
 * same steps as `contracta custodian open`). Committee members record the B report's approval
 * here (stand-in until the evaluation module; art. 157 LCSP). The authority's staff may read the
 * page; nobody else learns the file exists (404).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { ErrorCodes } from '../../platform/errors.js';
import { type Html, html } from '../../platform/http/html.js';
import { scriptErrorMessages, scriptMessages } from '../custody/custody.pages.js';
import { getOwnCustodianKey } from '../custody/custodian-key.service.js';
import { envelopeLabel, officeNav, textArea, when } from '../portal/backoffice-view.js';
import {
  csrfField,
  errorSummary,
  type FieldError,
  layout,
  type PageContext,
  sendPage,
} from '../portal/layout.js';
import { errorMessage, formFields, isDomainError, pageContext } from '../portal/portal.context.js';
import { isEnvelopeLetter } from '../sealing/manifest.rules.js';
import type { EnvelopeLetter } from '../sealing/sealing.types.js';
import { getPublicNotice } from '../tenders/tender-public.service.js';
import { guardTender, noticeLine } from '../portal/page-forms.js';
import { getTender } from '../tenders/tender.service.js';
import { getAssignments } from '../tenders/tender-workflow.service.js';
import { bReportApproval } from './opening-status.repo.js';
import { listOpenings } from './opening.service.js';
import { approveJudgementReport } from '../evaluation/judgement.service.js';
import { openingStartsAt, orderedStages, refuseStage } from './opening.rules.js';
import type { OpeningView } from './opening.types.js';
import { sharePoolOf } from './share-pool.js';
import { qualificationPending } from '../evaluation/qualification.service.js';

type TenderParams = { Params: { authorityId: string; tenderId: string } };

/** The longest B report reference the form takes. */
const REPORT_MAX = 2000;

type Sealing = { quorum: number; custodians: { index: number; keyId: string; fingerprint?: string }[] };

/** The notice's frozen sealing target, read defensively (older notices have none). */
function sealingOf(notice: Record<string, unknown>): Sealing | null {
  const s = notice.sealing as Partial<Sealing> | undefined;
  if (!s || typeof s.quorum !== 'number' || !Array.isArray(s.custodians)) return null;
  return { quorum: s.quorum, custodians: s.custodians };
}

type StageState =
  | { kind: 'opened'; opening: OpeningView }
  | { kind: 'not_yet'; opensAt: string | null }
  | { kind: 'earlier'; pending: EnvelopeLetter | null }
  | { kind: 'qualification' }
  | { kind: 'report' }
  | { kind: 'open'; submitted: number };

/** Messages the opening script shows; keys written out for the i18n test. */
function openingScriptMessages(pc: PageContext): Record<string, string> {
  const t = pc.t;
  return {
    ...scriptErrorMessages(pc, [
      'SHARE_INVALID',
      'SHARE_FOREIGN',
      'SHARE_DUPLICATE',
      'OPENING_NOT_YET',
      'OPENING_OUT_OF_ORDER',
      'OPENING_REPORT_PENDING',
      'CIPHERTEXT_TAMPERED',
      'INVALID_TRANSITION',
      'UNPROCESSABLE',
      'FORBIDDEN',
      'NOT_FOUND',
      'UNAUTHENTICATED',
      'CSRF_INVALID',
      'RATE_LIMITED',
      'INTERNAL',
    ]),
    errorTitle: t('form.errorTitle'),
    noFile: t('opening.script.noFile'),
    needPassphrase: t('opening.script.needPassphrase'),
    badIdentity: t('opening.script.badIdentity'),
    wrongKey: t('opening.script.wrongKey', { index: '{index}', fingerprint: '{fingerprint}' }),
    hashMismatch: t('opening.script.hashMismatch'),
    working: t('opening.script.working'),
    submitted: t('opening.script.submitted', { shares: '{shares}', index: '{index}', n: '{n}', k: '{k}' }),
    opened: t('opening.script.opened'),
    record: t('opening.state.record'),
    failed: t('opening.script.failed'),
  };
}

export function openingPages(app: App, r: FastifyInstance): void {
  const render = async (
    request: FastifyRequest<TenderParams>,
    reply: FastifyReply,
    opts: { errors?: FieldError[]; report?: string; status?: number } = {},
  ) => {
    const { authorityId, tenderId } = request.params;
    const ctx = app.serviceContext(request);
    // Tenancy and role first (tender.read: the authority's staff); others get NOT_FOUND.
    const view = await getTender(ctx, authorityId, tenderId);
    const pc = await pageContext(app, request, reply);
    const t = pc.t;
    const actor = pc.actor;
    const userId = actor.kind === 'user' ? actor.userId : '';
    const roles = actor.kind === 'user' ? (actor.authorityRoles.get(authorityId) ?? []) : [];
    const base = `/office/${authorityId}/tenders/${tenderId}`;
    const title = t('opening.page.title', { reference: view.reference });
    const head = html`${officeNav(pc, `/office/${authorityId}/tenders`)}
      ${noticeLine(pc, request, { approved: 'opening.report.saved' })}
      ${errorSummary(pc, opts.errors ?? [])}
      <p class="lead">${view.title[pc.locale]}</p>
      <p><a href="${base}" id="file-link">${t('opening.page.back')}</a> · <a href="${base}/qualification" id="committee-workspace">${t('evaluation.workspace')}</a></p>`;

    if (!view.ocid || (view.status !== 'published' && view.status !== 'cancelled')) {
      return sendPage(
        reply,
        layout(pc, title, html`${head}<p id="not-published">${t('opening.page.notPublished')}</p>`),
        opts.status ?? 200,
      );
    }
    const ocid = view.ocid;
    const [notice, openings, assigned, approval] = await Promise.all([
      getPublicNotice(ctx, ocid),
      listOpenings(ctx, ocid),
      getAssignments(ctx, authorityId, tenderId),
      bReportApproval(ctx.db, authorityId, tenderId),
    ]);
    const sealing = sealingOf(notice.notice);
    const envelopes = Array.isArray(notice.notice.envelopes)
      ? orderedStages(notice.notice.envelopes.filter(isEnvelopeLetter))
      : [];
    if (!sealing || envelopes.length === 0) {
      return sendPage(
        reply,
        layout(pc, title, html`${head}<p id="not-sealed">${t('opening.page.notSealed')}</p>`),
        opts.status ?? 200,
      );
    }

    const now = ctx.clock.now();
    const deadline = view.tenderDeadline ? new Date(view.tenderDeadline) : null;
    const openingAt = view.openingAt ? new Date(view.openingAt) : null;
    const opened = openings.map((o) => o.record.envelope);
    // Custodians whose shares for a stage this process holds now (the same pool the API fills).
    const pool = sharePoolOf(app, app.deps.clock);
    const qualification = await qualificationPending(ctx.db, authorityId, tenderId, envelopes);
    const submittedFor = (e: EnvelopeLetter) => pool.submissions(tenderId, e).size;
    const state = (e: EnvelopeLetter): StageState => {
      const opening = openings.find((o) => o.record.envelope === e);
      if (opening) return { kind: 'opened', opening };
      const refusal = refuseStage(e, {
        now,
        deadline,
        openingAt,
        stages: envelopes,
        opened,
        bReportApproved: approval !== undefined,
        qualificationPending: qualification?.pending ?? false,
      });
      if (!refusal) return { kind: 'open', submitted: submittedFor(e) };
      if (refusal.code === 'OPENING_NOT_YET') return { kind: 'not_yet', opensAt: refusal.opensAt };
      if (refusal.code === 'OPENING_REPORT_PENDING') return { kind: 'report' };
      if (refusal.code === 'OPENING_OUT_OF_ORDER' && refusal.reason === 'qualification_pending') {
        return { kind: 'qualification' };
      }
      return { kind: 'earlier', pending: refusal.code === 'OPENING_OUT_OF_ORDER' ? refusal.pending : null };
    };

    // The caller's position among the tender's custodians: their active key must be the one frozen
    // in the notice (the shares were encrypted to it at sealing time).
    const isCustodian = roles.includes('key_custodian');
    const ownKey = isCustodian ? await getOwnCustodianKey(ctx, authorityId) : null;
    const position = ownKey ? sealing.custodians.find((c) => c.keyId === ownKey.id) : undefined;
    const assignedCustodian = assigned.custodians.includes(userId);
    const canApprove =
      roles.includes('committee_member') &&
      (assigned.committee.length === 0 || assigned.committee.includes(userId));
    const stateOf = new Map(envelopes.map((e) => [e, state(e)]));
    const opensAt = deadline ? openingStartsAt(deadline, openingAt).toISOString() : null;

    const facts = html`<dl class="facts" id="opening-facts">
      <dt>${t('opening.page.deadline')}</dt><dd>${when(pc, view.tenderDeadline)}</dd>
      <dt>${t('opening.page.openingAt')}</dt><dd>${when(pc, view.openingAt)}</dd>
      <dt>${t('opening.page.opensFrom')}</dt><dd id="opens-from">${when(pc, opensAt)}</dd>
      <dt>${t('opening.page.quorum')}</dt><dd id="quorum">${t('opening.page.quorumValue', { k: sealing.quorum, n: sealing.custodians.length })}</dd>
      ${position ? html`<dt>${t('opening.page.yourPosition')}</dt><dd id="your-position">${t('opening.page.position', { index: position.index, fingerprint: ownKey?.fingerprint ?? '' })}</dd>` : ''}
    </dl>`;

    const custodianTool = position
      ? html`<section aria-labelledby="identity-h" id="custodian-tool" data-authority="${authorityId}" data-tender="${tenderId}" data-ocid="${ocid}">
        <h2 id="identity-h">${t('opening.custodian.title')}</h2>
        <p>${t('opening.custodian.lead')}</p>
        <p class="hint">${t('opening.custodian.cli')} <code>contracta custodian open --authority ${authorityId} --tender ${tenderId} --envelope A --identity FILE</code></p>
        <noscript><p>${t('opening.custodian.noScript')}</p></noscript>
        <div id="open-errors"></div>
        <div id="custodian-fields" hidden>
          <div class="field" id="identity-file-field">
            <label for="identity-file">${t('opening.custodian.file')}</label>
            <p class="hint" id="identity-file-hint">${t('opening.custodian.fileHint')}</p>
            <p class="error" id="identity-file-error" hidden></p>
            <input id="identity-file" name="identity-file" type="file" aria-describedby="identity-file-hint">
          </div>
          <div class="field" id="identity-passphrase-field">
            <label for="identity-passphrase">${t('opening.custodian.passphrase')}</label>
            <p class="hint" id="identity-passphrase-hint">${t('opening.custodian.passphraseHint')}</p>
            <p class="error" id="identity-passphrase-error" hidden></p>
            <input id="identity-passphrase" name="identity-passphrase" type="password" autocomplete="off" aria-describedby="identity-passphrase-hint">
          </div>
        </div>
        ${scriptMessages(openingScriptMessages(pc))}
      </section>`
      : assignedCustodian
        ? html`<p class="notice" id="key-not-sealed">${t('opening.custodian.keyNotInTarget')}</p>`
        : '';

    const recordSummary = (o: OpeningView) => html`<dl class="facts">
      <dt>${t('opening.state.openedAt')}</dt><dd>${when(pc, o.record.openedAt)}</dd>
      <dt>${t('opening.state.custodians')}</dt><dd>${o.record.custodians.map((c) => c.name).join(', ')}</dd>
      <dt>${t('opening.state.bids')}</dt><dd>${o.record.bids.length}</dd>
      </dl>
      <p><a href="/tenders/${ocid}#openings" id="record-${o.record.envelope}">${t('opening.state.record')}</a> ·
      <a href="/api/v1/tenders/${ocid}/openings">${t('opening.state.recordJson')}</a></p>`;

    const stateText = (e: EnvelopeLetter, s: StageState): Html => {
      switch (s.kind) {
        case 'opened':
          return html`<p id="state-${e}" data-state="opened">${t('opening.state.opened')}</p>${recordSummary(s.opening)}`;
        case 'not_yet':
          return html`<p id="state-${e}" data-state="not_yet">${s.opensAt ? html`${t('opening.state.notYet')} ${when(pc, s.opensAt)}` : t('opening.state.noDeadline')}</p>`;
        case 'qualification':
          return html`<p id="state-${e}" data-state="qualification">${t('opening.state.qualification')}</p>`;
        case 'earlier':
          return html`<p id="state-${e}" data-state="earlier">${s.pending ? t('opening.state.earlier', { envelope: s.pending }) : t('opening.state.closed')}</p>`;
        case 'report':
          return html`<p id="state-${e}" data-state="report">${t('opening.state.report')}</p>`;
        case 'open':
          return html`<p id="state-${e}" data-state="open">${t('opening.state.waiting', { n: s.submitted, k: sealing.quorum })}</p>`;
      }
    };

    const stages = envelopes.map((e) => {
      const s = stateOf.get(e) ?? state(e);
      return html`<section aria-labelledby="envelope-${e}-h" id="envelope-${e}" class="opening-stage">
        <h2 id="envelope-${e}-h">${envelopeLabel(t, e)}</h2>
        ${stateText(e, s)}
        ${
          position && s.kind === 'open'
            ? html`<p><button type="button" class="open-envelope" id="open-${e}" data-envelope="${e}" hidden>${t('opening.custodian.submit', { envelope: e })}</button></p>
          <p id="result-${e}" role="status"></p>`
            : ''
        }
      </section>`;
    });

    const bOpened = opened.includes('B');
    const report =
      envelopes.includes('B') && envelopes.includes('C')
        ? html`<section aria-labelledby="report-h" id="b-report-section">
        <h2 id="report-h">${t('opening.report.title')}</h2>
        <p>${t('opening.report.lead')}</p>
        <p id="b-report-state">${
          approval
            ? t('opening.report.approved', {
                name: approval.approvedBy,
                at: when(pc, approval.approvedAt.toISOString()),
              })
            : bOpened
              ? t('opening.report.pending')
              : t('opening.report.notYet')
        }</p>
        ${
          canApprove && bOpened && !approval
            ? html`<form method="post" action="${base}/opening/b-report" id="b-report-form" novalidate>${csrfField(pc)}
            ${textArea({ name: 'b-report', label: t('opening.report.label'), hint: t('opening.report.hint'), value: opts.report ?? '', errors: opts.errors ?? [], required: true })}
            <button type="submit" id="approve-b-report">${t('opening.report.submit')}</button></form>`
            : ''
        }
      </section>`
        : '';

    return sendPage(
      reply,
      layout(pc, title, html`${head}${facts}${custodianTool}${stages}${report}`, {
        ...(position ? { script: 'custodian-open' as const } : {}),
      }),
      opts.status ?? 200,
    );
  };

  const guard = guardTender;

  r.get<TenderParams>('/office/:authorityId/tenders/:tenderId/opening', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    return render(request, reply);
  });

  r.post<TenderParams>('/office/:authorityId/tenders/:tenderId/opening/b-report', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const { authorityId, tenderId } = request.params;
    const text = formFields(request).get('b-report');
    const t = (await pageContext(app, request, reply)).t;
    if (text.length === 0 || text.length > REPORT_MAX) {
      const message =
        text.length === 0 ? t('opening.report.required') : t('opening.report.tooLong', { max: REPORT_MAX });
      return render(request, reply, { errors: [{ field: 'b-report', message }], report: text, status: 422 });
    }
    try {
      await approveJudgementReport(app.serviceContext(request), authorityId, tenderId, { summary: text });
    } catch (err) {
      if (!isDomainError(err) || ['NOT_FOUND', 'FORBIDDEN', 'UNAUTHENTICATED'].includes(err.code)) throw err;
      const details = err.details as { reason?: string; missing?: unknown[] } | undefined;
      // The report needs every member's score of every judgement criterion first.
      const message =
        details?.reason === 'scores_missing'
          ? t('opening.report.scoresMissing', { n: details.missing?.length ?? 0 })
          : errorMessage(t, err.code);
      return render(request, reply, {
        errors: [{ field: 'b-report', message }],
        report: text,
        status: ErrorCodes[err.code],
      });
    }
    return reply.redirect(`/office/${authorityId}/tenders/${tenderId}/opening?done=approved`, 303);
  });
}
