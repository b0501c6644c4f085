import { parse } from 'csv-parse/sync';
import type { Db } from '../../platform/db/client.js';
import { type Tx, withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { parseCpv } from './cpv.rules.js';

export type CpvRow = { code: string; checkDigit: string; ca: string; es: string; en: string };

/**
 * Reads the CPV vocabulary from CSV text with a header `code,ca,es,en` (comma or semicolon),
 * where `code` is written with its check digit ("45000000-7"). The official list is published
 * as a spreadsheet (Reg. (EC) 213/2008, Annex I); export it to this shape. Every bad row is
 * reported with its line number, and nothing is loaded unless every row is valid.
 */
export function parseCpvCsv(text: string): CpvRow[] {
  const delimiter = (text.split('\n')[0] ?? '').includes(';') ? ';' : ',';
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, delimiter, skip_empty_lines: true, trim: true, bom: true });
  } catch (err) {
    throw new DomainError('UNPROCESSABLE', `Not a readable CSV file: ${(err as Error).message}`);
  }
  const problems: string[] = [];
  const rows: CpvRow[] = [];
  const seen = new Set<string>();
  records.forEach((r, i) => {
    const line = i + 2;
    const parts = parseCpv(r.code ?? '');
    if (!parts?.checkDigit) problems.push(`line ${line}: code "${r.code ?? ''}" is not NNNNNNNN-D`);
    else if (seen.has(parts.code)) problems.push(`line ${line}: code ${parts.code} repeated`);
    else if (!r.ca || !r.es || !r.en) problems.push(`line ${line}: a label is missing`);
    else {
      seen.add(parts.code);
      rows.push({ code: parts.code, checkDigit: parts.checkDigit, ca: r.ca, es: r.es, en: r.en });
    }
  });
  if (problems.length)
    throw new DomainError('UNPROCESSABLE', 'Invalid CPV rows', { problems: problems.slice(0, 50) });
  if (rows.length === 0) throw new DomainError('UNPROCESSABLE', 'The file has no CPV rows');
  return rows;
}

/** Loads (inserts or updates) the vocabulary in one transaction. Reference data: no audit event per row. */
export async function loadCpv(db: Db | Tx, rows: readonly CpvRow[]): Promise<number> {
  await withTransaction(db, async (trx) => {
    for (let i = 0; i < rows.length; i += 500) {
      await trx
        .insertInto('cpv_code')
        .values(
          rows.slice(i, i + 500).map((r) => ({
            code: r.code,
            check_digit: r.checkDigit,
            label_ca: r.ca,
            label_es: r.es,
            label_en: r.en,
          })),
        )
        .onConflict((oc) =>
          oc.column('code').doUpdateSet((eb) => ({
            check_digit: eb.ref('excluded.check_digit'),
            label_ca: eb.ref('excluded.label_ca'),
            label_es: eb.ref('excluded.label_es'),
            label_en: eb.ref('excluded.label_en'),
          })),
        )
        .execute();
    }
  });
  return rows.length;
}
