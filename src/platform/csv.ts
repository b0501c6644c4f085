/**
 * CSV output (RFC 4180) for the public downloads: the quarterly list of minor contracts (art. 63.4
 * LCSP) and the OCDS contracts table (issue 6). No domain knowledge: rows of text and numbers.
 */

/** One field of a CSV row: text, a number (written as it is), or null (an empty field). */
export type CsvField = string | number | null;

/**
 * Serialises rows as CSV (RFC 4180): comma-separated, CRLF line ends, fields with a comma, quote
 * or line break in double quotes with inner quotes doubled. A text field that a spreadsheet would
 * run as a formula (=, +, -, @, tab, CR at the start) gets a leading apostrophe (OWASP "CSV
 * injection"): the lists are public downloads opened in spreadsheets. Plain numbers pass as they are.
 */
export function toCsv(rows: readonly (readonly CsvField[])[]): string {
  const field = (value: CsvField): string => {
    let text = value === null ? '' : String(value);
    if (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `${rows.map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
}
