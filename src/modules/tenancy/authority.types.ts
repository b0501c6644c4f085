import type { AuthorityRole } from '../../platform/context.js';

export type AuthorityPublic = {
  id: string;
  slug: string;
  consortiumId: string | null;
  name: { ca: string; es: string; en: string };
  dir3Code: string;
};

/** Settings used by later work (deadlines, checks, OCDS); visible to the authority's members. */
export type AuthoritySettings = AuthorityPublic & {
  ocidPrefix: string;
  priceWeightCap: string;
  timeZone: string;
  holidayRegion: string;
  approvalChain: string[];
  holidays: { day: string; name: string }[];
};

export type MemberView = {
  userId: string;
  email: string;
  name: string;
  roles: AuthorityRole[];
  since: string;
};

export type ConsortiumView = {
  id: string;
  slug: string;
  name: { ca: string; es: string; en: string };
  authorityIds: string[];
};
