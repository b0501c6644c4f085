import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TFunction } from 'i18next';
import type { App } from '../../app.js';
import { type ErrorCode, DomainError } from '../../platform/errors.js';
import { isUuid } from '../../platform/ids.js';
import type { ErrorBody } from '../../platform/http/error-handler.js';
import { translator } from '../../platform/i18n/i18n.js';
import { bareContext, layout, type PageContext, sendPage } from './layout.js';
import { html } from '../../platform/http/html.js';

/** Builds what every page needs: translator, actor, CSRF token and the switcher's lists. */
export async function pageContext(
  app: App,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<PageContext> {
  const actor = request.actor;
  let authorities: { id: string; name: string }[] = [];
  let companies: { id: string; name: string }[] = [];
  if (actor.kind === 'user') {
    const db = app.deps.database.db;
    const aIds = [...actor.authorityRoles.keys()];
    const cIds = [...actor.companyRoles.keys()];
    const col = `name_${request.locale}` as const;
    if (aIds.length) {
      authorities = (
        await db.selectFrom('authority').select(['id', col]).where('id', 'in', aIds).orderBy(col).execute()
      ).map((a) => ({ id: a.id, name: a[col] }));
    }
    if (cIds.length) {
      companies = (
        await db
          .selectFrom('company')
          .select(['id', 'legal_name'])
          .where('id', 'in', cIds)
          .orderBy('legal_name')
          .execute()
      ).map((c) => ({ id: c.id, name: c.legal_name }));
    }
  }
  return {
    t: translator(request.locale),
    locale: request.locale,
    actor,
    path: request.url.split('?')[0] ?? '/',
    csrf: reply.generateCsrf(),
    authorities,
    companies,
  };
}

/** Translation key per error code, written out so that every key appears literally in the code. */
const ERROR_KEYS: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'errors.VALIDATION_FAILED',
  MALFORMED_JSON: 'errors.VALIDATION_FAILED',
  UNSUPPORTED_MEDIA_TYPE: 'errors.VALIDATION_FAILED',
  PAYLOAD_TOO_LARGE: 'errors.PAYLOAD_TOO_LARGE',
  UNAUTHENTICATED: 'errors.UNAUTHENTICATED',
  INVALID_CREDENTIALS: 'errors.INVALID_CREDENTIALS',
  ACCOUNT_LOCKED: 'errors.ACCOUNT_LOCKED',
  FORBIDDEN: 'errors.FORBIDDEN',
  CSRF_INVALID: 'errors.CSRF_INVALID',
  NOT_FOUND: 'errors.NOT_FOUND',
  RATE_LIMITED: 'errors.RATE_LIMITED',
  EMAIL_TAKEN: 'errors.EMAIL_TAKEN',
  TAX_ID_TAKEN: 'errors.TAX_ID_TAKEN',
  AUTHORITY_TAKEN: 'errors.AUTHORITY_TAKEN',
  MEMBERSHIP_EXISTS: 'errors.MEMBERSHIP_EXISTS',
  INVALID_TAX_ID: 'errors.INVALID_TAX_ID',
  WEAK_PASSWORD: 'errors.WEAK_PASSWORD',
  WRONG_PASSWORD: 'errors.WRONG_PASSWORD',
  UNPROCESSABLE: 'errors.UNPROCESSABLE',
  RESET_TOKEN_INVALID: 'errors.RESET_TOKEN_INVALID',
  CONFLICT: 'errors.CONFLICT',
  INVALID_CPV: 'errors.INVALID_CPV',
  DEADLINE_IN_PAST: 'errors.DEADLINE_IN_PAST',
  ESTIMATED_VALUE_MISMATCH: 'errors.ESTIMATED_VALUE_MISMATCH',
  BUDGET_INCONSISTENT: 'errors.BUDGET_INCONSISTENT',
  INVALID_TRANSITION: 'errors.INVALID_TRANSITION',
  STALE_VERSION: 'errors.STALE_VERSION',
  CHECKS_FAILED: 'errors.CHECKS_FAILED',
  REFERENCE_TAKEN: 'errors.REFERENCE_TAKEN',
  QUESTIONS_CLOSED: 'errors.QUESTIONS_CLOSED',
  PERIOD_TOO_SHORT: 'errors.PERIOD_TOO_SHORT',
  DOCUMENT_TOO_LARGE: 'errors.DOCUMENT_TOO_LARGE',
  DOCUMENT_TYPE_NOT_ALLOWED: 'errors.DOCUMENT_TYPE_NOT_ALLOWED',
  CONTENT_TYPE_MISMATCH: 'errors.CONTENT_TYPE_MISMATCH',
  DEADLINE_PASSED: 'errors.DEADLINE_PASSED',
  QUOTES_SEALED: 'errors.QUOTES_SEALED',
  MINOR_THRESHOLD_EXCEEDED: 'errors.MINOR_THRESHOLD_EXCEEDED',
  MINOR_SPLITTING_RISK: 'errors.MINOR_SPLITTING_RISK',
  MINOR_TOO_FEW_INVITATIONS: 'errors.MINOR_TOO_FEW_INVITATIONS',
  PROCEDURE_NOT_PUBLISHED: 'errors.PROCEDURE_NOT_PUBLISHED',
  CUSTODIAN_KEY_INVALID: 'errors.CUSTODIAN_KEY_INVALID',
  CUSTODIAN_KEY_TAKEN: 'errors.CUSTODIAN_KEY_TAKEN',
  CUSTODIAN_KEY_IN_USE: 'errors.CUSTODIAN_KEY_IN_USE',
  SHARE_INVALID: 'errors.SHARE_INVALID',
  SHARE_DUPLICATE: 'errors.SHARE_DUPLICATE',
  SHARE_FOREIGN: 'errors.SHARE_FOREIGN',
  QUORUM_NOT_REACHED: 'errors.QUORUM_NOT_REACHED',
  CIPHERTEXT_TAMPERED: 'errors.CIPHERTEXT_TAMPERED',
  OPENING_NOT_YET: 'errors.OPENING_NOT_YET',
  OPENING_OUT_OF_ORDER: 'errors.OPENING_OUT_OF_ORDER',
  OPENING_REPORT_PENDING: 'errors.OPENING_REPORT_PENDING',
  NOT_INVITED: 'errors.NOT_INVITED',
  TOO_FEW_CANDIDATES: 'errors.TOO_FEW_CANDIDATES',
  BLOB_HASH_MISMATCH: 'errors.BLOB_HASH_MISMATCH',
  ENVELOPE_TOO_LARGE: 'errors.ENVELOPE_TOO_LARGE',
  BID_ID_TAKEN: 'errors.BID_ID_TAKEN',
  MANIFEST_INVALID: 'errors.MANIFEST_INVALID',
  BLOB_MISSING: 'errors.BLOB_MISSING',
  COMMITMENT_NOT_YET: 'errors.COMMITMENT_NOT_YET',
  EXPERT_ON_COMMITTEE: 'errors.EXPERT_ON_COMMITTEE',
  EXPERTS_ONLY: 'errors.EXPERTS_ONLY',
  EXPERT_COMMITTEE_INCOMPLETE: 'errors.EXPERT_COMMITTEE_INCOMPLETE',
  AUTHORITY_READ_ONLY: 'errors.AUTHORITY_READ_ONLY',
  INTERNAL: 'errors.INTERNAL',
};

