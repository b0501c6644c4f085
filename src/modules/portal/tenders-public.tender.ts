import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import type { UserActor } from '../../platform/context.js';
import { type Html, html } from '../../platform/http/html.js';
import { formatMoney, formatPercent, type Locale } from '../../platform/i18n/i18n.js';
import { cpvLabels } from '../cpv/cpv.service.js';
import { getPublicAuthority } from '../tenancy/authority.service.js';
import { getPublicNotice, isFollowing } from '../tenders/tender-public.service.js';
import { listOpenings } from '../opening/opening.service.js';
import type { OpeningView } from '../opening/opening.types.js';
import { publicEvaluationSection } from '../evaluation/evaluation.pages.js';
import { type PublicLotAward, publicAwards } from '../evaluation/award.service.js';
import { type PublicContract, publicContracts } from '../evaluation/contract.service.js';
import { publicParticipationNote } from '../selection/selection.pages.js';
import { PROCEDURES } from '../procedures/procedure.catalogue.js';
import { bidsByInvitation } from '../procedures/procedure.rules.js';
import type { ProcedureCode } from '../procedures/procedure.types.js';
import { csrfField, errorSummary, type FieldError, layout, type PageContext, sendPage } from './layout.js';
import { fieldsFromAbnormal, formulaInWords } from './backoffice-formula.js';
import { pageContext } from './portal.context.js';
import {
  cancellationLabel,
  contractTypeLabel,
  criterionKindLabel,
  diffValue,
  documentKindLabel,
  envelopeLabel,
  evaluationLabel,
  formatSize,
  humanisePath,
  procedureLabel,
  statusLabel,
  when,
  PUBLIC_FORMULA_WORD_KEYS,
} from './tenders-public.labels.js';

/** The ocid form the API accepts (authority prefix, then the file's uuid); anything else is not a tender. */
export const OCID_RE = /^ocds-[a-z0-9]{6}-[0-9a-f-]{36}$/;
/** The longest question the API takes (POST /api/v1/tenders/:ocid/questions). */
export const QUESTION_MAX = 5000;

type PublicNotice = Awaited<ReturnType<typeof getPublicNotice>>;
type Names = { ca: string; es: string; en: string };
type Obj = Record<string, unknown>;

/*
 * The notice is the frozen canonical JSON of publication (tender-workflow.service.ts buildNotice):
 * read it defensively, field by field, so that a notice written by an older or newer version of
 * the platform still renders.
 */
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
const names = (v: unknown): Names | undefined => {
  const o = obj(v);
  return typeof o.ca === 'string' && typeof o.es === 'string' && typeof o.en === 'string'
    ? { ca: o.ca, es: o.es, en: o.en }
    : undefined;
};

const money = (l: Locale, v: unknown) => {
  const s = str(v);
  return s && /^\d{1,15}(\.\d{1,6})?$/.test(s) ? formatMoney(l, s) : (s ?? '—');
};

/** The user's companies that may ask questions (company_admin or bidder), as the ask form offers them. */
function companiesOf(actor: UserActor, pc: PageContext): { id: string; name: string }[] {
  const ids = [...actor.companyRoles.entries()]
    .filter(([, roles]) => roles.includes('company_admin') || roles.includes('bidder'))
    .map(([id]) => id);
  return pc.companies.filter((c) => ids.includes(c.id));
}

function cpvText(code: string | undefined, labels: Map<string, string>): Html | string {
  if (!code) return '—';
  const label = labels.get(code.slice(0, 8));
  return label ? html`<code>${code}</code> ${label}` : html`<code>${code}</code>`;
}

type TimelineEntry = { at: string; label: string; id: string };

function timeline(pc: PageContext, n: PublicNotice, notice: Obj, now: Date): Html {
  const t = pc.t;
  const entries: TimelineEntry[] = [];
  for (const h of n.history) {
    if (h.kind === 'original')
      entries.push({ at: h.publishedAt, label: t('publicTenders.timeline.published'), id: 'published' });
    else if (h.kind === 'corrigendum')
      entries.push({
        at: h.publishedAt,
        label: t('publicTenders.timeline.corrigendum', { version: h.version }),
        id: `corrigendum-${h.version}`,
      });
    else if (h.kind === 'cancellation')
      entries.push({ at: h.publishedAt, label: t('publicTenders.timeline.cancelled'), id: 'cancelled' });
  }
  const deadlines: [string, string][] = [
    ['questionsDeadline', t('publicTenders.timeline.questionsDeadline')],
    ['tenderDeadline', t('publicTenders.timeline.tenderDeadline')],
    ['openingAt', t('publicTenders.timeline.opening')],
  ];
  for (const [field, label] of deadlines) {
    const at = str(notice[field]);
    if (at && !Number.isNaN(new Date(at).getTime())) entries.push({ at, label, id: field });
  }
  // Chronological; on the same instant, the order above (publication before its deadlines).
  const ordered = entries
    .map((e, i) => ({ ...e, i, ms: new Date(e.at).getTime() }))
    .sort((a, b) => a.ms - b.ms || a.i - b.i);
  return html`<section aria-labelledby="timeline-h" id="timeline">
    <h2 id="timeline-h">${t('publicTenders.timeline.title')}</h2>
    <ol class="timeline">${ordered.map(
      (e) => html`<li id="timeline-${e.id}">${when(pc.locale, e.at)} — ${e.label}
        ${e.ms > now.getTime() ? html` <span class="upcoming">(${t('publicTenders.timeline.upcoming')})</span>` : ''}</li>`,
    )}</ol>
  </section>`;
}

