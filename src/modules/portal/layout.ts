import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TFunction } from 'i18next';
import type { Actor } from '../../platform/context.js';
import { type Html, html, type HtmlValue } from '../../platform/http/html.js';
import { LOCALES, type Locale, translator } from '../../platform/i18n/i18n.js';
import { type BrowserEntry, browserScriptUrl } from './browser-assets.js';

export type PageContext = {
  t: TFunction;
  locale: Locale;
  actor: Actor;
  path: string;
  csrf: string;
  /** Authorities the user belongs to, for the switcher: id → name in the active language. */
  authorities: { id: string; name: string }[];
  companies: { id: string; name: string }[];
};

const LANGUAGE_NAMES: Record<Locale, string> = { ca: 'Català', es: 'Español', en: 'English' };

/** A hidden CSRF field for a form. */
export function csrfField(pc: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${pc.csrf}">`;
}

export type FieldError = { field: string; message: string };

/** The error summary at the top of a form (GOV.UK pattern; WCAG 3.3.1 and 3.3.3). */
export function errorSummary(pc: PageContext, errors: FieldError[]): Html {
  if (errors.length === 0) return html``;
  return html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary">
    <h2>${pc.t('form.errorTitle')}</h2>
    <ul>${errors.map((e) => html`<li><a href="#${e.field}">${e.message}</a></li>`)}</ul>
  </div>`;
}

type InputOpts = {
  name: string;
  label: string;
  type?: string;
  value?: string | undefined;
  required?: boolean;
  autocomplete?: string;
  hint?: string;
  errors?: FieldError[];
  pattern?: string;
  maxlength?: number;
};

/** A labelled input with its hint and inline error, wired with aria-describedby. */
export function input(o: InputOpts): Html {
  const err = o.errors?.find((e) => e.field === o.name);
  const describedBy = [o.hint ? `${o.name}-hint` : '', err ? `${o.name}-error` : '']
    .filter(Boolean)
    .join(' ');
  return html`<div class="field${err ? ' field-error' : ''}">
    <label for="${o.name}">${o.label}</label>
    ${o.hint ? html`<p class="hint" id="${o.name}-hint">${o.hint}</p>` : ''}
    ${err ? html`<p class="error" id="${o.name}-error">${err.message}</p>` : ''}
    <input id="${o.name}" name="${o.name}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"
      ${o.required ? html`required` : ''} ${o.autocomplete ? html`autocomplete="${o.autocomplete}"` : ''}
      ${o.maxlength ? html`maxlength="${o.maxlength}"` : ''}
      ${describedBy ? html`aria-describedby="${describedBy}"` : ''} ${err ? html`aria-invalid="true"` : ''}>
  </div>`;
}

function languageSwitcher(pc: PageContext): Html {
  return html`<nav class="languages" aria-label="${pc.t('layout.languages')}"><ul>
    ${LOCALES.map((l) =>
      l === pc.locale
        ? html`<li><span aria-current="true" lang="${l}">${LANGUAGE_NAMES[l]}</span></li>`
        : html`<li><a href="/lang/${l}?next=${encodeURIComponent(pc.path)}" lang="${l}" hreflang="${l}">${LANGUAGE_NAMES[l]}</a></li>`,
    )}
  </ul></nav>`;
}

function contextSwitcher(pc: PageContext): Html {
  const actor = pc.actor;
  if (actor.kind !== 'user' || pc.authorities.length + pc.companies.length < 2) return html``;
  const current = actor.activeAuthorityId
    ? `a:${actor.activeAuthorityId}`
    : actor.activeCompanyId
      ? `c:${actor.activeCompanyId}`
      : '';
  return html`<form class="context-switcher" method="post" action="/context">
    ${csrfField(pc)}<input type="hidden" name="next" value="${pc.path}">
    <label for="context">${pc.t('layout.actingFor')}</label>
    <select id="context" name="context">
      ${pc.authorities.length ? html`<optgroup label="${pc.t('layout.authorities')}">${pc.authorities.map((a) => html`<option value="a:${a.id}" ${current === `a:${a.id}` ? html`selected` : ''}>${a.name}</option>`)}</optgroup>` : ''}
      ${pc.companies.length ? html`<optgroup label="${pc.t('layout.companies')}">${pc.companies.map((c) => html`<option value="c:${c.id}" ${current === `c:${c.id}` ? html`selected` : ''}>${c.name}</option>`)}</optgroup>` : ''}
    </select>
    <button type="submit">${pc.t('layout.switch')}</button>
  </form>`;
}

function nav(pc: PageContext): Html {
  const a = pc.actor;
  const links: [string, string][] = [
    ['/', pc.t('nav.home')],
    ['/tenders', pc.t('publicTenders.nav')],
    ['/plan', pc.t('plan.navPlan')],
    ['/authorities', pc.t('nav.directory')],
  ];
  if (a.kind === 'user') {
    links.push(['/account', pc.t('nav.account')]);
    // Companies are invited to quote for minor contracts (art. 118 LCSP) without a public notice.
    if (a.companyRoles.size > 0) links.push(['/account/minor-invitations', pc.t('minor.company.title')]);
    // The back office: every staff role of an authority reads its procurement files (tender.policy.ts).
    if (a.authorityRoles.size > 0) {
      links.push(['/office', pc.t('backoffice.nav')]);
    }
    if (
      a.isPlatformAdmin ||
      [...a.authorityRoles.values()].some((r) => r.includes('authority_admin') || r.includes('auditor'))
    ) {
      links.push(['/admin/authorities', pc.t('nav.admin')]);
    }
  } else {
    links.push(['/register', pc.t('nav.register')]);
    links.push(['/sign-in', pc.t('nav.signIn')]);
  }
  return html`<nav class="main-nav" aria-label="${pc.t('layout.mainNav')}"><ul>
    ${links.map(([href, label]) => html`<li><a href="${href}" ${pc.path === href ? html`aria-current="page"` : ''}>${label}</a></li>`)}
    ${a.kind === 'user' ? html`<li><form method="post" action="/sign-out" class="inline">${csrfField(pc)}<button type="submit" class="link">${pc.t('nav.signOut')}</button></form></li>` : ''}
  </ul></nav>`;
}

/** The page shell: skip link, header with navigation and switchers, main content, footer. */
export function layout(
  pc: PageContext,
  title: string,
  body: HtmlValue,
  opts: { script?: BrowserEntry } = {},
): Html {
  return html`<!doctype html>
<html lang="${pc.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Contracta</title>
<link rel="stylesheet" href="/static/app.css">
${opts.script ? html`<meta name="csrf-token" content="${pc.csrf}"><script type="module" src="${browserScriptUrl(opts.script)}"></script>` : ''}
</head>
<body>
<a class="skip-link" href="#main">${pc.t('layout.skip')}</a>
<header class="site-header">
  <p class="brand"><a href="/">Contracta</a></p>
  ${nav(pc)}
  ${languageSwitcher(pc)}
  ${pc.actor.kind === 'user' ? html`<p class="signed-in">${pc.t('layout.signedInAs', { name: pc.actor.name })}</p>` : ''}
  ${contextSwitcher(pc)}
</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${body}
</main>
<footer class="site-footer"><p>${pc.t('layout.footer')} · <a href="/api/docs">${pc.t('layout.apiDocs')}</a> · <a href="/open-data">${pc.t('opendata.footerLink')}</a></p></footer>
</body>
</html>`;
}

export function sendPage(reply: FastifyReply, page: Html, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(page.value);
}

/** Minimal context for pages rendered outside the normal flow (errors). */
export function bareContext(request: FastifyRequest, reply: FastifyReply): PageContext {
  let csrf = '';
  try {
    csrf = reply.generateCsrf();
  } catch {
    csrf = '';
  }
  return {
    t: translator(request.locale),
    locale: request.locale,
    actor: request.actor ?? { kind: 'anonymous' },
    path: request.url.split('?')[0] ?? '/',
    csrf,
    authorities: [],
    companies: [],
  };
}
