import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { DomainError, statusOf } from '../../platform/errors.js';
import { translator } from '../../platform/i18n/i18n.js';
import { askQuestion, setFollow } from '../tenders/tender-public.service.js';
import type { FieldError } from './layout.js';
import { errorMessage, formFields, isDomainError } from './portal.context.js';
import { searchPage } from './tenders-public.search.js';
import { OCID_RE, QUESTION_MAX, sendTenderPage } from './tenders-public.tender.js';

type OcidRequest = FastifyRequest<{ Params: { ocid: string }; Querystring: Record<string, unknown> }>;

/** An address that is not an ocid is no tender: the 404 page, as for an unknown ocid. */
function ocidOf(request: OcidRequest): string {
  const ocid = request.params.ocid;
  if (!OCID_RE.test(ocid)) throw new DomainError('NOT_FOUND', 'Tender not found');
  return ocid;
}

/** The confirmation shown after a redirect, chosen by a fixed word in the query (never free text). */
function confirmation(request: OcidRequest): string | undefined {
  const t = translator(request.locale);
  const done = request.query.done;
  if (done === 'asked') return t('publicTenders.questions.sent');
  if (done === 'followed') return t('publicTenders.follow.followed');
  if (done === 'unfollowed') return t('publicTenders.follow.unfollowed');
  return undefined;
}

/**
 * The public tender pages: the search (/tenders) and a tender's page (/tenders/:ocid) with its
 * question form and follow button. They read only what the published notices show; asking and
 * following go through the tenders module's services, which check who may do them.
 */
export function publicTenderPages(app: App, r: FastifyInstance): void {
  r.get('/tenders', async (request, reply) => searchPage(app, request, reply));

  r.get<{ Params: { ocid: string }; Querystring: Record<string, unknown> }>(
    '/tenders/:ocid',
    async (request, reply) => {
      const ocid = ocidOf(request);
      return sendTenderPage(app, request, reply, ocid, { notice: confirmation(request) });
    },
  );

  r.post<{ Params: { ocid: string }; Querystring: Record<string, unknown> }>(
    '/tenders/:ocid/questions',
    { config: { rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const ocid = ocidOf(request);
      if (request.actor.kind !== 'user') {
        return reply.redirect(`/sign-in?next=${encodeURIComponent(`/tenders/${ocid}`)}`, 303);
      }
      const f = formFields(request);
      const question = f.get('question');
      const companyId = f.get('companyId');
      const t = translator(request.locale);
      const errors: FieldError[] = [];
      if (!question) errors.push({ field: 'question', message: t('publicTenders.questions.required') });
      else if ([...question].length > QUESTION_MAX)
        errors.push({
          field: 'question',
          message: t('publicTenders.questions.tooLong', { max: QUESTION_MAX }),
        });
      if (!request.actor.companyRoles.has(companyId)) {
        errors.push({ field: 'companyId', message: t('publicTenders.questions.companyRequired') });
      }
      const again = (errs: FieldError[], status: number) =>
        sendTenderPage(app, request, reply, ocid, {
          errors: errs,
          question: question.slice(0, QUESTION_MAX * 2),
          companyId,
          status,
        });
      if (errors.length) return again(errors, 400);
      try {
        await askQuestion(app.serviceContext(request), ocid, { companyId, question });
      } catch (err) {
        // The tender itself missing is the 404 page; any other refusal goes back to the page. The
        // summary links to the questions section: once questions close, the form is not shown.
        if (!isDomainError(err) || err.code === 'NOT_FOUND') throw err;
        const field = err.code === 'VALIDATION_FAILED' ? 'question' : 'questions';
        return again([{ field, message: errorMessage(t, err.code) }], statusOf(err.code));
      }
      return reply.redirect(`/tenders/${ocid}?done=asked#questions`, 303);
    },
  );

  r.post<{ Params: { ocid: string }; Querystring: Record<string, unknown> }>(
    '/tenders/:ocid/follow',
    async (request: OcidRequest, reply: FastifyReply) => {
      const ocid = ocidOf(request);
      if (request.actor.kind !== 'user') {
        return reply.redirect(`/sign-in?next=${encodeURIComponent(`/tenders/${ocid}`)}`, 303);
      }
      const follow = formFields(request).get('follow') !== 'no';
      await setFollow(app.serviceContext(request), ocid, follow);
      return reply.redirect(`/tenders/${ocid}?done=${follow ? 'followed' : 'unfollowed'}`, 303);
    },
  );
}