/**
 * A cancellation notice's reason is stored as "kind: reasons" (tender-workflow.service.ts
 * cancelTender): the kind (art. 152 LCSP) and the reasons apart.
 */
function splitCancellation(reason: string | null | undefined): { kind: string; reasons: string } {
  const text = reason ?? '';
  const at = text.indexOf(': ');
  return at < 0 ? { kind: '', reasons: text } : { kind: text.slice(0, at), reasons: text.slice(at + 2) };
}

function cancellationReason(t: PageContext['t'], reason: string): Html {
  const c = splitCancellation(reason);
  return c.kind ? html`${cancellationLabel(t, c.kind)}: ${c.reasons}` : html`${c.reasons}`;
}

function corrigenda(pc: PageContext, n: PublicNotice): Html {
  const t = pc.t;
  const later = n.history.filter((h) => h.kind !== 'original');
  const body = later.length
    ? later.map(
        (
          h,
        ) => html`<article class="corrigendum" id="version-${h.version}" aria-labelledby="version-${h.version}-h">
      <h3 id="version-${h.version}-h">${
        h.kind === 'cancellation'
          ? t('publicTenders.history.cancellation', { version: h.version })
          : t('publicTenders.history.corrigendum', { version: h.version })
      }</h3>
      <dl class="facts">
        <dt>${t('publicTenders.history.publishedAt')}</dt><dd>${when(pc.locale, h.publishedAt)}</dd>
        ${h.reason ? html`<dt>${t('publicTenders.history.reason')}</dt><dd>${h.kind === 'cancellation' ? cancellationReason(t, h.reason) : h.reason}</dd>` : ''}
        ${
          h.kind === 'corrigendum'
            ? html`<dt>${t('publicTenders.history.substantial')}</dt><dd>${h.substantial ? t('publicTenders.history.substantialYes') : t('publicTenders.history.substantialNo')}</dd>`
            : ''
        }
      </dl>
      ${
        h.changes.length
          ? html`<table class="diff">
        <caption>${t('publicTenders.history.changesCaption', { version: h.version, count: h.changes.length })}</caption>
        <thead><tr><th scope="col">${t('publicTenders.history.field')}</th><th scope="col">${t('publicTenders.history.before')}</th><th scope="col">${t('publicTenders.history.after')}</th></tr></thead>
        <tbody>${h.changes.map(
          (c) => html`<tr><th scope="row">${humanisePath(t, c.path)} <code class="path">${c.path}</code></th>
          <td>${c.before === null || c.before === '' ? html`<span class="none">${t('publicTenders.history.none')}</span>` : html`<del><span class="visually-hidden">${t('publicTenders.history.removed')} </span>${diffValue(t, pc.locale, c.path, c.before)}</del>`}</td>
          <td>${c.after === null || c.after === '' ? html`<span class="none">${t('publicTenders.history.none')}</span>` : html`<ins><span class="visually-hidden">${t('publicTenders.history.added')} </span>${diffValue(t, pc.locale, c.path, c.after)}</ins>`}</td></tr>`,
        )}</tbody></table>`
          : ''
      }
    </article>`,
      )
    : html`<p>${t('publicTenders.history.noCorrigenda')}</p>`;
  return html`<section aria-labelledby="history-h" id="history">
    <h2 id="history-h">${t('publicTenders.history.title')}</h2>
    ${body}
  </section>`;
}

