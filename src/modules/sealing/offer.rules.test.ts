import { describe, expect, it } from 'vitest';
import { utf8 } from './bytes.js';
import { makeOffer, offerBytes, parseOffer } from './offer.rules.js';

const ocid = 'ocds-abc123-0001';
const bidId = '3f2b8c1e-1d2a-4b3c-9d8e-7f6a5b4c3d2e';
const expected = { ocid, bidId, lots: [1, 2] };

const raw = (lots: unknown, extra: Record<string, unknown> = {}) =>
  utf8(JSON.stringify({ v: 1, kind: 'contracta.offer', ocid, bidId, lots, ...extra }));

describe('offer.json', () => {
  it('round-trips through canonical bytes, lots and criteria sorted', () => {
    const offer = makeOffer({
      ocid,
      bidId,
      lots: [
        { lot: 2, price: '900', values: [] },
        {
          lot: 1,
          price: '12345.60',
          values: [
            { criterion: 3, value: '24' },
            { criterion: 2, value: '-1.5' },
          ],
        },
      ],
    });
    expect(offer.lots.map((l) => l.lot)).toEqual([1, 2]);
    expect(offer.lots[0]?.values.map((v) => v.criterion)).toEqual([2, 3]);
    const parsed = parseOffer(offerBytes(offer), expected);
    expect(parsed).toEqual({ ok: true, offer });
    // Canonical: the same offer seals to the same bytes whatever order it was typed in.
    const again = makeOffer({ ocid, bidId, lots: [...offer.lots].reverse() });
    expect(offerBytes(again)).toEqual(offerBytes(offer));
  });

  it('names what is wrong, and never throws on bad bytes', () => {
    const ok = { lot: 1, price: '10', values: [] };
    const two = { lot: 2, price: '20', values: [] };
    const cases: [Uint8Array, string][] = [
      [utf8('not json'), 'not_json'],
      [new Uint8Array([0xff, 0xfe]), 'not_json'],
      [utf8('[]'), 'shape'],
      [raw('x'), 'shape'],
      [raw([ok, two], { v: 2 }), 'shape'],
      [raw([ok, two], { bidId: '00000000-0000-4000-8000-000000000000' }), 'foreign'],
      [raw([ok, two], { ocid: 'ocds-other-1' }), 'foreign'],
      [raw([ok]), 'lots_mismatch'],
      [raw([ok, two, { lot: 3, price: '1', values: [] }]), 'lots_mismatch'],
      [raw([ok, { ...two, price: '-20' }]), 'price'],
      [raw([ok, { ...two, price: '20.001' }]), 'price'],
      [raw([ok, { ...two, price: '1e6' }]), 'price'],
      [raw([ok, { ...two, price: '01' }]), 'price'],
      [raw([ok, { ...two, price: 20 }]), 'shape'],
      [raw([ok, { ...two, values: [{ criterion: 2, value: 'ten' }] }]), 'value'],
      [raw([ok, { ...two, values: [{ criterion: 0, value: '1' }] }]), 'shape'],
      [
        raw([
          ok,
          {
            ...two,
            values: [
              { criterion: 2, value: '1' },
              { criterion: 2, value: '2' },
            ],
          },
        ]),
        'duplicate_criterion',
      ],
    ];
    for (const [bytes, problem] of cases) {
      expect(parseOffer(bytes, expected), problem).toEqual({ ok: false, problem });
    }
    expect(() => makeOffer({ ocid, bidId, lots: [{ lot: 1, price: 'free', values: [] }] })).toThrow(/price/);
  });
});
