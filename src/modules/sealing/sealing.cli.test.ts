import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEnvelope, openEnvelopeToSinks } from './envelope.open.js';
import { parseManifest } from './manifest.rules.js';
import { parseOffer } from './offer.rules.js';
import { custodianKeygen, registerSealingCommands } from './sealing.cli.js';
import { fileStream } from './sealing.node.js';
import { Writable } from 'node:stream';
import { createWriteStream } from 'node:fs';

const BID = '0f8b7a52-3c1d-4e2f-9a6b-1c2d3e4f5a6b';
let dir: string;

/** Runs `contracta <args>` in-process on a fresh program; returns what it printed. */
async function run(...args: string[]): Promise<string> {
  let printed = '';
  const program = new Command().exitOverride();
  registerSealingCommands(program, (t) => {
    printed += t;
  });
  await program.parseAsync(args, { from: 'user' });
  return printed;
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'contracta-sealing-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('contracta custodian keygen / bid seal / custodian unwrap', () => {
  it('keygen → seal → two custodians unwrap → the library opens the envelopes', async () => {
    const keyFiles = [1, 2, 3].map((i) => path.join(dir, `custodian-${i}.key`));
    const recipients: string[] = [];
    for (const file of keyFiles.slice(0, 2)) {
      const printed = await run('custodian', 'keygen', '--out', file);
      const m = /Public key: (age1[0-9a-z]{58})\nFingerprint: ([0-9a-f]{16})\n/.exec(printed);
      expect(m).not.toBeNull();
      recipients.push(m?.[1] as string);
      expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    }
    // The third custodian protects their key with a passphrase (lower scrypt cost to keep the test fast).
    const third = await custodianKeygen(
      { out: keyFiles[2], passphrase: 'tres custodis i una clau', workFactor: 10 },
      () => {},
    );
    recipients.push(third.recipient);
    expect(await fs.readFile(keyFiles[2] as string, 'utf8')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
    await expect(run('custodian', 'keygen', '--out', keyFiles[0] as string)).rejects.toThrow(/EEXIST/);

    const targetFile = path.join(dir, 'target.json');
    const sealing = {
      ocid: 'ocds-test-0042',
      quorum: 2,
      custodians: recipients.map((recipient, i) => ({ index: i + 1, keyId: `k${i + 1}`, recipient })),
    };
    await fs.writeFile(targetFile, JSON.stringify({ title: 'notice', sealing }));
    const marker = 'MARKER-cli-5d2a-confidential';
    const docs = {
      espd: path.join(dir, 'espd.xml'),
      tech: path.join(dir, 'technical proposal.pdf'),
      price: path.join(dir, 'price.txt'),
    };
    await fs.writeFile(docs.espd, `<espd>${marker}</espd>`);
    await fs.writeFile(docs.tech, Buffer.alloc(200_000, 'memoria '));
    await fs.writeFile(docs.price, `123456.78 EUR ${marker}`);
    const out = path.join(dir, 'sealed');
    const summary = JSON.parse(
      await run(
        'bid',
        'seal',
        '--target',
        targetFile,
        '--bid-id',
        BID,
        '--lots',
        '2,1',
        '--envelope',
        `A=${docs.espd},${docs.tech}`,
        '--envelope',
        `C=${docs.price}`,
        '--price',
        '2=99.5',
        '--price',
        '1=123456,78',
        '--out',
        out,
      ),
    );
    expect(summary.envelopes.map((e: { envelope: string }) => e.envelope)).toEqual(['A', 'C']);
    expect((await fs.readdir(path.join(out, 'A'))).sort()).toEqual([
      'file-1.age',
      'file-2.age',
      'manifest.json',
      'share-1.age',
      'share-2.age',
      'share-3.age',
    ]);
    // No plaintext anywhere in what sealing wrote.
    for (const env of ['A', 'C']) {
      for (const f of await fs.readdir(path.join(out, env))) {
        expect((await fs.readFile(path.join(out, env, f))).includes(marker)).toBe(false);
      }
    }

    for (const env of ['A', 'C'] as const) {
      const manifest = parseManifest(
        JSON.parse(await fs.readFile(path.join(out, env, 'manifest.json'), 'utf8')),
      );
      expect(manifest.lots).toEqual([1, 2]);
      expect(manifest.files.map((f) => f.name)).toEqual(
        env === 'A' ? ['espd.xml', 'technical proposal.pdf'] : ['price.txt', 'offer.json'],
      );
      const share1 = await run(
        'custodian',
        'unwrap',
        '--identity',
        keyFiles[0] as string,
        '--share',
        path.join(out, env, 'share-1.age'),
      );
      process.env.TEST_CUSTODIAN_PASSPHRASE = 'tres custodis i una clau';
      const share3 = await run(
        'custodian',
        'unwrap',
        '--identity',
        keyFiles[2] as string,
        '--share',
        path.join(out, env, 'share-3.age'),
        '--manifest',
        path.join(out, env, 'manifest.json'),
        '--passphrase-from-env',
        'TEST_CUSTODIAN_PASSPHRASE',
      );
      expect(JSON.parse(share1)).toMatchObject({
        v: 1,
        ocid: 'ocds-test-0042',
        bidId: BID,
        envelope: env,
        index: 1,
      });
      const opened = await openEnvelope({
        manifest,
        shares: [share3, share1].map((s) => JSON.parse(s)),
        ciphertexts: (_f, i) => fileStream(path.join(out, env, `file-${i + 1}.age`)),
      });
      if (env === 'A') {
        expect(new TextDecoder().decode(opened.files[0]?.plaintext)).toBe(`<espd>${marker}</espd>`);
        expect(opened.files[1]?.plaintext).toEqual(new Uint8Array(Buffer.alloc(200_000, 'memoria ')));
      } else {
        // The streaming opening, into files.
        const targets = ['opened-price.txt', 'opened-offer.json'].map((f) => path.join(dir, f));
        let n = 0;
        await openEnvelopeToSinks({
          manifest,
          shares: [JSON.parse(share1), JSON.parse(share3)],
          ciphertexts: (_f, i) => fileStream(path.join(out, env, `file-${i + 1}.age`)),
          sink: () => Writable.toWeb(createWriteStream(targets[n++] ?? '')) as WritableStream<Uint8Array>,
        });
        expect(await fs.readFile(targets[0] ?? '', 'utf8')).toBe(`123456.78 EUR ${marker}`);
        // The prices from --price, as the opening of C reads them (lots in order, comma made a point).
        expect(
          parseOffer(new Uint8Array(await fs.readFile(targets[1] ?? '')), {
            ocid: 'ocds-test-0042',
            bidId: BID,
            lots: [1, 2],
          }),
        ).toMatchObject({
          ok: true,
          offer: {
            lots: [
              { lot: 1, price: '123456.78', values: [] },
              { lot: 2, price: '99.5', values: [] },
            ],
          },
        });
      }
    }

    // A custodian's share of envelope A presented as C's, and a non-custodian key: SHARE_FOREIGN.
    await fs.copyFile(path.join(out, 'A', 'share-2.age'), path.join(dir, 'share-2.age'));
    await fs.copyFile(path.join(out, 'C', 'manifest.json'), path.join(dir, 'manifest.json'));
    await expect(
      run(
        'custodian',
        'unwrap',
        '--identity',
        keyFiles[1] as string,
        '--share',
        path.join(dir, 'share-2.age'),
      ),
    ).rejects.toThrow(/^SHARE_FOREIGN/);
    const stranger = path.join(dir, 'stranger.key');
    await run('custodian', 'keygen', '--out', stranger);
    await expect(
      run('custodian', 'unwrap', '--identity', stranger, '--share', path.join(out, 'A', 'share-1.age')),
    ).rejects.toThrow(/^SHARE_FOREIGN/);
    // Sealing again into the same folder is refused rather than mixing two sealings.
    await expect(
      run(
        'bid',
        'seal',
        '--target',
        targetFile,
        '--bid-id',
        BID,
        '--lots',
        '1',
        '--envelope',
        `A=${docs.espd}`,
        '--out',
        out,
      ),
    ).rejects.toThrow(/EEXIST/);
  });

  it('refuses malformed arguments with UNPROCESSABLE', async () => {
    const targetFile = path.join(dir, 'bad-target.json');
    await fs.writeFile(targetFile, JSON.stringify({ ocid: 'x' }));
    await expect(
      run(
        'bid',
        'seal',
        '--target',
        targetFile,
        '--bid-id',
        BID,
        '--lots',
        '1',
        '--envelope',
        'A=x',
        '--out',
        dir,
      ),
    ).rejects.toThrow(/^UNPROCESSABLE/);
    const good = path.join(dir, 'target2.json');
    const recipients: string[] = [];
    for (const i of [1, 2]) {
      const printed = await run('custodian', 'keygen', '--out', path.join(dir, `price-custodian-${i}.key`));
      recipients.push(/Public key: (age1[0-9a-z]{58})/.exec(printed)?.[1] ?? '');
    }
    const target3 = path.join(dir, 'target3.json');
    const custodians = recipients.map((recipient, i) => ({ index: i + 1, keyId: `k${i + 1}`, recipient }));
    await fs.writeFile(target3, JSON.stringify({ ocid: 'ocds-abc123-0001', quorum: 2, custodians }));
    // Prices go with envelope C, one per lot bid, as plain amounts.
    for (const [envelope, prices, problem] of [
      ['C=x', [], /needs the offered prices/],
      ['A=x', ['1=10'], /goes with envelope C/],
      ['C=x', ['3=10'], /not in --lots/],
      ['C=x', ['1=10', '1=11'], /twice/],
      ['C=x', ['1=10'], /missing for lot\(s\) 2/],
      ['C=x', ['1=-10', '2=1'], /LOT=AMOUNT/],
      ['C=x', ['1=1.005', '2=1'], /LOT=AMOUNT/],
      ['C=x', ['1=1e6', '2=1'], /LOT=AMOUNT/],
    ] as const) {
      await expect(
        run(
          'bid',
          'seal',
          '--target',
          target3,
          '--bid-id',
          BID,
          '--lots',
          '1,2',
          '--envelope',
          envelope,
          ...prices.flatMap((p) => ['--price', p]),
          '--out',
          path.join(dir, 'never'),
        ),
      ).rejects.toThrow(problem);
    }
    await fs.writeFile(good, JSON.stringify({ ocid: 'x', quorum: 2, custodians: [] }));
    for (const [lots, env] of [
      ['one', 'A=x'],
      ['1', 'D=x'],
      ['1', 'A='],
    ]) {
      await expect(
        run(
          'bid',
          'seal',
          '--target',
          good,
          '--bid-id',
          BID,
          '--lots',
          lots as string,
          '--envelope',
          env as string,
          '--out',
          dir,
        ),
      ).rejects.toThrow(/^UNPROCESSABLE/);
    }
  });
});
