import { requireSignedIn } from '../portal/account.pages.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { type Html, html } from '../../platform/http/html.js';
import { officeNav, when } from '../portal/backoffice-view.js';
import {
  csrfField,
  errorSummary,
  type FieldError,
  input,
  layout,
  type PageContext,
  sendPage,
} from '../portal/layout.js';
import type { ErrorCode } from '../../platform/errors.js';
import { errorMessage, formFields, isDomainError, pageContext, validIds } from '../portal/portal.context.js';
import { canOnCustody } from './custodian-key.policy.js';
import type { RecipientProblem } from './custodian-key.rules.js';
import { getOwnCustodianKey, listCustodianKeys, registerOwnCustodianKey } from './custodian-key.service.js';
import type { CustodianKeyView } from './custodian-key.types.js';

type AuthorityParams = { Params: { authorityId: string } };

/** Why a pasted key was refused, in words a custodian can act on; keys written out for the i18n test. */
const PROBLEM_KEYS: Record<RecipientProblem, string> = {
  empty: 'custody.problem.empty',
  identity: 'custody.problem.identity',
  prefix: 'custody.problem.prefix',
  length: 'custody.problem.length',
  characters: 'custody.problem.characters',
  checksum: 'custody.problem.checksum',
  key_size: 'custody.problem.checksum',
  weak_key: 'custody.problem.weakKey',
};

const isProblem = (p: unknown): p is RecipientProblem => typeof p === 'string' && p in PROBLEM_KEYS;

/**
 * The shortest passphrase the key page accepts. The encrypted key file may be copied anywhere (a
 * backup, a lost USB stick); scrypt slows guessing down, but only length makes it infeasible: 12
 * characters of a passphrase is the floor, a few unrelated words is better.
 */
export const PASSPHRASE_MIN = 12;

/**
 * Texts a page script shows, rendered on the server in the page's language (the scripts carry no
 * translations): `<template id="script-messages">` with one `<p data-key>` per message. Placeholders
 * such as `{n}` are filled in by the script.
 */
export function scriptMessages(messages: Record<string, string>): Html {
  return html`<template id="script-messages">${Object.entries(messages).map(
    ([key, text]) => html`<p data-key="${key}">${text}</p>`,
  )}</template>`;
}

/** Error codes a page script may meet, with their message (keys written out for the i18n test). */
export function scriptErrorMessages(pc: PageContext, codes: readonly ErrorCode[]): Record<string, string> {
  return Object.fromEntries(codes.map((c) => [`error.${c}`, errorMessage(pc.t, c)]));
}

/**
 * The "generate a key on this device" section (script `custodian-keygen`): the identity is made in
 * the browser, encrypted there with the passphrase (age scrypt, the same file format as
 * `contracta custodian keygen --passphrase-from-env`, so the CLI opens with it too) and offered as
 * a file; only then is the public key registered. The identity in clear never leaves the page.
 */
function keygenSection(pc: PageContext, authorityId: string): Html {
  const t = pc.t;
  const messages = {
    ...scriptErrorMessages(pc, [
      'CUSTODIAN_KEY_INVALID',
      'CUSTODIAN_KEY_TAKEN',
      'CUSTODIAN_KEY_IN_USE',
      'FORBIDDEN',
      'NOT_FOUND',
      'UNAUTHENTICATED',
      'CSRF_INVALID',
      'RATE_LIMITED',
      'INTERNAL',
    ]),
    errorTitle: t('form.errorTitle'),
    tooShort: t('custody.keygen.tooShort', { min: PASSPHRASE_MIN }),
    mismatch: t('custody.keygen.mismatch'),
    working: t('custody.keygen.working'),
    ready: t('custody.keygen.ready'),
    registering: t('custody.keygen.registering'),
    registered: t('custody.keygen.registered'),
    differs: t('custody.keygen.differs'),
    failed: t('custody.keygen.failed'),
  };
  return html`<section aria-labelledby="generate-h" id="keygen" data-authority="${authorityId}" data-min="${PASSPHRASE_MIN}">
    <h2 id="generate-h">${t('custody.keygen.title')}</h2>
    <p>${t('custody.keygen.lead')}</p>
    <noscript><p>${t('custody.keygen.noScript')}</p></noscript>
    <div id="keygen-errors"></div>
    <form id="keygen-form" hidden novalidate>
      <div class="field" id="passphrase-field">
        <label for="passphrase">${t('custody.keygen.passphrase')}</label>
        <p class="hint" id="passphrase-hint">${t('custody.keygen.passphraseHint', { min: PASSPHRASE_MIN })}</p>
        <p class="error" id="passphrase-error" hidden></p>
        <input id="passphrase" name="passphrase" type="password" autocomplete="off" required minlength="${PASSPHRASE_MIN}" aria-describedby="passphrase-hint">
      </div>
      <div class="field" id="passphrase-confirm-field">
        <label for="passphrase-confirm">${t('custody.keygen.confirm')}</label>
        <p class="error" id="passphrase-confirm-error" hidden></p>
        <input id="passphrase-confirm" name="passphrase-confirm" type="password" autocomplete="off" required>
      </div>
      <button type="submit" id="keygen-generate">${t('custody.keygen.generate')}</button>
    </form>
    <p id="keygen-status" role="status"></p>
    <div id="keygen-result" hidden>
      <dl class="facts">
        <dt>${t('custody.keygen.localFingerprint')}</dt><dd><code id="keygen-fingerprint"></code></dd>
        <dt>${t('custody.page.recipient')}</dt><dd><code id="keygen-recipient" class="secret"></code></dd>
      </dl>
      <p>${t('custody.keygen.saveLead')}</p>
      <p><a id="keygen-download" class="button">${t('custody.keygen.download')}</a></p>
      <div id="keygen-register-step" hidden>
        <p>${t('custody.keygen.registerLead')}</p>
        <button type="button" id="keygen-register">${t('custody.keygen.register')}</button>
      </div>
      <div id="keygen-compare" hidden><dl class="facts">
        <dt>${t('custody.keygen.localFingerprint')}</dt><dd><code id="keygen-compare-local"></code></dd>
        <dt>${t('custody.keygen.serverFingerprint')}</dt><dd><code id="keygen-server-fingerprint"></code></dd>
      </dl></div>
    </div>
    ${scriptMessages(messages)}
  </section>`;
}