function lotsSection(pc: PageContext, notice: Obj, labels: Map<string, string>): Html {
  const t = pc.t;
  const l = pc.locale;
  const lots = list(notice.lots);
  if (lots.length === 0) return html``;
  return html`<section aria-labelledby="lots-h" id="lots">
    <h2 id="lots-h">${t('publicTenders.lots.title', { count: lots.length })}</h2>
    ${lots.map((lot) => {
      const number = str(lot.number) ?? '';
      const criteria = list(lot.criteria);
      return html`<article class="lot" id="lot-${number}" aria-labelledby="lot-${number}-h">
        <h3 id="lot-${number}-h">${t('publicTenders.lots.lot', { n: number })}: ${names(lot.title)?.[l] ?? ''}</h3>
        <dl class="facts">
          <dt>${t('publicTenders.fact.estimatedValue')}</dt><dd>${money(l, lot.estimatedValue)}</dd>
          <dt>${t('publicTenders.fact.budgetExclVat')}</dt><dd>${money(l, lot.budgetExclVat)}</dd>
          <dt>${t('publicTenders.fact.cpv')}</dt><dd>${cpvText(str(lot.mainCpv), labels)}</dd>
          ${lot.reserved === true ? html`<dt>${t('publicTenders.lots.reserved')}</dt><dd>${t('publicTenders.lots.reservedYes')}</dd>` : ''}
        </dl>
        ${
          criteria.length
            ? html`<table class="criteria">
          <caption>${t('publicTenders.criteria.caption', { n: number })}</caption>
          <thead><tr><th scope="col">${t('publicTenders.criteria.name')}</th><th scope="col">${t('publicTenders.criteria.kind')}</th>
            <th scope="col">${t('publicTenders.criteria.evaluation')}</th><th scope="col">${t('publicTenders.criteria.weight')}</th>
            <th scope="col">${t('publicTenders.criteria.formula')}</th></tr></thead>
          <tbody>${criteria.map((c) => {
            const weight = str(c.weight);
            // The formula as the notice publishes it (the evaluation computes with this object), in words.
            const words = formulaInWords(t, PUBLIC_FORMULA_WORD_KEYS, c.formula, weight ?? '?');
            return html`<tr><th scope="row">${names(c.name)?.[l] ?? ''}</th>
              <td>${criterionKindLabel(t, str(c.kind) ?? '')}</td>
              <td>${evaluationLabel(t, str(c.evaluation) ?? '')}</td>
              <td>${weight && /^\d{1,3}(\.\d{1,2})?$/.test(weight) ? formatPercent(l, weight) : (weight ?? '—')}</td>
              <td>${words || '—'}</td></tr>`;
          })}</tbody></table>`
            : ''
        }
        ${abnormalText(t, lot.abnormal)}
      </article>`;
    })}
  </section>`;
}

/**
 * The lot's parameters for abnormally low offers as the notice states them (art. 149.2 LCSP).
 * Notices frozen before they were stated carry no field and show nothing.
 */
function abnormalText(t: PageContext['t'], rule: unknown): Html {
  if (rule === undefined || rule === null) return html``;
  let text: string;
  if (rule === 'rglcap85') text = t('publicTenders.abnormal.rglcap85');
  else {
    const f = fieldsFromAbnormal(rule, undefined);
    const tests = [
      ...(f.belowMean ? [t('publicTenders.abnormal.belowMean', { units: f.belowMean })] : []),
      ...(f.belowBudget ? [t('publicTenders.abnormal.belowBudget', { units: f.belowBudget })] : []),
    ];
    text = t('publicTenders.abnormal.notice', {
      tests: tests.join(
        f.combine === 'all' ? t('publicTenders.abnormal.and') : t('publicTenders.abnormal.or'),
      ),
    });
  }
  return html`<p class="abnormal-rule">${text}</p>`;
}

/**
 * The envelopes bidders submit and the documents each must hold. Notices frozen before the
 * platform stated them carry neither field, and show no section rather than an empty one.
 */
function envelopesSection(pc: PageContext, notice: Obj): Html {
  const t = pc.t;
  const l = pc.locale;
  if (!Array.isArray(notice.envelopes)) return html``;
  const envelopes = notice.envelopes.map(str).filter((e): e is string => e !== undefined);
  const docs = list(notice.bidDocuments).map((d) => ({
    envelope: str(d.envelope) ?? '',
    name: names(d.name)?.[l] ?? '',
    mandatory: d.mandatory === true,
  }));
  const codes = [...new Set([...envelopes, ...docs.map((d) => d.envelope)])].sort();
  return html`<section aria-labelledby="envelopes-h" id="envelopes">
    <h2 id="envelopes-h">${t('publicTenders.envelopes.title')}</h2>
    <p>${envelopes.length ? t('publicTenders.envelopes.lead', { envelopes: envelopes.join(', ') }) : t('publicTenders.envelopes.none')}</p>
    ${codes.map((e) => {
      const inside = docs.filter((d) => d.envelope === e);
      return inside.length
        ? html`<table class="bid-documents" id="envelope-${e}">
        <caption>${envelopeLabel(t, e)}</caption>
        <thead><tr><th scope="col">${t('publicTenders.envelopes.document')}</th><th scope="col">${t('publicTenders.envelopes.mandatory')}</th></tr></thead>
        <tbody>${inside.map(
          (d) =>
            html`<tr><th scope="row">${d.name}</th><td>${d.mandatory ? t('publicTenders.envelopes.mandatoryYes') : t('publicTenders.envelopes.mandatoryNo')}</td></tr>`,
        )}</tbody></table>`
        : html`<p id="envelope-${e}">${envelopeLabel(t, e)}: ${t('publicTenders.envelopes.noDocuments')}</p>`;
    })}
  </section>`;
}

