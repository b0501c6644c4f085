import { describe, expect, it } from 'vitest';
import { sampleReceiptInput } from '../../../test/helpers/receipts.js';
import {
  buildReceipt,
  parseReceiptFile,
  receiptBytes,
  receiptInstant,
  receiptProblems,
  receiptSummary,
} from './receipt.rules.js';

const KEY_ID = '0123456789abcdef';
const SIGNATURE = `${'A'.repeat(86)}==`;

describe('buildReceipt', () => {
  it('fixes the order of lots and envelopes and writes the time in UTC with milliseconds', () => {
    const r = buildReceipt(sampleReceiptInput(), KEY_ID);
    expect(r.v).toBe(1);
    expect(r.kind).toBe('contracta.bid-receipt');
    expect(r.lots).toEqual([1, 3]);
    expect(r.envelopes.map((e) => e.envelope)).toEqual(['A', 'C']);
    expect(r.receivedAt).toBe('2026-11-30T13:59:59.999Z');
    expect(r.keyId).toBe(KEY_ID);
    expect(receiptProblems(r)).toEqual([]);
  });

  it('keeps milliseconds even when they are zero', () => {
    expect(receiptInstant(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 0)))).toBe('2026-01-02T03:04:05.000Z');
  });

  it('gives the same bytes whatever the input order', () => {
    const a = buildReceipt(sampleReceiptInput(), KEY_ID);
    const input = sampleReceiptInput();
    const b = buildReceipt(
      { ...input, lots: [...input.lots].reverse(), envelopes: [...input.envelopes].reverse() },
      KEY_ID,
    );
    expect(Buffer.from(receiptBytes(b)).toString()).toBe(Buffer.from(receiptBytes(a)).toString());
  });

  it('signs canonical JSON: sorted keys, no whitespace, UTF-8', () => {
    const text = new TextDecoder().decode(receiptBytes(buildReceipt(sampleReceiptInput(), KEY_ID)));
    expect(text.startsWith('{"bidId":"7d1e2f3a-4b5c-4d6e-8f70-112233445566","company":{"id":')).toBe(true);
    expect(text).not.toMatch(/\s/);
    expect(text.endsWith('"tenderId":"0a4f7c1e-9b2d-4c3a-8e5f-1d2c3b4a5f6e","v":1,"version":2}')).toBe(true);
  });

  it('refuses to build a malformed receipt', () => {
    expect(() => buildReceipt(sampleReceiptInput({ lots: [] }), KEY_ID)).toThrow(/lots/);
    expect(() => buildReceipt(sampleReceiptInput({ lots: [2, 2] }), KEY_ID)).toThrow(/repeats/);
    expect(() => buildReceipt(sampleReceiptInput({ receivedAt: new Date(Number.NaN) }), KEY_ID)).toThrow();
    expect(() => buildReceipt(sampleReceiptInput(), 'ABC')).toThrow(/keyId/);
    const input = sampleReceiptInput();
    const [first, second] = input.envelopes;
    if (!first || !second) throw new Error('fixture');
    expect(() =>
      buildReceipt({ ...input, envelopes: [first, { ...second, envelope: 'C' }] }, KEY_ID),
    ).toThrow(/A, B, C order/);
    expect(() =>
      buildReceipt({ ...input, envelopes: [{ ...first, shares: [first.shares[0] ?? ''] }] }, KEY_ID),
    ).toThrow(/shares/);
    expect(() => buildReceipt({ ...input, envelopes: [{ ...first, files: ['ABCDEF'] }] }, KEY_ID)).toThrow(
      /files\[0\]/,
    );
    expect(() => buildReceipt(sampleReceiptInput({ version: 0 }), KEY_ID)).toThrow(/version/);
    expect(() => buildReceipt(sampleReceiptInput({ sequence: 1.5 }), KEY_ID)).toThrow(/sequence/);
  });
});

describe('parseReceiptFile', () => {
  const good = () => ({ receipt: buildReceipt(sampleReceiptInput(), KEY_ID), signature: SIGNATURE });

  it('accepts a well-formed file', () => {
    expect(parseReceiptFile(good())).toMatchObject({ ok: true });
  });

  it.each([
    ['not an object', []],
    ['null', null],
    ['no signature', { receipt: good().receipt }],
    ['an extra top-level field', { ...good(), note: 'x' }],
    ['an extra receipt field', { ...good(), receipt: { ...good().receipt, price: '1.00' } }],
    [
      'an extra company field',
      { ...good(), receipt: { ...good().receipt, company: { id: 'x', taxId: 'B1', name: 'n' } } },
    ],
    ['a missing field', { ...good(), receipt: { ...good().receipt, ocid: undefined } }],
    [
      'a time without milliseconds',
      { ...good(), receipt: { ...good().receipt, receivedAt: '2026-11-30T13:59:59Z' } },
    ],
    [
      'a time with an offset',
      { ...good(), receipt: { ...good().receipt, receivedAt: '2026-11-30T14:59:59.999+01:00' } },
    ],
    [
      'an impossible date',
      { ...good(), receipt: { ...good().receipt, receivedAt: '2026-02-30T10:00:00.000Z' } },
    ],
    ['an upper-case hash', { ...good(), receipt: { ...good().receipt, keyId: '0123456789ABCDEF' } }],
    ['another kind', { ...good(), receipt: { ...good().receipt, kind: 'contracta.other' } }],
    ['another version', { ...good(), receipt: { ...good().receipt, v: 2 } }],
    ['a short signature', { ...good(), signature: 'AAAA' }],
    ['a signature that is not base64', { ...good(), signature: `${'*'.repeat(86)}==` }],
  ])('refuses %s', (_name, value) => {
    const parsed = parseReceiptFile(JSON.parse(JSON.stringify(value ?? null)));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.length).toBeGreaterThan(0);
  });

  it('says where the problem is', () => {
    const r = good();
    const parsed = parseReceiptFile({
      ...r,
      receipt: { ...r.receipt, company: { ...r.receipt.company, taxId: 'b 1' } },
    });
    expect(parsed).toEqual({ ok: false, problems: ['receipt.company.taxId: must be a normalised tax id'] });
  });
});

describe('receiptSummary', () => {
  it('names the tender, bid, company, time and envelopes', () => {
    const lines = receiptSummary(buildReceipt(sampleReceiptInput(), KEY_ID)).join('\n');
    expect(lines).toContain('ocds-a1b2c3-0a4f7c1e-9b2d-4c3a-8e5f-1d2c3b4a5f6e');
    expect(lines).toContain('version 2');
    expect(lines).toContain('Sequence:    17');
    expect(lines).toContain('Lots:        1, 3');
    expect(lines).toContain('B12345674');
    expect(lines).toContain('2026-11-30T13:59:59.999Z');
    expect(lines).toContain('Envelope A:');
    expect(lines).toContain('2 file(s), 3 share(s)');
  });
});
