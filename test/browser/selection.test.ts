import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/platform/ids.js';
import { draftFor } from '../helpers/lifecycle.js';
import { apiSession, demoSuite, expectAccessible } from './browser.js';

/**
 * Issue 5's browser acceptance for the selection phase: on a restricted procedure of Barcelona
 * published through the API, a company asks to participate on its participation page, the
 * committee selects it on the office page once requests are closed, the officer sends the
 * invitations, and the company sees it is invited, with the way to the bid page. axe-core on every
 * page in Catalan, and on the company's page in Spanish and the office page in English.
 */

const demo = demoSuite();

const signIn = (email: string) => demo.signIn(email);
const inLocale = demo.inLocale;

async function userId(email: string): Promise<string> {
  const row = await demo.app.deps.database.db
    .selectFrom('app_user')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A restricted procedure of Barcelona, drafted, approved and published through the API. */
async function publishRestricted(): Promise<{ tenderId: string; ocid: string }> {
  const db = demo.app.deps.database.db;
  // No approval chain: the officer's submission approves the file (the chain has its own tests).
  await db.updateTable('authority').set({ approval_chain: [] }).where('id', '=', demo.authorityId).execute();
  const officer = await apiSession(demo.app, 'officer@barcelona.example');
  const url = `/api/v1/authorities/${demo.authorityId}/tenders`;
  const call = async (method: 'POST' | 'PUT', p: string, payload: object) => {
    const res = await demo.app.inject({ method, url: `${url}${p}`, headers: officer.headers, payload });
    expect(res.statusCode, `${method} ${p}: ${res.body}`).toBeLessThan(300);
    return res.json() as { id: string; version: number; ocid: string | null };
  };
  const input = draftFor(
    {
      procedure: 'restringido',
      estimatedValue: '180000.00',
      envelopes: ['A', 'B', 'C'],
      specialAppeal: true,
    },
    new Date(),
  );
  // Whole days: the tests in lifecycle.ts run at 10:00 UTC; late in a Madrid evening 16 days can
  // end before the 15th full day does (art. 161.2 counts to the end of the day).
  const day = 86_400_000;
  const now = Date.now();
  const created = await call('POST', '', {
    ...input,
    reference: `SEL-${newId().slice(0, 8)}`,
    participationDeadline: new Date(now + 18 * day).toISOString(),
    tenderDeadline: new Date(now + 40 * day).toISOString(),
    openingAt: new Date(now + 40 * day + 2 * 3_600_000).toISOString(),
  });
  const officerId = await userId('officer@barcelona.example');
  for (const kind of ['memoria_justificativa', 'pcap', 'ppt']) {
    await db
      .insertInto('tender_document')
      .values({
        id: newId(),
        tender_id: created.id,
        authority_id: demo.authorityId,
        kind,
        title: kind,
        file_name: `${kind}.pdf`,
        content_type: 'application/pdf',
        size_bytes: 10,
        sha256: createHash('sha256').update(`${created.id}${kind}`).digest('hex'),
        uploaded_by: officerId,
      })
      .execute();
  }
  const custodians = [];
  for (const n of [1, 2, 3]) custodians.push(await userId(`custodian${n}@barcelona.example`));
  const assigned = await call('PUT', `/${created.id}/assignments`, {
    version: created.version,
    committee: [await userId('committee@barcelona.example')],
    custodians,
  });
  const approved = await call('POST', `/${created.id}/submit`, { version: assigned.version });
  const published = await call('POST', `/${created.id}/publish`, { version: approved.version });
  return { tenderId: created.id, ocid: published.ocid ?? '' };
}

describe('a company asks to participate, the committee selects it, the officer invites it', () => {
  it('runs the selection on the pages, axe clean in ca, and in es and en', async () => {
    const { tenderId, ocid } = await publishRestricted();
    const participation = `/tenders/${ocid}/participation`;
    const office = `/office/${demo.authorityId}/tenders/${tenderId}/selection`;

    // The company finds the way from the public page and asks to participate.
    const company = await signIn('bidder@neteges-valles.example');
    await company.goto(`${demo.base}/tenders/${ocid}`);
    await expectAccessible(company, 'selection-public-ca');
    await company.click('#participation-link');
    await company.waitForURL((u) => u.pathname === participation);
    await expectAccessible(company, 'selection-company-form-ca');
    await company.fill(
      '#statement',
      'Solvència econòmica i tècnica: tres serveis de neteja similars en cinc anys.',
    );
    await company.click('#request-submit');
    await company.waitForSelector('#notice');
    expect(await company.getAttribute('#request-decision', 'data-decision')).toBe('pending');
    await expectAccessible(company, 'selection-company-requested-ca');

    // The server runs on the system clock: the deadline for requests moves to now (as the
    // committee test moves the opening time).
    await demo.app.deps.database.db
      .updateTable('tender')
      .set({ participation_deadline: new Date(Date.now() - 1000) })
      .where('id', '=', tenderId)
      .execute();

    const committee = await signIn('committee@barcelona.example');
    await committee.goto(`${demo.base}${office}`);
    await committee.waitForSelector('#requests-table');
    await expectAccessible(committee, 'selection-office-committee-ca');
    await committee.check('input[name=decision][value=selected]');
    await committee.click('form[id^=decide-form-] button[type=submit]');
    await committee.waitForSelector('#notice');
    expect(await committee.getAttribute('#requests-table tbody tr', 'data-decision')).toBe('selected');

    const officer = await signIn('officer@barcelona.example');
    await officer.goto(`${demo.base}${office}`);
    await expectAccessible(officer, 'selection-office-officer-ca');
    // One candidate where the restricted procedure asks for five: the reasons of art. 162.
    await officer.fill(
      '#fewerCandidatesReason',
      'Només una empresa ha acreditat la solvència exigida al plec.',
    );
    await officer.click('#invite-submit');
    await officer.waitForSelector('#invited-table');
    expect(await officer.locator('#invited-table tbody tr').count()).toBe(1);
    await expectAccessible(officer, 'selection-office-invited-ca');
    await inLocale(officer, 'en', office);
    expect(await officer.getAttribute('html', 'lang')).toBe('en');
    await expectAccessible(officer, 'selection-office-invited-en');

    await company.goto(`${demo.base}${participation}`);
    expect(await company.getAttribute('#invited', 'data-invited')).toBe('yes');
    expect(await company.getAttribute('#request-decision', 'data-decision')).toBe('selected');
    expect(await company.getAttribute('#bid-page', 'href')).toMatch(
      new RegExp(`^/tenders/${ocid}/bid\\?companyId=`),
    );
    await expectAccessible(company, 'selection-company-invited-ca');
    await inLocale(company, 'es', participation);
    expect(await company.getAttribute('html', 'lang')).toBe('es');
    await expectAccessible(company, 'selection-company-invited-es');
  });
});