function documentsSection(pc: PageContext, notice: Obj): Html {
  const t = pc.t;
  const docs = list(notice.documents);
  const ocid = str(notice.ocid) ?? '';
  return html`<section aria-labelledby="documents-h" id="documents">
    <h2 id="documents-h">${t('publicTenders.documents.title')}</h2>
    ${
      docs.length
        ? html`<p>${t('publicTenders.documents.lead')}</p>
    <table class="documents">
      <caption>${t('publicTenders.documents.caption', { count: docs.length })}</caption>
      <thead><tr><th scope="col">${t('publicTenders.documents.document')}</th><th scope="col">${t('publicTenders.documents.kind')}</th>
        <th scope="col">${t('publicTenders.documents.size')}</th><th scope="col">${t('publicTenders.documents.sha256')}</th></tr></thead>
      <tbody>${docs.map((d) => {
        const size = Number(str(d.size_bytes));
        return html`<tr id="document-${str(d.id) ?? ''}"><th scope="row">${str(d.title) ?? ''}<br><a class="file-name" href="/api/v1/tenders/${ocid}/documents/${str(d.id) ?? ''}" download>${str(d.file_name) ?? ''}</a></th>
          <td>${documentKindLabel(t, str(d.kind) ?? '')}</td>
          <td>${Number.isFinite(size) ? formatSize(pc.locale, size) : '—'}</td>
          <td><code class="hash">${str(d.sha256) ?? ''}</code></td></tr>`;
      })}</tbody></table>`
        : html`<p>${t('publicTenders.documents.none')}</p>`
    }
  </section>`;
}

/**
 * The published opening records (docs/SEALING.md "Opening"), shortly: per stage, when it was
 * opened, by which custodians, and each bid's outcome; at C, the prices offered per lot when the
 * record carries them (`bids[].offer.lots[].price`, decimal strings). The full record is the JSON.
 */
function openingsSection(pc: PageContext, ocid: string, openings: OpeningView[]): Html {
  const t = pc.t;
  const l = pc.locale;
  if (openings.length === 0) return html``;
  return html`<section aria-labelledby="openings-h" id="openings">
    <h2 id="openings-h">${t('opening.public.title')}</h2>
    ${openings.map(({ record }) => {
      const e = record.envelope;
      const prices = record.bids.some((b) => list(obj(obj(b).offer).lots).some((x) => str(x.price)));
      return html`<article class="opening-record" id="opening-${e}" aria-labelledby="opening-${e}-h">
        <h3 id="opening-${e}-h">${envelopeLabel(t, e)}</h3>
        <dl class="facts">
          <dt>${t('opening.public.openedAt')}</dt><dd>${when(l, record.openedAt)}</dd>
          <dt>${t('opening.public.custodians')}</dt><dd>${record.custodians.map((c) => c.name).join(', ')}</dd>
          <dt>${t('opening.public.bids')}</dt><dd>${record.bids.length}</dd>
        </dl>
        ${
          record.bids.length
            ? html`<table class="opening-bids">
          <caption>${t('opening.public.caption', { envelope: e })}</caption>
          <thead><tr><th scope="col">${t('opening.public.bidder')}</th><th scope="col">${t('opening.public.outcome')}</th>${prices ? html`<th scope="col">${t('opening.public.prices')}</th>` : ''}</tr></thead>
          <tbody>${record.bids.map((b) => {
            const lots = list(obj(obj(b).offer).lots).filter((x) => str(x.price));
            return html`<tr><th scope="row">${b.company.legalName}</th>
              <td>${b.outcome === 'opened' ? t('opening.public.opened') : t('opening.public.failed', { code: b.failure ?? '' })}</td>
              ${prices ? html`<td>${lots.length ? html`<ul class="plain">${lots.map((x) => html`<li>${t('opening.public.lotPrice', { lot: str(x.lot) ?? '' })} ${money(l, x.price)}</li>`)}</ul>` : '—'}</td>` : ''}</tr>`;
          })}</tbody></table>`
            : html`<p>${t('opening.public.noBids')}</p>`
        }
      </article>`;
    })}
    <p><a href="/api/v1/tenders/${ocid}/openings">${t('opening.public.json')}</a></p>
    <p><a href="/tenders/${ocid}/minutes" id="minutes-link">${t('minutes.link')}</a></p>
  </section>`;
}

/** A signed amount (an amendment's value change), with its sign shown also when it adds. */
const signedMoney = (l: Locale, v: string) =>
  /^-?\d{1,15}(\.\d{1,6})?$/.test(v) ? `${v.startsWith('-') ? '' : '+'}${formatMoney(l, v)}` : v || '—';

/** A calendar date (YYYY-MM-DD: ends of term, completion), without time or time zone shift. */
function day(l: Locale, v: string | null | undefined): Html | string {
  if (!v || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return v || '—';
  const tag = { ca: 'ca-ES', es: 'es-ES', en: 'en-GB' }[l];
  const text = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(`${v}T00:00:00Z`),
  );
  return html`<time datetime="${v}">${text}</time>`;
}

const AWARD_STAGE_KEYS = {
  awarded: 'evaluation.public.award.stage.awarded',
  formalised: 'evaluation.public.award.stage.formalised',
  void: 'evaluation.public.award.stage.void',
} as const;

const CONTRACT_STATUS_KEYS = {
  formalised: 'evaluation.public.contracts.status.formalised',
  in_execution: 'evaluation.public.contracts.status.in_execution',
  suspended: 'evaluation.public.contracts.status.suspended',
  completed: 'evaluation.public.contracts.status.completed',
  terminated: 'evaluation.public.contracts.status.terminated',
} as const;

