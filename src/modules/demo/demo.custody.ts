import fs from 'node:fs/promises';
import path from 'node:path';
import type { ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { withTransaction } from '../../platform/db/tx.js';
import { newId } from '../../platform/ids.js';
import { recordEvent } from '../audit/audit.service.js';
import { generateCustodianKeyPair, recipientFingerprint } from '../custody/custodian-key.crypto.js';
import { activeKeysOf, insertKey } from '../custody/custodian-key.repo.js';
import { membersWithRole } from '../tenancy/authority.repo.js';

/**
 * Registers a public key for every demo key custodian that has none, so that the demo files can
 * be published (a file whose custodians lack keys fails the CUSTODIAN_KEY_MISSING check).
 *
 * A real custodian makes their key pair on their own device and the server never sees the
 * private half. The demo has nobody to do that, so the seed makes real X25519 key pairs itself
 * and writes each custodian's identity, in age's identity-file format, to
 * `<identitiesDir>/<email>.txt` (mode 0600): with those files a demo can later open bids the way
 * custodians would (`contracta custodian open`). They are demo secrets, readable by whoever
 * runs the demo; nothing of them is stored in the database. The file is written before the key
 * is committed, so a committed demo key always has its identity on disk. `identitiesDir`
 * undefined registers the keys without keeping the identities (such bids can never be opened).
 */
export async function seedDemoCustodianKeys(
  db: Db,
  ctx: Omit<ServiceContext, 'db'>,
  identitiesDir: string | undefined,
): Promise<number> {
  const authorities = await db.selectFrom('authority').select('id').orderBy('slug').execute();
  let created = 0;
  for (const { id: authorityId } of authorities) {
    const custodians = await membersWithRole(db, authorityId, ['key_custodian']);
    const withKey = new Set(
      (
        await activeKeysOf(
          db,
          authorityId,
          custodians.map((c) => c.id),
        )
      ).map((k) => k.user_id),
    );
    for (const c of custodians.filter((x) => !withKey.has(x.id))) {
      const user = await db
        .selectFrom('app_user')
        .select('email')
        .where('id', '=', c.id)
        .executeTakeFirstOrThrow();
      const { identity, recipient } = generateCustodianKeyPair();
      const now = ctx.clock.now();
      if (identitiesDir) await writeIdentity(identitiesDir, user.email, identity, recipient, now);
      const fingerprint = recipientFingerprint(recipient);
      await withTransaction(db, async (trx) => {
        const id = newId();
        await insertKey(trx, { id, authorityId, userId: c.id, recipient, fingerprint, at: now });
        await recordEvent(trx, ctx, {
          action: 'custodian_key.registered',
          objectType: 'custodian_key',
          objectId: id,
          authorityId,
          data: { userId: c.id, recipient, fingerprint, replaces: null },
        });
      });
      created += 1;
    }
  }
  return created;
}

/** Writes an age identity file readable by its owner only, replacing any older one atomically. */
async function writeIdentity(
  dir: string,
  email: string,
  identity: string,
  recipient: string,
  at: Date,
): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${email.replace(/[^a-zA-Z0-9@._-]/g, '_')}.txt`);
  const tmp = `${file}.${process.pid}.tmp`;
  const text = `# created: ${at.toISOString()}\n# public key: ${recipient}\n# demo custodian: ${email}\n${identity}\n`;
  await fs.writeFile(tmp, text, { mode: 0o600 });
  await fs.rename(tmp, file);
}
