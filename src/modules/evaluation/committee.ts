import type { ServiceContext } from '../../platform/context.js';
import { DomainError } from '../../platform/errors.js';
import { committeeOf } from '../opening/opening.repo.js';

/**
 * The committee's acts on a tender (mesa de contratación, art. 326 LCSP) are its named members'
 * when the file names some; with none named, any committee member of the authority acts (the
 * role itself is checked by the policy first).
 */
export async function requireCommitteeSeat(
  db: ServiceContext['db'],
  authorityId: string,
  tenderId: string,
  userId: string,
): Promise<void> {
  const committee = await committeeOf(db, authorityId, tenderId);
  if (committee.length > 0 && !committee.includes(userId)) {
    throw new DomainError('FORBIDDEN', 'You are not on the committee of this tender');
  }
}
