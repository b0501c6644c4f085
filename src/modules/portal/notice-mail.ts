import type { FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import type { NoticeMail } from '../../platform/mail.js';

/**
 * How a request's act sends its notices to companies (award notification, art. 151 LCSP;
 * invitations, art. 163): the app's mailer and public address, failures logged as `what` without
 * stopping the other recipients. One place, so that the API and the office pages notify alike.
 */
export function noticeMailOf(app: App, request: FastifyRequest, what: string): NoticeMail {
  return {
    mailer: app.deps.mailer,
    publicUrl: app.deps.config.publicUrl,
    onError: (err, to) => request.log.error({ err, companyId: to.companyId }, `${what} mail not sent`),
  };
}
