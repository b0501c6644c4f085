import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { Body, errors, ShortText, Uuid } from '../../platform/http/schemas.js';
import { HOLIDAY_KINDS } from './holiday.rules.js';
import { addAuthorityHoliday, listAuthorityHolidays, removeAuthorityHoliday } from './holiday.service.js';

const tags = ['Calendar'];
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A calendar day, YYYY-MM-DD' });
const Names = Type.Object({ ca: Type.String(), es: Type.String(), en: Type.String() });
const Kind = Type.Unsafe<(typeof HOLIDAY_KINDS)[number]>({ type: 'string', enum: [...HOLIDAY_KINDS] });

const HolidaySchema = Type.Object({
  day: Type.String(),
  name: Names,
  kind: Type.String(),
  origin: Type.String({ description: 'official (national or regional data) or authority (its own table)' }),
  applies: Type.Boolean({ description: 'False for an official day the authority removed' }),
});

const CalendarSchema = Type.Object({
  authorityId: Type.String(),
  year: Type.Union([Type.Integer(), Type.Null()]),
  officialYears: Type.Array(
    Type.Object({ year: Type.Integer(), status: Type.String(), source: Type.String() }),
  ),
  holidays: Type.Array(HolidaySchema),
});

const AuthorityParams = Type.Object({ authorityId: Uuid });

export const holidayRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    r.get(
      '/authorities/:authorityId/holidays',
      {
        schema: {
          tags,
          summary:
            'Holidays of an authority: national, Catalan and local days that are not business days (public)',
          params: AuthorityParams,
          querystring: Type.Object(
            {
              year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })),
              lang: Type.Optional(Type.String()),
            },
            { additionalProperties: false },
          ),
          response: { 200: CalendarSchema, ...errors(400, 404) },
        },
      },
      async (request) =>
        listAuthorityHolidays(app.serviceContext(request), request.params.authorityId, request.query.year),
    );

    r.post(
      '/authorities/:authorityId/holidays',
      {
        schema: {
          tags,
          summary:
            'Add a holiday (a local day, or restore an official day removed before); authority administrators',
          params: AuthorityParams,
          body: Body({
            day: Day,
            name: ShortText(120),
            kind: Type.Optional(Kind),
          }),
          response: { 201: HolidaySchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request, reply) => {
        const created = await addAuthorityHoliday(
          app.serviceContext(request),
          request.params.authorityId,
          request.body,
        );
        return reply.status(201).send(created);
      },
    );

    r.delete(
      '/authorities/:authorityId/holidays/:day',
      {
        schema: {
          tags,
          summary:
            'Remove a holiday: an own day is deleted, an official day that does not apply locally is excluded; authority administrators',
          params: Type.Object({ authorityId: Uuid, day: Day }),
          response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 422) },
        },
      },
      async (request, reply) => {
        await removeAuthorityHoliday(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.day,
        );
        return reply.status(204).send(null);
      },
    );
  };
