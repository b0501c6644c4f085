import type { ServiceContext } from '../../platform/context.js';
import type { Tx } from '../../platform/db/tx.js';
import { randomBytes } from 'node:crypto';
import { newId } from '../../platform/ids.js';
import { recordEvent } from '../audit/audit.service.js';
import { localDate } from '../calendar/calendar.rules.js';
import { amountInclVat, quoteInclVat } from '../minor/minor-contract.rules.js';

const DAY = 86_400_000;

/**
 * Demo minor contracts for the first authority with a procurement officer, three companies invited
 * (those interested in cleaning, CPV division 90, first): one awarded this quarter (it shows in the
 * quarterly list), one whose request for quotes is open. Rows are written directly, with their
 * audit events, in the caller's transaction (call it from the demo seed's transaction). Does nothing if the demo lacks those pieces or
 * already has minor contracts.
 */
export async function seedMinorContracts(trx: Tx, ctx: Omit<ServiceContext, 'db'>): Promise<void> {
  const existing = await trx.selectFrom('minor_contract').select('tender_id').limit(1).executeTakeFirst();
  if (existing) return;
  const officer = await trx
    .selectFrom('membership as m')
    .innerJoin('authority as a', 'a.id', 'm.authority_id')
    .select(['m.user_id', 'm.authority_id', 'a.time_zone'])
    .where((eb) => eb(eb.val('procurement_officer'), '=', eb.fn.any('m.roles')))
    .orderBy('a.slug')
    .executeTakeFirst();
  // Cleaning companies first (the files are cleaning services), SMEs first, then by name.
  const cleaning = (cpvs: readonly string[]) => cpvs.some((c) => c.startsWith('90'));
  const companies = (
    await trx.selectFrom('company').select(['id', 'is_sme', 'legal_name', 'cpv_interests']).execute()
  )
    .sort(
      (a, b) =>
        Number(cleaning(b.cpv_interests)) - Number(cleaning(a.cpv_interests)) ||
        Number(b.is_sme) - Number(a.is_sme) ||
        a.legal_name.localeCompare(b.legal_name, 'ca'),
    )
    .slice(0, 3);
  if (!officer || companies.length < 3) return;
  const authorityId = officer.authority_id;
  const now = ctx.clock.now();
  const files = [
    {
      ref: 'CM-2026/0001',
      title: [
        'Neteja de vidres de l’edifici de Sant Martí',
        'Limpieza de cristales del edificio de Sant Martí',
        'Window cleaning at the Sant Martí building',
      ],
      value: '9800.00',
      awarded: true,
    },
    {
      ref: 'CM-2026/0002',
      title: [
        'Neteja després de les festes del barri',
        'Limpieza después de las fiestas del barrio',
        'Cleaning after the neighbourhood festival',
      ],
      value: '6500.00',
      awarded: false,
    },
  ] as const;
  for (const f of files) {
    const id = newId();
    const startedAt = new Date(now.getTime() - (f.awarded ? 20 : 1) * DAY);
    const deadline = new Date(startedAt.getTime() + 7 * DAY);
    await trx
      .insertInto('tender')
      .values({
        id,
        authority_id: authorityId,
        reference: f.ref,
        status: 'approved',
        procedure: 'menor',
        contract_type: 'services',
        title_ca: f.title[0],
        title_es: f.title[1],
        title_en: f.title[2],
        main_cpv: '90910000-9',
        estimated_value: f.value,
        budget_excl_vat: f.value,
        budget_incl_vat: amountInclVat(f.value, '100', '121'),
        duration_months: 3,
        created_by: officer.user_id,
      })
      .execute();
    await trx
      .insertInto('minor_contract')
      .values({
        tender_id: id,
        authority_id: authorityId,
        status: 'inviting',
        quote_deadline: deadline,
        started_by: officer.user_id,
        started_at: startedAt,
      })
      .execute();
    await trx
      .insertInto('minor_invitation')
      .values(
        companies.map((c) => ({
          tender_id: id,
          authority_id: authorityId,
          company_id: c.id,
          invited_by: officer.user_id,
          invited_at: startedAt,
        })),
      )
      .execute();
    await recordEvent(trx, ctx, {
      action: 'minor.started',
      objectType: 'tender',
      objectId: id,
      authorityId,
      data: {
        round: 1,
        quoteDeadline: deadline.toISOString(),
        companyIds: companies.map((c) => c.id),
        justification: null,
      },
    });
    if (!f.awarded) continue;
    const amounts = ['8950.00', '9400.00', '9700.00'];
    const quoteIds: string[] = [];
    const opened = [];
    for (const [i, c] of companies.entries()) {
      const quoteId = newId();
      quoteIds.push(quoteId);
      const amount = amounts[i] ?? '9700.00';
      const quote = {
        id: quoteId,
        tender_id: id,
        authority_id: authorityId,
        company_id: c.id,
        amount_excl_vat: amount,
        vat_rate: '21.00',
        amount_incl_vat: quoteInclVat(amount, '21.00'),
        commitment_nonce: randomBytes(32).toString('hex'),
        submitted_by: officer.user_id,
        submitted_at: new Date(startedAt.getTime() + (i + 1) * DAY),
      };
      await trx.insertInto('minor_quote').values(quote).execute();
      opened.push({
        quoteId,
        companyId: c.id,
        amountExclVat: amount,
        vatRate: quote.vat_rate,
        amountInclVat: quote.amount_incl_vat,
        note: '',
        submittedAt: quote.submitted_at.toISOString(),
        nonce: quote.commitment_nonce,
      });
    }
    const winner = companies[0];
    const quoteId = quoteIds[0];
    if (!winner || !quoteId) continue;
    const awardedAt = new Date(deadline.getTime() + DAY);
    const inclVat = quoteInclVat('8950.00', '21.00');
    const justification = 'Preu més baix dels tres pressupostos rebuts';
    await trx
      .insertInto('minor_award')
      .values({
        tender_id: id,
        authority_id: authorityId,
        company_id: winner.id,
        quote_id: quoteId,
        main_cpv: '90910000-9',
        contract_type: 'services',
        duration_months: 3,
        amount_excl_vat: '8950.00',
        amount_incl_vat: inclVat,
        justification,
        awarded_by: officer.user_id,
        awarded_at: awardedAt,
        awarded_on: localDate(awardedAt, officer.time_zone),
      })
      .execute();
    await trx
      .updateTable('minor_contract')
      .set({ status: 'awarded', version: 2 })
      .where('tender_id', '=', id)
      .execute();
    await recordEvent(trx, ctx, {
      action: 'minor.quotes_opened',
      objectType: 'tender',
      objectId: id,
      authorityId,
      data: { round: 1, quoteDeadline: deadline.toISOString(), quotes: opened },
    });
    await recordEvent(trx, ctx, {
      action: 'minor.awarded',
      objectType: 'tender',
      objectId: id,
      authorityId,
      companyId: winner.id,
      isPublic: true,
      data: {
        round: 1,
        companyId: winner.id,
        quoteId,
        amountExclVat: '8950.00',
        vatRate: '21.00',
        amountInclVat: inclVat,
        justification,
        splittingJustification: null,
        splittingMatches: [],
      },
    });
  }
}