/** Amendments foreseen in the PCAP (art. 204 LCSP) or not foreseen, with the case of art. 205.2. */
const AMENDMENT_GROUND_KEYS: Record<string, string> = {
  art_204: 'evaluation.public.contracts.ground.art_204',
  art_205: 'evaluation.public.contracts.ground.art_205',
};

/**
 * The published acts of the award of each lot (arts. 151, 153–154 LCSP; award.service.ts
 * publicAwards): the company and its price, the reasons, notification and formalisation, or the
 * lot declared void. Nothing is shown before the first act.
 */
function awardSection(pc: PageContext, ocid: string, awards: PublicLotAward[]): Html {
  const t = pc.t;
  const l = pc.locale;
  if (awards.length === 0) return html``;
  return html`<section aria-labelledby="award-h" id="award">
    <h2 id="award-h">${t('evaluation.public.award.title')}</h2>
    ${awards.map(
      (a) => html`<article class="award-lot" id="award-lot-${a.lot}" aria-labelledby="award-lot-${a.lot}-h">
        <h3 id="award-lot-${a.lot}-h">${t('evaluation.lot', { n: a.lot })}</h3>
        <dl class="facts">
          <dt>${t('evaluation.public.award.stage')}</dt><dd>${t(AWARD_STAGE_KEYS[a.stage])}</dd>
          ${
            a.award
              ? html`<dt>${t('evaluation.company')}</dt><dd>${a.award.company.legalName} (${a.award.company.taxId})</dd>
          <dt>${t('evaluation.public.award.price')}</dt><dd>${money(l, a.award.price)}</dd>
          <dt>${t('evaluation.public.award.awardedAt')}</dt><dd>${when(l, a.award.awardedAt)}</dd>
          <dt>${t('evaluation.public.award.reasons')}</dt><dd>${a.award.reasons}</dd>
          <dt>${t('evaluation.public.award.notifiedAt')}</dt><dd>${a.award.notifiedAt ? when(l, a.award.notifiedAt) : t('evaluation.public.award.notNotified')}</dd>`
              : ''
          }
          ${
            a.contract
              ? html`<dt>${t('evaluation.public.award.signedAt')}</dt><dd>${when(l, a.contract.signedAt)}</dd>
          <dt>${t('evaluation.public.award.amount')}</dt><dd>${money(l, a.contract.amountExclVat)}</dd>`
              : ''
          }
          ${
            a.void
              ? html`<dt>${t('evaluation.public.award.voidAt')}</dt><dd>${when(l, a.void.at)}</dd>
          <dt>${t('evaluation.public.award.voidReasons')}</dt><dd>${a.void.reasons}</dd>`
              : ''
          }
        </dl>
      </article>`,
    )}
    <p><a href="/api/v1/tenders/${ocid}/awards">${t('evaluation.public.award.json')}</a></p>
  </section>`;
}

/**
 * The contracts and their published acts (art. 63.3 LCSP; contract.service.ts publicContracts):
 * status, price at formalisation and as amended, amendments and extensions, payments in total,
 * completion or termination.
 */
