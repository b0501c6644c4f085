/**
 * Who hears of a company's procedures by mail: its users (each in the language they chose) and the
 * addresses the company designated for notifications (Catalan, the platform's default, since an
 * address has no language of its own). One address is mailed once per company.
 */
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';
import { isLocale, type Locale } from '../../platform/i18n/i18n.js';

export type CompanyRecipient = { to: string; locale: Locale };

export async function companyRecipients(
  db: Db | Tx,
  companyIds: readonly string[],
): Promise<Map<string, CompanyRecipient[]>> {
  const out = new Map<string, CompanyRecipient[]>(companyIds.map((id) => [id, []]));
  if (companyIds.length === 0) return out;
  const users = await db
    .selectFrom('company_member as m')
    .innerJoin('app_user as u', 'u.id', 'm.user_id')
    .select(['m.company_id', 'u.email', 'u.locale'])
    .where('m.company_id', 'in', [...companyIds])
    .where('u.disabled_at', 'is', null)
    .orderBy('u.email')
    .execute();
  const addresses = await db
    .selectFrom('company_email')
    .select(['company_id', 'email'])
    .where('company_id', 'in', [...companyIds])
    .where('purpose', '=', 'notifications')
    .orderBy('email')
    .execute();
  const add = (companyId: string, to: string, locale: string) => {
    const list = out.get(companyId);
    if (!list || list.some((r) => r.to.toLowerCase() === to.toLowerCase())) return;
    list.push({ to, locale: isLocale(locale) ? locale : 'ca' });
  };
  for (const u of users) add(u.company_id, u.email, u.locale);
  for (const a of addresses) add(a.company_id, a.email, 'ca');
  return out;
}
