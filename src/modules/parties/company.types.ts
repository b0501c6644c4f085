import type { CompanyRole } from '../../platform/context.js';

export type CompanyView = {
  id: string;
  legalName: string;
  taxId: string;
  taxIdKind: string;
  country: string;
  isSme: boolean;
  address: { street: string; locality: string; postalCode: string; region: string };
  cpvInterests: string[];
  emails: { id: string; email: string; purpose: string }[];
  createdAt: string;
};

export type CompanyMemberView = { userId: string; email: string; name: string; roles: CompanyRole[] };

export type CompanyRegistration = {
  legalName: string;
  taxId: string;
  isSme: boolean;
  address: { street: string; locality: string; postalCode: string; region?: string | undefined };
  cpvInterests?: string[] | undefined;
  contactEmails?: string[] | undefined;
  admin: { name: string; email: string; password: string; locale?: string | undefined };
};
