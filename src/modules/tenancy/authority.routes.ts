import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { AUTHORITY_ROLES } from '../../platform/context.js';
import { Body, Email, errors, Names, ShortText, Uuid } from '../../platform/http/schemas.js';
import {
  addMember,
  createAuthority,
  createConsortium,
  getAuthoritySettings,
  getPublicAuthority,
  listConsortia,
  listMembers,
  listPublicAuthorities,
  removeMember,
  setMemberRoles,
  updateAuthority,
} from './authority.service.js';

const Role = Type.Union(AUTHORITY_ROLES.map((r) => Type.Literal(r)));
const Roles = Type.Array(Role, { minItems: 1, maxItems: AUTHORITY_ROLES.length });
const Slug = Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', minLength: 2, maxLength: 60 });
/** DIR3 codes: a letter and eight alphanumerics (e.g. L01080193 for Barcelona). */
const Dir3 = Type.String({ pattern: '^[A-Z][A-Z0-9]{8}$' });
/** OCDS ocid prefixes are "ocds-" plus six lowercase alphanumerics, assigned by the OCDS helpdesk. */
const OcidPrefix = Type.String({ pattern: '^ocds-[a-z0-9]{6}$' });
const Percentage = Type.String({ pattern: '^\\d{1,3}(\\.\\d{1,2})?$' });
const Region = Type.String({ pattern: '^[A-Z]{2}(-[A-Z0-9]{1,3})?$' });

const AuthorityPublicSchema = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  consortiumId: Type.Union([Type.String(), Type.Null()]),
  name: Type.Object({ ca: Type.String(), es: Type.String(), en: Type.String() }),
  dir3Code: Type.String(),
});
const AuthoritySettingsSchema = Type.Composite([
  AuthorityPublicSchema,
  Type.Object({
    ocidPrefix: Type.String(),
    priceWeightCap: Type.String(),
    timeZone: Type.String(),
    holidayRegion: Type.String(),
    approvalChain: Type.Array(Type.String()),
    holidays: Type.Array(Type.Object({ day: Type.String(), name: Type.String() })),
  }),
]);
const MemberSchema = Type.Object({
  userId: Type.String(),
  email: Type.String(),
  name: Type.String(),
  roles: Type.Array(Type.String()),
  since: Type.String(),
});
const ConsortiumSchema = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.Object({ ca: Type.String(), es: Type.String(), en: Type.String() }),
  authorityIds: Type.Array(Type.String()),
});

const AuthorityParams = Type.Object({ authorityId: Uuid });
const MemberParams = Type.Object({ authorityId: Uuid, userId: Uuid });
const tags = ['Authorities'];

export const tenancyRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    r.get(
      '/authorities',
      {
        schema: {
          tags,
          summary: 'Directory of contracting authorities (public)',
          response: { 200: Type.Array(AuthorityPublicSchema) },
        },
      },
      async (request) => listPublicAuthorities(app.serviceContext(request)),
    );

    r.post(
      '/authorities',
      {
        schema: {
          tags,
          summary: 'Create a contracting authority (platform administrators)',
          body: Body({
            slug: Slug,
            consortiumId: Type.Optional(Type.Union([Uuid, Type.Null()])),
            name: Names,
            dir3Code: Dir3,
            ocidPrefix: OcidPrefix,
            priceWeightCap: Type.Optional(Percentage),
            approvalChain: Type.Optional(Type.Array(Role, { maxItems: 8 })),
            holidayRegion: Type.Optional(Region),
          }),
          response: { 201: AuthoritySettingsSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request, reply) => {
        const created = await createAuthority(app.serviceContext(request), request.body);
        return reply.status(201).send(created);
      },
    );

    r.get(
      '/authorities/:authorityId',
      {
        schema: {
          tags,
          summary: 'Public profile of an authority',
          params: AuthorityParams,
          response: { 200: AuthorityPublicSchema, ...errors(400, 404) },
        },
      },
      async (request) => getPublicAuthority(app.serviceContext(request), request.params.authorityId),
    );

    r.get(
      '/authorities/:authorityId/settings',
      {
        schema: {
          tags,
          summary: 'Internal settings of an authority (its members)',
          params: AuthorityParams,
          response: { 200: AuthoritySettingsSchema, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => getAuthoritySettings(app.serviceContext(request), request.params.authorityId),
    );

    r.patch(
      '/authorities/:authorityId',
      {
        schema: {
          tags,
          summary: 'Change an authority’s settings (its administrators)',
          params: AuthorityParams,
          body: Body({
            name: Type.Optional(Names),
            dir3Code: Type.Optional(Dir3),
            priceWeightCap: Type.Optional(Percentage),
            approvalChain: Type.Optional(Type.Array(Role, { maxItems: 8 })),
            holidayRegion: Type.Optional(Region),
          }),
          response: { 200: AuthoritySettingsSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        updateAuthority(app.serviceContext(request), request.params.authorityId, request.body),
    );

    r.get(
      '/authorities/:authorityId/members',
      {
        schema: {
          tags,
          summary: 'Staff of an authority and their roles',
          params: AuthorityParams,
          response: { 200: Type.Array(MemberSchema), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => listMembers(app.serviceContext(request), request.params.authorityId),
    );

    r.post(
      '/authorities/:authorityId/members',
      {
        schema: {
          tags,
          summary: 'Give a person roles in the authority (a new email gets an invitation)',
          params: AuthorityParams,
          body: Body({ email: Email, name: ShortText(), roles: Roles }),
          response: { 201: MemberSchema, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const member = await addMember(
          app.serviceContext(request),
          app.deps.mailer,
          app.deps.config.publicUrl,
          request.params.authorityId,
          body,
        );
        return reply.status(201).send(member);
      },
    );

    r.put(
      '/authorities/:authorityId/members/:userId',
      {
        schema: {
          tags,
          summary: 'Replace a member’s roles',
          params: MemberParams,
          body: Body({ roles: Roles }),
          response: { 200: MemberSchema, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const p = request.params;
        return setMemberRoles(app.serviceContext(request), p.authorityId, p.userId, request.body.roles);
      },
    );

    r.delete(
      '/authorities/:authorityId/members/:userId',
      {
        schema: {
          tags,
          summary: 'Remove a member from the authority',
          params: MemberParams,
          response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const p = request.params;
        await removeMember(app.serviceContext(request), p.authorityId, p.userId);
        return reply.status(204).send(null);
      },
    );

    r.get(
      '/consortia',
      {
        schema: {
          tags,
          summary: 'Consortia of authorities (public)',
          response: { 200: Type.Array(ConsortiumSchema) },
        },
      },
      async (request) => listConsortia(app.serviceContext(request)),
    );

    r.post(
      '/consortia',
      {
        schema: {
          tags,
          summary: 'Create a consortium (platform administrators)',
          body: Body({ slug: Slug, name: Names }),
          response: { 201: ConsortiumSchema, ...errors(400, 401, 403, 409) },
        },
      },
      async (request, reply) => {
        const c = await createConsortium(app.serviceContext(request), request.body);
        return reply.status(201).send(c);
      },
    );
  };
