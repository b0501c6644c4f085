import type { Actor, ServiceContext } from '../../platform/context.js';
import { DomainError } from '../../platform/errors.js';
import { currentNotice } from '../opening/opening.repo.js';
import { expertLots, mayScoreLot, type NoticeLotWeights, sitsOnCommittee } from './expert.rules.js';
import { committeeAndExperts } from './judgement.repo.js';

/**
 * The committee's acts on a tender (mesa de contratación, art. 326 LCSP) are its named members'
 * when the file names some; with none named, any committee member of the authority acts (the
 * role itself is checked by the policy first) except the tender's experts: an expert of art.
 * 146.2.a LCSP is never part of the committee of the same tender.
 */
export async function requireCommitteeSeat(
  db: ServiceContext['db'],
  authorityId: string,
  tenderId: string,
  userId: string,
): Promise<void> {
  const assigned = await committeeAndExperts(db, authorityId, tenderId);
  if (!sitsOnCommittee(userId, assigned)) {
    throw new DomainError('FORBIDDEN', 'You are not on the committee of this tender', {
      reason: assigned.experts.includes(userId) ? 'expert_of_tender' : 'not_on_committee',
    });
  }
}

/** The lots of the tender's current notice whose judgement criteria the experts score (art. 146.2.a). */
export async function lotsNeedingExperts(
  db: ServiceContext['db'],
  authorityId: string,
  tenderId: string,
): Promise<{ lots: number[]; needingExperts: number[] }> {
  const notice = JSON.parse((await currentNotice(db, authorityId, tenderId)) ?? '{}') as {
    lots?: NoticeLotWeights[];
  };
  const lots = notice.lots ?? [];
  return { lots: lots.map((l) => l.number), needingExperts: expertLots(lots) };
}

/**
 * What the signed-in user may do on the judgement sheet, for the page to show only the forms the
 * services would accept (they check again): the lots whose judgement criteria they score — the
 * experts' where art. 146.2.a LCSP applies, the committee's elsewhere — and whether they may
 * approve the report (the committee's act, never an expert's).
 */
export async function judgementSeat(
  db: ServiceContext['db'],
  authorityId: string,
  tenderId: string,
  actor: Actor,
): Promise<{ scoreLots: number[]; approve: boolean }> {
  if (actor.kind !== 'user' || !(actor.authorityRoles.get(authorityId) ?? []).includes('committee_member')) {
    return { scoreLots: [], approve: false };
  }
  const assigned = await committeeAndExperts(db, authorityId, tenderId);
  const { lots, needingExperts } = await lotsNeedingExperts(db, authorityId, tenderId);
  return {
    scoreLots: lots.filter((lot) => mayScoreLot(actor.userId, needingExperts.includes(lot), assigned)),
    approve: sitsOnCommittee(actor.userId, assigned),
  };
}
