import type { listBidReceipts } from './bid.service.js';

type ReceiptRow = Awaited<ReturnType<typeof listBidReceipts>>[number];

/** One stored receipt as the company sees it: the receipt file exactly as signed, and what it is. */
export function presentReceipt(r: ReceiptRow) {
  return { version: r.version, kind: r.kind, sequence: r.sequence, file: r.file };
}
