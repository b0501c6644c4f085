import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { AbnormalRule } from '../../src/modules/evaluation/abnormal.types.js';
import { PROCEDURES } from '../../src/modules/procedures/procedure.catalogue.js';
import type { ProcedureCode } from '../../src/modules/procedures/procedure.types.js';
import { fromBase64 } from '../../src/modules/sealing/bytes.js';
import { sealEnvelopeToMemory } from '../../src/modules/sealing/envelope.seal.js';
import { makeOffer, OFFER_FILE_NAME, offerBytes } from '../../src/modules/sealing/offer.rules.js';
import type { EnvelopeLetter, SealingTarget, SharePayload } from '../../src/modules/sealing/sealing.types.js';
import { unwrapShare } from '../../src/modules/sealing/shares.js';
import type { TenderInput } from '../../src/modules/tenders/tender.input.js';
import type { AuthorityRole } from '../../src/platform/context.js';
import { newId } from '../../src/platform/ids.js';
import { Dec } from '../../src/platform/money.js';
import { login, makeAuthority, makeUser, type Session, type TestApp } from './app.js';
import { registerCustodianKeys } from './custody.js';
import { type Bidder, commitVersion, makeBidder, type SealedTender, uploadBid } from './sealed-bids.js';
import { ABNORMAL_NOTICE, loadDemoCpv, PRICE_F1, SOCIAL_STEPS, tenderPayload } from './tenders.js';

/**
 * Reusable steps of a whole procedure through the API, for the lifecycle tests (issue 5): the cast
 * of an authority, a file drafted for a given procedure, sealed bids through the bids API, the
 * quorum opening, qualification, judgement, scoring and the award up to the contract.
 */

export const DAY = 86_400_000;
const names = (text: string) => ({ ca: `${text} (ca)`, es: `${text} (es)`, en: `${text} (en)` });

/** An authority with its officer, one committee member and three custodians (quorum 2). */
export type Cast = {
  authorityId: string;
  ids: Record<'officer' | 'committee' | 'c1' | 'c2' | 'c3', string>;
  s: Record<string, Session>;
  /** Custodians' age identities by role name, to unwrap their shares as their device would. */
  identities: Map<string, string>;
  /** Signs everyone in again (after the clock jumped past the sessions' lifetime). */
  relogin(): Promise<void>;
};

let rounds = 0;

export async function makeCast(t: TestApp): Promise<Cast> {
  await loadDemoCpv(t);
  const authority = await makeAuthority(t);
  // No approval chain: the officer's submission approves the file (the chain has its own tests).
  await t.db.db.updateTable('authority').set({ approval_chain: [] }).where('id', '=', authority.id).execute();
  const people: [keyof Cast['ids'], AuthorityRole[]][] = [
    ['officer', ['procurement_officer']],
    ['committee', ['committee_member']],
    ['c1', ['key_custodian']],
    ['c2', ['key_custodian']],
    ['c3', ['key_custodian']],
  ];
  const ids = {} as Cast['ids'];
  const emails: Record<string, string> = {};
  for (const [name, roles] of people) {
    const u = await makeUser(t, { roles: [{ authorityId: authority.id, roles }] });
    ids[name] = u.id;
    emails[name] = u.email;
  }
  const s: Record<string, Session> = {};
  const relogin = async () => {
    // Each round from its own address: the sign-in route allows 20 a minute per address.
    rounds += 1;
    const address = `10.77.${Math.floor(rounds / 250)}.${rounds % 250}`;
    for (const [name, email] of Object.entries(emails)) {
      s[name] = await login(t, email, undefined, { remoteAddress: address });
    }
  };
  await relogin();
  const keys = await registerCustodianKeys(t, authority.id, [ids.c1, ids.c2, ids.c3]);
  const identities = new Map<string, string>();
  for (const c of ['c1', 'c2', 'c3'] as const) identities.set(c, keys.get(ids[c])?.identity ?? '');
  return { authorityId: authority.id, ids, s, identities, relogin };
}

