/**
 * The contracts table of the bulk downloads (issue 6 point 3): a flattening of each compiled
 * release (ocds_record.compiled, ocds.md §3) into rows a spreadsheet reads, one per contract and
 * lot, plus one per lot with no contract yet (tendered, awarded or void). Pure: no I/O, no clock.
 *
 * How a contract is tied to its lots: in OCDS 1.1.5 a contract names one award (`awardID`), but one
 * contract may formalise several lots of the same bidder (release.build.ts `contractObject`), so its
 * lots are read from its `relatedBids` (bids extension: each bid detail has `relatedLots`) and, when
 * those are missing, from its award's `relatedLots`. A process published without lots (a plan entry,
 * or another publisher's data) gives one row with an empty lot.
 *
 * Amounts are written as published (JSON numbers at the OCDS edge); the only arithmetic, the sum of
 * payments, is done in decimal (src/platform/money.ts), never in floating point.
 */
import type { CsvField } from '../../platform/csv.js';
import { Dec } from '../../platform/money.js';
import { isJsonObject, type JsonObject } from './merge.types.js';

export const CONTRACT_CSV_HEADER = [
  'ocid',
  'buyer_id',
  'buyer_name',
  'tender_id',
  'tender_title',
  'tender_status',
  'procurement_method',
  'procurement_method_details',
  'main_procurement_category',
  'cpv',
  'lot_id',
  'lot_title',
  'lot_status',
  'lot_estimated_value',
  'currency',
  'tender_deadline',
  'number_of_bids',
  'award_id',
  'award_status',
  'award_date',
  'supplier_id',
  'supplier_name',
  'awarded_value',
  'contract_id',
  'contract_status',
  'contract_date_signed',
  'contract_value',
  'amendments_count',
  'total_paid',
] as const;

type Obj = JsonObject;

const objects = (value: unknown): Obj[] => (Array.isArray(value) ? value.filter(isJsonObject) : []);
const obj = (value: unknown): Obj | undefined => (isJsonObject(value) ? value : undefined);
const str = (value: unknown): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** `value.amount` as published (a JSON number, or a string from another publisher). */
function amount(value: unknown): string | null {
  const v = obj(value);
  return v ? str(v.amount) : null;
}

function currency(...values: unknown[]): string | null {
  for (const value of values) {
    const c = str(obj(value)?.currency);
    if (c) return c;
  }
  return null;
}

/** The sum of the contract's transactions, in decimal; null when it has none. */
function totalPaid(contract: Obj): string | null {
  const transactions = objects(obj(contract.implementation)?.transactions);
  if (transactions.length === 0) return null;
  let sum = new Dec(0);
  for (const t of transactions) {
    const a = amount(t.value) ?? amount(t.amount);
    // A JSON number's shortest decimal text: exact for the amounts we publish (cents, < 2^53).
    if (a !== null && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(a)) sum = sum.plus(new Dec(a));
  }
  return sum.toFixed();
}

/** The number of bids on the lot (bids extension statistics, measure `bids`), else the bid details. */
function bidsOnLot(compiled: Obj, lotId: string | null): number | null {
  const bids = obj(compiled.bids);
  const stats = objects(bids?.statistics).filter((s) => s.measure === 'bids');
  const stat =
    lotId === null
      ? stats.find((s) => s.relatedLot === undefined)
      : stats.find((s) => s.relatedLot === lotId);
  if (stat && typeof stat.value === 'number') return stat.value;
  const details = objects(bids?.details);
  if (details.length === 0) return null;
  return lotId === null
    ? details.length
    : details.filter((d) => strings(d.relatedLots).includes(lotId)).length;
}

function lotsOfContract(contract: Obj, awards: Obj[], bidLots: Map<string, string[]>): string[] {
  const fromBids = strings(contract.relatedBids).flatMap((id) => bidLots.get(id) ?? []);
  if (fromBids.length > 0) return [...new Set(fromBids)];
  const award = awards.find((a) => a.id === contract.awardID);
  return award ? strings(award.relatedLots) : [];
}

/** The rows of one compiled release, in lot order then contract order. */
export function contractRows(compiled: Obj): CsvField[][] {
  const tender = obj(compiled.tender) ?? {};
  const buyer = obj(compiled.buyer);
  const awards = objects(compiled.awards);
  const contracts = objects(compiled.contracts);
  const items = objects(tender.items);
  const bidLots = new Map(
    objects(obj(compiled.bids)?.details).map((d) => [str(d.id) ?? '', strings(d.relatedLots)]),
  );
  const lots = objects(tender.lots);
  const lotIds: (string | null)[] = lots.length > 0 ? lots.map((l) => str(l.id)) : [null];

  const contractsOf = new Map<string | null, Obj[]>();
  for (const c of contracts) {
    const on = lots.length > 0 ? lotsOfContract(c, awards, bidLots) : [];
    // A contract whose lots cannot be told (no related bids, an unknown award) is still listed, once.
    const targets: (string | null)[] = on.length > 0 ? on : [lotIds[0] ?? null];
    for (const lot of targets) {
      const list = contractsOf.get(lot);
      if (list) list.push(c);
      else contractsOf.set(lot, [c]);
    }
  }

  const rows: CsvField[][] = [];
  for (const lotId of lotIds) {
    const lot = lots.find((l) => str(l.id) === lotId);
    const item = items.find((i) => lotId !== null && i.relatedLot === lotId) ?? items[0];
    const lotAwards = awards.filter((a) => lotId === null || strings(a.relatedLots).includes(lotId));
    const base: CsvField[] = [
      str(compiled.ocid),
      str(buyer?.id),
      str(buyer?.name),
      str(tender.id),
      str(tender.title),
      str(tender.status),
      str(tender.procurementMethod),
      str(tender.procurementMethodDetails),
      str(tender.mainProcurementCategory),
      str(obj(item?.classification)?.id),
      lotId,
      str(lot?.title),
      str(lot?.status),
      amount(lot?.value) ?? (lots.length === 0 ? amount(tender.value) : null),
      currency(lot?.value, tender.value),
      str(obj(tender.tenderPeriod)?.endDate),
      bidsOnLot(compiled, lotId),
    ];
    const awardCells = (award: Obj | undefined): CsvField[] => {
      const supplier = objects(award?.suppliers)[0];
      return [
        str(award?.id),
        str(award?.status),
        str(award?.date),
        str(supplier?.id),
        str(supplier?.name),
        amount(award?.value),
      ];
    };
    const onLot = contractsOf.get(lotId) ?? [];
    if (onLot.length === 0) {
      // No contract yet: the lot's award (the active one first), or none.
      const award = lotAwards.find((a) => a.status === 'active') ?? lotAwards[0];
      rows.push([...base, ...awardCells(award), null, null, null, null, null, null]);
      continue;
    }
    for (const c of onLot) {
      // This lot's award of the contract: its own award, else the lot's award of the same bid (a
      // contract of several lots names the first lot's award only), else the one it names.
      const bids = new Set(strings(c.relatedBids));
      const award =
        lotAwards.find((a) => a.id === c.awardID) ??
        lotAwards.find((a) => strings(a.relatedBids).some((b) => bids.has(b))) ??
        awards.find((a) => a.id === c.awardID);
      rows.push([
        ...base,
        ...awardCells(award),
        str(c.id),
        str(c.status),
        str(c.dateSigned),
        amount(c.value),
        objects(c.amendments).length,
        totalPaid(c),
      ]);
    }
  }
  return rows;
}
