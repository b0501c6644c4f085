import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode, statusOf } from '../errors.js';

export type ErrorBody = { code: ErrorCode; message: string; details?: unknown };

/** Renders an error for a browser; supplied by the portal so that HTML pages get HTML errors. */
export type HtmlErrorRenderer = (
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  body: ErrorBody,
) => unknown;

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_JSON',
  FST_CSRF_INVALID_TOKEN: 'CSRF_INVALID',
  FST_CSRF_MISSING_SECRET: 'CSRF_INVALID',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
};

/** SQLSTATE of the read-only triggers on external authorities (migration 0023), on either driver. */
const READ_ONLY_SQLSTATE = 'CR001';

/** Maps any thrown error to a status and a stable body. This is the only place statuses are chosen. */
export function toErrorBody(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof DomainError) {
    return {
      status: statusOf(err.code),
      body: {
        code: err.code,
        message: err.message,
        ...(err.details === undefined ? {} : { details: err.details }),
      },
    };
  }
  const fe = err as Partial<FastifyError> & { validation?: unknown[] };
  if (fe.validation) {
    const details = fe.validation.map((v) => {
      const e = v as { instancePath?: string; message?: string; params?: unknown; keyword?: string };
      return {
        path: e.instancePath ?? '',
        keyword: e.keyword ?? '',
        message: e.message ?? '',
        params: e.params,
      };
    });
    return {
      status: 400,
      body: {
        code: 'VALIDATION_FAILED',
        message: `Invalid ${fe.validationContext ?? 'request'}: ${fe.message ?? ''}`,
        details,
      },
    };
  }
  if (fe instanceof SyntaxError || (fe.code && FASTIFY_CODES[fe.code] === 'MALFORMED_JSON')) {
    return { status: 400, body: { code: 'MALFORMED_JSON', message: 'The body is not valid JSON' } };
  }
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return { status: statusOf(mapped), body: { code: mapped, message: fe.message ?? mapped } };
  if (fe.statusCode === 429)
    return { status: 429, body: { code: 'RATE_LIMITED', message: 'Too many requests; slow down' } };
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Any other client error Fastify raises (bad headers, bad URL encoding...).
    return {
      status: fe.statusCode,
      body: { code: 'VALIDATION_FAILED', message: fe.message ?? 'Bad request' },
    };
  }
  if ((err as { code?: unknown } | null)?.code === READ_ONLY_SQLSTATE) {
    // The database's guard of external authorities (migration 0023) refused a write that no
    // service check caught first: the same refusal as the services' own, not a 500.
    return {
      status: statusOf('AUTHORITY_READ_ONLY'),
      body: {
        code: 'AUTHORITY_READ_ONLY',
        message: 'This authority holds third-party open data imported into the platform: it is read-only',
      },
    };
  }
  return { status: 500, body: { code: 'INTERNAL', message: 'Internal error' } };
}

export function wantsHtml(request: FastifyRequest): boolean {
  return !request.url.startsWith('/api/') && request.url !== '/api' && !request.url.startsWith('/healthz');
}

export function makeErrorHandler(renderHtml?: HtmlErrorRenderer) {
  return function errorHandler(this: unknown, err: unknown, request: FastifyRequest, reply: FastifyReply) {
    const { status, body } = toErrorBody(err);
    // 4xx are the client's doing: info. 5xx are ours: error, with the stack, and the message hidden.
    if (status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: body.code, status }, 'request refused');
    reply.status(status);
    if (renderHtml && wantsHtml(request)) return renderHtml(request, reply, status, body);
    return reply.type('application/json; charset=utf-8').send(body);
  };
}
