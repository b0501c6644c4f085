import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, bidSubmit, custodianOpen } from '../../src/modules/bids/bid.cli.js';
import { formatIdentityFile } from '../../src/modules/sealing/custodian-key.js';
import { bidSeal, registerSealingCommands } from '../../src/modules/sealing/sealing.cli.js';
import { hashToken, newId, newSecretToken } from '../../src/platform/ids.js';
import { buildTestApp, login, makeUser, type TestApp } from '../helpers/app.js';
import { type Bidder, makeBidder, publishSealedTender, type SealedTender } from '../helpers/sealed-bids.js';

/**
 * `contracta bid submit` and `contracta custodian open` end to end against a listening server:
 * keys made with the sealing library, a published tender, `bid seal` → `bid submit` → the deadline
 * passes → two of three custodians run `custodian open` A → the opening record lists the bid.
 */
describe('bid submit / custodian open CLI', () => {
  let t: TestApp;
  let url: string;
  let work: string;
  let tender: SealedTender;
  let bidder: Bidder;
  let bidderToken: string;
  const custodianTokens: string[] = [];
  const identityFiles: string[] = [];
  const silent = () => {};

  async function insertToken(userId: string, scope: { authorityId?: string; companyId?: string }) {
    const token = newSecretToken('ctk_');
    await t.db.db
      .insertInto('api_token')
      .values({
        id: newId(),
        user_id: userId,
        authority_id: scope.authorityId ?? null,
        company_id: scope.companyId ?? null,
        name: 'cli',
        token_hash: hashToken(token),
        token_prefix: token.slice(0, 10),
        expires_at: new Date(t.clock.now().getTime() + 365 * 86_400_000),
      })
      .execute();
    return token;
  }

  beforeAll(async () => {
    t = await buildTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'contracta-bid-cli-'));
    tender = await publishSealedTender(t);
    bidder = await makeBidder(t);
    bidderToken = await insertToken(bidder.userId, { companyId: bidder.companyId });
    for (const [i, key] of tender.keys.entries()) {
      const row = await t.db.db
        .selectFrom('custodian_key')
        .select('user_id')
        .where('recipient', '=', key.recipient)
        .executeTakeFirstOrThrow();
      custodianTokens.push(await insertToken(row.user_id, { authorityId: tender.authorityId }));
      const file = path.join(work, `custodian-${i + 1}.txt`);
      await fs.writeFile(file, formatIdentityFile(key, t.clock.now()), { mode: 0o600 });
      identityFiles.push(file);
    }
    await fs.writeFile(path.join(work, 'target.json'), JSON.stringify(tender.target));
  });
  afterAll(async () => {
    await t.close();
    await fs.rm(work, { recursive: true, force: true });
  });

  async function seal(name: string, bidId = newId()) {
    const dir = path.join(work, name);
    const plain: string[] = [];
    for (const e of tender.envelopes) {
      const p = path.join(work, `${name}-${e}.txt`);
      await fs.writeFile(p, `Oferta ${name}, sobre ${e}\n`.repeat(50));
      plain.push(`${e}=${p}`);
    }
    await bidSeal(
      {
        target: path.join(work, 'target.json'),
        bidId,
        lots: '1',
        envelope: plain,
        out: dir,
        price: tender.envelopes.includes('C') ? ['1=48250.00'] : [],
      },
      silent,
    );
    return { dir, bidId };
  }

  it('refuses with the server code: a bad token, another company', async () => {
    const { dir } = await seal('refused');
    await expect(
      bidSubmit({ url, token: 'ctk_nope', company: bidder.companyId, dir }, silent),
    ).rejects.toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    const err = await bidSubmit({ url, token: bidderToken, company: newId(), dir }, silent).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('NOT_FOUND');
    expect((err as ApiError).message).toMatch(/^NOT_FOUND: .*\(HTTP 404\)$/);
    await expect(
      bidSubmit({ url: 'http://127.0.0.1:1', token: bidderToken, company: bidder.companyId, dir }, silent),
    ).rejects.toThrow(/Cannot reach/);
    await expect(
      bidSubmit({ url, token: bidderToken, company: bidder.companyId, dir: path.join(work, 'none') }, silent),
    ).rejects.toThrow(/Cannot read/);
  });

  it('submits a sealed bid, saves the receipt, and two custodians open envelope A', async () => {
    const { dir, bidId } = await seal('bid1');
    const printed: string[] = [];
    const result = await bidSubmit({ url, token: bidderToken, company: bidder.companyId, dir }, (s) =>
      printed.push(s),
    );
    expect(result.file).toBe(path.join(dir, 'receipt-v1.json'));
    // One file and the shares per envelope, and the offer.json written from --price in C.
    expect(result.uploaded).toBe(tender.envelopes.length * (1 + tender.keys.length) + 1);
    const saved = JSON.parse(await fs.readFile(result.file, 'utf8')) as {
      receipt: { bidId: string; version: number; envelopes: { envelope: string }[] };
      signature: string;
    };
    expect(saved.receipt.bidId).toBe(bidId);
    expect(saved.receipt.envelopes.map((e) => e.envelope)).toEqual(tender.envelopes);
    expect(printed.join('')).toContain(`Bid:         ${bidId}, version 1`);
    expect(printed.join('')).toMatch(/valid/i);
    // Every piece and the version are stored.
    const blobs = await t.db.db
      .selectFrom('bid_blob')
      .innerJoin('bid_envelope', 'bid_envelope.id', 'bid_blob.bid_envelope_id')
      .innerJoin('bid_version', 'bid_version.id', 'bid_envelope.bid_version_id')
      .select('bid_blob.sha256')
      .where('bid_version.bid_id', '=', bidId)
      .execute();
    expect(blobs).toHaveLength(result.uploaded);

    // The same folder again, through the command line as registered: version 2 (a replacement).
    const program = new Command().exitOverride();
    const cliOut: string[] = [];
    registerSealingCommands(program, (s) => cliOut.push(s));
    await program.parseAsync(
      ['bid', 'submit', '--url', url, '--token', bidderToken, '--company', bidder.companyId, '--dir', dir],
      { from: 'user' },
    );
    expect(cliOut.join('')).toContain(`Receipt saved to ${path.join(dir, 'receipt-v2.json')}`);
    const v2 = JSON.parse(await fs.readFile(path.join(dir, 'receipt-v2.json'), 'utf8')) as {
      receipt: { version: number };
    };
    expect(v2.receipt.version).toBe(2);

    const open = (i: number) =>
      custodianOpen(
        {
          url,
          token: custodianTokens[i] ?? '',
          authority: tender.authorityId,
          tender: tender.tenderId,
          envelope: 'A',
          identity: identityFiles[i] ?? '',
        },
        silent,
      );
    // Before the deadline the server refuses; the CLI shows its code.
    await expect(open(0)).rejects.toMatchObject({ code: 'OPENING_NOT_YET' });

    // Who bid is written in the audit trail but read by nobody before envelope A opens: not the
    // authority's auditor, not a platform administrator (the audit embargo).
    const auditor = await makeUser(t, { roles: [{ authorityId: tender.authorityId, roles: ['auditor'] }] });
    const platform = await makeUser(t, { platformAdmin: true });
    const readers = [
      { email: auditor.email, url: `/api/v1/authorities/${tender.authorityId}/audit-events` },
      { email: platform.email, url: '/api/v1/audit-events' },
    ];
    const bidEvents = async () => {
      const seen: string[][] = [];
      for (const r of readers) {
        // Signed in afresh each time: the clock moves by weeks between the two readings.
        const session = await login(t, r.email);
        const res = await t.app.inject({
          url: `${r.url}?objectId=${tender.tenderId}&limit=500`,
          headers: session.headers,
        });
        expect(res.statusCode, res.body).toBe(200);
        const events = res.json() as {
          action: string;
          companyId: string | null;
          actorUserId: string | null;
        }[];
        expect(events.some((e) => e.actorUserId === bidder.userId && !e.action.startsWith('bid.'))).toBe(
          false,
        );
        seen.push(events.filter((e) => e.action.startsWith('bid.')).map((e) => `${e.action} ${e.companyId}`));
      }
      return seen;
    };
    const stored = await t.db.db
      .selectFrom('audit_event')
      .select('action')
      .where('object_id', '=', tender.tenderId)
      .where('action', '=', 'bid.submitted')
      .execute();
    expect(stored).toHaveLength(2);
    expect(await bidEvents()).toEqual([[], []]);

    t.clock.set(new Date(tender.deadline.getTime() + 3_600_000));
    // The wrong identity for this custodian's token: refused locally, nothing submitted.
    await expect(
      custodianOpen(
        {
          url,
          token: custodianTokens[0] ?? '',
          authority: tender.authorityId,
          tender: tender.tenderId,
          envelope: 'A',
          identity: identityFiles[1] ?? '',
        },
        silent,
      ),
    ).rejects.toMatchObject({ code: 'SHARE_FOREIGN' });

    const first = await open(0);
    expect(first.opened).toBeNull();
    expect(first.custodiansSubmitted).toBe(1);
    const printed2: string[] = [];
    const second = await custodianOpen(
      {
        url,
        token: custodianTokens[2] ?? '',
        authority: tender.authorityId,
        tender: tender.tenderId,
        envelope: 'A',
        identity: identityFiles[2] ?? '',
      },
      (s) => printed2.push(s),
    );
    expect(second.opened).not.toBeNull();
    expect(second.opened?.record.bids.map((b) => [b.bidId, b.outcome])).toEqual([[bidId, 'opened']]);
    expect(printed2.join('')).toContain(`bid ${bidId}: opened`);
    const openings = (await t.app.inject({ url: `/api/v1/tenders/${tender.ocid}/openings` })).json() as {
      record: { envelope: string; bids: { bidId: string }[] };
    }[];
    expect(openings.map((o) => [o.record.envelope, o.record.bids.map((b) => b.bidId)])).toEqual([
      ['A', [bidId]],
    ]);
    // Envelope A is open and names the bidder: the embargo is lifted for every reader.
    const submitted = `bid.submitted ${bidder.companyId}`;
    expect(await bidEvents()).toEqual([
      [submitted, submitted],
      [submitted, submitted],
    ]);
  });
});