/**
 * The active keys of the authority by custodian, for the file page's assignment section, or
 * undefined when the viewer may not list keys (the section then says nothing about keys).
 */
export async function activeCustodianKeys(
  app: App,
  request: FastifyRequest,
  authorityId: string,
): Promise<Map<string, CustodianKeyView> | undefined> {
  if (canOnCustody(request.actor, 'custody.list', authorityId) !== 'allow') return undefined;
  const keys = await listCustodianKeys(app.serviceContext(request), authorityId);
  return new Map(keys.filter((k) => k.revokedAt === null).map((k) => [k.userId, k]));
}

/** "Anna Ferrer — key 1a2b…" or "Anna Ferrer — no key yet": the label of a custodian's checkbox. */
export function custodianKeyLabel(
  pc: PageContext,
  name: string,
  keys: Map<string, CustodianKeyView> | undefined,
  userId: string,
): string {
  if (!keys) return name;
  const key = keys.get(userId);
  return key
    ? pc.t('custody.assign.hasKey', { name, fingerprint: key.fingerprint })
    : pc.t('custody.assign.noKey', { name });
}

/**
 * The custodian's own key page: the fingerprint of the key the server holds (to compare with the
 * one on their device) and a form to register a new public key. The private key is made on the
 * custodian's own device and never sent here.
 */
export function custodyPages(app: App, r: FastifyInstance): void {
  const page = async (
    request: FastifyRequest,
    pc: PageContext,
    authorityId: string,
    opts: { errors?: FieldError[]; value?: string; notice?: boolean } = {},
  ): Promise<Html> => {
    const current = await getOwnCustodianKey(app.serviceContext(request), authorityId);
    const t = pc.t;
    const authority = pc.authorities.find((a) => a.id === authorityId)?.name ?? '';
    const errors = opts.errors ?? [];
    const path = `/office/${authorityId}/custodian-key`;
    return layout(
      pc,
      t('custody.page.title', { authority }),
      html`${officeNav(pc, path)}${opts.notice ? html`<p class="notice" role="status" id="notice">${t('custody.page.saved')}</p>` : ''}${errorSummary(pc, errors)}
      <p>${t('custody.page.lead')}</p>
      <section aria-labelledby="current-h"><h2 id="current-h">${t('custody.page.current')}</h2>
      ${
        current
          ? html`<dl class="facts" id="current-key">
          <dt>${t('custody.page.fingerprint')}</dt><dd><code id="key-fingerprint">${current.fingerprint}</code></dd>
          <dt>${t('custody.page.recipient')}</dt><dd><code id="key-recipient">${current.recipient}</code></dd>
          <dt>${t('custody.page.registered')}</dt><dd>${when(pc, current.createdAt)}</dd></dl>`
          : html`<p id="no-key">${t('custody.page.none')}</p>`
      }</section>
      ${current ? html`<p>${t('custody.page.replaceNote')}</p>` : ''}
      ${keygenSection(pc, authorityId)}
      <section aria-labelledby="register-h"><h2 id="register-h">${current ? t('custody.page.replace') : t('custody.page.register')}</h2>
      <p>${t('custody.page.keygen')} <code>contracta custodian keygen</code></p>
      <p>${t('custody.page.secretWarning')}</p>
      <form method="post" action="${path}" novalidate>${csrfField(pc)}
      ${input({ name: 'recipient', label: t('custody.page.recipientLabel'), value: opts.value, required: true, maxlength: 200, hint: t('custody.page.recipientHint'), errors })}
      <button type="submit" id="register-key">${t('custody.page.submit')}</button></form></section>`,
      { script: 'custodian-keygen' },
    );
  };

  r.get<AuthorityParams & { Querystring: { done?: string } }>(
    '/office/:authorityId/custodian-key',
    async (request, reply) => {
      if (!requireSignedIn(request, reply) || !validIds(reply, request.params.authorityId)) return reply;
      const notice = request.query.done === 'saved';
      const pc = await pageContext(app, request, reply);
      return sendPage(reply, await page(request, pc, request.params.authorityId, { notice }));
    },
  );

  r.post<AuthorityParams>('/office/:authorityId/custodian-key', async (request, reply) => {
    if (!requireSignedIn(request, reply) || !validIds(reply, request.params.authorityId)) return reply;
    const { authorityId } = request.params;
    const value = formFields(request).get('recipient');
    try {
      await registerOwnCustodianKey(app.serviceContext(request), authorityId, { recipient: value });
    } catch (err) {
      if (!isDomainError(err) || ['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'].includes(err.code)) throw err;
      const pc = await pageContext(app, request, reply);
      const problem = (err.details as { problem?: unknown } | undefined)?.problem;
      const message = isProblem(problem) ? pc.t(PROBLEM_KEYS[problem]) : errorMessage(pc.t, err.code);
      const status = err.code === 'CUSTODIAN_KEY_INVALID' ? 422 : 409;
      return sendPage(
        reply,
        await page(request, pc, authorityId, { value, errors: [{ field: 'recipient', message }] }),
        status,
      );
    }
    return reply.redirect(`/office/${authorityId}/custodian-key?done=saved`, 303);
  });
}
