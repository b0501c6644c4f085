import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { COMPANY_ROLES, type CompanyRole } from '../../platform/context.js';
import { Body, Email, errors, ShortText, Uuid } from '../../platform/http/schemas.js';
import { PASSWORD_MAX } from '../identity/password.js';
import {
  addCompanyEmail,
  addCompanyMember,
  getCompany,
  listCompanyMembers,
  registerCompany,
  removeCompanyEmail,
  updateCompany,
} from './company.service.js';

const tags = ['Companies'];
const Cpv = Type.String({ pattern: '^\\d{8}(-\\d)?$' });
const Address = Type.Object(
  {
    street: ShortText(200),
    locality: ShortText(100),
    postalCode: Type.String({ minLength: 3, maxLength: 12, pattern: '^[A-Za-z0-9 -]+$' }),
    region: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
const CompanyRoleSchema = Type.Union(COMPANY_ROLES.map((r) => Type.Literal(r)));

export const CompanySchema = Type.Object({
  id: Type.String(),
  legalName: Type.String(),
  taxId: Type.String(),
  taxIdKind: Type.String(),
  country: Type.String(),
  isSme: Type.Boolean(),
  address: Type.Object({
    street: Type.String(),
    locality: Type.String(),
    postalCode: Type.String(),
    region: Type.String(),
  }),
  cpvInterests: Type.Array(Type.String()),
  emails: Type.Array(Type.Object({ id: Type.String(), email: Type.String(), purpose: Type.String() })),
  createdAt: Type.String(),
});
const CompanyMemberSchema = Type.Object({
  userId: Type.String(),
  email: Type.String(),
  name: Type.String(),
  roles: Type.Array(Type.String()),
});
const CompanyParams = Type.Object({ companyId: Uuid });

export const companyRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    r.post(
      '/companies',
      {
        config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary: 'Register a company and its first administrator (public)',
          body: Body({
            legalName: ShortText(200),
            taxId: Type.String({ minLength: 8, maxLength: 20 }),
            isSme: Type.Boolean(),
            address: Address,
            cpvInterests: Type.Optional(Type.Array(Cpv, { maxItems: 50 })),
            contactEmails: Type.Optional(Type.Array(Email, { maxItems: 10 })),
            admin: Type.Object(
              {
                name: ShortText(),
                email: Email,
                password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }),
                locale: Type.Optional(
                  Type.Union([Type.Literal('ca'), Type.Literal('es'), Type.Literal('en')]),
                ),
              },
              { additionalProperties: false },
            ),
          }),
          response: { 201: CompanySchema, ...errors(400, 409, 422, 429) },
        },
      },
      async (request, reply) => {
        const { company } = await registerCompany(app.serviceContext(request), request.body);
        return reply.status(201).send(company);
      },
    );

    r.get(
      '/companies/:companyId',
      {
        schema: {
          tags,
          summary: 'A company’s profile (its users)',
          params: CompanyParams,
          response: { 200: CompanySchema, ...errors(400, 401, 404) },
        },
      },
      async (request) => getCompany(app.serviceContext(request), request.params.companyId),
    );

    r.patch(
      '/companies/:companyId',
      {
        schema: {
          tags,
          summary: 'Update a company’s profile (company administrators)',
          params: CompanyParams,
          body: Body({
            legalName: Type.Optional(ShortText(200)),
            isSme: Type.Optional(Type.Boolean()),
            address: Type.Optional(Address),
            cpvInterests: Type.Optional(Type.Array(Cpv, { maxItems: 50 })),
          }),
          response: { 200: CompanySchema, ...errors(400, 401, 403, 404, 422) },
        },
      },
      async (request) => updateCompany(app.serviceContext(request), request.params.companyId, request.body),
    );

    r.get(
      '/companies/:companyId/members',
      {
        schema: {
          tags,
          summary: 'Users of a company',
          params: CompanyParams,
          response: { 200: Type.Array(CompanyMemberSchema), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => listCompanyMembers(app.serviceContext(request), request.params.companyId),
    );

    r.post(
      '/companies/:companyId/members',
      {
        schema: {
          tags,
          summary: 'Add a user to a company (a new email gets an invitation)',
          params: CompanyParams,
          body: Body({
            email: Email,
            name: ShortText(),
            roles: Type.Array(CompanyRoleSchema, { minItems: 1, maxItems: 2 }),
          }),
          response: { 201: CompanyMemberSchema, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const body = request.body as { email: string; name: string; roles: CompanyRole[] };
        const m = await addCompanyMember(
          app.serviceContext(request),
          app.deps.mailer,
          app.deps.config.publicUrl,
          request.params.companyId,
          body,
        );
        return reply.status(201).send(m);
      },
    );

    r.post(
      '/companies/:companyId/emails',
      {
        schema: {
          tags,
          summary: 'Add a contact email',
          params: CompanyParams,
          body: Body({
            email: Email,
            purpose: Type.Optional(
              Type.Union([Type.Literal('notifications'), Type.Literal('billing'), Type.Literal('legal')]),
            ),
          }),
          response: { 201: CompanySchema, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const c = await addCompanyEmail(app.serviceContext(request), request.params.companyId, {
          email: request.body.email,
          purpose: request.body.purpose ?? 'notifications',
        });
        return reply.status(201).send(c);
      },
    );

    r.delete(
      '/companies/:companyId/emails/:emailId',
      {
        schema: {
          tags,
          summary: 'Remove a contact email',
          params: Type.Object({ companyId: Uuid, emailId: Uuid }),
          response: { 200: CompanySchema, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) =>
        removeCompanyEmail(app.serviceContext(request), request.params.companyId, request.params.emailId),
    );
  };
