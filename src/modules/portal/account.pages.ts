import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { html } from '../../platform/http/html.js';
import { formatDateTime } from '../../platform/i18n/i18n.js';
import { createApiToken, listApiTokens, revokeApiToken } from '../identity/api-token.service.js';
import { changePassword } from '../identity/auth.service.js';
import {
  csrfField,
  errorSummary,
  type FieldError,
  input,
  layout,
  type PageContext,
  sendPage,
} from './layout.js';
import { errorMessage, formFields, isDomainError, pageContext } from './portal.context.js';
import { roleLabel } from './roles.js';

export function requireSignedIn(request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.actor.kind === 'user') return true;
  void reply.redirect(`/sign-in?next=${encodeURIComponent(request.url.split('?')[0] ?? '/')}`, 303);
  return false;
}

export function accountPages(app: App, r: FastifyInstance): void {
  const accountPage = async (
    request: FastifyRequest,
    pc: PageContext,
    opts: { errors?: FieldError[]; notice?: string; newToken?: string } = {},
  ) => {
    const actor = request.actor;
    if (actor.kind !== 'user') throw new Error('unreachable');
    const t = pc.t;
    const tokens = await listApiTokens(app.serviceContext(request));
    const scopeName = new Map([...pc.authorities, ...pc.companies].map((s) => [s.id, s.name]));
    const errors = opts.errors ?? [];
    return layout(
      pc,
      t('account.title'),
      html`${opts.notice ? html`<p class="notice" role="status">${opts.notice}</p>` : ''}
      ${errorSummary(pc, errors)}
      <section aria-labelledby="profile-h"><h2 id="profile-h">${t('account.profile')}</h2>
        <dl class="facts"><dt>${t('form.name')}</dt><dd>${actor.name}</dd><dt>${t('form.email')}</dt><dd>${actor.email}</dd></dl>
        ${actor.isPlatformAdmin ? html`<p>${t('account.platformAdmin')}</p>` : ''}
        ${pc.authorities.length ? html`<h3>${t('layout.authorities')}</h3><ul>${pc.authorities.map((a) => html`<li>${a.name}: ${(actor.authorityRoles.get(a.id) ?? []).map((ro) => roleLabel(t, ro)).join(', ')}</li>`)}</ul>` : ''}
        ${pc.companies.length ? html`<h3>${t('layout.companies')}</h3><ul>${pc.companies.map((c) => html`<li>${c.name}: ${(actor.companyRoles.get(c.id) ?? []).map((ro) => roleLabel(t, ro)).join(', ')}</li>`)}</ul>` : ''}
      </section>
      <section aria-labelledby="password-h"><h2 id="password-h">${t('account.changePassword')}</h2>
        <form method="post" action="/account/password" novalidate>${csrfField(pc)}
        ${input({ name: 'currentPassword', label: t('account.currentPassword'), type: 'password', required: true, autocomplete: 'current-password', errors })}
        ${input({ name: 'newPassword', label: t('form.newPassword'), type: 'password', required: true, autocomplete: 'new-password', hint: t('form.passwordHint'), errors })}
        <button type="submit">${t('account.savePassword')}</button></form>
      </section>
      <section aria-labelledby="tokens-h"><h2 id="tokens-h">${t('account.tokens')}</h2>
        <p>${t('account.tokensLead')}</p>
        ${opts.newToken ? html`<div class="notice" role="status"><p>${t('account.tokenCreated')}</p><p><code class="secret">${opts.newToken}</code></p></div>` : ''}
        ${
          tokens.length
            ? html`<table><caption>${t('account.tokensCaption')}</caption><thead><tr><th scope="col">${t('account.tokenName')}</th><th scope="col">${t('account.tokenScope')}</th><th scope="col">${t('account.tokenExpires')}</th><th scope="col">${t('account.tokenLastUsed')}</th><th scope="col">${t('account.tokenStatus')}</th><th scope="col"><span class="visually-hidden">${t('account.actions')}</span></th></tr></thead>
            <tbody>${tokens.map(
              (
                tk,
              ) => html`<tr><td>${tk.name} <code>${tk.prefix}…</code></td><td>${scopeName.get(tk.authorityId ?? tk.companyId ?? '') ?? '—'}</td>
              <td>${formatDateTime(pc.locale, new Date(tk.expiresAt))}</td><td>${tk.lastUsedAt ? formatDateTime(pc.locale, new Date(tk.lastUsedAt)) : '—'}</td><td>${tk.revokedAt ? t('account.revoked') : t('account.active')}</td>
              <td>${tk.revokedAt ? '' : html`<form method="post" action="/account/api-tokens/${tk.id}/revoke" class="inline">${csrfField(pc)}<button type="submit">${t('account.revoke')}<span class="visually-hidden"> ${tk.name}</span></button></form>`}</td></tr>`,
            )}</tbody></table>`
            : html`<p>${t('account.noTokens')}</p>`
        }
        ${
          pc.authorities.length + pc.companies.length > 0
            ? html`<form method="post" action="/account/api-tokens" novalidate>${csrfField(pc)}
            ${input({ name: 'tokenName', label: t('account.tokenName'), required: true, errors, maxlength: 100 })}
            <div class="field"><label for="scope">${t('account.tokenScope')}</label><select id="scope" name="scope">
              ${pc.authorities.map((a) => html`<option value="a:${a.id}">${a.name}</option>`)}
              ${pc.companies.map((c) => html`<option value="c:${c.id}">${c.name}</option>`)}
            </select></div>
            ${input({ name: 'days', label: t('account.tokenDays'), type: 'number', value: '90', required: true, errors })}
            <button type="submit">${t('account.createToken')}</button></form>`
            : ''
        }
      </section>`,
    );
  };

  r.get('/account', async (request, reply) => {
    if (!requireSignedIn(request, reply)) return reply;
    const pc = await pageContext(app, request, reply);
    return sendPage(reply, await accountPage(request, pc));
  });

  r.post('/account/password', async (request, reply) => {
    if (!requireSignedIn(request, reply)) return reply;
    const f = formFields(request);
    const pc = await pageContext(app, request, reply);
    try {
      await changePassword(app.serviceContext(request), {
        currentPassword: f.get('currentPassword').slice(0, 200),
        newPassword: f.get('newPassword').slice(0, 200),
      });
    } catch (err) {
      if (!isDomainError(err)) throw err;
      const field = err.code === 'WRONG_PASSWORD' ? 'currentPassword' : 'newPassword';
      return sendPage(
        reply,
        await accountPage(request, pc, { errors: [{ field, message: errorMessage(pc.t, err.code) }] }),
        422,
      );
    }
    return sendPage(reply, await accountPage(request, pc, { notice: pc.t('account.passwordChanged') }));
  });

  r.post('/account/api-tokens', async (request, reply) => {
    if (!requireSignedIn(request, reply)) return reply;
    const f = formFields(request);
    const pc = await pageContext(app, request, reply);
    const name = f.get('tokenName').slice(0, 100);
    const days = Number(f.get('days'));
    const [kind, id] = f.get('scope').split(':');
    const errors: FieldError[] = [];
    if (!name) errors.push({ field: 'tokenName', message: pc.t('form.required') });
    if (!Number.isInteger(days) || days < 1 || days > 365)
      errors.push({ field: 'days', message: pc.t('account.daysInvalid') });
    if (errors.length) return sendPage(reply, await accountPage(request, pc, { errors }), 400);
    try {
      const { token } = await createApiToken(app.serviceContext(request), {
        name,
        expiresInDays: days,
        authorityId: kind === 'a' ? id : undefined,
        companyId: kind === 'c' ? id : undefined,
      });
      return sendPage(reply, await accountPage(request, pc, { newToken: token }), 201);
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return sendPage(
        reply,
        await accountPage(request, pc, {
          errors: [{ field: 'tokenName', message: errorMessage(pc.t, err.code) }],
        }),
        422,
      );
    }
  });

  r.post<{ Params: { id: string } }>('/account/api-tokens/:id/revoke', async (request, reply) => {
    if (!requireSignedIn(request, reply)) return reply;
    if (!/^[0-9a-f-]{36}$/i.test(request.params.id)) return reply.callNotFound();
    await revokeApiToken(app.serviceContext(request), request.params.id);
    return reply.redirect('/account', 303);
  });
}
