import { isUuid } from '../../platform/ids.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { AUTHORITY_ROLES, type AuthorityRole } from '../../platform/context.js';
import { html } from '../../platform/http/html.js';
import { formatDateTime, formatPercent } from '../../platform/i18n/i18n.js';
import { readEvents } from '../audit/audit.service.js';
import { toFilter } from '../audit/audit.routes.js';
import {
  addMember,
  createAuthority,
  getAuthoritySettings,
  listConsortia,
  listMembers,
  listPublicAuthorities,
  removeMember,
  setMemberRoles,
  updateAuthority,
} from '../tenancy/authority.service.js';
import { authorizeOnAuthority, canOnAuthority } from '../tenancy/tenancy.policy.js';
import { requireSignedIn } from './account.pages.js';
import {
  csrfField,
  errorSummary,
  type FieldError,
  input,
  layout,
  type PageContext,
  sendPage,
} from './layout.js';
import { errorMessage, formFields, isDomainError, pageContext, validIds } from './portal.context.js';
import { roleLabel } from './roles.js';

function roleCheckboxes(pc: PageContext, idPrefix: string, selected: readonly string[]) {
  return html`<fieldset class="roles"><legend>${pc.t('admin.roles')}</legend>
    ${AUTHORITY_ROLES.map(
      (
        r,
      ) => html`<div class="checkbox"><input type="checkbox" id="${idPrefix}-${r}" name="roles" value="${r}" ${selected.includes(r) ? html`checked` : ''}>
        <label for="${idPrefix}-${r}">${roleLabel(pc.t, r)}</label></div>`,
    )}</fieldset>`;
}

export function adminNav(pc: PageContext, authorityId: string) {
  return html`<nav aria-label="${pc.t('admin.sections')}" class="sub-nav"><ul>
    <li><a href="/admin/authorities/${authorityId}" ${pc.path === `/admin/authorities/${authorityId}` ? html`aria-current="page"` : ''}>${pc.t('admin.settings')}</a></li>
    <li><a href="/admin/authorities/${authorityId}/members" ${pc.path.endsWith('/members') ? html`aria-current="page"` : ''}>${pc.t('admin.members')}</a></li>
    <li><a href="/admin/authorities/${authorityId}/audit" ${pc.path.endsWith('/audit') ? html`aria-current="page"` : ''}>${pc.t('admin.audit')}</a></li>
    <li><a href="/admin/authorities/${authorityId}/holidays" ${pc.path.endsWith('/holidays') ? html`aria-current="page"` : ''}>${pc.t('calendar.navHolidays')}</a></li>
  </ul></nav>`;
}

