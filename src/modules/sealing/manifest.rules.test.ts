import { describe, expect, it } from 'vitest';
import { utf8 } from './bytes.js';
import { sealEnvelopeToMemory } from './envelope.seal.js';
import { assertManifestMatchesTarget, manifestSha256, parseManifest } from './manifest.rules.js';
import { custodianPool, targetFor } from './test-support.js';

const BID = '0f8b7a52-3c1d-4e2f-9a6b-1c2d3e4f5a6b';

async function sample() {
  const keys = await custodianPool();
  const target = targetFor(keys, 3, 2);
  const sealed = await sealEnvelopeToMemory({
    target,
    bidId: BID,
    lots: [3],
    envelope: 'B',
    files: [{ name: 'memoria tècnica.pdf', content: utf8('x') }],
  });
  return { keys, target, sealed };
}

describe('manifest rules', () => {
  it('the manifest is canonical JSON with the v1 fields, and its hash is that of its bytes', async () => {
    const { sealed } = await sample();
    const text = new TextDecoder().decode(sealed.manifestBytes);
    expect(Object.keys(JSON.parse(text))).toEqual([
      'bidId',
      'custodians',
      'envelope',
      'envelopeRecipient',
      'files',
      'lots',
      'ocid',
      'quorum',
      'shares',
      'v',
    ]);
    expect(sealed.manifestSha256).toBe(manifestSha256(sealed.manifest));
    expect(parseManifest(JSON.parse(text))).toEqual(sealed.manifest);
  });

  it('parseManifest refuses unknown fields, bad hashes, wrong numbering and bad quorum (UNPROCESSABLE)', async () => {
    const { sealed } = await sample();
    const m = sealed.manifest;
    const bad: unknown[] = [
      null,
      [],
      { ...m, extra: true },
      { ...m, v: 2 },
      { ...m, bidId: BID.toUpperCase() },
      { ...m, lots: [2, 1] },
      { ...m, envelope: 'D' },
      { ...m, envelopeRecipient: 'age1nope' },
      { ...m, quorum: 1 },
      { ...m, quorum: 4 },
      { ...m, shares: m.shares.slice(1) },
      { ...m, shares: m.shares.map((s) => ({ ...s, sha256: s.sha256.toUpperCase() })) },
      { ...m, custodians: [...m.custodians].reverse() },
      { ...m, files: [] },
      { ...m, files: [{ ...m.files[0], size: -1 }] },
      { ...m, files: [{ ...m.files[0], name: 'a/b' }] },
      { ...m, files: [m.files[0], m.files[0]] },
    ];
    for (const value of bad)
      expect(() => parseManifest(value)).toThrow(expect.objectContaining({ code: 'UNPROCESSABLE' }));
  });

  it('assertManifestMatchesTarget checks tender, bid, envelope, quorum and custodians', async () => {
    const { keys, target, sealed } = await sample();
    const m = sealed.manifest;
    expect(() => assertManifestMatchesTarget(m, target, { bidId: BID, envelope: 'B' })).not.toThrow();
    const refused = [
      () => assertManifestMatchesTarget(m, { ...target, ocid: 'ocds-other' }, { bidId: BID }),
      () => assertManifestMatchesTarget(m, target, { bidId: '7d1e2f30-4a5b-4c6d-8e9f-0a1b2c3d4e5f' }),
      () => assertManifestMatchesTarget(m, target, { bidId: BID, envelope: 'A' }),
      () => assertManifestMatchesTarget(m, { ...target, quorum: 3 }, { bidId: BID }),
      () => assertManifestMatchesTarget(m, targetFor(keys.slice(1), 3, 2), { bidId: BID }),
    ];
    for (const f of refused) expect(f).toThrow(expect.objectContaining({ code: 'UNPROCESSABLE' }));
  });
});