function contractsSection(pc: PageContext, ocid: string, contracts: PublicContract[]): Html {
  const t = pc.t;
  const l = pc.locale;
  if (contracts.length === 0) return html``;
  return html`<section aria-labelledby="contracts-h" id="contracts">
    <h2 id="contracts-h">${t('evaluation.public.contracts.title')}</h2>
    ${contracts.map((c) => {
      const lots = c.lots.join(', ');
      return html`<article class="public-contract" id="contract-${c.id}" aria-labelledby="contract-${c.id}-h">
        <h3 id="contract-${c.id}-h">${t('evaluation.public.contracts.heading', { lots, company: c.company.legalName })}</h3>
        <dl class="facts">
          <dt>${t('evaluation.public.contracts.status')}</dt><dd>${t(CONTRACT_STATUS_KEYS[c.status])}</dd>
          <dt>${t('evaluation.public.contracts.signedAt')}</dt><dd>${when(l, c.signedAt)}</dd>
          <dt>${t('evaluation.public.contracts.initial')}</dt><dd>${money(l, c.amountExclVat)}</dd>
          <dt>${t('evaluation.public.contracts.current')}</dt><dd>${money(l, c.totalExclVat)}</dd>
          ${c.endDate ? html`<dt>${t('evaluation.public.contracts.endDate')}</dt><dd>${day(l, c.endDate)}</dd>` : ''}
          <dt>${t('evaluation.public.contracts.payments')}</dt><dd>${c.payments.count}</dd>
          <dt>${t('evaluation.public.contracts.paid')}</dt><dd>${money(l, c.payments.totalExclVat)}</dd>
          ${c.completedOn ? html`<dt>${t('evaluation.public.contracts.completedOn')}</dt><dd>${day(l, c.completedOn)}</dd>` : ''}
          ${
            c.termination
              ? html`<dt>${t('evaluation.public.contracts.terminatedAt')}</dt><dd>${when(l, c.termination.at)}</dd>
          <dt>${t('evaluation.public.contracts.terminationGrounds')}</dt><dd>${c.termination.grounds}</dd>
          <dt>${t('evaluation.public.contracts.reasons')}</dt><dd>${c.termination.reasons}</dd>`
              : ''
          }
        </dl>
        ${
          c.amendments.length
            ? html`<table class="contract-amendments">
          <caption>${t('evaluation.public.contracts.amendmentsCaption', { lots })}</caption>
          <thead><tr><th scope="col">${t('evaluation.public.contracts.date')}</th><th scope="col">${t('evaluation.public.contracts.ground')}</th>
            <th scope="col">${t('evaluation.public.contracts.valueChange')}</th><th scope="col">${t('evaluation.public.contracts.newTotal')}</th>
            <th scope="col">${t('evaluation.public.contracts.reasons')}</th><th scope="col">${t('award.public.documents')}</th></tr></thead>
          <tbody>${c.amendments.map((a) => {
            const key = AMENDMENT_GROUND_KEYS[a.legalGround];
            return html`<tr><th scope="row">${when(l, a.at)}</th>
              <td>${key ? t(key, { case: a.groundCase ?? '' }) : a.legalGround}</td>
              <td>${signedMoney(l, a.valueChange)}</td>
              <td>${money(l, a.newTotal)}</td>
              <td>${a.reasons}</td>
              <td>${a.documents.length ? html`<ul class="contract-documents">${a.documents.map((d) => html`<li>${d.url && d.title ? html`<a href="${d.url}">${t('award.public.documentLink', { title: d.title, size: new Intl.NumberFormat(l, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 1 }).format((d.size ?? 0) / 1024) })}</a>` : t('award.public.documentUnavailable', { sha: d.sha256 })}</li>`)}</ul>` : '—'}</td></tr>`;
          })}</tbody></table>`
            : ''
        }
        ${
          c.extensions.length
            ? html`<table class="contract-extensions">
          <caption>${t('evaluation.public.contracts.extensionsCaption', { lots })}</caption>
          <thead><tr><th scope="col">${t('evaluation.public.contracts.date')}</th><th scope="col">${t('evaluation.public.contracts.newEndDate')}</th>
            <th scope="col">${t('evaluation.public.contracts.reasons')}</th></tr></thead>
          <tbody>${c.extensions.map(
            (x) =>
              html`<tr><th scope="row">${when(l, x.at)}</th><td>${day(l, x.newEndDate)}</td><td>${x.reasons}</td></tr>`,
          )}</tbody></table>`
            : ''
        }
      </article>`;
    })}
    <p><a href="/api/v1/tenders/${ocid}/contracts">${t('evaluation.public.contracts.json')}</a></p>
  </section>`;
}

type QuestionState = { errors: FieldError[]; value: string; companyId: string };

function questionsSection(
  pc: PageContext,
  n: PublicNotice,
  notice: Obj,
  ocid: string,
  now: Date,
  q: QuestionState,
): Html {
  const t = pc.t;
  const l = pc.locale;
  const deadline = str(notice.questionsDeadline);
  const open = n.status === 'published' && deadline !== undefined && new Date(deadline) > now;
  const answered = n.questions.length
    ? html`<ol class="questions">${n.questions.map(
        (x) => html`<li class="qa" id="question-${x.id}">
        <h3 class="visually-hidden">${t('publicTenders.questions.questionN', { n: n.questions.indexOf(x) + 1 })}</h3>
        <dl>
          <dt>${t('publicTenders.questions.question')} (${when(l, x.askedAt)})</dt><dd class="question-text">${x.question}</dd>
          <dt>${t('publicTenders.questions.answer')} (${when(l, x.answeredAt)})</dt><dd class="answer-text" id="answer-${x.id}">${x.answer}</dd>
        </dl></li>`,
      )}</ol>`
    : html`<p id="no-answers">${t('publicTenders.questions.none')}</p>`;

  let ask: Html;
  const actor = pc.actor;
  if (!open) {
    ask = html`<p id="questions-closed">${
      n.status === 'published' && deadline
        ? html`${t('publicTenders.questions.closedOn')} ${when(l, deadline)}`
        : t('publicTenders.questions.closed')
    }</p>`;
  } else if (actor.kind !== 'user') {
    ask = html`<p id="questions-sign-in"><a href="/sign-in?next=${encodeURIComponent(`/tenders/${ocid}`)}">${t('publicTenders.questions.signIn')}</a></p>`;
  } else {
    const companies = companiesOf(actor, pc);
    if (companies.length === 0) {
      ask = html`<p>${t('publicTenders.questions.companiesOnly')}</p>`;
    } else {
      const err = q.errors.find((e) => e.field === 'question');
      const companyErr = q.errors.find((e) => e.field === 'companyId');
      const chosen = q.companyId || actor.activeCompanyId || companies[0]?.id || '';
      ask = html`<form method="post" action="/tenders/${ocid}/questions" id="ask-question" novalidate>
        ${csrfField(pc)}
        ${
          companies.length === 1
            ? html`<input type="hidden" name="companyId" value="${companies[0]?.id ?? ''}">`
            : html`<div class="field${companyErr ? ' field-error' : ''}"><label for="companyId">${t('publicTenders.questions.company')}</label>
              ${companyErr ? html`<p class="error" id="companyId-error">${companyErr.message}</p>` : ''}
              <select id="companyId" name="companyId">${companies.map((c) => html`<option value="${c.id}" ${c.id === chosen ? html`selected` : ''}>${c.name}</option>`)}</select></div>`
        }
        <div class="field${err ? ' field-error' : ''}">
          <label for="question">${t('publicTenders.questions.yourQuestion')}</label>
          <p class="hint" id="question-hint">${t('publicTenders.questions.hint')} ${when(l, deadline)}</p>
          ${err ? html`<p class="error" id="question-error">${err.message}</p>` : ''}
          <textarea id="question" name="question" rows="6" maxlength="${QUESTION_MAX}" required
            aria-describedby="question-hint${err ? ' question-error' : ''}" ${err ? html`aria-invalid="true"` : ''}>${q.value}</textarea>
        </div>
        <button type="submit" id="ask-submit">${t('publicTenders.questions.submit')}</button>
      </form>`;
    }
  }
  return html`<section aria-labelledby="questions-h" id="questions">
    <h2 id="questions-h">${t('publicTenders.questions.title')}</h2>
    <p>${t('publicTenders.questions.lead')}</p>
    ${answered}
    <h3 id="ask-h">${t('publicTenders.questions.askTitle')}</h3>
    ${ask}
  </section>`;
}