export function adminPages(app: App, r: FastifyInstance): void {
  const listPage = async (
    request: FastifyRequest,
    pc: PageContext,
    errors: FieldError[] = [],
    v: Record<string, string> = {},
  ) => {
    const actor = request.actor;
    if (actor.kind !== 'user') throw new Error('unreachable');
    const t = pc.t;
    const ctx = app.serviceContext(request);
    const all = await listPublicAuthorities(ctx);
    const visible = actor.isPlatformAdmin ? all : all.filter((a) => actor.authorityRoles.has(a.id));
    const consortia = actor.isPlatformAdmin ? await listConsortia(ctx) : [];
    return layout(
      pc,
      t('admin.title'),
      html`${errorSummary(pc, errors)}
      <table><caption>${t('admin.authoritiesCaption')}</caption>
      <thead><tr><th scope="col">${t('directory.name')}</th><th scope="col">${t('directory.dir3')}</th><th scope="col">${t('account.actions')}</th></tr></thead>
      <tbody>${visible.map(
        (a) => html`<tr><td>${a.name[pc.locale]}</td><td><code>${a.dir3Code}</code></td><td>
          <a href="/admin/authorities/${a.id}">${t('admin.settings')}<span class="visually-hidden"> ${a.name[pc.locale]}</span></a> ·
          <a href="/admin/authorities/${a.id}/members">${t('admin.members')}<span class="visually-hidden"> ${a.name[pc.locale]}</span></a> ·
          <a href="/admin/authorities/${a.id}/audit">${t('admin.audit')}<span class="visually-hidden"> ${a.name[pc.locale]}</span></a></td></tr>`,
      )}</tbody></table>
      ${
        actor.isPlatformAdmin
          ? html`<section aria-labelledby="new-h"><h2 id="new-h">${t('admin.newAuthority')}</h2>
          <form method="post" action="/admin/authorities" novalidate>${csrfField(pc)}
          ${input({ name: 'slug', label: t('admin.slug'), value: v.slug, required: true, hint: t('admin.slugHint'), errors })}
          ${input({ name: 'nameCa', label: t('admin.nameCa'), value: v.nameCa, required: true, errors })}
          ${input({ name: 'nameEs', label: t('admin.nameEs'), value: v.nameEs, required: true, errors })}
          ${input({ name: 'nameEn', label: t('admin.nameEn'), value: v.nameEn, required: true, errors })}
          ${input({ name: 'dir3Code', label: t('directory.dir3'), value: v.dir3Code, required: true, hint: t('admin.dir3Hint'), errors })}
          ${input({ name: 'ocidPrefix', label: t('admin.ocidPrefix'), value: v.ocidPrefix, required: true, hint: t('admin.ocidHint'), errors })}
          ${input({ name: 'priceWeightCap', label: t('admin.priceCap'), value: v.priceWeightCap ?? '35', required: true, errors })}
          <div class="field"><label for="consortiumId">${t('directory.consortium')}</label><select id="consortiumId" name="consortiumId">
            <option value="">—</option>${consortia.map((c) => html`<option value="${c.id}">${c.name[pc.locale]}</option>`)}</select></div>
          <button type="submit">${t('admin.create')}</button></form></section>`
          : ''
      }`,
    );
  };

  r.get('/admin/authorities', async (request, reply) => {
    if (!requireSignedIn(request, reply)) return reply;
    const pc = await pageContext(app, request, reply);
    return sendPage(reply, await listPage(request, pc));
  });

  const FIELD_PATTERNS: [string, RegExp][] = [
    ['slug', /^[a-z0-9]+(-[a-z0-9]+)*$/],
    ['dir3Code', /^[A-Z][A-Z0-9]{8}$/],
    ['ocidPrefix', /^ocds-[a-z0-9]{6}$/],
    ['priceWeightCap', /^\d{1,3}(\.\d{1,2})?$/],
  ];

  r.post('/admin/authorities', async (request, reply) => {
    if (!requireSignedIn(request, reply)) return reply;
    const f = formFields(request);
    const names = [
      'slug',
      'nameCa',
      'nameEs',
      'nameEn',
      'dir3Code',
      'ocidPrefix',
      'priceWeightCap',
      'consortiumId',
    ];
    const v = Object.fromEntries(names.map((n) => [n, f.get(n).slice(0, 200)]));
    const pc = await pageContext(app, request, reply);
    const errors: FieldError[] = [];
    for (const n of ['nameCa', 'nameEs', 'nameEn'])
      if (!v[n]) errors.push({ field: n, message: pc.t('form.required') });
    for (const [n, re] of FIELD_PATTERNS)
      if (!re.test(v[n] ?? '')) errors.push({ field: n, message: pc.t('form.invalidFormat') });
    if (v.consortiumId && !isUuid(v.consortiumId))
      errors.push({ field: 'consortiumId', message: pc.t('form.invalidFormat') });
    if (errors.length) return sendPage(reply, await listPage(request, pc, errors, v), 400);
    try {
      const created = await createAuthority(app.serviceContext(request), {
        slug: v.slug ?? '',
        name: { ca: v.nameCa ?? '', es: v.nameEs ?? '', en: v.nameEn ?? '' },
        dir3Code: v.dir3Code ?? '',
        ocidPrefix: v.ocidPrefix ?? '',
        priceWeightCap: v.priceWeightCap,
        consortiumId: v.consortiumId || null,
      });
      return reply.redirect(`/admin/authorities/${created.id}`, 303);
    } catch (err) {
      if (!isDomainError(err) || err.code === 'FORBIDDEN' || err.code === 'UNAUTHENTICATED') throw err;
      return sendPage(
        reply,
        await listPage(request, pc, [{ field: 'slug', message: errorMessage(pc.t, err.code) }], v),
        409,
      );
    }
  });

  const settingsPage = async (
    request: FastifyRequest,
    pc: PageContext,
    id: string,
    errors: FieldError[] = [],
    notice?: string,
  ) => {
    const s = await getAuthoritySettings(app.serviceContext(request), id);
    const t = pc.t;
    const canEdit = canOnAuthority(request.actor, 'authority.update', id) === 'allow';
    const facts = html`<dl class="facts">
      <dt>${t('admin.slug')}</dt><dd><code>${s.slug}</code></dd>
      <dt>${t('admin.ocidPrefix')}</dt><dd><code>${s.ocidPrefix}</code></dd>
      <dt>${t('admin.priceCap')}</dt><dd>${formatPercent(pc.locale, s.priceWeightCap)}</dd>
      <dt>${t('admin.timeZone')}</dt><dd>${s.timeZone}</dd>
      <dt>${t('admin.approvalChain')}</dt><dd>${s.approvalChain.map((r) => roleLabel(t, r)).join(' → ')}</dd>
    </dl>`;
    return layout(
      pc,
      s.name[pc.locale],
      html`${adminNav(pc, id)}${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}${errorSummary(pc, errors)}${facts}
      ${
        canEdit
          ? html`<h2>${t('admin.editSettings')}</h2><form method="post" action="/admin/authorities/${id}" novalidate>${csrfField(pc)}
          ${input({ name: 'nameCa', label: t('admin.nameCa'), value: s.name.ca, required: true, errors })}
          ${input({ name: 'nameEs', label: t('admin.nameEs'), value: s.name.es, required: true, errors })}
          ${input({ name: 'nameEn', label: t('admin.nameEn'), value: s.name.en, required: true, errors })}
          ${input({ name: 'dir3Code', label: t('directory.dir3'), value: s.dir3Code, required: true, errors })}
          ${input({ name: 'priceWeightCap', label: t('admin.priceCap'), value: s.priceWeightCap, required: true, hint: t('admin.priceCapHint'), errors })}
          <button type="submit">${t('admin.save')}</button></form>`
          : ''
      }`,
    );
  };

  r.get<{ Params: { id: string } }>('/admin/authorities/:id', async (request, reply) => {
    if (!requireSignedIn(request, reply) || !validIds(reply, request.params.id)) return reply;
    const pc = await pageContext(app, request, reply);
    return sendPage(reply, await settingsPage(request, pc, request.params.id));
  });

  r.post<{ Params: { id: string } }>('/admin/authorities/:id', async (request, reply) => {
    if (!requireSignedIn(request, reply) || !validIds(reply, request.params.id)) return reply;
    const f = formFields(request);
    const pc = await pageContext(app, request, reply);
    const v = {
      nameCa: f.get('nameCa'),
      nameEs: f.get('nameEs'),
      nameEn: f.get('nameEn'),
      dir3Code: f.get('dir3Code'),
      priceWeightCap: f.get('priceWeightCap'),
    };
    const errors: FieldError[] = [];
    for (const n of ['nameCa', 'nameEs', 'nameEn'] as const)
      if (!v[n] || v[n].length > 200) errors.push({ field: n, message: pc.t('form.required') });
    if (!/^[A-Z][A-Z0-9]{8}$/.test(v.dir3Code))
      errors.push({ field: 'dir3Code', message: pc.t('form.invalidFormat') });
    if (!/^\d{1,3}(\.\d{1,2})?$/.test(v.priceWeightCap))
      errors.push({ field: 'priceWeightCap', message: pc.t('form.invalidFormat') });
    if (errors.length)
      return sendPage(reply, await settingsPage(request, pc, request.params.id, errors), 400);
    try {
      await updateAuthority(app.serviceContext(request), request.params.id, {
        name: { ca: v.nameCa, es: v.nameEs, en: v.nameEn },
        dir3Code: v.dir3Code,
        priceWeightCap: v.priceWeightCap,
      });
    } catch (err) {
      if (!isDomainError(err) || ['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'].includes(err.code)) throw err;
      return sendPage(
        reply,
        await settingsPage(request, pc, request.params.id, [
          { field: 'priceWeightCap', message: errorMessage(pc.t, err.code) },
        ]),
        422,
      );
    }
    return sendPage(reply, await settingsPage(request, pc, request.params.id, [], pc.t('admin.saved')));
  });

  const membersPage = async (
    request: FastifyRequest,
    pc: PageContext,
    id: string,
    errors: FieldError[] = [],
    notice?: string,
  ) => {
    const ctx = app.serviceContext(request);
    const [s, members] = await Promise.all([getAuthoritySettings(ctx, id), listMembers(ctx, id)]);
    const t = pc.t;
    const canManage = canOnAuthority(request.actor, 'member.manage', id) === 'allow';
    return layout(
      pc,
      `${t('admin.members')}: ${s.name[pc.locale]}`,
      html`${adminNav(pc, id)}${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}${errorSummary(pc, errors)}
      <table><caption>${t('admin.membersCaption', { count: members.length })}</caption>
      <thead><tr><th scope="col">${t('form.name')}</th><th scope="col">${t('form.email')}</th><th scope="col">${t('admin.roles')}</th></tr></thead>
      <tbody>${members.map(
        (m) =>
          html`<tr><td>${m.name}</td><td>${m.email}</td><td>${
            canManage
              ? html`<details><summary>${m.roles.map((r) => roleLabel(t, r)).join(', ')}</summary>
            <form method="post" action="/admin/authorities/${id}/members/${m.userId}" class="roles-form">${csrfField(pc)}
            ${roleCheckboxes(pc, `m-${m.userId}`, m.roles)}<button type="submit">${t('admin.saveRoles')}<span class="visually-hidden"> ${m.name}</span></button></form>
            <form method="post" action="/admin/authorities/${id}/members/${m.userId}/remove" class="inline">${csrfField(pc)}<button type="submit" class="danger">${t('admin.remove')}<span class="visually-hidden"> ${m.name}</span></button></form></details>`
              : m.roles.map((r) => roleLabel(t, r)).join(', ')
          }</td></tr>`,
      )}</tbody></table>
      ${
        canManage
          ? html`<section aria-labelledby="add-h"><h2 id="add-h">${t('admin.addMember')}</h2>
          <form method="post" action="/admin/authorities/${id}/members" novalidate>${csrfField(pc)}
          ${input({ name: 'name', label: t('form.name'), required: true, errors, maxlength: 200 })}
          ${input({ name: 'email', label: t('form.email'), type: 'email', required: true, errors })}
          ${roleCheckboxes(pc, 'new', [])}
          <button type="submit">${t('admin.addMember')}</button></form></section>`
          : ''
      }`,
    );
  };

  r.get<{ Params: { id: string } }>('/admin/authorities/:id/members', async (request, reply) => {
    if (!requireSignedIn(request, reply) || !validIds(reply, request.params.id)) return reply;
    const pc = await pageContext(app, request, reply);
    return sendPage(reply, await membersPage(request, pc, request.params.id));
  });

  const parseRoles = (values: string[]): AuthorityRole[] =>
    values.filter((v): v is AuthorityRole => (AUTHORITY_ROLES as readonly string[]).includes(v));

  r.post<{ Params: { id: string } }>('/admin/authorities/:id/members', async (request, reply) => {
    if (!requireSignedIn(request, reply) || !validIds(reply, request.params.id)) return reply;
    const f = formFields(request);
    const pc = await pageContext(app, request, reply);
    const name = f.get('name').slice(0, 200);
    const email = f.get('email').slice(0, 254);
    const roles = parseRoles(f.all('roles'));
    const errors: FieldError[] = [];
    if (!name) errors.push({ field: 'name', message: pc.t('form.required') });
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
      errors.push({ field: 'email', message: pc.t('form.emailInvalid') });
    if (roles.length === 0)
      errors.push({ field: `new-${AUTHORITY_ROLES[0]}`, message: pc.t('admin.rolesRequired') });
    if (errors.length) return sendPage(reply, await membersPage(request, pc, request.params.id, errors), 400);
    try {
      await addMember(
        app.serviceContext(request),
        app.deps.mailer,
        app.deps.config.publicUrl,
        request.params.id,
        { name, email, roles },
      );
    } catch (err) {
      if (!isDomainError(err) || ['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'].includes(err.code)) throw err;
      return sendPage(
        reply,
        await membersPage(request, pc, request.params.id, [
          { field: 'email', message: errorMessage(pc.t, err.code) },
        ]),
        409,
      );
    }
    return sendPage(
      reply,
      await membersPage(request, pc, request.params.id, [], pc.t('admin.memberAdded')),
      201,
    );
  });

  r.post<{ Params: { id: string; userId: string } }>(
    '/admin/authorities/:id/members/:userId',
    async (request, reply) => {
      if (!requireSignedIn(request, reply) || !validIds(reply, request.params.id)) return reply;
      if (!isUuid(request.params.userId)) return reply.callNotFound();
      const pc = await pageContext(app, request, reply);
      const roles = parseRoles(formFields(request).all('roles'));
      try {
        if (roles.length === 0) {
          return sendPage(
            reply,
            await membersPage(request, pc, request.params.id, [
              {
                field: `m-${request.params.userId}-${AUTHORITY_ROLES[0]}`,
                message: pc.t('admin.rolesRequired'),
              },
            ]),
            400,
          );
        }
        await setMemberRoles(app.serviceContext(request), request.params.id, request.params.userId, roles);
      } catch (err) {
        if (!isDomainError(err) || err.code !== 'CONFLICT') throw err;
        return sendPage(
          reply,
          await membersPage(request, pc, request.params.id, [
            {
              field: `m-${request.params.userId}-${AUTHORITY_ROLES[0]}`,
              message: errorMessage(pc.t, err.code),
            },
          ]),
          409,
        );
      }
      return sendPage(reply, await membersPage(request, pc, request.params.id, [], pc.t('admin.saved')));
    },
  );

  r.post<{ Params: { id: string; userId: string } }>(
    '/admin/authorities/:id/members/:userId/remove',
    async (request, reply) => {
      if (!requireSignedIn(request, reply) || !validIds(reply, request.params.id)) return reply;
      if (!isUuid(request.params.userId)) return reply.callNotFound();
      const pc = await pageContext(app, request, reply);
      try {
        await removeMember(app.serviceContext(request), request.params.id, request.params.userId);
      } catch (err) {
        if (!isDomainError(err) || err.code !== 'CONFLICT') throw err;
        return sendPage(
          reply,
          await membersPage(request, pc, request.params.id, [
            {
              field: `m-${request.params.userId}-${AUTHORITY_ROLES[0]}`,
              message: errorMessage(pc.t, err.code),
            },
          ]),
          409,
        );
      }
      return reply.redirect(`/admin/authorities/${request.params.id}/members`, 303);
    },
  );

  r.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>(
    '/admin/authorities/:id/audit',
    async (request, reply) => {
      if (!requireSignedIn(request, reply) || !validIds(reply, request.params.id)) return reply;
      const id = request.params.id;
      const pc = await pageContext(app, request, reply);
      const t = pc.t;
      const s = await getAuthoritySettings(app.serviceContext(request), id);
      const q = request.query;
      const action = q.action?.slice(0, 80) || undefined;
      const objectType = q.objectType?.slice(0, 80) || undefined;
      const before = q.before && /^\d{1,18}$/.test(q.before) ? q.before : undefined;
      // Policy first (auditors and administrators only), then the read, always scoped to this authority.
      authorizeOnAuthority(request.actor, 'audit.read', id);
      const events = await readEvents(
        app.deps.database.db,
        toFilter({ action, objectType, before, limit: 50 }, id),
      );
      const last = events.at(-1);
      const qs = (extra: Record<string, string>) =>
        new URLSearchParams(
          Object.entries({ action: action ?? '', objectType: objectType ?? '', ...extra }).filter(
            ([, v]) => v,
          ),
        ).toString();
      return sendPage(
        reply,
        layout(
          pc,
          `${t('admin.audit')}: ${s.name[pc.locale]}`,
          html`${adminNav(pc, id)}
        <form method="get" action="/admin/authorities/${id}/audit" class="filters">
          ${input({ name: 'action', label: t('audit.action'), value: action, hint: t('audit.actionHint') })}
          ${input({ name: 'objectType', label: t('audit.objectType'), value: objectType })}
          <button type="submit">${t('audit.filter')}</button>
        </form>
        <table><caption>${t('audit.caption', { count: events.length })}</caption>
        <thead><tr><th scope="col">#</th><th scope="col">${t('audit.when')}</th><th scope="col">${t('audit.action')}</th><th scope="col">${t('audit.actor')}</th><th scope="col">${t('audit.object')}</th><th scope="col">${t('audit.from')}</th><th scope="col">${t('audit.data')}</th></tr></thead>
        <tbody>${events.map(
          (
            e,
          ) => html`<tr><td>${e.seq}</td><td>${formatDateTime(pc.locale, new Date(e.occurredAt))}</td><td><code>${e.action}</code></td>
            <td>${e.actorKind}${e.actorUserId ? html`<br><code>${e.actorUserId.slice(0, 8)}</code>` : ''}</td>
            <td>${e.objectType}<br><code>${e.objectId.slice(0, 40)}</code></td><td>${e.ip ?? ''}</td>
            <td><code class="json">${JSON.stringify(e.data)}</code></td></tr>`,
        )}</tbody></table>
        ${last && events.length === 50 ? html`<p><a href="/admin/authorities/${id}/audit?${qs({ before: last.seq })}">${t('audit.older')}</a></p>` : ''}`,
        ),
      );
    },
  );
}
