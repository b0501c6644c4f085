import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import { type Actor, anonymous, type ServiceContext } from './platform/context.js';
import type { DatabaseHandle } from './platform/db/client.js';
import { DomainError } from './platform/errors.js';
import { makeErrorHandler, toErrorBody, wantsHtml } from './platform/http/error-handler.js';
import './platform/http/request-context.js';
import { validatorCompiler } from './platform/http/validation.js';
import { detectLocale } from './platform/i18n/i18n.js';
import type { Mailer } from './platform/mail.js';
import { type BlobStore, fsBlobStore } from './platform/storage/blob-store.js';
import { ephemeralSigningKeyRing, type SigningKeyRing } from './platform/signing-key.js';
import { receiptRoutes } from './modules/bids/receipt.routes.js';
import { bidRoutes } from './modules/bids/bid.routes.js';
import { selectionRoutes } from './modules/selection/selection.routes.js';
import { minutesRoutes } from './modules/evaluation/minutes.routes.js';
import { ocdsRoutes } from './modules/ocds/ocds.routes.js';
import { ocdsBulkRoutes } from './modules/ocds/ocds-bulk.routes.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { authRoutes } from './modules/identity/auth.routes.js';
import { resolveApiToken } from './modules/identity/api-token.service.js';
import { resolveSession } from './modules/identity/auth.service.js';
import { companyRoutes } from './modules/parties/company.routes.js';
import { portalRoutes, renderErrorPage } from './modules/portal/portal.routes.js';
import { tenancyRoutes } from './modules/tenancy/authority.routes.js';
import { tenderRoutes } from './modules/tenders/tender.routes.js';
import { tenderDocumentRoutes } from './modules/tenders/tender-document.routes.js';
import { tenderSearchRoutes } from './modules/search/tender-search.routes.js';
import { minorContractRoutes } from './modules/minor/minor-contract.routes.js';
import { holidayRoutes } from './modules/calendar/holiday.routes.js';
import { plannedContractRoutes } from './modules/plan/planned-contract.routes.js';
import { custodianKeyRoutes } from './modules/custody/custodian-key.routes.js';
import { openingRoutes } from './modules/opening/opening.routes.js';
import { qualificationRoutes } from './modules/evaluation/qualification.routes.js';
import { judgementRoutes } from './modules/evaluation/judgement.routes.js';
import { abnormalReviewRoutes } from './modules/evaluation/abnormal-review.routes.js';
import { scoringRoutes } from './modules/evaluation/scoring.routes.js';
import { awardRoutes } from './modules/evaluation/award.routes.js';
import { contractRoutes } from './modules/evaluation/contract.routes.js';

export const SESSION_COOKIE = 'contracta_session';

export type AppDeps = {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  clock: Clock;
  mailer: Mailer;
  /** Secret for signing the CSRF cookie. */
  cookieSecret: string;
  /** Where documents are kept; by default `<dataDir>/blobs` on the local disk. */
  blobStore?: BlobStore;
  /**
   * The Ed25519 keys that sign bid receipts; `startApp` loads them (CONTRACTA_SIGNING_KEY_FILE or
   * `<dataDir>/signing-key.pem`). Without them a key is made in memory, good for tests only: its
   * receipts stop verifying once the process ends.
   */
  signingKey?: SigningKeyRing;
};

export type App = FastifyInstance & {
  /** The dependencies, with the document store resolved (the given one, or `<dataDir>/blobs`). */
  deps: AppDeps & { blobStore: BlobStore; signingKey: SigningKeyRing };
  serviceContext(request: FastifyRequest): ServiceContext;
};

