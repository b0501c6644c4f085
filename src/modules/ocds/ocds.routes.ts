/**
 * The OCDS API (issue 6 point 3), public and without authentication, under /ocds/v1: the release and
 * record change feeds, one release, one record, and Contracta's own OCDS extension (extensions.ts),
 * served at the URL every package declares. Bodies are release or record packages (ocds-package.ts)
 * with a weak ETag (If-None-Match → 304) and gzip or deflate when the client asks (@fastify/compress,
 * registered in this plugin's scope only). A feed page with nothing to serve is 204 No Content: an
 * empty package would be invalid (ocds.feed.ts, "Empty pages"). These routes are left out of the
 * /api/v1 OpenAPI document: their shape is the OCDS standard's, documented by the standard itself.
 */
import fastifyCompress from '@fastify/compress';
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { makeErrorHandler } from '../../platform/http/error-handler.js';
import { DomainError } from '../../platform/errors.js';
import { CONTRACTA_EXTENSIONS, OWN_EXTENSION_BASE, ownExtensionJson } from './extensions.js';
import { etagOf, matchesIfNoneMatch } from './ocds-package.js';
import {
  DEFAULT_PAGE,
  type FeedContext,
  type FeedPage,
  MAX_PAGE,
  recordPackageByOcid,
  recordsFeed,
  releasePackageById,
  releasesFeed,
} from './ocds.feed.js';

const tags = ['OCDS'];

const When = Type.Union([Type.String({ format: 'date-time' }), Type.String({ format: 'date' })]);

const FeedQuerySchema = Type.Object(
  {
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'From `links.next`' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 100 })),
    authority: Type.Optional(Type.String({ format: 'uuid', description: 'Only this authority' })),
    from: Type.Optional(When),
    to: Type.Optional(When),
  },
  { additionalProperties: false },
);

export const ocdsRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    await r.register(fastifyCompress, { global: true, threshold: 1024, encodings: ['gzip', 'deflate'] });
    // A data API: errors are JSON `{ code, message }` even outside /api/ (no HTML error pages).
    r.setErrorHandler(makeErrorHandler());

    const ctx = (): FeedContext => ({
      db: app.deps.database.db,
      config: app.deps.config.ocds,
      baseUrl: app.deps.config.publicUrl,
      now: app.deps.clock.now(),
    });

    /** Sends a package with its ETag, or 304 when the client holds the same one. */
    const send = (request: FastifyRequest, reply: FastifyReply, body: string, maxAge: number) => {
      const etag = etagOf(body);
      reply.header('etag', etag);
      reply.header('cache-control', `public, max-age=${maxAge}`);
      reply.header('vary', 'accept-encoding');
      if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.status(304).send();
      return reply.type('application/json; charset=utf-8').send(body);
    };

    /**
     * Sends a feed page: the next cursor in `x-ocds-next-cursor` and `Link: <…>; rel="next"` always;
     * the package with 200, or 204 without a body when the page is empty.
     */
    const sendPage = (request: FastifyRequest, reply: FastifyReply, page: FeedPage, maxAge: number) => {
      reply.header('x-ocds-next-cursor', page.next);
      reply.header('link', `<${page.nextUrl}>; rel="next"`);
      if (page.body === undefined) {
        reply.header('cache-control', 'public, max-age=5');
        return reply.status(204).send();
      }
      return send(request, reply, page.body, maxAge);
    };

    r.get(
      '/releases',
      {
        schema: {
          hide: true,
          tags,
          summary:
            'Change feed of releases, in publication order (release package; public). Next page: ' +
            '`links.next`, the `Link` header (rel="next") or the `x-ocds-next-cursor` header. ' +
            'Nothing new yet: 204 No Content with the same headers (poll the next URL later).',
          querystring: FeedQuerySchema,
        },
      },
      async (request, reply) => {
        const page = await releasesFeed(ctx(), request.query);
        // A full page may be followed at once; the head of the feed changes, so it is kept briefly.
        const full = page.count === (request.query.limit ?? DEFAULT_PAGE);
        return sendPage(request, reply, page, full ? 60 : 5);
      },
    );

    r.get(
      '/records',
      {
        schema: {
          hide: true,
          tags,
          summary:
            'Change feed of records, by their last change (record package of compiled releases and ' +
            'linked releases; public). Next page: `links.next`, the `Link` header (rel="next") or ' +
            'the `x-ocds-next-cursor` header. Nothing new yet: 204 No Content with the same headers.',
          querystring: FeedQuerySchema,
        },
      },
      async (request, reply) => {
        const page = await recordsFeed(ctx(), request.query);
        return sendPage(request, reply, page, 5);
      },
    );

    r.get(
      '/releases/:id',
      {
        schema: {
          hide: true,
          tags,
          summary: 'One release, by id (and ocid: a release id is unique within its ocid)',
          params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 1000 }) }),
          querystring: Type.Object(
            { ocid: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })) },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const body = await releasePackageById(ctx(), request.params.id, request.query.ocid);
        // A release never changes once published (ocds_release is immutable).
        return send(request, reply, body, request.query.ocid ? 86400 : 300);
      },
    );

    r.get(
      '/records/:ocid',
      {
        schema: {
          hide: true,
          tags,
          summary:
            'The record of one contracting process (record package with the compiled release and ' +
            'linked releases; `versioned=true` adds the versioned release; public)',
          params: Type.Object({ ocid: Type.String({ minLength: 1, maxLength: 1000 }) }),
          querystring: Type.Object(
            { versioned: Type.Optional(Type.Boolean({ default: false })) },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const body = await recordPackageByOcid(ctx(), request.params.ocid, {
          versioned: request.query.versioned === true,
        });
        return send(request, reply, body, 60);
      },
    );

    /** Contracta's own extensions: `extension.json` and the release schema patch, where packages point. */
    const ownExtension = (id: string) => {
      const e = CONTRACTA_EXTENSIONS.find((x) => x.own && x.id === id);
      if (!e) throw new DomainError('NOT_FOUND', 'No such extension');
      return e;
    };
    const ExtensionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

    r.get(
      `${OWN_EXTENSION_BASE.replace(/^\/ocds\/v1/, '')}/:id/extension.json`,
      {
        schema: {
          hide: true,
          tags,
          summary: "Contracta's own OCDS extension: its extension.json (public)",
          params: ExtensionParams,
        },
      },
      async (request, reply) => {
        const e = ownExtension(request.params.id);
        return send(request, reply, JSON.stringify(ownExtensionJson(e, app.deps.config.publicUrl)), 3600);
      },
    );

    r.get(
      `${OWN_EXTENSION_BASE.replace(/^\/ocds\/v1/, '')}/:id/release-schema.json`,
      {
        schema: {
          hide: true,
          tags,
          summary: "Contracta's own OCDS extension: its release schema patch (JSON Merge Patch; public)",
          params: ExtensionParams,
        },
      },
      async (request, reply) => {
        const e = ownExtension(request.params.id);
        return send(request, reply, JSON.stringify(e.minimalPatch), 3600);
      },
    );
  };
