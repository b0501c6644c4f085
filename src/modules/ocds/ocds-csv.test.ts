import { describe, expect, it } from 'vitest';
import { toCsv } from '../../platform/csv.js';
import type { JsonObject } from './merge.types.js';
import { CONTRACT_CSV_HEADER, contractRows } from './ocds-csv.js';

const col = (row: readonly unknown[], name: (typeof CONTRACT_CSV_HEADER)[number]) =>
  row[CONTRACT_CSV_HEADER.indexOf(name)];

/** A compiled release as release.build.ts shapes one: two lots, both formalised in one contract. */
const compiled: JsonObject = {
  ocid: 'ocds-abc123-1',
  buyer: { id: 'ES-DIR3-L01080193', name: 'Ajuntament de Barcelona' },
  tender: {
    id: 't1',
    title: 'Neteja',
    status: 'complete',
    procurementMethod: 'open',
    procurementMethodDetails: 'Obert (art. 156 LCSP)',
    mainProcurementCategory: 'services',
    tenderPeriod: { endDate: '2026-02-01T13:00:00Z' },
    items: [
      { id: '1', relatedLot: '1', classification: { scheme: 'CPV', id: '90910000-9' } },
      { id: '2', relatedLot: '2', classification: { scheme: 'CPV', id: '90911000-6' } },
      { id: '3', relatedLot: '3', classification: { scheme: 'CPV', id: '90919000-2' } },
    ],
    lots: [
      { id: '1', title: 'Nord', status: 'complete', value: { amount: 1000, currency: 'EUR' } },
      { id: '2', title: 'Sud', status: 'complete', value: { amount: 2000, currency: 'EUR' } },
      { id: '3', title: 'Est', status: 'unsuccessful', value: { amount: 500, currency: 'EUR' } },
    ],
  },
  bids: {
    statistics: [
      { id: 'bids-lot-1', measure: 'bids', value: 3, relatedLot: '1' },
      { id: 'bids-lot-2', measure: 'bids', value: 2, relatedLot: '2' },
    ],
    details: [
      { id: 'b1-1', relatedLots: ['1'] },
      { id: 'b1-2', relatedLots: ['2'] },
    ],
  },
  awards: [
    {
      id: '1-b1',
      status: 'active',
      relatedLots: ['1'],
      relatedBids: ['b1-1'],
      suppliers: [{ id: 'ES-NIF-B1', name: 'Neteges, SL' }],
      value: { amount: 900 },
    },
    {
      id: '2-b1',
      status: 'active',
      relatedLots: ['2'],
      relatedBids: ['b1-2'],
      suppliers: [{ id: 'ES-NIF-B1', name: 'Neteges, SL' }],
      value: { amount: 1800 },
    },
    { id: '3-void', status: 'unsuccessful', relatedLots: ['3'] },
  ],
  contracts: [
    {
      id: 'c1',
      awardID: '1-b1',
      status: 'active',
      dateSigned: '2026-03-01T10:00:00Z',
      value: { amount: 2700 },
      relatedBids: ['b1-1', 'b1-2'],
      amendments: [{ id: 'a1' }, { id: 'a2' }],
      implementation: { transactions: [{ value: { amount: 0.1 } }, { value: { amount: 0.2 } }] },
    },
  ],
};

describe('contracts CSV flattening', () => {
  it('gives one row per contract and lot, and one per lot without a contract', () => {
    const rows = contractRows(compiled);
    expect(rows.map((r) => [col(r, 'lot_id'), col(r, 'contract_id'), col(r, 'award_id')])).toEqual([
      ['1', 'c1', '1-b1'],
      // The contract names lot 1's award; lot 2's row shows lot 2's award, found by the bid.
      ['2', 'c1', '2-b1'],
      ['3', null, '3-void'],
    ]);
    const [one, two, three] = rows;
    expect(col(one ?? [], 'cpv')).toBe('90910000-9');
    expect(col(two ?? [], 'cpv')).toBe('90911000-6');
    expect(col(one ?? [], 'number_of_bids')).toBe(3);
    expect(col(two ?? [], 'awarded_value')).toBe('1800');
    expect(col(one ?? [], 'amendments_count')).toBe(2);
    // Summed in decimal: 0.1 + 0.2 is 0.3, not 0.30000000000000004.
    expect(col(one ?? [], 'total_paid')).toBe('0.3');
    expect(col(three ?? [], 'award_status')).toBe('unsuccessful');
    expect(col(three ?? [], 'supplier_name')).toBeNull();
    for (const r of rows) expect(r).toHaveLength(CONTRACT_CSV_HEADER.length);
  });

  it('gives one row for a process without lots, and quotes as RFC 4180 says', () => {
    const rows = contractRows({
      ocid: 'ocds-abc123-2',
      tender: { id: 't', title: 'Obres, "fase 2"', value: { amount: 10, currency: 'EUR' } },
    });
    expect(rows).toHaveLength(1);
    expect(col(rows[0] ?? [], 'lot_estimated_value')).toBe('10');
    expect(toCsv(rows)).toContain('"Obres, ""fase 2"""');
    expect(contractRows({})).toHaveLength(1);
  });
});
