import type { DocumentRow } from './tender-document.repo.js';

export type TenderDocumentView = {
  id: string;
  kind: string;
  title: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: string;
};

/** A document as the API shows it: the SHA-256 lets anyone check the bytes they downloaded. */
export function presentDocument(row: DocumentRow): TenderDocumentView {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    fileName: row.file_name,
    contentType: row.content_type,
    // bigint comes back as text; documents are far below 2^53 bytes.
    size: Number(row.size_bytes),
    sha256: row.sha256,
    createdAt: row.created_at.toISOString(),
  };
}
