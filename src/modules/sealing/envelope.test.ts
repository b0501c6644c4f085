import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError, type ErrorCode } from '../../platform/errors.js';
import { fromBase64, sha256Hex, toBase64, utf8 } from './bytes.js';
import type { CustodianKey } from './custodian-key.js';
import { openEnvelope, openEnvelopeToSinks } from './envelope.open.js';
import { sealEnvelopeToMemory } from './envelope.seal.js';
import { parseManifest } from './manifest.rules.js';
import type { EnvelopeLetter, SharePayload } from './sealing.types.js';
import { encodeSharePayload, unwrapShare, validateShareSet } from './shares.js';
import { custodianPool, indexOfBytes, targetFor } from './test-support.js';

const RUNS = 20;
const BID = '0f8b7a52-3c1d-4e2f-9a6b-1c2d3e4f5a6b';
const OTHER_BID = '7d1e2f30-4a5b-4c6d-8e9f-0a1b2c3d4e5f';

async function codeOf(p: Promise<unknown>): Promise<ErrorCode | 'OK'> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
}

type Sealed = Awaited<ReturnType<typeof sealEnvelopeToMemory>>;

/** Seals and has every custodian unwrap their share (the custodian-side step, checked on the way). */
async function sealAndUnwrap(
  keys: CustodianKey[],
  n: number,
  k: number,
  files: Uint8Array[],
  opts: { bidId?: string; envelope?: EnvelopeLetter } = {},
): Promise<{ sealed: Sealed; payloads: SharePayload[] }> {
  const target = targetFor(keys, n, k);
  const bidId = opts.bidId ?? BID;
  const envelope = opts.envelope ?? 'A';
  const sealed = await sealEnvelopeToMemory({
    target,
    bidId,
    lots: [2, 1],
    envelope,
    files: files.map((content, i) => ({ name: `doc-${i + 1}.pdf`, content })),
  });
  const payloads = await Promise.all(
    sealed.shares.map((s) =>
      unwrapShare(s.ciphertext, (keys[s.index - 1] as CustodianKey).identity, {
        ocid: target.ocid,
        bidId,
        envelope,
        index: s.index,
      }),
    ),
  );
  return { sealed, payloads };
}

const nk = fc
  .integer({ min: 2, max: 5 })
  .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 2, max: n })));
const smallFiles = fc.array(fc.uint8Array({ minLength: 0, maxLength: 2048 }), { minLength: 1, maxLength: 3 });