function followForm(pc: PageContext, ocid: string, following: boolean): Html {
  const t = pc.t;
  if (pc.actor.kind !== 'user') return html``;
  return html`<form method="post" action="/tenders/${ocid}/follow" id="follow-form" class="inline">
    ${csrfField(pc)}<input type="hidden" name="follow" value="${following ? 'no' : 'yes'}">
    <p>${following ? t('publicTenders.follow.following') : t('publicTenders.follow.notFollowing')}
    <button type="submit" id="follow-button">${following ? t('publicTenders.follow.unfollow') : t('publicTenders.follow.follow')}</button></p>
  </form>`;
}

/**
 * The way to the company's bid page (src/modules/bids/bid.pages.ts) while bids are received: for
 * visitors through the sign-in, for members of a bidding company directly; staff see nothing.
 */
/** Whether the notice's procedure takes bids from invited companies only (procedure.rules.ts). */
function byInvitation(procedure: unknown): boolean {
  return (
    typeof procedure === 'string' && procedure in PROCEDURES && bidsByInvitation(procedure as ProcedureCode)
  );
}

function bidLink(pc: PageContext, ocid: string, open: boolean): Html {
  if (!open) return html``;
  const target = `/tenders/${ocid}/bid`;
  if (pc.actor.kind !== 'user') {
    return html`<p id="bid-link"><a href="/sign-in?next=${encodeURIComponent(target)}">${pc.t('bidding.linkSignIn')}</a></p>`;
  }
  if (companiesOf(pc.actor, pc).length === 0) return html``;
  return html`<p id="bid-link"><a class="button" href="${target}">${pc.t('bidding.link')}</a></p>`;
}

export type TenderPageOpts = {
  /** A confirmation after a redirect (PRG). */
  notice?: string | undefined;
  errors?: FieldError[];
  question?: string;
  companyId?: string;
  status?: number;
};