/** What a file drafted for one procedure looks like, and what the test expects of it. */
export type ProcedureCase = {
  procedure: ProcedureCode;
  /** Estimated value of the contract (excl. VAT), within the procedure's limits. */
  estimatedValue: string;
  /** Envelopes the notice must state for these criteria (procedure.rules.ts envelopesFor). */
  envelopes: EnvelopeLetter[];
  /** Whether the special appeal lies (art. 44.1.a: services above 100,000 €), hence the standstill. */
  specialAppeal: boolean;
};

/** Requests to participate close 16 days after publication in the two-phase files drafted here. */
export const PARTICIPATION_DAYS = 16;

type Criterion = TenderInput['lots'][number]['criteria'][number];

/** A one-lot services file valid for `c.procedure`, deadlines from `now`. */
export function draftFor(c: ProcedureCase, now: Date): TenderInput {
  const twoPhase = PROCEDURES[c.procedure].twoPhase;
  // Two phases: requests ≥ 15 days (art. 161.2, not harmonised), then bids ≥ 10 days from the
  // invitation (art. 164.1), sent the day after requests close: 30 days leave room for both.
  const deadline = new Date(now.getTime() + (twoPhase ? 30 : 20) * DAY);
  const openingAt = new Date(deadline.getTime() + 2 * 3_600_000);
  const price = (weight: string): Criterion => ({
    kind: 'price',
    evaluation: 'formula',
    weight,
    name: names('Preu'),
    formula: PRICE_F1,
  });
  const social = (weight: string): Criterion => ({
    kind: 'quality',
    evaluation: 'formula',
    weight,
    name: names('Criteris socials'),
    formula: SOCIAL_STEPS,
  });
  const judgement = (weight: string): Criterion => ({
    kind: 'quality',
    evaluation: 'judgement',
    weight,
    name: names('Memòria tècnica'),
  });
  let criteria: Criterion[];
  let abnormal: AbnormalRule | undefined = ABNORMAL_NOTICE;
  let priceWeightJustification: string | null = null;
  switch (c.procedure) {
    case 'abierto_simplificado_abreviado':
      // Price only: no judgement criteria at all (art. 159.6.c); art. 85 RGLCAP applies by default
      // (art. 149.2.a), and the authority's 35 % cap on price yields to the written reason.
      criteria = [price('100')];
      abnormal = undefined;
      priceWeightJustification = 'Subministrament estandarditzat: el preu és l’únic criteri (art. 159.6.c)';
      break;
    case 'abierto_simplificado':
      // Judgement criteria at most 25 % (art. 159.1.b): envelopes B and C (art. 159.4.d).
      criteria = [price('35'), social('40'), judgement('25')];
      break;
    default:
      criteria = [price('35'), social('25'), judgement('40')];
  }
  const value = c.estimatedValue;
  return tenderPayload(now, {
    procedure: c.procedure,
    estimatedValue: value,
    budgetExclVat: value,
    budgetInclVat: new Dec(value).times('1.21').toFixed(2),
    tenderDeadline: deadline.toISOString(),
    ...(twoPhase
      ? { participationDeadline: new Date(now.getTime() + PARTICIPATION_DAYS * DAY).toISOString() }
      : {}),
    questionsDeadline: new Date(now.getTime() + 14 * DAY).toISOString(),
    openingAt: openingAt.toISOString(),
    singleLotJustification: 'Servei indivisible: una sola brigada per a tots els edificis',
    priceWeightJustification,
    lots: [
      {
        number: 1,
        title: names('Únic'),
        estimatedValue: value,
        budgetExclVat: value,
        mainCpv: '90910000-9',
        ...(abnormal ? { abnormal } : {}),
        criteria,
      },
    ],
  });
}

export type PublishedFile = {
  tenderId: string;
  ocid: string;
  envelopes: EnvelopeLetter[];
  target: SealingTarget;
  deadline: Date;
  openingAt: Date;
  /** The shape the bids helpers take (only the ocid is read by them). */
  sealed: SealedTender;
};