export function errorMessage(t: TFunction, code: ErrorCode): string {
  return t(ERROR_KEYS[code]);
}

/** The HTML error page used by the error and not-found handlers for browser requests. */
export function renderErrorPage(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  body: ErrorBody,
) {
  const pc = bareContext(request, reply);
  const t = translator(request.locale);
  const title = status === 404 ? t('errors.pageNotFound') : t('errors.title');
  const page = layout(
    pc,
    title,
    html`<p>${errorMessage(t, body.code)}</p><p class="code">${t('errors.code')}: <code>${body.code}</code></p>
    <p><a href="/">${t('nav.home')}</a></p>`,
  );
  return sendPage(reply, page, status);
}

/** Reads an urlencoded form body as single strings (repeated fields: the first) and lists. */
export function formFields(request: FastifyRequest): {
  get(name: string): string;
  all(name: string): string[];
} {
  const body = (request.body ?? {}) as Record<string, string | string[] | undefined>;
  return {
    get(name) {
      const v = body[name];
      return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
    },
    all(name) {
      const v = body[name];
      return v === undefined ? [] : Array.isArray(v) ? v : [v];
    },
  };
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}

const LOCAL_BASE = 'http://local.invalid';

/**
 * A safe local redirect target: a path on this site, never another origin. Browsers drop tabs
 * and newlines inside URLs and read `\\` as `/`, so `/<TAB>/evil.example` would become
 * `//evil.example`: control characters and spaces are refused, and the result must resolve to
 * this origin when parsed as a browser would.
 */
export function safeNext(next: string | undefined, fallback = '/'): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.includes('\\')) return fallback;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is refused.
  if (/[\u0000-\u0020\u007f]/.test(next)) return fallback;
  try {
    if (new URL(next, LOCAL_BASE).origin !== LOCAL_BASE) return fallback;
  } catch {
    return fallback;
  }
  return next;
}

/** Ids in the path that are not UUIDs name nothing: the same 404 as an unknown id. */
export function validIds(reply: FastifyReply, ...ids: string[]): boolean {
  if (ids.every(isUuid)) return true;
  void reply.callNotFound();
  return false;
}
