import { createHash, randomBytes } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/app.js';
import { type CompanyAction, COMPANY_PERMISSIONS } from '../../src/modules/parties/company.policy.js';
import { AUTHORITY_PERMISSIONS, type AuthorityAction } from '../../src/modules/tenancy/tenancy.policy.js';
import { TENDER_PERMISSIONS, type TenderAction } from '../../src/modules/tenders/tender.policy.js';
import { MINOR_ACTIONS } from '../../src/modules/minor/minor-contract.policy.js';
import { PLAN_PERMISSIONS, type PlanAction } from '../../src/modules/plan/planned-contract.policy.js';
import { CUSTODY_PERMISSIONS, type CustodyAction } from '../../src/modules/custody/custodian-key.policy.js';
import { OPENING_PERMISSIONS, type OpeningAction } from '../../src/modules/opening/opening.policy.js';
import {
  EVALUATION_PERMISSIONS,
  type EvaluationAction,
} from '../../src/modules/evaluation/evaluation.policy.js';
import { generateCustodianKeyPair } from '../../src/modules/custody/custodian-key.crypto.js';
import { registerCustodianKeys } from '../helpers/custody.js';
import { BID_PERMISSIONS, type BidAction } from '../../src/modules/bids/bid.policy.js';
import { SELECTION_PERMISSIONS, type SelectionAction } from '../../src/modules/selection/selection.policy.js';
import {
  type Bidder,
  commitVersion,
  publishSealedTender,
  type SealedTender,
  sealBid,
  uploadBid,
} from '../helpers/sealed-bids.js';
import { AUTHORITY_ROLES, type AuthorityRole, type CompanyRole } from '../../src/platform/context.js';
import { hashToken, newId } from '../../src/platform/ids.js';
import { samplePdf } from '../../src/platform/storage/sample-files.js';
import {
  buildTestApp,
  login,
  makeAuthority,
  makeCompany,
  makeUser,
  PASSWORD,
  rowCounts,
  type Session,
  type TestApp,
  unique,
} from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import { validNif } from '../helpers/tax-ids.js';
import { loadDemoCpv, tenderPayload } from '../helpers/tenders.js';

/**
 * Every API route against every kind of caller. The expected status is derived from the policy
 * tables (AUTHORITY_PERMISSIONS, COMPANY_PERMISSIONS), so the matrix follows the policy; the spot
 * checks at the end are written out by hand, so that a wrong policy table is caught too.
 */

type ActorName = 'anonymous' | 'platform_admin' | AuthorityRole | 'company_admin' | 'bidder';

type ActorSpec = {
  name: ActorName;
  platformAdmin?: boolean;
  authorityRole?: AuthorityRole;
  companyRole?: CompanyRole;
};

const ACTOR_SPECS: ActorSpec[] = [
  { name: 'anonymous' },
  { name: 'platform_admin', platformAdmin: true },
  ...AUTHORITY_ROLES.map((r) => ({ name: r, authorityRole: r })),
  { name: 'company_admin', companyRole: 'company_admin' },
  { name: 'bidder', companyRole: 'bidder' },
];

type Actor = ActorSpec & { ip: string; user?: { id: string; email: string }; session?: Session };

type Access =
  | { kind: 'public' }
  | { kind: 'signed_in' }
  | { kind: 'platform' }
  | { kind: 'authority'; action: AuthorityAction }
  | { kind: 'company'; action: CompanyAction }
  | { kind: 'tender'; action: TenderAction }
  | { kind: 'plan'; action: PlanAction }
  | { kind: 'custody'; action: CustodyAction }
  | { kind: 'opening'; action: OpeningAction }
  | { kind: 'evaluation'; action: EvaluationAction }
  | { kind: 'selection'; action: SelectionAction }
  | { kind: 'bid'; action: BidAction };

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Built = { url: string; payload?: object; headers?: Record<string, string> };

type RouteCase = {
  method: Method;
  /** The path as the OpenAPI document writes it. */
  path: string;
  access: Access;
  /** Status of a successful call. */
  ok: number;
  /** For a route whose allowed call ends in a state error, the code that shows the policy let it through. */
  okCode?: string;
  /** Hard exceptions to the derived rule, each explained where it is used. */
  except?: Partial<Record<ActorName, number>>;
  /** Builds a request (creating any row it consumes, so each call can succeed on its own). */
  build: (a: Actor) => Promise<Built> | Built;
  /** Checks the effect of an allowed call. */
  verify?: (built: Built) => Promise<void>;
};

const ERROR_CODE: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' };