/** Renders the public page of a tender; NOT_FOUND from the service becomes the 404 page. */
export async function sendTenderPage(
  app: App,
  request: FastifyRequest,
  reply: FastifyReply,
  ocid: string,
  opts: TenderPageOpts = {},
) {
  const ctx = app.serviceContext(request);
  const n = await getPublicNotice(ctx, ocid);
  const pc = await pageContext(app, request, reply);
  const t = pc.t;
  const l = pc.locale;
  const now = app.deps.clock.now();
  const notice = obj(n.notice);
  const authorityId = str(notice.authorityId);
  const authority = authorityId
    ? await getPublicAuthority(ctx, authorityId).catch(() => undefined)
    : undefined;
  const lots = list(notice.lots);
  const additional = Array.isArray(notice.additionalCpvs) ? notice.additionalCpvs.map(str) : [];
  const cpvs = [str(notice.mainCpv), ...additional, ...lots.map((x) => str(x.mainCpv))].filter(
    (c): c is string => c !== undefined,
  );
  const [labels, following, openings] = await Promise.all([
    cpvLabels(ctx, cpvs, l),
    isFollowing(ctx, str(notice.id) ?? ''),
    listOpenings(ctx, ocid),
  ]);
  // The committee's published judgement scores (evaluation.pages.ts), once the B report is approved.
  const evaluation = await publicEvaluationSection(pc, app.deps.database.db, ocid, notice);
  // The published acts of the award and of the contracts' execution (arts. 151, 154, 63.3 LCSP).
  const authorityOf = str(notice.authorityId);
  const tenderOf = str(notice.id);
  const [awards, contracts] =
    authorityOf && tenderOf
      ? await Promise.all([
          publicAwards(app.deps.database.db, authorityOf, tenderOf),
          publicContracts(app.deps.database.db, authorityOf, tenderOf),
        ])
      : [[], []];
  const title = names(notice.title)?.[l] ?? ocid;
  const description = names(notice.description)?.[l];
  const cancellation = n.history.findLast((h) => h.kind === 'cancellation');
  const cancel = splitCancellation(cancellation?.reason);
  const duration = str(notice.durationMonths);
  const deadlinePassed =
    n.status === 'published' &&
    str(notice.tenderDeadline) !== undefined &&
    new Date(str(notice.tenderDeadline) ?? '') <= now;

  const body = html`${opts.notice ? html`<p class="notice" role="status" id="confirmation">${opts.notice}</p>` : ''}
    ${errorSummary(pc, opts.errors ?? [])}
    <p class="lead">${authority ? html`<a href="/authorities/${authority.slug}">${authority.name[l]}</a>` : ''}</p>
    <p id="tender-status"><strong>${t('publicTenders.fact.status')}:</strong> ${statusLabel(t, n.status)}${deadlinePassed ? html` (${t('publicTenders.status.deadlinePassed')})` : ''}</p>
    ${
      n.status === 'cancelled' && cancellation
        ? html`<div class="notice" id="cancellation"><h2>${t('publicTenders.cancellation.title')}</h2>
          <dl class="facts"><dt>${t('publicTenders.cancellation.kind')}</dt><dd>${cancellationLabel(t, cancel.kind)}</dd>
          <dt>${t('publicTenders.cancellation.reason')}</dt><dd>${cancel.reasons}</dd>
          <dt>${t('publicTenders.cancellation.date')}</dt><dd>${when(l, cancellation.publishedAt)}</dd></dl></div>`
        : ''
    }
    ${
      // Where only invited companies bid, the way to the bid page is the participation page's.
      bidLink(
        pc,
        ocid,
        n.status === 'published' &&
          str(notice.tenderDeadline) !== undefined &&
          !deadlinePassed &&
          !byInvitation(notice.procedure),
      )
    }
    ${n.status === 'published' ? publicParticipationNote(pc, ocid, notice) : ''}
    ${followForm(pc, ocid, following)}
    ${description ? html`<p class="description">${description}</p>` : ''}
    <section aria-labelledby="facts-h" id="facts">
      <h2 id="facts-h">${t('publicTenders.facts.title')}</h2>
      <dl class="facts">
        <dt>${t('publicTenders.fact.ocid')}</dt><dd><code>${ocid}</code></dd>
        <dt>${t('publicTenders.fact.reference')}</dt><dd>${str(notice.reference) ?? '—'}</dd>
        <dt>${t('publicTenders.fact.procedure')}</dt><dd>${procedureLabel(t, str(notice.procedure) ?? '')}</dd>
        <dt>${t('publicTenders.fact.contractType')}</dt><dd>${contractTypeLabel(t, str(notice.contractType) ?? '')}</dd>
        <dt>${t('publicTenders.fact.cpv')}</dt><dd>${cpvText(str(notice.mainCpv), labels)}</dd>
        ${
          additional.length
            ? html`<dt>${t('publicTenders.fact.additionalCpvs')}</dt><dd><ul>${additional.map((c) => html`<li>${cpvText(c, labels)}</li>`)}</ul></dd>`
            : ''
        }
        <dt>${t('publicTenders.fact.estimatedValue')}</dt><dd>${money(l, notice.estimatedValue)}</dd>
        <dt>${t('publicTenders.fact.budgetExclVat')}</dt><dd>${money(l, notice.budgetExclVat)}</dd>
        <dt>${t('publicTenders.fact.budgetInclVat')}</dt><dd>${money(l, notice.budgetInclVat)}</dd>
        <dt>${t('publicTenders.fact.duration')}</dt><dd>${duration ? t('publicTenders.fact.months', { count: duration }) : '—'}</dd>
        <dt>${t('publicTenders.fact.nuts')}</dt><dd>${str(notice.nutsCode) ? html`<code>${str(notice.nutsCode)}</code>` : '—'}</dd>
        <dt>${t('publicTenders.fact.questionsDeadline')}</dt><dd>${when(l, str(notice.questionsDeadline))}</dd>
        <dt>${t('publicTenders.fact.tenderDeadline')}</dt><dd>${when(l, str(notice.tenderDeadline))}</dd>
        <dt>${t('publicTenders.fact.openingAt')}</dt><dd>${when(l, str(notice.openingAt))}</dd>
      </dl>
      <p class="hint">${t('publicTenders.facts.timeZone')}</p>
    </section>
    ${timeline(pc, n, notice, now)}
    ${lotsSection(pc, notice, labels)}
    ${envelopesSection(pc, notice)}
    ${openingsSection(pc, ocid, openings)}
    ${evaluation}
    ${awardSection(pc, ocid, awards)}
    ${contractsSection(pc, ocid, contracts)}
    ${documentsSection(pc, notice)}
    ${questionsSection(pc, n, notice, ocid, now, {
      errors: opts.errors ?? [],
      value: opts.question ?? '',
      companyId: opts.companyId ?? '',
    })}
    ${corrigenda(pc, n)}
    <p><a href="/api/v1/tenders/${ocid}">${t('publicTenders.facts.json')}</a> · <a href="/tenders">${t('publicTenders.facts.back')}</a></p>`;
  return sendPage(reply, layout(pc, title, body), opts.status ?? 200);
}
