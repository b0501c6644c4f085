import type { FastifyInstance } from 'fastify';
import type { App } from '../../app.js';
import { SESSION_COOKIE } from '../../app.js';
import { html } from '../../platform/http/html.js';
import { isLocale } from '../../platform/i18n/i18n.js';
import { sessionCookieOptions } from '../identity/auth.routes.js';
import {
  confirmPasswordReset,
  requestPasswordReset,
  signIn,
  signOut,
  switchContext,
} from '../identity/auth.service.js';
import { registerCompany } from '../parties/company.service.js';
import { findAuthorityBySlug } from '../tenancy/authority.repo.js';
import { listConsortia, listPublicAuthorities } from '../tenancy/authority.service.js';
import {
  csrfField,
  errorSummary,
  type FieldError,
  input,
  layout,
  type PageContext,
  sendPage,
} from './layout.js';
import { errorMessage, formFields, isDomainError, pageContext, safeNext } from './portal.context.js';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function publicPages(app: App, r: FastifyInstance): void {
  r.get('/', async (request, reply) => {
    const pc = await pageContext(app, request, reply);
    const t = pc.t;
    const authorities = await listPublicAuthorities(app.serviceContext(request));
    const body = html`<p class="lead">${t('home.lead')}</p>
      <section aria-labelledby="home-search-h">
        <h2 id="home-search-h"><a href="/tenders">${t('publicTenders.home.title')}</a></h2>
        <p>${t('publicTenders.home.text')}</p>
        <form method="get" action="/tenders" role="search" id="home-search">
          <div class="field"><label for="home-q">${t('publicTenders.home.searchLabel')}</label>
          <input id="home-q" name="q" type="search" maxlength="200"></div>
          <button type="submit">${t('publicTenders.home.submit')}</button>
        </form>
      </section>
      <ul class="cards">
        <li><h2><a href="/authorities">${t('home.directoryTitle')}</a></h2><p>${t('home.directoryText', { count: authorities.length })}</p></li>
        ${
          pc.actor.kind === 'user'
            ? html`<li><h2><a href="/account">${t('nav.account')}</a></h2><p>${t('home.accountText')}</p></li>`
            : html`<li><h2><a href="/register">${t('home.registerTitle')}</a></h2><p>${t('home.registerText')}</p></li>
        <li><h2><a href="/sign-in">${t('nav.signIn')}</a></h2><p>${t('home.signInText')}</p></li>`
        }
      </ul>`;
    return sendPage(reply, layout(pc, t('home.title'), body));
  });

  r.get('/authorities', async (request, reply) => {
    const pc = await pageContext(app, request, reply);
    const t = pc.t;
    const ctx = app.serviceContext(request);
    const [authorities, consortia] = await Promise.all([listPublicAuthorities(ctx), listConsortia(ctx)]);
    const consortiumName = new Map(consortia.map((c) => [c.id, c.name[pc.locale]]));
    const body = html`<table>
      <caption>${t('directory.caption', { count: authorities.length })}</caption>
      <thead><tr><th scope="col">${t('directory.name')}</th><th scope="col">${t('directory.dir3')}</th><th scope="col">${t('directory.consortium')}</th></tr></thead>
      <tbody>${authorities.map(
        (a) => html`<tr><td><a href="/authorities/${a.slug}">${a.name[pc.locale]}</a></td><td>${
          // External authorities (0023) have no DIR3 code, only the placeholder `external:<slug>`.
          a.dir3Code.startsWith('external:') ? t('external.directoryLabel') : html`<code>${a.dir3Code}</code>`
        }</td>
          <td>${a.consortiumId ? consortiumName.get(a.consortiumId) : '—'}</td></tr>`,
      )}</tbody></table>`;
    return sendPage(reply, layout(pc, t('directory.title'), body));
  });

  r.get<{ Params: { slug: string } }>('/authorities/:slug', async (request, reply) => {
    const a = await findAuthorityBySlug(app.deps.database.db, request.params.slug.slice(0, 80));
    const pc = await pageContext(app, request, reply);
    const t = pc.t;
    if (!a) {
      return sendPage(
        reply,
        layout(pc, t('errors.pageNotFound'), html`<p>${t('errors.NOT_FOUND')}</p>`),
        404,
      );
    }
    // An external authority holds only imported third-party data (0023): its page is that data's list.
    if (a.is_external) return reply.redirect(`/authorities/${encodeURIComponent(a.slug)}/processes`, 303);
    const name = { ca: a.name_ca, es: a.name_es, en: a.name_en }[pc.locale];
    const body = html`<dl class="facts">
      <dt>${t('directory.dir3')}</dt><dd><code>${a.dir3_code}</code></dd>
      <dt>${t('authority.names')}</dt><dd><span lang="ca">${a.name_ca}</span> · <span lang="es">${a.name_es}</span> · <span lang="en">${a.name_en}</span></dd>
    </dl>
    <ul class="links">
      <li><a href="/tenders?authority=${a.id}">${t('publicTenders.nav')}</a></li>
      <li><a href="/plan?authority=${a.id}">${t('plan.navPlan')}</a></li>
      <li><a href="/authorities/${a.slug}/minor-contracts">${t('minor.public.title')}</a></li>
    </ul>
    <p><a href="/authorities">${t('authority.back')}</a></p>`;
    return sendPage(reply, layout(pc, name, body));
  });

  const signInPage = (pc: PageContext, errors: FieldError[], email = '', next = '') =>
    layout(
      pc,
      pc.t('signIn.title'),
      html`${errorSummary(pc, errors)}
      <form method="post" action="/sign-in" novalidate>
        ${csrfField(pc)}<input type="hidden" name="next" value="${next}">
        ${input({ name: 'email', label: pc.t('form.email'), type: 'email', value: email, required: true, autocomplete: 'username', errors })}
        ${input({ name: 'password', label: pc.t('form.password'), type: 'password', required: true, autocomplete: 'current-password', errors })}
        <button type="submit">${pc.t('signIn.submit')}</button>
      </form>
      <p><a href="/password-reset">${pc.t('signIn.forgot')}</a> · <a href="/register">${pc.t('signIn.noAccount')}</a></p>`,
    );

  r.get<{ Querystring: { next?: string } }>('/sign-in', async (request, reply) => {
    const pc = await pageContext(app, request, reply);
    return sendPage(reply, signInPage(pc, [], '', safeNext(request.query.next, '')));
  });

  r.post(
    '/sign-in',
    { config: { rateLimit: { max: 20, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const f = formFields(request);
      const email = f.get('email');
      const password = f.get('password');
      const next = safeNext(f.get('next'), '/account');
      const pc = await pageContext(app, request, reply);
      const errors: FieldError[] = [];
      if (!EMAIL_RE.test(email)) errors.push({ field: 'email', message: pc.t('form.emailInvalid') });
      if (!password) errors.push({ field: 'password', message: pc.t('form.passwordRequired') });
      if (errors.length) return sendPage(reply, signInPage(pc, errors, email, next), 400);
      try {
        const result = await signIn(app.serviceContext(request), { email, password: password.slice(0, 200) });
        reply.setCookie(SESSION_COOKIE, result.sessionToken, sessionCookieOptions(app, result.expiresAt));
        return reply.redirect(next, 303);
      } catch (err) {
        if (!isDomainError(err)) throw err;
        const status = err.code === 'ACCOUNT_LOCKED' ? 423 : 401;
        return sendPage(
          reply,
          signInPage(pc, [{ field: 'email', message: errorMessage(pc.t, err.code) }], email, next),
          status,
        );
      }
    },
  );

  r.post('/sign-out', async (request, reply) => {
    await signOut(app.serviceContext(request));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/', 303);
  });

  r.get<{ Params: { lang: string }; Querystring: { next?: string } }>(
    '/lang/:lang',
    async (request, reply) => {
      const lang = request.params.lang;
      if (isLocale(lang)) {
        reply.setCookie('lang', lang, {
          path: '/',
          sameSite: 'lax',
          maxAge: 365 * 86400,
          httpOnly: true,
          secure: app.deps.config.cookieSecure,
        });
      }
      return reply.redirect(safeNext(request.query.next), 303);
    },
  );

  r.post('/context', async (request, reply) => {
    const f = formFields(request);
    const value = f.get('context');
    const [kind, id] = value.split(':');
    await switchContext(app.serviceContext(request), {
      authorityId: kind === 'a' && id ? id : null,
      companyId: kind === 'c' && id ? id : null,
    });
    return reply.redirect(safeNext(f.get('next')), 303);
  });

  type RegValues = Record<string, string>;
  const registerPage = (pc: PageContext, errors: FieldError[], v: RegValues) =>
    layout(
      pc,
      pc.t('register.title'),
      html`<p>${pc.t('register.lead')}</p>${errorSummary(pc, errors)}
      <form method="post" action="/register" novalidate>
        ${csrfField(pc)}
        <fieldset><legend>${pc.t('register.company')}</legend>
        ${input({ name: 'legalName', label: pc.t('register.legalName'), value: v.legalName, required: true, autocomplete: 'organization', errors, maxlength: 200 })}
        ${input({ name: 'taxId', label: pc.t('register.taxId'), value: v.taxId, required: true, hint: pc.t('register.taxIdHint'), errors, maxlength: 20 })}
        <div class="field checkbox"><input type="checkbox" id="isSme" name="isSme" value="yes" ${v.isSme === 'yes' ? html`checked` : ''}>
          <label for="isSme">${pc.t('register.isSme')}</label></div>
        ${input({ name: 'street', label: pc.t('register.street'), value: v.street, required: true, autocomplete: 'street-address', errors, maxlength: 200 })}
        ${input({ name: 'locality', label: pc.t('register.locality'), value: v.locality, required: true, autocomplete: 'address-level2', errors, maxlength: 100 })}
        ${input({ name: 'postalCode', label: pc.t('register.postalCode'), value: v.postalCode, required: true, autocomplete: 'postal-code', errors, maxlength: 12 })}
        ${input({ name: 'cpvInterests', label: pc.t('register.cpv'), value: v.cpvInterests, hint: pc.t('register.cpvHint'), errors })}
        </fieldset>
        <fieldset><legend>${pc.t('register.admin')}</legend>
        ${input({ name: 'name', label: pc.t('form.name'), value: v.name, required: true, autocomplete: 'name', errors, maxlength: 200 })}
        ${input({ name: 'email', label: pc.t('form.email'), type: 'email', value: v.email, required: true, autocomplete: 'email', errors })}
        ${input({ name: 'password', label: pc.t('form.newPassword'), type: 'password', required: true, autocomplete: 'new-password', hint: pc.t('form.passwordHint'), errors })}
        </fieldset>
        <button type="submit">${pc.t('register.submit')}</button>
      </form>`,
    );

  r.get('/register', async (request, reply) => {
    const pc = await pageContext(app, request, reply);
    return sendPage(reply, registerPage(pc, [], {}));
  });

  const REG_FIELD: Record<string, string> = {
    INVALID_TAX_ID: 'taxId',
    TAX_ID_TAKEN: 'taxId',
    EMAIL_TAKEN: 'email',
    WEAK_PASSWORD: 'password',
  };

  r.post(
    '/register',
    { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const f = formFields(request);
      const names = [
        'legalName',
        'taxId',
        'street',
        'locality',
        'postalCode',
        'cpvInterests',
        'name',
        'email',
      ];
      const v: RegValues = Object.fromEntries(names.map((n) => [n, f.get(n).slice(0, 300)]));
      v.isSme = f.get('isSme') === 'yes' ? 'yes' : '';
      const pc = await pageContext(app, request, reply);
      const errors: FieldError[] = [];
      for (const n of ['legalName', 'taxId', 'street', 'locality', 'postalCode', 'name']) {
        if (!v[n]) errors.push({ field: n, message: pc.t('form.required') });
      }
      if (!EMAIL_RE.test(v.email ?? '')) errors.push({ field: 'email', message: pc.t('form.emailInvalid') });
      const cpvs = (v.cpvInterests ?? '').split(/[\s,;]+/).filter(Boolean);
      if (cpvs.some((c) => !/^\d{8}(-\d)?$/.test(c)))
        errors.push({ field: 'cpvInterests', message: pc.t('register.cpvInvalid') });
      if (errors.length) return sendPage(reply, registerPage(pc, errors, v), 400);
      try {
        await registerCompany(app.serviceContext(request), {
          legalName: v.legalName ?? '',
          taxId: v.taxId ?? '',
          isSme: v.isSme === 'yes',
          address: { street: v.street ?? '', locality: v.locality ?? '', postalCode: v.postalCode ?? '' },
          cpvInterests: cpvs,
          admin: {
            name: v.name ?? '',
            email: v.email ?? '',
            password: f.get('password').slice(0, 200),
            locale: pc.locale,
          },
        });
      } catch (err) {
        if (!isDomainError(err)) throw err;
        const field = REG_FIELD[err.code] ?? 'legalName';
        const status = err.code.endsWith('TAKEN') ? 409 : 422;
        return sendPage(
          reply,
          registerPage(pc, [{ field, message: errorMessage(pc.t, err.code) }], v),
          status,
        );
      }
      return sendPage(
        reply,
        layout(
          pc,
          pc.t('register.doneTitle'),
          html`<p role="status">${pc.t('register.done')}</p><p><a href="/sign-in">${pc.t('nav.signIn')}</a></p>`,
        ),
        201,
      );
    },
  );

  const resetRequestPage = (pc: PageContext, errors: FieldError[], sent: boolean) =>
    layout(
      pc,
      pc.t('reset.title'),
      sent
        ? html`<p role="status">${pc.t('reset.sent')}</p>`
        : html`${errorSummary(pc, errors)}<p>${pc.t('reset.lead')}</p>
          <form method="post" action="/password-reset" novalidate>${csrfField(pc)}
          ${input({ name: 'email', label: pc.t('form.email'), type: 'email', required: true, autocomplete: 'email', errors })}
          <button type="submit">${pc.t('reset.submit')}</button></form>`,
    );

  r.get('/password-reset', async (request, reply) => {
    const pc = await pageContext(app, request, reply);
    return sendPage(reply, resetRequestPage(pc, [], false));
  });

  r.post(
    '/password-reset',
    { config: { rateLimit: { max: 5, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const email = formFields(request).get('email');
      const pc = await pageContext(app, request, reply);
      if (!EMAIL_RE.test(email)) {
        return sendPage(
          reply,
          resetRequestPage(pc, [{ field: 'email', message: pc.t('form.emailInvalid') }], false),
          400,
        );
      }
      await requestPasswordReset(
        app.serviceContext(request),
        app.deps.mailer,
        app.deps.config.publicUrl,
        email,
      );
      return sendPage(reply, resetRequestPage(pc, [], true), 202);
    },
  );

  const resetConfirmPage = (pc: PageContext, token: string, errors: FieldError[]) =>
    layout(
      pc,
      pc.t('reset.newTitle'),
      html`${errorSummary(pc, errors)}
      <form method="post" action="/password-reset/${token}" novalidate>${csrfField(pc)}
      ${input({ name: 'password', label: pc.t('form.newPassword'), type: 'password', required: true, autocomplete: 'new-password', hint: pc.t('form.passwordHint'), errors })}
      <button type="submit">${pc.t('reset.save')}</button></form>`,
    );

  r.get<{ Params: { token: string } }>('/password-reset/:token', async (request, reply) => {
    const pc = await pageContext(app, request, reply);
    return sendPage(reply, resetConfirmPage(pc, request.params.token.slice(0, 100), []));
  });

  r.post<{ Params: { token: string } }>(
    '/password-reset/:token',
    { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const token = request.params.token.slice(0, 100);
      const pc = await pageContext(app, request, reply);
      try {
        await confirmPasswordReset(app.serviceContext(request), {
          token,
          newPassword: formFields(request).get('password').slice(0, 200),
        });
      } catch (err) {
        if (!isDomainError(err)) throw err;
        const status = err.code === 'RESET_TOKEN_INVALID' ? 400 : 422;
        return sendPage(
          reply,
          resetConfirmPage(pc, token, [{ field: 'password', message: errorMessage(pc.t, err.code) }]),
          status,
        );
      }
      return sendPage(
        reply,
        layout(
          pc,
          pc.t('reset.doneTitle'),
          html`<p role="status">${pc.t('reset.done')}</p><p><a href="/sign-in">${pc.t('nav.signIn')}</a></p>`,
        ),
      );
    },
  );
}