/** A valid document upload (multipart/form-data with kind, title and a small PDF). */
function documentUpload(url: string): Built {
  const boundary = 'matrix-boundary-5f3a';
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const payload = Buffer.concat([
    Buffer.from(
      field('kind', 'other') +
        field('title', 'Annex') +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="annex.pdf"\r\n` +
        'Content-Type: application/pdf\r\n\r\n',
    ),
    samplePdf(`matrix ${randomBytes(4).toString('hex')}`),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { url, payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

function expectedStatus(rc: RouteCase, a: ActorSpec): number {
  const exception = rc.except?.[a.name];
  if (exception !== undefined) return exception;
  const access = rc.access;
  if (access.kind === 'public') return rc.ok;
  if (a.name === 'anonymous') return 401;
  switch (access.kind) {
    case 'signed_in':
      return rc.ok;
    case 'platform':
      return a.platformAdmin ? rc.ok : 403;
    case 'authority':
      if (a.platformAdmin) return rc.ok;
      // Tenancy before roles: to a non-member the authority's internals do not exist.
      if (!a.authorityRole) return 404;
      return AUTHORITY_PERMISSIONS[access.action].includes(a.authorityRole) ? rc.ok : 403;
    case 'plan':
      // Like procurement files: the authority's staff only, platform administrators included out.
      if (!a.authorityRole) return 404;
      return PLAN_PERMISSIONS[access.action].includes(a.authorityRole) ? rc.ok : 403;
    case 'custody':
      // Custodian keys: the authority's staff only, like its files (custodian-key.policy.ts).
      if (!a.authorityRole) return 404;
      return CUSTODY_PERMISSIONS[access.action].includes(a.authorityRole) ? rc.ok : 403;
    case 'opening':
      // Opening a tender's bids: the authority's staff only, by role (opening.policy.ts).
      if (!a.authorityRole) return 404;
      return OPENING_PERMISSIONS[access.action].includes(a.authorityRole) ? rc.ok : 403;
    case 'evaluation':
      // The committee's work on a tender's bids: the authority's staff only, by role (evaluation.policy.ts).
      if (!a.authorityRole) return 404;
      return EVALUATION_PERMISSIONS[access.action].includes(a.authorityRole) ? rc.ok : 403;
    case 'tender':
      // Procurement files belong to the authority's staff: platform administrators are not members.
      if (!a.authorityRole) return 404;
      return TENDER_PERMISSIONS[access.action].includes(a.authorityRole) ? rc.ok : 403;
    case 'selection':
      // Requests, invitations and negotiation on the authority's side: its staff only, by role.
      if (!a.authorityRole) return 404;
      return SELECTION_PERMISSIONS[access.action].includes(a.authorityRole) ? rc.ok : 403;
    case 'bid':
      // A sealed bid is its company's alone: staff and platform administrators see nothing of it.
      if (!a.companyRole) return 404;
      return BID_PERMISSIONS[access.action].includes(a.companyRole) ? rc.ok : 403;
    case 'company':
      // Platform administrators included: a company's account is private to its users.
      if (!a.companyRole) return 404;
      return COMPANY_PERMISSIONS[access.action].includes(a.companyRole) ? rc.ok : 403;
  }
}

describe(`role matrix (${driverName})`, () => {
  let t: TestApp;
  let authorityId: string;
  let companyId: string;
  /** A member of the authority whose roles are re-set (to the same value) by the PUT case. */
  let target: { id: string };
  /** The account the public sign-in case signs in to. */
  let signInTarget: { id: string; email: string };
  /** A draft file of the authority, read and re-saved by the tender cases. */
  let tenderId: string;
  /** A published tender, for the public routes. */
  let publishedOcid: string;
  let publishedId: string;
  let publishedDocumentId: string;
  const actors = new Map<ActorName, Actor>();
  let seq = 0;
  const nextSeq = () => {
    seq += 1;
    return seq;
  };

  beforeAll(async () => {
    t = await buildTestApp();
    authorityId = (await makeAuthority(t)).id;
    companyId = (await makeCompany(t, validNif())).id;
    target = await makeUser(t, { roles: [{ authorityId, roles: ['committee_member'] }] });
    signInTarget = await makeUser(t);
    let i = 0;
    for (const spec of ACTOR_SPECS) {
      i += 1;
      // Each caller has its own address: the per-address limits of sign-in, reset and
      // registration then apply to each caller separately, as they would in production.
      const actor: Actor = { ...spec, ip: `10.20.0.${i}` };
      if (spec.name !== 'anonymous') {
        actor.user = await makeUser(t, {
          platformAdmin: spec.platformAdmin ?? false,
          roles: spec.authorityRole ? [{ authorityId, roles: [spec.authorityRole] }] : [],
          companies: spec.companyRole ? [{ companyId, roles: [spec.companyRole] }] : [],
        });
        actor.session = await login(t, actor.user.email, PASSWORD, { remoteAddress: actor.ip });
      }
      actors.set(spec.name, actor);
    }
    await loadDemoCpv(t);
    const officer = actors.get('procurement_officer')?.session;
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/authorities/${authorityId}/tenders`,
      headers: officer?.headers,
      payload: tenderPayload(t.clock.now()),
    });
    tenderId = (res.json() as { id: string }).id;
    // A published tender for the public routes, set up directly: the workflow has its own tests.
    const pub = await t.app.inject({
      method: 'POST',
      url: `/api/v1/authorities/${authorityId}/tenders`,
      headers: officer?.headers,
      payload: tenderPayload(t.clock.now()),
    });
    const pubId = (pub.json() as { id: string }).id;
    const prefix = (
      await t.db.db
        .selectFrom('authority')
        .select('ocid_prefix')
        .where('id', '=', authorityId)
        .executeTakeFirstOrThrow()
    ).ocid_prefix;
    publishedOcid = `${prefix}-${pubId}`;
    publishedId = pubId;
    // One document, uploaded while a draft and listed by the notice, for the public download.
    const upload = documentUpload(`/api/v1/authorities/${authorityId}/tenders/${pubId}/documents`);
    const uploaded = await t.app.inject({
      method: 'POST',
      url: upload.url,
      headers: { ...officer?.headers, ...upload.headers },
      payload: upload.payload as Buffer,
    });
    publishedDocumentId = (uploaded.json() as { id: string }).id;
    await t.db.db
      .updateTable('tender')
      .set({ status: 'published', ocid: publishedOcid, published_at: t.clock.now() })
      .where('id', '=', pubId)
      .execute();
    await t.db.db
      .insertInto('tender_notice')
      .values({
        id: newId(),
        tender_id: pubId,
        authority_id: authorityId,
        version: 1,
        kind: 'original',
        snapshot: JSON.stringify({ documents: [{ id: publishedDocumentId }] }),
        canonical: '{}',
        published_by: actors.get('procurement_officer')?.user?.id ?? '',
        published_at: t.clock.now(),
      })
      .execute();
  });
  afterAll(async () => t.close());

  async function insertApiToken(userId: string): Promise<string> {
    const id = newId();
    await t.db.db
      .insertInto('api_token')
      .values({
        id,
        user_id: userId,
        authority_id: authorityId,
        company_id: null,
        name: 'matrix',
        token_hash: hashToken(`ctk_${randomBytes(32).toString('base64url')}`),
        token_prefix: 'ctk_xxxxxx',
        expires_at: new Date(t.clock.now().getTime() + 86_400_000),
      })
      .execute();
    return id;
  }

  /** A valid planned contract for next year. */
  const planPayload = () => ({
    title: { ca: 'Neteja viària', es: 'Limpieza viaria', en: 'Street cleaning' },
    contractType: 'services',
    procedure: 'abierto',
    mainCpv: '90910000',
    estimatedValue: '120000',
    expectedYear: t.clock.now().getUTCFullYear() + 1,
    expectedQuarter: 2,
  });
  /** A fresh planned contract (version 1, planned), so that each call can succeed on its own. */
  async function plannedItem(): Promise<string> {
    const id = newId();
    const creator = actors.get('procurement_officer')?.user?.id ?? '';
    await t.db.db
      .insertInto('planned_contract')
      .values({
        id,
        authority_id: authorityId,
        created_by: creator,
        title_ca: 'Neteja viària',
        title_es: 'Limpieza viaria',
        title_en: 'Street cleaning',
        contract_type: 'services',
        procedure: 'abierto',
        main_cpv: '90910000-9',
        estimated_value: '120000.00',
        expected_year: t.clock.now().getUTCFullYear() + 1,
        expected_quarter: 2,
      })
      .execute();
    return id;
  }
  /** A weekday of next February or March not used before: no official holiday falls there. */
  let holidaySeq = 0;
  function nextHolidayDay(): string {
    for (;;) {
      const d = new Date(Date.UTC(t.clock.now().getUTCFullYear() + 1, 1, 2 + holidaySeq));
      holidaySeq += 1;
      if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) return d.toISOString().slice(0, 10);
    }
  }

  /**
   * Minor contracts: an approved minor file whose request for quotes is open (a year ahead) with
   * `companyId` invited, and a minor draft with no request yet. Made once, directly in the database.
   */
  let minorIds: { inviting: string; draft: string } | undefined;
  async function minorFiles(): Promise<{ inviting: string; draft: string }> {
    if (minorIds) return minorIds;
    const officer = actors.get('procurement_officer');
    const make = async (reference: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/authorities/${authorityId}/tenders`,
        headers: officer?.session?.headers,
        payload: tenderPayload(t.clock.now(), {
          reference,
          procedure: 'menor',
          estimatedValue: '9000',
          budgetExclVat: '9000',
          budgetInclVat: '10890',
          durationMonths: 6,
          tenderDeadline: null,
          questionsDeadline: null,
          lots: [
            {
              number: 1,
              title: { ca: 'Únic', es: 'Único', en: 'Single' },
              estimatedValue: '9000',
              budgetExclVat: '9000',
              mainCpv: '90910000-9',
              criteria: [],
            },
          ],
        }),
      });
      return (res.json() as { id: string }).id;
    };
    const inviting = await make('MATRIX-MINOR-1');
    const draft = await make('MATRIX-MINOR-2');
    const now = t.clock.now();
    const by = officer?.user?.id ?? '';
    await t.db.db.updateTable('tender').set({ status: 'approved' }).where('id', '=', inviting).execute();
    await t.db.db
      .insertInto('minor_contract')
      .values({
        tender_id: inviting,
        authority_id: authorityId,
        quote_deadline: new Date(now.getTime() + 365 * 86_400_000),
        started_by: by,
        started_at: now,
      })
      .execute();
    await t.db.db
      .insertInto('minor_invitation')
      .values({
        tender_id: inviting,
        authority_id: authorityId,
        company_id: companyId,
        invited_by: by,
        invited_at: now,
      })
      .execute();
    minorIds = { inviting, draft };
    return minorIds;
  }

  /**
   * Sealed bids: a published tender with a real sealing target (made once), and the matrix
   * company's one bid for it, submitted (or replaced) by the company's bidder before a call needs it.
   */
  let sealed: SealedTender | undefined;
  const matrixBidId = newId();
  async function sealedTender(): Promise<SealedTender> {
    sealed ??= await publishSealedTender(t);
    return sealed;
  }
  async function submitMatrixBid(): Promise<SealedTender> {
    const tender = await sealedTender();
    const session = actors.get('bidder')?.session;
    if (!session) throw new Error('no bidder');
    const bidder: Bidder = { companyId, taxId: '', session, userId: '', email: '' };
    const bid = await sealBid(tender, { bidId: matrixBidId, text: (e) => `matrix ${e}` });
    await uploadBid(t, tender, bidder, bid);
    const res = await commitVersion(t, tender, bidder, bid);
    if (res.statusCode !== 201) throw new Error(`matrix bid: ${res.body}`);
    return tender;
  }
  /** A sealed bid submitted afresh, then its manifests for the caller's own submission. */
  async function matrixVersion(): Promise<Built> {
    const tender = await sealedTender();
    const session = actors.get('bidder')?.session;
    if (!session) throw new Error('no bidder');
    const bidder: Bidder = { companyId, taxId: '', session, userId: '', email: '' };
    const bid = await sealBid(tender, { bidId: matrixBidId, text: (e) => `matrix ${e}` });
    await uploadBid(t, tender, bidder, bid);
    return {
      url: `/api/v1/tenders/${tender.ocid}/bids/${matrixBidId}/versions`,
      payload: { companyId, lots: bid.lots, envelopes: bid.envelopes.map((e) => ({ manifest: e.manifest })) },
    };
  }

  const ROUTES: RouteCase[] = [
    // --- procurement files ---
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders',
      access: { kind: 'tender', action: 'tender.read' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/tenders` }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders',
      access: { kind: 'tender', action: 'tender.edit' },
      ok: 201,
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/tenders`,
        payload: tenderPayload(t.clock.now(), { reference: `M-${nextSeq()}` }),
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}',
      access: { kind: 'tender', action: 'tender.read' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/tenders/${tenderId}` }),
    },
    {
      method: 'PUT',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}',
      access: { kind: 'tender', action: 'tender.edit' },
      ok: 200,
      build: async () => {
        const row = await t.db.db
          .selectFrom('tender')
          .select(['version', 'reference'])
          .where('id', '=', tenderId)
          .executeTakeFirstOrThrow();
        return {
          url: `/api/v1/authorities/${authorityId}/tenders/${tenderId}`,
          payload: { ...tenderPayload(t.clock.now(), { reference: row.reference }), version: row.version },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/assignments',
      access: { kind: 'tender', action: 'tender.read' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/tenders/${tenderId}/assignments` }),
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/approvals',
      access: { kind: 'tender', action: 'tender.read' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/tenders/${tenderId}/approvals` }),
    },
    {
      method: 'PUT',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/assignments',
      access: { kind: 'tender', action: 'tender.edit' },
      ok: 200,
      build: async () => {
        const row = await t.db.db
          .selectFrom('tender')
          .select('version')
          .where('id', '=', tenderId)
          .executeTakeFirstOrThrow();
        return {
          url: `/api/v1/authorities/${authorityId}/tenders/${tenderId}/assignments`,
          payload: { version: row.version, committee: [], custodians: [] },
        };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/submit',
      access: { kind: 'tender', action: 'tender.submit' },
      // Past the policy, the draft's blocking findings refuse it: 422 shows the call was allowed.
      ok: 422,
      okCode: 'CHECKS_FAILED',
      build: async () => {
        const row = await t.db.db
          .selectFrom('tender')
          .select('version')
          .where('id', '=', tenderId)
          .executeTakeFirstOrThrow();
        return {
          url: `/api/v1/authorities/${authorityId}/tenders/${tenderId}/submit`,
          payload: { version: row.version },
        };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/approvals',
      access: { kind: 'tender', action: 'tender.read' },
      // A draft has no pending step (409); who may decide a step is tested in tender-workflow.test.ts.
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${tenderId}/approvals`,
        payload: { decision: 'approved' },
      }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/publish',
      access: { kind: 'tender', action: 'tender.publish' },
      // A draft cannot be published (409): reaching that answer shows the call was allowed.
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: async () => {
        const row = await t.db.db
          .selectFrom('tender')
          .select('version')
          .where('id', '=', tenderId)
          .executeTakeFirstOrThrow();
        return {
          url: `/api/v1/authorities/${authorityId}/tenders/${tenderId}/publish`,
          payload: { version: row.version },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/me/approvals',
      access: { kind: 'signed_in' },
      ok: 200,
      build: () => ({ url: '/api/v1/me/approvals' }),
    },
    {
      method: 'POST',
      path: '/api/v1/formulas/simulate',
      access: { kind: 'signed_in' },
      ok: 200,
      // The scoring simulator is a drafting tool for any authority's staff (any role): platform
      // administrators and company users hold no authority role (formula-simulator.routes.ts).
      except: { platform_admin: 403, company_admin: 403, bidder: 403 },
      build: () => ({
        url: '/api/v1/formulas/simulate',
        payload: {
          spec: { kind: 'price', formula: 'F1', params: {}, decimals: 2, zeroDivisor: 'all_zero' },
          maxPoints: '35',
          budget: '100000',
          offers: [{ id: 'a', amount: '80000' }],
        },
      }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/corrigenda',
      access: { kind: 'tender', action: 'tender.publish' },
      // A draft cannot be corrected (409): reaching that answer shows the call was allowed.
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: async () => {
        const row = await t.db.db
          .selectFrom('tender')
          .select('version')
          .where('id', '=', tenderId)
          .executeTakeFirstOrThrow();
        return {
          url: `/api/v1/authorities/${authorityId}/tenders/${tenderId}/corrigenda`,
          payload: { version: row.version, reason: 'Errata', substantial: false },
        };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/cancel',
      access: { kind: 'tender', action: 'tender.publish' },
      ok: 200,
      // Each call cancels a draft of its own.
      build: async () => {
        const officer = actors.get('procurement_officer')?.session;
        const res = await t.app.inject({
          method: 'POST',
          url: `/api/v1/authorities/${authorityId}/tenders`,
          headers: officer?.headers,
          payload: tenderPayload(t.clock.now(), { reference: `C-${nextSeq()}` }),
        });
        const id = (res.json() as { id: string }).id;
        return {
          url: `/api/v1/authorities/${authorityId}/tenders/${id}/cancel`,
          payload: { version: 1, kind: 'desistimiento', reason: 'Defecte no esmenable' },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/questions',
      access: { kind: 'tender', action: 'tender.read' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/questions` }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/questions/{questionId}/answer',
      access: { kind: 'tender', action: 'tender.publish' },
      ok: 200,
      // Each call answers a question of its own.
      build: async () => {
        const questionId = newId();
        await t.db.db
          .insertInto('tender_question')
          .values({
            id: questionId,
            tender_id: publishedId,
            authority_id: authorityId,
            company_id: companyId,
            asked_by: signInTarget.id,
            question: 'Q?',
            asked_at: t.clock.now(),
          })
          .execute();
        return {
          url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/questions/${questionId}/answer`,
          payload: { answer: 'A.' },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/tenders/{ocid}',
      access: { kind: 'public' },
      ok: 200,
      build: () => ({ url: `/api/v1/tenders/${publishedOcid}` }),
    },
    {
      method: 'GET',
      path: '/api/v1/tenders/{ocid}/documents/{documentId}',
      access: { kind: 'public' },
      ok: 200,
      build: () => ({ url: `/api/v1/tenders/${publishedOcid}/documents/${publishedDocumentId}` }),
    },
    {
      method: 'POST',
      path: '/api/v1/tenders/{ocid}/questions',
      access: { kind: 'company', action: 'company.read' },
      ok: 201,
      build: () => ({
        url: `/api/v1/tenders/${publishedOcid}/questions`,
        payload: { companyId, question: 'Quina és la durada?' },
      }),
    },
    {
      method: 'PUT',
      path: '/api/v1/tenders/{ocid}/follow',
      access: { kind: 'signed_in' },
      ok: 204,
      build: () => ({ url: `/api/v1/tenders/${publishedOcid}/follow` }),
    },
    {
      method: 'DELETE',
      path: '/api/v1/tenders/{ocid}/follow',
      access: { kind: 'signed_in' },
      ok: 204,
      build: () => ({ url: `/api/v1/tenders/${publishedOcid}/follow` }),
    },
    // --- documents of a procurement file ---
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/documents',
      access: { kind: 'tender', action: 'tender.edit' },
      ok: 201,
      build: () => documentUpload(`/api/v1/authorities/${authorityId}/tenders/${tenderId}/documents`),
      verify: async () => {
        const rows = await t.db.db
          .selectFrom('tender_document')
          .select('id')
          .where('tender_id', '=', tenderId)
          .execute();
        expect(rows.length).toBeGreaterThan(0);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/documents',
      access: { kind: 'tender', action: 'tender.read' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/tenders/${tenderId}/documents` }),
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/documents/{documentId}/content',
      access: { kind: 'tender', action: 'tender.read' },
      ok: 200,
      // A document of its own for each call, uploaded by the officer.
      build: async () => {
        const upload = documentUpload(`/api/v1/authorities/${authorityId}/tenders/${tenderId}/documents`);
        const res = await t.app.inject({
          method: 'POST',
          url: upload.url,
          headers: { ...actors.get('procurement_officer')?.session?.headers, ...upload.headers },
          payload: upload.payload as Buffer,
        });
        const id = (res.json() as { id: string }).id;
        return { url: `/api/v1/authorities/${authorityId}/tenders/${tenderId}/documents/${id}/content` };
      },
    },
    // --- identity ---
    {
      method: 'GET',
      path: '/api/v1/auth/csrf',
      access: { kind: 'public' },
      ok: 200,
      build: () => ({ url: '/api/v1/auth/csrf' }),
    },
    {
      method: 'POST',
      path: '/api/v1/auth/login',
      access: { kind: 'public' },
      ok: 200,
      build: () => ({
        url: '/api/v1/auth/login',
        payload: { email: signInTarget.email, password: PASSWORD },
      }),
    },
    {
      method: 'POST',
      path: '/api/v1/auth/logout',
      // Signing out without a session is a harmless no-op.
      access: { kind: 'public' },
      ok: 204,
      build: async (a) => {
        if (!a.user) return { url: '/api/v1/auth/logout' };
        // A session of its own, so that the caller's main session survives the matrix.
        const s = await login(t, a.user.email, PASSWORD, { remoteAddress: a.ip });
        return { url: '/api/v1/auth/logout', headers: s.headers };
      },
      verify: async (built) => {
        const cookie = built.headers?.cookie;
        if (!cookie) return;
        const value = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(cookie)?.[1] ?? '';
        const row = await t.db.db
          .selectFrom('user_session')
          .select('id_hash')
          .where('id_hash', '=', hashToken(value))
          .executeTakeFirst();
        expect(row).toBeUndefined();
      },
    },
    {
      method: 'POST',
      path: '/api/v1/auth/password-reset',
      access: { kind: 'public' },
      ok: 202,
      build: () => ({
        url: '/api/v1/auth/password-reset',
        payload: { email: `${unique('nobody')}@test.example` },
      }),
    },
    {
      method: 'POST',
      path: '/api/v1/auth/password-reset/confirm',
      access: { kind: 'public' },
      ok: 204,
      build: async () => {
        const owner = await makeUser(t);
        const token = `pr_${randomBytes(32).toString('base64url')}`;
        await t.db.db
          .insertInto('password_reset_token')
          .values({
            token_hash: hashToken(token),
            user_id: owner.id,
            created_at: t.clock.now(),
            expires_at: new Date(t.clock.now().getTime() + 3_600_000),
          })
          .execute();
        return {
          url: '/api/v1/auth/password-reset/confirm',
          payload: { token, newPassword: 'a brand new passphrase 2024' },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/me',
      access: { kind: 'signed_in' },
      ok: 200,
      build: () => ({ url: '/api/v1/me' }),
    },
    {
      method: 'PUT',
      path: '/api/v1/me/password',
      access: { kind: 'signed_in' },
      ok: 204,
      // The same password again: the caller can still sign in afterwards.
      build: () => ({
        url: '/api/v1/me/password',
        payload: { currentPassword: PASSWORD, newPassword: PASSWORD },
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/me/api-tokens',
      access: { kind: 'signed_in' },
      ok: 200,
      build: () => ({ url: '/api/v1/me/api-tokens' }),
    },
    {
      method: 'POST',
      path: '/api/v1/me/api-tokens',
      access: { kind: 'signed_in' },
      ok: 201,
      // A token is scoped to an authority or company of its owner; a platform administrator
      // with no membership has none to scope it to, so the authority "does not exist" for it.
      except: { platform_admin: 404 },
      build: (a) => ({
        url: '/api/v1/me/api-tokens',
        payload: {
          name: 'matrix',
          expiresInDays: 30,
          ...(a.companyRole ? { companyId } : { authorityId }),
        },
      }),
    },
    {
      method: 'DELETE',
      path: '/api/v1/me/api-tokens/{tokenId}',
      access: { kind: 'signed_in' },
      ok: 204,
      build: async (a) => ({
        url: `/api/v1/me/api-tokens/${await insertApiToken(a.user?.id ?? signInTarget.id)}`,
      }),
      verify: async (built) => {
        const id = built.url.split('/').at(-1) ?? '';
        const row = await t.db.db
          .selectFrom('api_token')
          .select('revoked_at')
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        expect(row.revoked_at).not.toBeNull();
      },
    },
    // --- tenancy ---
    {
      method: 'GET',
      path: '/api/v1/authorities',
      access: { kind: 'public' },
      ok: 200,
      build: () => ({ url: '/api/v1/authorities' }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities',
      access: { kind: 'platform' },
      ok: 201,
      build: () => {
        const n = String(nextSeq()).padStart(6, '0');
        return {
          url: '/api/v1/authorities',
          payload: {
            slug: `matrix-${n}`,
            name: { ca: `Matriu ${n}`, es: `Matriz ${n}`, en: `Matrix ${n}` },
            dir3Code: `L09${n}`,
            ocidPrefix: `ocds-m${n.slice(1)}`,
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}',
      access: { kind: 'public' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}` }),
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/settings',
      access: { kind: 'authority', action: 'authority.read_settings' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/settings` }),
    },
    {
      method: 'PATCH',
      path: '/api/v1/authorities/{authorityId}',
      access: { kind: 'authority', action: 'authority.update' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}`, payload: { priceWeightCap: '35' } }),
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/members',
      access: { kind: 'authority', action: 'member.list' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/members` }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/members',
      access: { kind: 'authority', action: 'member.manage' },
      ok: 201,
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/members`,
        payload: {
          email: `${unique('staff')}@test.example`,
          name: 'New Staff',
          roles: ['committee_member'],
        },
      }),
    },
    {
      method: 'PUT',
      path: '/api/v1/authorities/{authorityId}/members/{userId}',
      access: { kind: 'authority', action: 'member.manage' },
      ok: 200,
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/members/${target.id}`,
        payload: { roles: ['committee_member'] },
      }),
    },
    {
      method: 'DELETE',
      path: '/api/v1/authorities/{authorityId}/members/{userId}',
      access: { kind: 'authority', action: 'member.manage' },
      ok: 204,
      build: async () => {
        const m = await makeUser(t, { roles: [{ authorityId, roles: ['committee_member'] }] });
        return { url: `/api/v1/authorities/${authorityId}/members/${m.id}` };
      },
      verify: async (built) => {
        const userId = built.url.split('/').at(-1) ?? '';
        const row = await t.db.db
          .selectFrom('membership')
          .select('user_id')
          .where('authority_id', '=', authorityId)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        expect(row).toBeUndefined();
      },
    },
    {
      method: 'GET',
      path: '/api/v1/consortia',
      access: { kind: 'public' },
      ok: 200,
      build: () => ({ url: '/api/v1/consortia' }),
    },
    {
      method: 'POST',
      path: '/api/v1/consortia',
      access: { kind: 'platform' },
      ok: 201,
      build: () => ({
        url: '/api/v1/consortia',
        payload: {
          slug: `consortium-${nextSeq()}`,
          name: { ca: 'Consorci', es: 'Consorcio', en: 'Consortium' },
        },
      }),
    },
    // --- companies ---
    {
      method: 'POST',
      path: '/api/v1/companies',
      access: { kind: 'public' },
      ok: 201,
      build: () => ({
        url: '/api/v1/companies',
        payload: {
          legalName: `Matrix ${nextSeq()} SL`,
          taxId: validNif(),
          isSme: true,
          address: { street: 'Carrer Major 1', locality: 'Girona', postalCode: '17001' },
          admin: { name: 'Founder', email: `${unique('founder')}@test.example`, password: PASSWORD },
        },
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/companies/{companyId}',
      access: { kind: 'company', action: 'company.read' },
      ok: 200,
      build: () => ({ url: `/api/v1/companies/${companyId}` }),
    },
    {
      method: 'PATCH',
      path: '/api/v1/companies/{companyId}',
      access: { kind: 'company', action: 'company.update' },
      ok: 200,
      build: () => ({ url: `/api/v1/companies/${companyId}`, payload: { isSme: true } }),
    },
    {
      method: 'GET',
      path: '/api/v1/companies/{companyId}/members',
      access: { kind: 'company', action: 'company.members' },
      ok: 200,
      build: () => ({ url: `/api/v1/companies/${companyId}/members` }),
    },
    {
      method: 'POST',
      path: '/api/v1/companies/{companyId}/members',
      access: { kind: 'company', action: 'company.members' },
      ok: 201,
      build: () => ({
        url: `/api/v1/companies/${companyId}/members`,
        payload: { email: `${unique('clerk')}@test.example`, name: 'Clerk', roles: ['bidder'] },
      }),
    },
    {
      method: 'POST',
      path: '/api/v1/companies/{companyId}/emails',
      access: { kind: 'company', action: 'company.update' },
      ok: 201,
      build: () => ({
        url: `/api/v1/companies/${companyId}/emails`,
        payload: { email: `${unique('contact')}@test.example`, purpose: 'billing' },
      }),
    },
    {
      method: 'DELETE',
      path: '/api/v1/companies/{companyId}/emails/{emailId}',
      access: { kind: 'company', action: 'company.update' },
      ok: 200,
      build: async () => {
        const id = newId();
        await t.db.db
          .insertInto('company_email')
          .values({ id, company_id: companyId, email: `${unique('old')}@test.example` })
          .execute();
        return { url: `/api/v1/companies/${companyId}/emails/${id}` };
      },
      verify: async (built) => {
        const id = built.url.split('/').at(-1) ?? '';
        const row = await t.db.db
          .selectFrom('company_email')
          .select('id')
          .where('id', '=', id)
          .executeTakeFirst();
        expect(row).toBeUndefined();
      },
    },
    // --- procurement plan ---
    {
      method: 'GET',
      path: '/api/v1/plan',
      access: { kind: 'public' },
      ok: 200,
      build: () => ({ url: '/api/v1/plan?q=neteja&year=2027' }),
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/planned-contracts',
      access: { kind: 'plan', action: 'plan.read' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/planned-contracts` }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/planned-contracts',
      access: { kind: 'plan', action: 'plan.edit' },
      ok: 201,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/planned-contracts`, payload: planPayload() }),
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/planned-contracts/{plannedContractId}',
      access: { kind: 'plan', action: 'plan.read' },
      ok: 200,
      build: async () => ({
        url: `/api/v1/authorities/${authorityId}/planned-contracts/${await plannedItem()}`,
      }),
    },
    {
      method: 'PUT',
      path: '/api/v1/authorities/{authorityId}/planned-contracts/{plannedContractId}',
      access: { kind: 'plan', action: 'plan.edit' },
      ok: 200,
      build: async () => ({
        url: `/api/v1/authorities/${authorityId}/planned-contracts/${await plannedItem()}`,
        payload: { ...planPayload(), version: 1 },
      }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/planned-contracts/{plannedContractId}/withdraw',
      access: { kind: 'plan', action: 'plan.edit' },
      ok: 200,
      build: async () => ({
        url: `/api/v1/authorities/${authorityId}/planned-contracts/${await plannedItem()}/withdraw`,
        payload: { version: 1, reason: 'Matrix' },
      }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/planned-contracts/{plannedContractId}/start-file',
      access: { kind: 'plan', action: 'plan.edit' },
      ok: 201,
      build: async () => ({
        url: `/api/v1/authorities/${authorityId}/planned-contracts/${await plannedItem()}/start-file`,
        payload: { reference: `PLAN-${nextSeq()}` },
      }),
    },
    // --- holidays ---
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/holidays',
      access: { kind: 'public' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/holidays` }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/holidays',
      access: { kind: 'authority', action: 'holiday.manage' },
      ok: 201,
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/holidays`,
        payload: { day: nextHolidayDay(), name: 'Matrix' },
      }),
    },
    {
      method: 'DELETE',
      path: '/api/v1/authorities/{authorityId}/holidays/{day}',
      access: { kind: 'authority', action: 'holiday.manage' },
      ok: 204,
      build: async () => {
        const day = nextHolidayDay();
        await t.db.db
          .insertInto('authority_holiday')
          .values({ authority_id: authorityId, day, name: 'Matrix' })
          .execute();
        return { url: `/api/v1/authorities/${authorityId}/holidays/${day}` };
      },
    },
    // --- custodian keys ---
    {
      method: 'PUT',
      path: '/api/v1/authorities/{authorityId}/custodian-keys/me',
      access: { kind: 'custody', action: 'custody.register_own' },
      ok: 200,
      // A fresh key each call: registering one replaces the caller's previous key.
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/custodian-keys/me`,
        payload: { recipient: generateCustodianKeyPair().recipient },
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/custodian-keys',
      access: { kind: 'custody', action: 'custody.list' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/custodian-keys` }),
    },
    {
      method: 'DELETE',
      path: '/api/v1/authorities/{authorityId}/custodian-keys/{keyId}',
      access: { kind: 'custody', action: 'custody.revoke' },
      ok: 200,
      // Each call revokes a new key of a new custodian, assigned to no file.
      build: async () => {
        const holder = await makeUser(t, { roles: [{ authorityId, roles: ['key_custodian'] }] });
        const keys = await registerCustodianKeys(t, authorityId, [holder.id]);
        return { url: `/api/v1/authorities/${authorityId}/custodian-keys/${keys.get(holder.id)?.keyId}` };
      },
    },
    // --- opening with a quorum ---
    // The matrix's published tender has no sealing target nor envelopes: an allowed caller gets
    // past the policy and stops at the state check (INVALID_TRANSITION).
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/opening/{envelope}/shares',
      access: { kind: 'opening', action: 'opening.submit_shares' },
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/opening/A/shares`,
        payload: { shares: [] },
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/opening/{envelope}/shares/mine',
      access: { kind: 'opening', action: 'opening.read_own_shares' },
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/opening/A/shares/mine`,
      }),
    },
    // --- evaluation: qualification ---
    // The matrix's published tender has no envelopes: an allowed caller stops at the state check.
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/qualification',
      access: { kind: 'evaluation', action: 'evaluation.read' },
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({ url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/qualification` }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/qualification/{bidId}',
      access: { kind: 'evaluation', action: 'evaluation.qualify' },
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/qualification/${newId()}`,
        payload: { version: 0, decision: 'admit' },
      }),
    },
    // --- evaluation: judgement scoring of envelope B ---
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/judgement',
      access: { kind: 'evaluation', action: 'evaluation.read' },
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({ url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/judgement` }),
    },
    {
      method: 'PUT',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/judgement/{bidId}/lots/{lot}/criteria/{criterion}',
      access: { kind: 'evaluation', action: 'evaluation.score' },
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/judgement/${newId()}/lots/1/criteria/3`,
        payload: { points: '10', justification: 'Proposta tècnica ben justificada' },
      }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/judgement/report',
      access: { kind: 'evaluation', action: 'evaluation.approve_report' },
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/judgement/report`,
        payload: {},
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/scoring',
      access: { kind: 'evaluation', action: 'evaluation.read' },
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({ url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/scoring` }),
    },
    // --- evaluation: abnormal-offer review (the matrix's tender never opened C: 409 once allowed) ---
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/abnormal-offers',
      access: { kind: 'evaluation', action: 'evaluation.read' },
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({ url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/abnormal-offers` }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/abnormal-offers/{bidId}/lots/{lot}',
      access: { kind: 'evaluation', action: 'evaluation.review_abnormal' },
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/abnormal-offers/${newId()}/lots/1`,
        payload: { version: 0, event: 'request_justification', days: 5 },
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/tenders/{ocid}/judgement-report',
      access: { kind: 'public' },
      // The matrix's tender has no approved report: the public answer is 404 for everyone.
      ok: 404,
      build: () => ({ url: `/api/v1/tenders/${publishedOcid}/judgement-report` }),
    },
    {
      method: 'GET',
      path: '/api/v1/tenders/{ocid}/openings',
      access: { kind: 'public' },
      ok: 200,
      build: () => ({ url: `/api/v1/tenders/${publishedOcid}/openings` }),
    },
    // --- evaluation: award of lots (the matrix's tender never opened C: 409 once allowed) ---
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/awards',
      access: { kind: 'evaluation', action: 'evaluation.read' },
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({ url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/awards` }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/awards/{lot}',
      access: { kind: 'evaluation', action: 'evaluation.propose_award' },
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/awards/1`,
        payload: { version: 0, event: 'propose' },
      }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/awards/{lot}/draw',
      access: { kind: 'evaluation', action: 'evaluation.propose_award' },
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/awards/1/draw`,
        payload: { version: 0, order: [newId(), newId()] },
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/tenders/{ocid}/awards',
      access: { kind: 'public' },
      ok: 200,
      build: () => ({ url: `/api/v1/tenders/${publishedOcid}/awards` }),
    },
    // --- contract management (contract.routes.ts; the matrix's tender has no contract: 404 once allowed) ---
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/contracts',
      access: { kind: 'evaluation', action: 'evaluation.read_contracts' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/contracts?tenderId=${publishedId}` }),
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/contracts/{contractId}',
      access: { kind: 'evaluation', action: 'evaluation.read_contracts' },
      ok: 404,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/contracts/${newId()}` }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/contracts/{contractId}/events',
      access: { kind: 'evaluation', action: 'evaluation.manage_contracts' },
      ok: 404,
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/contracts/${newId()}/events`,
        payload: { version: 0, type: 'start' },
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/tenders/{ocid}/contracts',
      access: { kind: 'public' },
      ok: 200,
      build: () => ({ url: `/api/v1/tenders/${publishedOcid}/contracts` }),
    },
    // --- documents of contracts (contract-document.routes.ts; no contract here: 404 once allowed) ---
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/contracts/{contractId}/documents',
      access: { kind: 'evaluation', action: 'evaluation.manage_contracts' },
      ok: 404,
      build: () => documentUpload(`/api/v1/authorities/${authorityId}/contracts/${newId()}/documents`),
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/contracts/{contractId}/documents',
      access: { kind: 'evaluation', action: 'evaluation.read_contracts' },
      ok: 404,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/contracts/${newId()}/documents` }),
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/contracts/{contractId}/documents/{documentId}/content',
      access: { kind: 'evaluation', action: 'evaluation.read_contracts' },
      ok: 404,
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/contracts/${newId()}/documents/${newId()}/content`,
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/tenders/{ocid}/contracts/{contractId}/documents/{sha256}',
      access: { kind: 'public' },
      ok: 404,
      build: () => ({
        url: `/api/v1/tenders/${publishedOcid}/contracts/${newId()}/documents/${'0'.repeat(64)}`,
      }),
    },
    // --- the committee's minutes (minutes.routes.ts) ---
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/minutes',
      access: { kind: 'evaluation', action: 'evaluation.read' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/minutes` }),
    },
    {
      method: 'GET',
      path: '/api/v1/tenders/{ocid}/minutes',
      access: { kind: 'public' },
      ok: 200,
      build: () => ({ url: `/api/v1/tenders/${publishedOcid}/minutes` }),
    },
    // --- selection and negotiation (selection.routes.ts; the matrix's tender is an open procedure,
    // so an allowed call ends in a state error where the phase does not exist) ---
    {
      method: 'POST',
      path: '/api/v1/tenders/{ocid}/participation-requests',
      access: { kind: 'bid', action: 'bid.submit' },
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({
        url: `/api/v1/tenders/${publishedOcid}/participation-requests`,
        payload: { companyId, statement: 'Solvència acreditada' },
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/tenders/{ocid}/participation',
      access: { kind: 'bid', action: 'bid.read' },
      ok: 200,
      build: () => ({ url: `/api/v1/tenders/${publishedOcid}/participation?companyId=${companyId}` }),
    },
    {
      method: 'POST',
      path: '/api/v1/tenders/{ocid}/negotiation-rounds/{number}/answers',
      access: { kind: 'bid', action: 'bid.submit' },
      ok: 403,
      okCode: 'NOT_INVITED',
      build: () => ({
        url: `/api/v1/tenders/${publishedOcid}/negotiation-rounds/1/answers`,
        payload: { companyId, text: 'Resposta' },
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/participation-requests',
      access: { kind: 'selection', action: 'selection.read' },
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/participation-requests`,
      }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/participation-requests/{requestId}',
      access: { kind: 'selection', action: 'selection.decide' },
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/participation-requests/${newId()}`,
        payload: { version: 1, decision: 'selected' },
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/invitations',
      access: { kind: 'selection', action: 'selection.read' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/invitations` }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/invitations',
      access: { kind: 'selection', action: 'selection.invite' },
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/invitations`,
        payload: { companyIds: [companyId] },
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/negotiation',
      access: { kind: 'selection', action: 'selection.read' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/negotiation` }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/negotiation-rounds',
      access: { kind: 'selection', action: 'selection.negotiate' },
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${publishedId}/negotiation-rounds`,
        payload: { subject: 'Preu', message: 'Millores del preu', responsesDue: '2099-01-01T10:00:00Z' },
      }),
    },
    // --- bid receipts ---
    {
      method: 'GET',
      path: '/api/v1/receipt-keys',
      access: { kind: 'public' },
      ok: 200,
      build: () => ({ url: '/api/v1/receipt-keys' }),
    },
    // --- sealed bids ---
    {
      method: 'PUT',
      path: '/api/v1/tenders/{ocid}/bids/{bidId}/blobs/{sha256}',
      access: { kind: 'bid', action: 'bid.submit' },
      ok: 201,
      build: async () => {
        const tender = await sealedTender();
        const bytes = randomBytes(64);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        return {
          url: `/api/v1/tenders/${tender.ocid}/bids/${newId()}/blobs/${sha256}?companyId=${companyId}`,
          payload: bytes,
          headers: { 'content-type': 'application/octet-stream' },
        };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/tenders/{ocid}/bids/{bidId}/versions',
      access: { kind: 'bid', action: 'bid.submit' },
      ok: 201,
      build: () => matrixVersion(),
    },
    {
      method: 'POST',
      path: '/api/v1/tenders/{ocid}/bids/{bidId}/withdraw',
      access: { kind: 'bid', action: 'bid.withdraw' },
      ok: 201,
      // A submitted bid each call (a new version of the company's bid), so the withdrawal can succeed.
      build: async () => {
        const tender = await submitMatrixBid();
        return { url: `/api/v1/tenders/${tender.ocid}/bids/${matrixBidId}/withdraw`, payload: { companyId } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/tenders/{ocid}/bids/{bidId}/receipts',
      access: { kind: 'bid', action: 'bid.read' },
      ok: 200,
      build: async () => {
        const tender = await submitMatrixBid();
        return { url: `/api/v1/tenders/${tender.ocid}/bids/${matrixBidId}/receipts` };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/tenders/{ocid}/bids/commitment',
      access: { kind: 'public' },
      // Public, but only after the deadline: before it, everyone gets the same refusal.
      ok: 409,
      okCode: 'COMMITMENT_NOT_YET',
      build: async () => ({ url: `/api/v1/tenders/${(await sealedTender()).ocid}/bids/commitment` }),
    },
    // --- public tender search ---
    {
      method: 'GET',
      path: '/api/v1/tenders',
      access: { kind: 'public' },
      ok: 200,
      build: () => ({ url: '/api/v1/tenders?q=neteja&sort=deadline' }),
    },
    // --- minor contracts ---
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/minor-contracts',
      access: { kind: 'public' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/minor-contracts?year=2026&quarter=4` }),
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/minor',
      access: { kind: 'tender', action: MINOR_ACTIONS['minor.read'] },
      ok: 200,
      build: async () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${(await minorFiles()).inviting}/minor`,
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/minor/suggestions',
      access: { kind: 'tender', action: MINOR_ACTIONS['minor.invite'] },
      ok: 200,
      build: async () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${(await minorFiles()).inviting}/minor/suggestions`,
      }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/minor/start',
      access: { kind: 'tender', action: MINOR_ACTIONS['minor.invite'] },
      // The request is already open (409): reaching that answer shows the call was allowed.
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: async () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${(await minorFiles()).inviting}/minor/start`,
        payload: {
          quoteDeadline: new Date(t.clock.now().getTime() + 86_400_000).toISOString(),
          companyIds: [companyId],
          justification: 'Únic proveïdor de la zona',
        },
      }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/minor/invitations',
      access: { kind: 'tender', action: MINOR_ACTIONS['minor.invite'] },
      // The company is already invited (422): reaching that answer shows the call was allowed.
      ok: 422,
      okCode: 'UNPROCESSABLE',
      build: async () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${(await minorFiles()).inviting}/minor/invitations`,
        payload: { companyIds: [companyId] },
      }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/minor/award',
      access: { kind: 'tender', action: MINOR_ACTIONS['minor.award'] },
      // Quotes are sealed until the deadline (409): reaching that answer shows the call was allowed.
      ok: 409,
      okCode: 'QUOTES_SEALED',
      build: async () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${(await minorFiles()).inviting}/minor/award`,
        payload: { quoteId: newId(), justification: 'Millor preu rebut' },
      }),
    },
    {
      method: 'POST',
      path: '/api/v1/authorities/{authorityId}/tenders/{tenderId}/minor/void',
      access: { kind: 'tender', action: MINOR_ACTIONS['minor.award'] },
      // A draft has no request for quotes to close (409).
      ok: 409,
      okCode: 'INVALID_TRANSITION',
      build: async () => ({
        url: `/api/v1/authorities/${authorityId}/tenders/${(await minorFiles()).draft}/minor/void`,
        payload: { reason: 'Ja no cal el servei' },
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/companies/{companyId}/minor-invitations',
      access: { kind: 'company', action: 'company.read' },
      ok: 200,
      build: () => ({ url: `/api/v1/companies/${companyId}/minor-invitations` }),
    },
    {
      method: 'PUT',
      path: '/api/v1/companies/{companyId}/minor-invitations/{tenderId}/quote',
      access: { kind: 'company', action: 'company.read' },
      ok: 200,
      build: async () => ({
        url: `/api/v1/companies/${companyId}/minor-invitations/${(await minorFiles()).inviting}/quote`,
        payload: { amountExclVat: '8500.00' },
      }),
    },
    // --- audit ---
    {
      method: 'GET',
      path: '/api/v1/authorities/{authorityId}/audit-events',
      access: { kind: 'authority', action: 'audit.read' },
      ok: 200,
      build: () => ({ url: `/api/v1/authorities/${authorityId}/audit-events` }),
    },
    {
      method: 'GET',
      path: '/api/v1/audit-events',
      access: { kind: 'platform' },
      ok: 200,
      build: () => ({ url: '/api/v1/audit-events' }),
    },
  ];

  /** Operational routes outside the OpenAPI document. */
  const UNDOCUMENTED: RouteCase[] = [
    '/healthz',
    '/readyz',
    '/api/openapi.json',
    // OCDS API (issue 6): public, shaped by the standard, outside the /api/v1 OpenAPI document.
    // Contracta's own OCDS extension, at the URL every package declares.
    '/ocds/v1/extensions/documentIntegrity/extension.json',
    '/ocds/v1/extensions/documentIntegrity/release-schema.json',
    // OCDS bulk files (issue 6 point 3): the index answers before any file is generated.
    '/ocds/v1/bulk',
  ]
    .map((url) => ({
      method: 'GET' as const,
      path: url,
      access: { kind: 'public' as const },
      ok: 200,
      build: () => ({ url }),
    }))
    .concat(
      // The change feeds: a page with nothing to serve is 204 No Content (an empty package is invalid).
      [
        '/ocds/v1/releases?authority=00000000-0000-4000-8000-000000000000',
        '/ocds/v1/records?authority=00000000-0000-4000-8000-000000000000',
      ].map((url) => ({
        method: 'GET' as const,
        path: url,
        access: { kind: 'public' as const },
        ok: 204,
        build: () => ({ url }),
      })),
    )
    .concat(
      [
        '/ocds/v1/releases/unknown-release',
        '/ocds/v1/records/ocds-unknown-1',
        '/ocds/v1/extensions/unknown/extension.json',
        // Not generated in the test app's data directory: 404 for everyone alike.
        '/ocds/v1/bulk/releases.jsonl.gz',
        '/ocds/v1/bulk/records.jsonl.gz',
        '/ocds/v1/bulk/daily/2026-01-01.releases.jsonl.gz',
        '/ocds/v1/bulk/contracts.csv',
      ].map((url) => ({
        method: 'GET' as const,
        path: url,
        access: { kind: 'public' as const },
        ok: 404,
        build: () => ({ url }),
      })),
    );

  async function send(a: Actor, method: Method, built: Built) {
    const options: InjectOptions = {
      method,
      url: built.url,
      remoteAddress: a.ip,
      headers: { ...(a.session?.headers ?? {}), ...(built.headers ?? {}) },
      ...(built.payload ? { payload: built.payload } : {}),
    };
    return t.app.inject(options);
  }

  async function check(rc: RouteCase, actorName: ActorName, want: number): Promise<void> {
    const a = actors.get(actorName);
    if (!a) throw new Error(`no actor ${actorName}`);
    const built = await rc.build(a);
    const isWrite = rc.method !== 'GET';
    const before = isWrite ? await rowCounts(t) : undefined;
    const res = await send(a, rc.method, built);
    expect(res.statusCode, res.body).toBe(want);
    if (want >= 400) {
      expect((res.json() as { code: string }).code).toBe(
        want === rc.ok && rc.okCode ? rc.okCode : ERROR_CODE[want],
      );
      // A refused call writes nothing, not even an audit event.
      if (before) expect(await rowCounts(t)).toEqual(before);
    } else if (rc.verify) {
      await rc.verify(built);
    }
  }

  it('covers every route of the OpenAPI document, and only those', () => {
    const doc = t.app.swagger() as { paths?: Record<string, Record<string, unknown>> };
    const methods = new Set(['get', 'post', 'put', 'patch', 'delete']);
    const documented = Object.entries(doc.paths ?? {})
      .flatMap(([path, ops]) =>
        Object.keys(ops)
          .filter((m) => methods.has(m))
          .map((m) => `${m.toUpperCase()} ${path}`),
      )
      .sort();
    expect(documented.length).toBeGreaterThan(20);
    expect(ROUTES.map((r) => `${r.method} ${r.path}`).sort()).toEqual(documented);
  });

  for (const rc of [...ROUTES, ...UNDOCUMENTED]) {
    describe(`${rc.method} ${rc.path}`, () => {
      for (const spec of ACTOR_SPECS) {
        const want = expectedStatus(rc, spec);
        it(`${spec.name} → ${want}`, async () => {
          await check(rc, spec.name, want);
        });
      }
    });
  }

  // Written out by hand, independently of the policy tables: if a table wrongly grants or
  // withholds one of these, the derived matrix above would agree with it, but these would not.
  const SPOT_CHECKS: [ActorName, Method, string, number][] = [
    ['auditor', 'PATCH', '/api/v1/authorities/{authorityId}', 403],
    ['auditor', 'GET', '/api/v1/authorities/{authorityId}/members', 200],
    ['auditor', 'GET', '/api/v1/authorities/{authorityId}/audit-events', 200],
    ['auditor', 'POST', '/api/v1/authorities/{authorityId}/members', 403],
    ['procurement_officer', 'GET', '/api/v1/authorities/{authorityId}/settings', 200],
    ['procurement_officer', 'GET', '/api/v1/authorities/{authorityId}/members', 403],
    ['procurement_officer', 'GET', '/api/v1/authorities/{authorityId}/audit-events', 403],
    ['committee_member', 'DELETE', '/api/v1/authorities/{authorityId}/members/{userId}', 403],
    ['key_custodian', 'PUT', '/api/v1/authorities/{authorityId}/members/{userId}', 403],
    ['approver_legal', 'POST', '/api/v1/authorities', 403],
    ['approver_financial', 'GET', '/api/v1/audit-events', 403],
    ['authority_admin', 'PATCH', '/api/v1/authorities/{authorityId}', 200],
    ['authority_admin', 'DELETE', '/api/v1/authorities/{authorityId}/members/{userId}', 204],
    ['authority_admin', 'GET', '/api/v1/companies/{companyId}', 404],
    ['platform_admin', 'PATCH', '/api/v1/authorities/{authorityId}', 200],
    ['platform_admin', 'GET', '/api/v1/companies/{companyId}', 404],
    ['company_admin', 'GET', '/api/v1/authorities/{authorityId}/settings', 404],
    ['company_admin', 'PATCH', '/api/v1/companies/{companyId}', 200],
    ['company_admin', 'GET', '/api/v1/companies/{companyId}/members', 200],
    ['bidder', 'GET', '/api/v1/companies/{companyId}', 200],
    ['bidder', 'PATCH', '/api/v1/companies/{companyId}', 403],
    ['bidder', 'POST', '/api/v1/companies/{companyId}/members', 403],
    ['anonymous', 'GET', '/api/v1/authorities/{authorityId}/settings', 401],
    ['anonymous', 'GET', '/api/v1/authorities', 200],
    ['anonymous', 'GET', '/api/v1/me', 401],
    ['procurement_officer', 'POST', '/api/v1/authorities/{authorityId}/tenders', 201],
    ['auditor', 'GET', '/api/v1/authorities/{authorityId}/tenders/{tenderId}', 200],
    ['auditor', 'PUT', '/api/v1/authorities/{authorityId}/tenders/{tenderId}', 403],
    ['authority_admin', 'POST', '/api/v1/authorities/{authorityId}/tenders', 403],
    ['platform_admin', 'GET', '/api/v1/authorities/{authorityId}/tenders', 404],
    ['bidder', 'GET', '/api/v1/authorities/{authorityId}/tenders', 404],
    ['procurement_officer', 'POST', '/api/v1/authorities/{authorityId}/tenders/{tenderId}/documents', 201],
    ['auditor', 'POST', '/api/v1/authorities/{authorityId}/tenders/{tenderId}/documents', 403],
    ['authority_admin', 'POST', '/api/v1/authorities/{authorityId}/tenders/{tenderId}/documents', 403],
    [
      'auditor',
      'GET',
      '/api/v1/authorities/{authorityId}/tenders/{tenderId}/documents/{documentId}/content',
      200,
    ],
    ['company_admin', 'GET', '/api/v1/authorities/{authorityId}/tenders/{tenderId}/documents', 404],
    ['auditor', 'POST', '/api/v1/authorities/{authorityId}/tenders/{tenderId}/publish', 403],
    ['approver_legal', 'POST', '/api/v1/authorities/{authorityId}/tenders/{tenderId}/submit', 403],
    ['key_custodian', 'PUT', '/api/v1/authorities/{authorityId}/tenders/{tenderId}/assignments', 403],
    ['authority_admin', 'POST', '/api/v1/authorities/{authorityId}/tenders/{tenderId}/publish', 409],
    ['procurement_officer', 'POST', '/api/v1/authorities/{authorityId}/planned-contracts', 201],
    ['authority_admin', 'POST', '/api/v1/authorities/{authorityId}/planned-contracts', 403],
    ['auditor', 'GET', '/api/v1/authorities/{authorityId}/planned-contracts', 200],
    ['platform_admin', 'GET', '/api/v1/authorities/{authorityId}/planned-contracts', 404],
    ['anonymous', 'GET', '/api/v1/plan', 200],
    ['authority_admin', 'POST', '/api/v1/authorities/{authorityId}/holidays', 201],
    ['procurement_officer', 'POST', '/api/v1/authorities/{authorityId}/holidays', 403],
    ['bidder', 'DELETE', '/api/v1/authorities/{authorityId}/holidays/{day}', 404],
    ['anonymous', 'GET', '/api/v1/authorities/{authorityId}/holidays', 200],
    ['key_custodian', 'PUT', '/api/v1/authorities/{authorityId}/custodian-keys/me', 200],
    ['procurement_officer', 'PUT', '/api/v1/authorities/{authorityId}/custodian-keys/me', 403],
    ['authority_admin', 'PUT', '/api/v1/authorities/{authorityId}/custodian-keys/me', 403],
    ['platform_admin', 'PUT', '/api/v1/authorities/{authorityId}/custodian-keys/me', 404],
    ['procurement_officer', 'GET', '/api/v1/authorities/{authorityId}/custodian-keys', 200],
    ['bidder', 'GET', '/api/v1/authorities/{authorityId}/custodian-keys', 404],
    ['authority_admin', 'DELETE', '/api/v1/authorities/{authorityId}/custodian-keys/{keyId}', 200],
    ['key_custodian', 'DELETE', '/api/v1/authorities/{authorityId}/custodian-keys/{keyId}', 403],
    [
      'procurement_officer',
      'POST',
      '/api/v1/authorities/{authorityId}/tenders/{tenderId}/opening/{envelope}/shares',
      403,
    ],
    [
      'platform_admin',
      'POST',
      '/api/v1/authorities/{authorityId}/tenders/{tenderId}/opening/{envelope}/shares',
      404,
    ],
    ['key_custodian', 'POST', '/api/v1/authorities/{authorityId}/tenders/{tenderId}/judgement/report', 403],
    ['bidder', 'POST', '/api/v1/tenders/{ocid}/bids/{bidId}/versions', 201],
    ['company_admin', 'POST', '/api/v1/tenders/{ocid}/bids/{bidId}/withdraw', 201],
    ['procurement_officer', 'GET', '/api/v1/tenders/{ocid}/bids/{bidId}/receipts', 404],
    ['key_custodian', 'PUT', '/api/v1/tenders/{ocid}/bids/{bidId}/blobs/{sha256}', 404],
    ['platform_admin', 'GET', '/api/v1/tenders/{ocid}/bids/{bidId}/receipts', 404],
    ['anonymous', 'POST', '/api/v1/tenders/{ocid}/bids/{bidId}/versions', 401],
  ];

  describe('hand-written spot checks', () => {
    for (const [actorName, method, path, want] of SPOT_CHECKS) {
      it(`${actorName} ${method} ${path} → ${want}`, async () => {
        const rc = ROUTES.find((r) => r.method === method && r.path === path);
        if (!rc) throw new Error(`no route ${method} ${path}`);
        await check(rc, actorName, want);
      });
    }
  });
});