/** Builds the application without listening, so tests can drive it with `inject()`. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.config.bodyLimit,
    trustProxy: process.env.TRUST_PROXY === 'true',
    genReqId: () => crypto.randomUUID(),
    ajv: { customOptions: { removeAdditional: false } },
    // Errors Fastify raises before routing (a URL that cannot be decoded) get the same stable
    // `{ code, message }` body as every other error, instead of Fastify's own codes.
    frameworkErrors: (err, _request, reply) => {
      const { status, body } = toErrorBody(err);
      (reply as FastifyReply).status(status).type('application/json; charset=utf-8').send(body);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  // Fastify forbids object values as request decorators; the hook below sets a fresh value per request.
  app.decorateRequest('actor', null as never);
  app.decorateRequest('locale', 'ca');
  const serviceContext = (request: FastifyRequest): ServiceContext => ({
    db: deps.database.db,
    actor: request.actor,
    clock: deps.clock,
    ip: request.ip,
    userAgent: request.headers['user-agent']?.slice(0, 400) ?? null,
  });
  const blobStore = deps.blobStore ?? fsBlobStore(path.join(deps.config.dataDir, 'blobs'));
  const signingKey = deps.signingKey ?? ephemeralSigningKeyRing();
  app.decorate('deps', { ...deps, blobStore, signingKey });
  app.decorate('serviceContext', serviceContext);

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    hsts: deps.config.cookieSecure,
  });
  await app.register(fastifyCookie, { secret: deps.cookieSecret });
  await app.register(fastifyFormbody, { bodyLimit: deps.config.bodyLimit });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'contracta_csrf',
    cookieOpts: {
      signed: true,
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: deps.config.cookieSecure,
    },
    getToken: (req) => {
      const header = req.headers['x-csrf-token'];
      if (typeof header === 'string') return header;
      const body = req.body as { _csrf?: unknown } | undefined;
      return typeof body?._csrf === 'string' ? body._csrf : undefined;
    },
  });
  await app.register(fastifyRateLimit, {
    max: deps.config.rateLimitMax,
    timeWindow: '1 minute',
    // Readiness probes must not be throttled.
    allowList: (req) => req.url === '/healthz' || req.url === '/readyz',
    errorResponseBuilder: (_req, context) =>
      new DomainError('RATE_LIMITED', `Too many requests; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Contracta API',
        version: '1',
        description:
          'Open e-procurement for municipalities. Errors are `{ code, message, details? }` with stable codes.',
        license: { name: 'Apache-2.0' },
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    hideUntagged: true,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  // Authentication: a bearer token for integrations, else the session cookie. An invalid bearer
  // token is refused outright rather than treated as anonymous, so a revoked integration fails loudly.
  app.addHook('onRequest', async (request) => {
    request.locale = detectLocale(request);
    const auth = request.headers.authorization;
    const now = deps.clock.now();
    let actor: Actor | undefined;
    if (auth?.startsWith('Bearer ')) {
      actor = await resolveApiToken(deps.database.db, auth.slice(7).trim(), now);
      if (!actor) throw new DomainError('UNAUTHENTICATED', 'The API token is invalid, expired or revoked');
    } else {
      const cookie = request.cookies[SESSION_COOKIE];
      if (cookie) actor = await resolveSession(deps.database.db, cookie, now);
    }
    request.actor = actor ?? anonymous;
  });

  // CSRF: every unsafe request made with a session cookie, and every HTML form post, must carry
  // the token. Bearer-token calls are exempt (no ambient credential), as are JSON calls without a
  // session: a cross-site form cannot send application/json without a CORS preflight.
  app.addHook('preValidation', (request, reply, done) => {
    const unsafe = request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS';
    if (!unsafe || request.headers.authorization?.startsWith('Bearer ')) return done();
    const isForm = (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const hasSession = request.cookies[SESSION_COOKIE] !== undefined;
    if (!isForm && !hasSession) return done();
    app.csrfProtection(request, reply, done);
  });

  app.setErrorHandler(makeErrorHandler(renderErrorPage));
  app.setNotFoundHandler((request, reply) => {
    const { status, body } = toErrorBody(new DomainError('NOT_FOUND', 'No such page or resource'));
    reply.status(status);
    if (wantsHtml(request)) return renderErrorPage(request, reply, status, body);
    return reply.send(body);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await sql`SELECT 1`.execute(deps.database.db);
      return { status: 'ready', database: deps.database.driver };
    } catch {
      return reply.status(503).send({ status: 'unavailable', database: deps.database.driver });
    }
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const appWithDeps = app as unknown as App;
  await app.register(authRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(tenancyRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(companyRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(auditRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(tenderRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(
    tenderDocumentRoutes(appWithDeps, {
      store: blobStore,
      maxBytes: deps.config.documentMaxBytes,
    }),
    { prefix: '/api/v1' },
  );
  await app.register(tenderSearchRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(minorContractRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(holidayRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(plannedContractRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(custodianKeyRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(receiptRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(openingRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(qualificationRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(judgementRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(scoringRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(awardRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(contractRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(abnormalReviewRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(bidRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(selectionRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(minutesRoutes(appWithDeps), { prefix: '/api/v1' });
  await app.register(ocdsRoutes(appWithDeps), { prefix: '/ocds/v1' });
  await app.register(ocdsBulkRoutes(appWithDeps), { prefix: '/ocds/v1' });
  await app.register(portalRoutes(appWithDeps));
  return appWithDeps;
}