describe('sealing protocol v1 (property tests)', () => {
  it('any k of the n shares open the envelope, in any order, and give back the files', async () => {
    const keys = await custodianPool();
    await fc.assert(
      fc.asyncProperty(nk, smallFiles, fc.integer(), async ([n, k], files, seed) => {
        const { sealed, payloads } = await sealAndUnwrap(keys, n, k, files);
        expect(parseManifest(JSON.parse(new TextDecoder().decode(sealed.manifestBytes)))).toEqual(
          sealed.manifest,
        );
        expect(sealed.manifest.lots).toEqual([1, 2]);
        const chosen = fc.sample(fc.shuffledSubarray(payloads, { minLength: k, maxLength: n }), {
          numRuns: 1,
          seed,
        })[0] as SharePayload[];
        // Custodians submit JSON text; the opening parses it.
        const opened = await openEnvelope({
          manifest: sealed.manifest,
          shares: chosen.map((p) => JSON.parse(encodeSharePayload(p))),
          ciphertexts: sealed.ciphertexts,
        });
        expect(opened.files.map((f) => f.plaintext)).toEqual(files);
        expect(opened.files.map((f) => f.name)).toEqual(files.map((_, i) => `doc-${i + 1}.pdf`));
      }),
      { numRuns: RUNS },
    );
  });

  it('any k−1 shares do not open it (QUORUM_NOT_REACHED)', async () => {
    const keys = await custodianPool();
    await fc.assert(
      fc.asyncProperty(nk, fc.integer(), async ([n, k], seed) => {
        const { sealed, payloads } = await sealAndUnwrap(keys, n, k, [utf8('secret offer')]);
        const chosen = fc.sample(fc.shuffledSubarray(payloads, { minLength: k - 1, maxLength: k - 1 }), {
          numRuns: 1,
          seed,
        })[0] as SharePayload[];
        const code = await codeOf(
          openEnvelope({ manifest: sealed.manifest, shares: chosen, ciphertexts: sealed.ciphertexts }),
        );
        expect(code).toBe('QUORUM_NOT_REACHED');
      }),
      { numRuns: RUNS },
    );
  });

  it('a share of another envelope or another bid is SHARE_FOREIGN, even among k valid ones', async () => {
    const keys = await custodianPool();
    await fc.assert(
      fc.asyncProperty(
        nk,
        fc.constantFrom<'envelope' | 'bid'>('envelope', 'bid'),
        fc.nat(),
        async ([n, k], other, pick) => {
          const mine = await sealAndUnwrap(keys, n, k, [utf8('A')]);
          const theirs = await sealAndUnwrap(
            keys,
            n,
            k,
            [utf8('B')],
            other === 'envelope' ? { envelope: 'B' } : { bidId: OTHER_BID },
          );
          const foreign = theirs.payloads[pick % n] as SharePayload;
          const shares = [...mine.payloads.slice(0, k), foreign];
          const code = await codeOf(
            openEnvelope({ manifest: mine.sealed.manifest, shares, ciphertexts: mine.sealed.ciphertexts }),
          );
          expect(code).toBe('SHARE_FOREIGN');
          // A custodian unwrapping it against the wrong envelope is told the same.
          const enc = theirs.sealed.shares[pick % n];
          const key = keys[pick % n] as CustodianKey;
          expect(
            await codeOf(
              unwrapShare(enc?.ciphertext as Uint8Array, key.identity, {
                ocid: mine.sealed.manifest.ocid,
                bidId: BID,
                envelope: 'A',
              }),
            ),
          ).toBe('SHARE_FOREIGN');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a duplicated share is SHARE_DUPLICATE (same position, or the same bytes relabelled)', async () => {
    const keys = await custodianPool();
    await fc.assert(
      fc.asyncProperty(nk, fc.nat(), fc.boolean(), async ([n, k], pick, relabel) => {
        const { sealed, payloads } = await sealAndUnwrap(keys, n, k, [utf8('offer')]);
        const base = payloads.slice(0, k - 1);
        const dup = base[pick % base.length] as SharePayload;
        // Relabelled: a custodian submits their own share again under a position nobody submitted.
        const unused = payloads.find((p) => !base.includes(p));
        const copy = relabel && unused ? { ...dup, index: unused.index } : { ...dup };
        const code = await codeOf(
          openEnvelope({
            manifest: sealed.manifest,
            shares: [...base, copy],
            ciphertexts: sealed.ciphertexts,
          }),
        );
        expect(code).toBe('SHARE_DUPLICATE');
      }),
      { numRuns: RUNS },
    );
  });

  it('a modified share (any bit of its bytes) is SHARE_INVALID and opens nothing', async () => {
    const keys = await custodianPool();
    await fc.assert(
      fc.asyncProperty(
        nk,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        async ([n, k], who, at, bit) => {
          const { sealed, payloads } = await sealAndUnwrap(keys, n, k, [utf8('offer')]);
          const shares = payloads.slice(0, k).map((p) => ({ ...p }));
          const victim = shares[who % k] as SharePayload;
          const bytes = fromBase64(victim.share) as Uint8Array;
          const pos = at % bytes.length;
          bytes[pos] = (bytes[pos] as number) ^ (1 << bit);
          victim.share = toBase64(bytes);
          const code = await codeOf(
            openEnvelope({ manifest: sealed.manifest, shares, ciphertexts: sealed.ciphertexts }),
          );
          expect(code).toBe('SHARE_INVALID');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a ciphertext with any byte flipped is CIPHERTEXT_TAMPERED and no plaintext is returned', async () => {
    const keys = await custodianPool();
    // Files larger than one 64 KiB age chunk, so that a flip in a later chunk is covered.
    const files = fc.array(fc.uint8Array({ minLength: 1, maxLength: 150_000 }), {
      minLength: 1,
      maxLength: 2,
    });
    await fc.assert(
      fc.asyncProperty(files, fc.nat(), fc.nat(), fc.boolean(), async (plain, which, at, fixHash) => {
        const { sealed, payloads } = await sealAndUnwrap(keys, 3, 2, plain);
        const f = which % plain.length;
        const ct = (sealed.ciphertexts[f] as Uint8Array).slice();
        const pos = at % ct.length;
        ct[pos] = (ct[pos] as number) ^ 0x01;
        const ciphertexts = sealed.ciphertexts.map((c, i) => (i === f ? ct : c));
        // fixHash: an attacker who can also rewrite the stored manifest; age's authentication must
        // still refuse the bytes.
        const manifest = fixHash
          ? {
              ...sealed.manifest,
              files: sealed.manifest.files.map((m, i) => (i === f ? { ...m, sha256: sha256Hex(ct) } : m)),
            }
          : sealed.manifest;
        let result: unknown = null;
        const code = await codeOf(
          openEnvelope({ manifest, shares: payloads.slice(0, 2), ciphertexts }).then((r) => {
            result = r;
          }),
        );
        expect(code).toBe('CIPHERTEXT_TAMPERED');
        expect(result).toBeNull();
        // The streaming variant verifies everything before writing a single byte to a sink.
        const written: Uint8Array[] = [];
        const streamed = await codeOf(
          openEnvelopeToSinks({
            manifest,
            shares: payloads.slice(0, 2),
            ciphertexts: (_file, i) => ciphertexts[i] as Uint8Array,
            sink: () => new WritableStream({ write: (c) => void written.push(c) }),
          }),
        );
        expect(streamed).toBe('CIPHERTEXT_TAMPERED');
        expect(written).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('sealing protocol v1 (examples)', () => {
  it('a ciphertext that differs from the manifest hash, truncated, or missing is CIPHERTEXT_TAMPERED', async () => {
    const keys = await custodianPool();
    const { sealed, payloads } = await sealAndUnwrap(keys, 3, 2, [new Uint8Array(70_000).fill(7)]);
    const shares = payloads.slice(1);
    const ct = sealed.ciphertexts[0] as Uint8Array;
    const wrongHash = {
      ...sealed.manifest,
      files: [{ ...(sealed.manifest.files[0] as (typeof sealed.manifest.files)[0]), sha256: '0'.repeat(64) }],
    };
    expect(await codeOf(openEnvelope({ manifest: wrongHash, shares, ciphertexts: [ct] }))).toBe(
      'CIPHERTEXT_TAMPERED',
    );
    const cut = ct.slice(0, ct.length - 100);
    const cutManifest = {
      ...sealed.manifest,
      files: [
        {
          ...(sealed.manifest.files[0] as (typeof sealed.manifest.files)[0]),
          sha256: sha256Hex(cut),
          ciphertextSize: cut.length,
        },
      ],
    };
    expect(await codeOf(openEnvelope({ manifest: cutManifest, shares, ciphertexts: [cut] }))).toBe(
      'CIPHERTEXT_TAMPERED',
    );
    expect(await codeOf(openEnvelope({ manifest: sealed.manifest, shares, ciphertexts: [] }))).toBe(
      'CIPHERTEXT_TAMPERED',
    );
    // Untouched, the same inputs open.
    const ok = await openEnvelope({ manifest: sealed.manifest, shares, ciphertexts: [ct] });
    expect(ok.files[0]?.plaintext).toEqual(new Uint8Array(70_000).fill(7));
  });

  it('stops decrypting as soon as a file outgrows its declared size (a huge file declared tiny)', async () => {
    const keys = await custodianPool();
    const big = new Uint8Array(600_000).fill(3);
    const { sealed, payloads } = await sealAndUnwrap(keys, 3, 2, [big]);
    const ct = sealed.ciphertexts[0] as Uint8Array;
    const tiny = {
      ...sealed.manifest,
      files: [{ ...(sealed.manifest.files[0] as (typeof sealed.manifest.files)[0]), size: 10 }],
    };
    let pulled = 0;
    const counting = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < ct.length; i += 16_384) {
            controller.enqueue(ct.slice(i, i + 16_384));
          }
          controller.close();
        },
        pull() {},
      }).pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, c) {
            pulled += chunk.length;
            c.enqueue(chunk);
          },
        }),
      );
    const code = await codeOf(
      openEnvelope({ manifest: tiny, shares: payloads.slice(1), ciphertexts: () => counting() }),
    );
    expect(code).toBe('CIPHERTEXT_TAMPERED');
    // Refused within the first chunks, not after reading the 600 kB.
    expect(pulled).toBeLessThan(ct.length / 2);
  });

  it('malformed share JSON is SHARE_INVALID; a share of a position the manifest lacks is SHARE_FOREIGN', async () => {
    const keys = await custodianPool();
    const { sealed, payloads } = await sealAndUnwrap(keys, 2, 2, [utf8('x')]);
    const p = payloads[0] as SharePayload;
    expect(() => validateShareSet(sealed.manifest, ['{not json'])).toThrow(
      expect.objectContaining({ code: 'SHARE_INVALID' }),
    );
    expect(() => validateShareSet(sealed.manifest, [{ ...p, extra: 1 }])).toThrow(
      expect.objectContaining({ code: 'SHARE_INVALID' }),
    );
    expect(() => validateShareSet(sealed.manifest, [{ ...p, share: 'not base64!' }])).toThrow(
      expect.objectContaining({ code: 'SHARE_INVALID' }),
    );
    expect(() => validateShareSet(sealed.manifest, [{ ...p, index: 3 }])).toThrow(
      expect.objectContaining({ code: 'SHARE_FOREIGN' }),
    );
    expect(() => validateShareSet(sealed.manifest, [{ ...p, ocid: 'ocds-other' }])).toThrow(
      expect.objectContaining({ code: 'SHARE_FOREIGN' }),
    );
  });

  it('a share is refused by a custodian it is not addressed to (SHARE_FOREIGN)', async () => {
    const keys = await custodianPool();
    const { sealed } = await sealAndUnwrap(keys, 3, 2, [utf8('x')]);
    const code = await codeOf(
      unwrapShare(
        (sealed.shares[0] as { ciphertext: Uint8Array }).ciphertext,
        (keys[1] as CustodianKey).identity,
        {
          ocid: sealed.manifest.ocid,
          bidId: BID,
          envelope: 'A',
        },
      ),
    );
    expect(code).toBe('SHARE_FOREIGN');
  });

  it('the marker in the plaintext appears in no output of sealing', async () => {
    const keys = await custodianPool();
    const marker = 'MARKER-7f3c9e1a-sealed-offer-ONLY';
    const big = utf8(`${'filler '.repeat(20_000)}${marker}${' tail'.repeat(5_000)}`);
    const { sealed, payloads } = await sealAndUnwrap(keys, 5, 3, [
      utf8(marker),
      big,
      utf8(marker.repeat(50)),
    ]);
    const needle = utf8(marker);
    const outputs: Uint8Array[] = [
      ...sealed.ciphertexts,
      ...sealed.shares.map((s) => s.ciphertext),
      sealed.manifestBytes,
      utf8(JSON.stringify(sealed.manifest)),
      ...payloads.map((p) => utf8(encodeSharePayload(p))),
    ];
    for (const out of outputs) expect(indexOfBytes(out, needle)).toBe(-1);
    // And the opening does yield it.
    const opened = await openEnvelope({
      manifest: sealed.manifest,
      shares: payloads.slice(2),
      ciphertexts: sealed.ciphertexts,
    });
    expect(indexOfBytes(opened.files[1]?.plaintext as Uint8Array, needle)).toBeGreaterThan(0);
  });

  it('streams a file larger than memory-sized chunks and opens it into sinks', async () => {
    const keys = await custodianPool();
    const size = 3 * 64 * 1024 + 123;
    let produced = 0;
    // A source that generates its bytes on demand, as a file read would.
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        const n = Math.min(50_000, size - produced);
        if (n === 0) return controller.close();
        const chunk = new Uint8Array(n).map((_, i) => (produced + i) % 251);
        produced += n;
        controller.enqueue(chunk);
      },
    });
    const sealed = await sealEnvelopeToMemory({
      target: targetFor(keys, 3, 2),
      bidId: BID,
      lots: [1],
      envelope: 'C',
      files: [{ name: 'price.xlsx', content: source }],
    });
    expect(sealed.manifest.files[0]?.size).toBe(size);
    expect(sealed.manifest.files[0]?.ciphertextSize).toBe(sealed.ciphertexts[0]?.length);
    const payloads = await Promise.all(
      sealed.shares.map((s) =>
        unwrapShare(s.ciphertext, (keys[s.index - 1] as CustodianKey).identity, {
          ocid: 'ocds-test-0001',
          bidId: BID,
          envelope: 'C',
        }),
      ),
    );
    const chunks: Uint8Array[] = [];
    await openEnvelopeToSinks({
      manifest: sealed.manifest,
      shares: [payloads[2], payloads[0]],
      ciphertexts: () => sealed.ciphertexts[0] as Uint8Array,
      sink: () => new WritableStream({ write: (c) => void chunks.push(c) }),
    });
    const total = chunks.reduce((s, c) => s + c.length, 0);
    expect(total).toBe(size);
    expect(chunks.every((c) => c.length <= 64 * 1024)).toBe(true);
    expect(chunks[1]?.[0]).toBe((64 * 1024) % 251);
  });

  it('refuses to seal with an invalid target, bid id, lots or file names', async () => {
    const keys = await custodianPool();
    const base = {
      target: targetFor(keys, 3, 2),
      bidId: BID,
      lots: [1],
      envelope: 'A' as const,
      files: [{ name: 'a.pdf', content: utf8('x') }],
    };
    const cases = [
      { ...base, target: targetFor(keys, 3, 1) },
      { ...base, target: targetFor(keys, 2, 3) },
      { ...base, target: { ...base.target, custodians: [...base.target.custodians].reverse() } },
      {
        ...base,
        target: {
          ...base.target,
          custodians: base.target.custodians.map((c) => ({ ...c, recipient: keys[0]?.recipient as string })),
        },
      },
      { ...base, bidId: 'not-a-uuid' },
      { ...base, lots: [] },
      { ...base, lots: [1, 1] },
      { ...base, files: [] },
      { ...base, files: [{ name: '../etc/passwd', content: utf8('x') }] },
      { ...base, files: [{ name: 'a\u0001.pdf', content: utf8('x') }] },
      {
        ...base,
        files: [
          { name: 'a.pdf', content: utf8('x') },
          { name: 'a.pdf', content: utf8('y') },
        ],
      },
    ];
    for (const input of cases) expect(await codeOf(sealEnvelopeToMemory(input))).toBe('UNPROCESSABLE');
  });
});
