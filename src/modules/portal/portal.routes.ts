import type { FastifyInstance } from 'fastify';
import type { App } from '../../app.js';
import { accountPages } from './account.pages.js';
import { adminPages } from './admin.pages.js';
import { backofficePages } from './backoffice.pages.js';
import { publicPages } from './public.pages.js';
import { publicTenderPages } from './tenders-public.pages.js';
import { APP_CSS } from './static.js';
import { browserAssetRoutes } from './browser-assets.js';
import { holidayPages } from '../calendar/holiday.pages.js';
import { planPages } from '../plan/plan.pages.js';
import { minorPages } from '../minor/minor.pages.js';
import { custodyPages } from '../custody/custody.pages.js';
import { bidPages } from '../bids/bid.pages.js';
import { openingPages } from '../opening/opening.pages.js';
import { evaluationPages } from '../evaluation/evaluation.pages.js';
import { abnormalReviewPages } from '../evaluation/abnormal-review.pages.js';
import { awardPages } from '../evaluation/award.pages.js';
import { contractPages } from '../evaluation/contract.pages.js';
import { selectionPages } from '../selection/selection.pages.js';
import { minutesPages } from '../evaluation/minutes.pages.js';
import { externalPages } from '../ocds/external.pages.js';
import { openDataPages } from '../ocds/open-data.pages.js';

export { renderErrorPage } from './portal.context.js';

/** Server-rendered pages. They work without JavaScript; forms post back and redirect (PRG). */
export const portalRoutes = (app: App) => async (r: FastifyInstance) => {
  r.get('/static/app.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(APP_CSS),
  );
  browserAssetRoutes(r);
  publicPages(app, r);
  publicTenderPages(app, r);
  accountPages(app, r);
  adminPages(app, r);
  backofficePages(app, r);
  holidayPages(app, r);
  planPages(app, r);
  minorPages(app, r);
  custodyPages(app, r);
  bidPages(app, r);
  openingPages(app, r);
  evaluationPages(app, r);
  abnormalReviewPages(app, r);
  awardPages(app, r);
  contractPages(app, r);
  selectionPages(app, r);
  minutesPages(app, r);
  // Third-party open data imported into external authorities (issue 6 point 5).
  externalPages(app, r);
  openDataPages(app, r);
};
