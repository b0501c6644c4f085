import { createHash } from 'node:crypto';
import type { ReceiptInput } from '../../src/modules/bids/receipt.rules.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** A plausible receipt input: two envelopes, two lots, three custodians. */
export function sampleReceiptInput(over: Partial<ReceiptInput> = {}): ReceiptInput {
  return {
    ocid: 'ocds-a1b2c3-0a4f7c1e-9b2d-4c3a-8e5f-1d2c3b4a5f6e',
    tenderId: '0a4f7c1e-9b2d-4c3a-8e5f-1d2c3b4a5f6e',
    bidId: '7d1e2f3a-4b5c-4d6e-8f70-112233445566',
    version: 2,
    sequence: 17,
    lots: [3, 1],
    company: { id: 'c0ffee00-1234-4abc-9def-0123456789ab', taxId: 'B12345674' },
    receivedAt: new Date('2026-11-30T13:59:59.999Z'),
    envelopes: [
      {
        envelope: 'C',
        manifestSha256: sha('manifest C'),
        files: [sha('offer.pdf.age')],
        shares: [sha('c1'), sha('c2'), sha('c3')],
      },
      {
        envelope: 'A',
        manifestSha256: sha('manifest A'),
        files: [sha('deuc.xml.age'), sha('annex.pdf.age')],
        shares: [sha('a1'), sha('a2'), sha('a3')],
      },
    ],
    ...over,
  };
}
