import type { DocumentKind } from './tender.types.js';

/** The kinds of document a procurement file carries; see `DocumentKind` for which are mandatory. */
export const DOCUMENT_KINDS = [
  'memoria_justificativa',
  'pcap',
  'ppt',
  'informe_necesidad',
  'other',
] as const satisfies readonly DocumentKind[];

/**
 * Formats accepted for the documents of a file. The electronic means of a procedure must be
 * non-discriminatory, generally available and compatible with products in general use
 * (DA 16.ª.1.a LCSP), so these are open or ubiquitous formats of the Catálogo de estándares of
 * the Esquema Nacional de Interoperabilidad (NTI, Resolución de 3 de octubre de 2012): PDF,
 * OOXML and ODF text and spreadsheets, PNG, JPEG, plain text and CSV.
 */
export const DOCUMENT_CONTENT_TYPES = [
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'image/png',
  'image/jpeg',
  'text/plain',
  'text/csv',
] as const;

const MAX_FILE_NAME = 200;

/**
 * The file name as stored and offered back: the last path segment only (browsers on Windows
 * send `C:\…\name.pdf`), NFC, without control or format characters (a right-to-left override
 * can make `fdp.exe` look like `exe.pdf`), without leading dots, at most 200 characters with the
 * extension kept. Never empty.
 */
export function safeFileName(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  let name = base
    .normalize('NFC')
    .replace(/\s+/gu, ' ')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .trim()
    .replace(/^\.+/, '')
    .trim();
  if ([...name].length > MAX_FILE_NAME) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
    name = [...name.slice(0, name.length - ext.length)].slice(0, MAX_FILE_NAME - ext.length).join('') + ext;
  }
  return name || 'document';
}