/** Drafts `input` through the API with the documents a published file requires; returns id and version. */
export async function draftFile(
  t: TestApp,
  cast: Cast,
  input: TenderInput,
): Promise<{ id: string; version: number }> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/authorities/${cast.authorityId}/tenders`,
    headers: cast.s.officer?.headers,
    payload: input,
  });
  expect(res.statusCode, res.body).toBe(201);
  const created = res.json() as { id: string; version: number };
  for (const kind of ['memoria_justificativa', 'pcap', 'ppt']) {
    await t.db.db
      .insertInto('tender_document')
      .values({
        id: newId(),
        tender_id: created.id,
        authority_id: cast.authorityId,
        kind,
        title: kind,
        file_name: `${kind}.pdf`,
        content_type: 'application/pdf',
        size_bytes: 10,
        sha256: createHash('sha256').update(`${created.id}${kind}`).digest('hex'),
        uploaded_by: cast.ids.officer,
      })
      .execute();
  }
  return created;
}

/**
 * Drafts, approves and publishes `input` through the API; the committee and custodians are
 * assigned, and the experts given (art. 146.2.a).
 */
export async function publishFile(
  t: TestApp,
  cast: Cast,
  input: TenderInput,
  opts: { experts?: string[] } = {},
): Promise<PublishedFile> {
  return publishDraft(t, cast, await draftFile(t, cast, input), input.openingAt, opts);
}

/**
 * Approves and publishes a drafted file (its documents in place) through the API; the committee and
 * custodians are assigned, and the experts given. `openingAt`: the opening the draft states.
 */
export async function publishDraft(
  t: TestApp,
  cast: Cast,
  created: { id: string; version: number },
  openingAt: string | null | undefined,
  opts: { experts?: string[] } = {},
): Promise<PublishedFile> {
  const call = async (method: 'POST' | 'PUT', p: string, payload: object) => {
    const res = await t.app.inject({
      method,
      url: `/api/v1/authorities/${cast.authorityId}/tenders${p}`,
      headers: cast.s.officer?.headers,
      payload,
    });
    expect(res.statusCode, `${method} ${p}: ${res.body}`).toBeLessThan(300);
    return res.json() as { id: string; version: number; ocid: string | null };
  };
  const assigned = await call('PUT', `/${created.id}/assignments`, {
    version: created.version,
    committee: [cast.ids.committee],
    custodians: [cast.ids.c1, cast.ids.c2, cast.ids.c3],
    ...(opts.experts ? { experts: opts.experts } : {}),
  });
  const approved = await call('POST', `/${created.id}/submit`, { version: assigned.version });
  const published = await call('POST', `/${created.id}/publish`, { version: approved.version });
  const ocid = published.ocid ?? '';
  const res = await t.app.inject({ url: `/api/v1/tenders/${ocid}` });
  expect(res.statusCode, res.body).toBe(200);
  const notice = (
    res.json() as {
      notice: {
        envelopes: EnvelopeLetter[];
        tenderDeadline: string;
        openingAt: string;
        sealing: { quorum: number; custodians: SealingTarget['custodians'] };
      };
    }
  ).notice;
  const target: SealingTarget = {
    ocid,
    quorum: notice.sealing.quorum,
    custodians: notice.sealing.custodians.map((c) => ({
      index: c.index,
      keyId: c.keyId,
      recipient: c.recipient,
    })),
  };
  const deadline = new Date(notice.tenderDeadline);
  return {
    tenderId: created.id,
    ocid,
    envelopes: notice.envelopes,
    target,
    deadline,
    openingAt: new Date(openingAt ?? notice.openingAt),
    sealed: {
      authorityId: cast.authorityId,
      tenderId: created.id,
      ocid,
      deadline,
      envelopes: notice.envelopes,
      target,
      keys: [],
      officer: cast.s.officer as Session,
    },
  };
}

/**
 * A company seals every envelope of the notice with the sealing library (offer.json with its
 * price and social commitment in C) and submits it through the bids API; returns the bid id.
 */
export async function submitBid(
  t: TestApp,
  file: PublishedFile,
  offer: { price: string; newHires: string },
  invited?: Bidder,
): Promise<{ bidId: string; bidder: Bidder }> {
  return submitBidOnLots(t, file, [{ lot: 1, ...offer }], invited);
}

/** As submitBid, for several lots of the file, each with its own price (and social commitment). */
export async function submitBidOnLots(
  t: TestApp,
  file: PublishedFile,
  offers: readonly { lot: number; price: string; newHires: string }[],
  invited?: Bidder,
): Promise<{ bidId: string; bidder: Bidder }> {
  const bidder = invited ?? (await makeBidder(t));
  const bidId = newId();
  const lots = offers.map((o) => o.lot);
  const envelopes = [];
  for (const envelope of file.envelopes) {
    const files = [
      { name: `sobre-${envelope}.txt`, content: new TextEncoder().encode(`${bidId} envelope ${envelope}`) },
    ];
    if (envelope === 'C') {
      // The social commitment is criterion 2 where the notice has one (never in the abbreviated file).
      const o = makeOffer({
        ocid: file.ocid,
        bidId,
        lots: offers.map((x) => ({
          lot: x.lot,
          price: x.price,
          values: file.envelopes.length > 1 ? [{ criterion: 2, value: x.newHires }] : [],
        })),
      });
      files.push({ name: OFFER_FILE_NAME, content: new Uint8Array(offerBytes(o)) });
    }
    envelopes.push(await sealEnvelopeToMemory({ target: file.target, bidId, lots, envelope, files }));
  }
  const bid = { bidId, lots, envelopes };
  await uploadBid(t, file.sealed, bidder, bid);
  const res = await commitVersion(t, file.sealed, bidder, bid);
  expect(res.statusCode, res.body).toBe(201);
  return { bidId, bidder };
}

export type OpenedStage = { record: { envelope: string; bids: { bidId: string; outcome: string }[] } };

/** Two custodians (the quorum) unwrap their shares of `envelope` and hand them in; returns the record. */
export async function openStage(
  t: TestApp,
  cast: Cast,
  file: PublishedFile,
  envelope: EnvelopeLetter,
): Promise<OpenedStage | null> {
  const url = `/api/v1/authorities/${cast.authorityId}/tenders/${file.tenderId}/opening/${envelope}/shares`;
  let opened: OpenedStage | null = null;
  for (const who of ['c1', 'c2']) {
    const mine = await t.app.inject({ url: `${url}/mine`, headers: cast.s[who]?.headers });
    expect(mine.statusCode, mine.body).toBe(200);
    const shares: { bidId: string; share: SharePayload }[] = [];
    for (const x of (mine.json() as { shares: { bidId: string; ciphertext: string }[] }).shares) {
      const share = await unwrapShare(
        fromBase64(x.ciphertext) as Uint8Array,
        cast.identities.get(who) ?? '',
        {
          ocid: file.ocid,
          bidId: x.bidId,
          envelope,
        },
      );
      shares.push({ bidId: x.bidId, share });
    }
    const res = await t.app.inject({
      method: 'POST',
      url,
      headers: cast.s[who]?.headers,
      payload: { shares },
    });
    expect(res.statusCode, res.body).toBe(200);
    opened = (res.json() as { opened: OpenedStage | null }).opened;
  }
  expect(opened?.record.envelope).toBe(envelope);
  return opened;
}

const tenderUrl = (cast: Cast, file: PublishedFile, suffix: string) =>
  `/api/v1/authorities/${cast.authorityId}/tenders/${file.tenderId}${suffix}`;

/** The committee admits every bid of the qualification envelope (the first of the notice). */
export async function admitAll(t: TestApp, cast: Cast, file: PublishedFile, bidIds: readonly string[]) {
  for (const bidId of bidIds) {
    const res = await t.app.inject({
      method: 'POST',
      url: tenderUrl(cast, file, `/qualification/${bidId}`),
      headers: cast.s.committee?.headers,
      payload: { version: 0, decision: 'admit' },
    });
    expect(res.statusCode, res.body).toBe(200);
  }
  const list = await t.app.inject({
    url: tenderUrl(cast, file, '/qualification'),
    headers: cast.s.officer?.headers,
  });
  expect(list.json()).toMatchObject({ envelope: file.envelopes[0], opened: true, complete: true });
}

/** The committee scores the judgement criterion (the third of the lot) of each bid and approves the report. */
export async function judgeAndApprove(
  t: TestApp,
  cast: Cast,
  file: PublishedFile,
  points: readonly [bidId: string, points: string][],
) {
  for (const [bidId, p] of points) {
    const res = await t.app.inject({
      method: 'PUT',
      url: tenderUrl(cast, file, `/judgement/${bidId}/lots/1/criteria/3`),
      headers: cast.s.committee?.headers,
      payload: { points: p, justification: 'Memòria tècnica completa i ben argumentada' },
    });
    expect(res.statusCode, res.body).toBe(200);
  }
  const report = await t.app.inject({
    method: 'POST',
    url: tenderUrl(cast, file, '/judgement/report'),
    headers: cast.s.committee?.headers,
    payload: { summary: 'Informe tècnic del sobre B aprovat per la mesa' },
  });
  expect(report.statusCode, report.body).toBe(200);
}

export type ScoredOffer = { bidId: string; price: string; total: string; rank: number };

/** GET …/scoring: the committee's computation of lot 1. */
export async function scoringOfLot1(t: TestApp, cast: Cast, file: PublishedFile) {
  const res = await t.app.inject({
    url: tenderUrl(cast, file, '/scoring'),
    headers: cast.s.officer?.headers,
  });
  expect(res.statusCode, res.body).toBe(200);
  const lots = (res.json() as { lots: { lot: number; offers: ScoredOffer[]; ranking: { status: string } }[] })
    .lots;
  const lot = lots.find((l) => l.lot === 1);
  expect(lot?.ranking.status).toBe('ranked');
  return lot?.offers ?? [];
}

type AwardView = {
  status: string;
  version: number;
  candidate: string | null;
  specialAppeal: boolean;
  standstillEnds: string | null;
  contractId: string | null;
};

/** One step of the award of `lot` (POST …/awards/:lot) at the lot's current version, as `who`. */
export async function awardStep(
  t: TestApp,
  cast: Cast,
  file: PublishedFile,
  lot: number,
  who: 'committee' | 'officer',
  payload: object,
): Promise<AwardView> {
  const list = await t.app.inject({
    url: tenderUrl(cast, file, '/awards'),
    headers: cast.s.officer?.headers,
  });
  expect(list.statusCode, list.body).toBe(200);
  const current = (list.json() as { lots: (AwardView & { lot: number })[] }).lots.find((l) => l.lot === lot);
  const res = await t.app.inject({
    method: 'POST',
    url: tenderUrl(cast, file, `/awards/${lot}`),
    headers: cast.s[who]?.headers,
    payload: { version: current?.version ?? 0, ...payload },
  });
  expect(res.statusCode, `${JSON.stringify(payload)} ${res.body}`).toBe(200);
  return res.json() as AwardView;
}

/**
 * The award of lot 1 up to the contract: proposal, documentation, award, notification, the
 * standstill when the special appeal lies (art. 153.3; passed with the clock), formalisation.
 */
export async function awardLot1(t: TestApp, cast: Cast, file: PublishedFile) {
  const step = (who: 'committee' | 'officer', payload: object) => awardStep(t, cast, file, 1, who, payload);
  const proposed = await step('committee', { event: 'propose' });
  await step('committee', { event: 'request_documentation' });
  await step('committee', { event: 'documentation_ok' });
  await step('officer', { event: 'award', reasons: 'Oferta amb la millor relació qualitat-preu' });
  const notified = await step('officer', { event: 'notify' });
  if (notified.specialAppeal) {
    const standstill = await step('officer', { event: 'start_standstill' });
    t.clock.set(new Date(new Date(standstill.standstillEnds ?? '').getTime() + 60_000));
    await cast.relogin();
  }
  await step('officer', { event: 'clear_for_formalisation' });
  const signedAt = new Date(t.clock.now().getTime() - 30_000);
  const formalised = await step('officer', { event: 'formalise', signedAt: signedAt.toISOString() });
  expect(formalised.status).toBe('formalised');
  return { winner: proposed.candidate, specialAppeal: notified.specialAppeal, formalised, signedAt };
}

type ContractView = {
  id: string;
  status: string;
  version: number;
  amountExclVat: string;
  totalExclVat: string;
  events: { type: string; legalGround: string | null; valueChange: string | null; newTotal: string | null }[];
};

/**
 * Starts the execution of the contract and amends its price on a modification foreseen in the
 * pliego (art. 204: up to 20 % of the initial price) through the contracts API.
 */
export async function amendContract(
  t: TestApp,
  cast: Cast,
  contractId: string,
  amendment: { valueChange: string; reasons: string },
): Promise<ContractView> {
  const url = `/api/v1/authorities/${cast.authorityId}/contracts/${contractId}`;
  const event = async (payload: object) => {
    const current = await t.app.inject({ url, headers: cast.s.officer?.headers });
    expect(current.statusCode, current.body).toBe(200);
    const { version } = current.json() as ContractView;
    const res = await t.app.inject({
      method: 'POST',
      url: `${url}/events`,
      headers: cast.s.officer?.headers,
      payload: { version, ...payload },
    });
    expect(res.statusCode, `${JSON.stringify(payload)} ${res.body}`).toBe(200);
    return res.json() as ContractView;
  };
  const started = await event({ type: 'start', endDate: '2029-12-31' });
  expect(started.status).toBe('in_execution');
  return event({ type: 'amendment', legalGround: 'art_204', ...amendment });
}

/** A call to the API as `headers`' owner; the body is parsed when there is one. */
async function call(
  t: TestApp,
  headers: Record<string, string> | undefined,
  method: 'GET' | 'POST',
  url: string,
  payload?: object,
) {
  return t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: headers ?? {},
    ...(payload ? { payload } : {}),
  });
}

/**
 * The selection phase of a two-phase file (arts. 160–165): `count` companies ask to participate,
 * the committee rejects the last one with reasons and selects the others, the officer invites
 * them. Returns the invited companies and the rejected one.
 */
export async function selectAndInvite(
  t: TestApp,
  cast: Cast,
  file: PublishedFile,
  count: number,
): Promise<{ invited: Bidder[]; rejected: Bidder }> {
  const candidates: Bidder[] = [];
  for (let i = 0; i < count; i++) {
    const b = await makeBidder(t);
    const res = await call(t, b.session.headers, 'POST', `/tenders/${file.ocid}/participation-requests`, {
      companyId: b.companyId,
      statement: `Solvència econòmica i tècnica acreditada per ${b.taxId}`,
    });
    expect(res.statusCode, res.body).toBe(201);
    candidates.push(b);
  }
  const base = `/authorities/${cast.authorityId}/tenders/${file.tenderId}`;
  // Nobody reads the requests while others may still ask (selection.rules.ts).
  const early = await call(t, cast.s.committee?.headers, 'GET', `${base}/participation-requests`);
  expect(early.statusCode, early.body).toBe(409);
  const deadline = new Date(t.clock.now().getTime());
  const notice = await t.db.db
    .selectFrom('tender')
    .select('participation_deadline')
    .where('id', '=', file.tenderId)
    .executeTakeFirstOrThrow();
  t.clock.set(new Date((notice.participation_deadline ?? deadline).getTime() + 3_600_000));
  await cast.relogin();
  const listed = await call(t, cast.s.committee?.headers, 'GET', `${base}/participation-requests`);
  expect(listed.statusCode, listed.body).toBe(200);
  const requests = (listed.json() as { requests: { id: string; company: { id: string }; version: number }[] })
    .requests;
  expect(requests.map((r) => r.company.id).sort()).toEqual(candidates.map((c) => c.companyId).sort());
  const rejected = candidates.at(-1) as Bidder;
  for (const r of requests) {
    const reject = r.company.id === rejected.companyId;
    const res = await call(t, cast.s.committee?.headers, 'POST', `${base}/participation-requests/${r.id}`, {
      version: r.version,
      decision: reject ? 'rejected' : 'selected',
      ...(reject ? { reasons: 'No acredita la solvència tècnica exigida al plec (art. 90)' } : {}),
    });
    expect(res.statusCode, res.body).toBe(200);
  }
  const sent = await call(t, cast.s.officer?.headers, 'POST', `${base}/invitations`, {});
  expect(sent.statusCode, sent.body).toBe(201);
  const invited = candidates.slice(0, -1);
  expect((sent.json() as { companies: { id: string }[] }).companies.map((c) => c.id).sort()).toEqual(
    invited.map((c) => c.companyId).sort(),
  );
  for (const b of candidates) b.session = await login(t, b.email);
  return { invited, rejected };
}

/** The negotiated procedure without publication (art. 168): the officer invites `count` companies. */
export async function inviteDirectly(
  t: TestApp,
  cast: Cast,
  file: PublishedFile,
  count: number,
): Promise<Bidder[]> {
  const invited: Bidder[] = [];
  for (let i = 0; i < count; i++) invited.push(await makeBidder(t));
  const res = await call(
    t,
    cast.s.officer?.headers,
    'POST',
    `/authorities/${cast.authorityId}/tenders/${file.tenderId}/invitations`,
    { companyIds: invited.map((b) => b.companyId) },
  );
  expect(res.statusCode, res.body).toBe(201);
  return invited;
}

/**
 * One negotiation round (art. 169): the officer puts the same question to every invited company,
 * each answers before the answers are due, and the officer reads every answer.
 */
export async function negotiateOnce(t: TestApp, cast: Cast, file: PublishedFile, invited: readonly Bidder[]) {
  const base = `/authorities/${cast.authorityId}/tenders/${file.tenderId}`;
  const responsesDue = new Date(t.clock.now().getTime() + 3 * DAY).toISOString();
  const opened = await call(t, cast.s.officer?.headers, 'POST', `${base}/negotiation-rounds`, {
    subject: 'Termini d’execució i equip',
    message: 'Proposeu millores del termini d’execució i de la composició de l’equip.',
    responsesDue,
  });
  expect(opened.statusCode, opened.body).toBe(201);
  const number = (opened.json() as { number: number }).number;
  for (const b of invited) {
    const seen = await call(
      t,
      b.session.headers,
      'GET',
      `/tenders/${file.ocid}/participation?companyId=${b.companyId}`,
    );
    expect(seen.json()).toMatchObject({ invited: true, rounds: [{ number, responsesDue, answer: null }] });
    const res = await call(
      t,
      b.session.headers,
      'POST',
      `/tenders/${file.ocid}/negotiation-rounds/${number}/answers`,
      {
        companyId: b.companyId,
        text: `Proposta de ${b.taxId}: termini de 10 mesos amb dos tècnics més`,
      },
    );
    expect(res.statusCode, res.body).toBe(201);
  }
  const all = await call(t, cast.s.officer?.headers, 'GET', `${base}/negotiation`);
  const rounds = (all.json() as { rounds: { number: number; answers: { company: { id: string } }[] }[] })
    .rounds;
  expect(rounds).toHaveLength(1);
  expect(rounds[0]?.answers.map((a) => a.company.id).sort()).toEqual(invited.map((b) => b.companyId).sort());
}
