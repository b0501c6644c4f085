import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { rowCounts, type TestApp } from './app.js';

/**
 * Uploads of documents over the API (the documents of files and of contracts): multipart bodies
 * built by hand, so that tests control every byte, and the check that a refused upload wrote
 * nothing, neither rows nor files.
 */

export type Part =
  | { name: string; value: string }
  | { name: string; fileName: string; contentType: string; content: Buffer };

export const BOUNDARY = '----contracta-test-boundary-7d1c';
export const CRLF = '\r\n';

/** The boundary line and headers of a part, up to its content. */
export function partHead(p: Part): string {
  const disposition =
    'fileName' in p
      ? `form-data; name="${p.name}"; filename="${p.fileName}"${CRLF}Content-Type: ${p.contentType}`
      : `form-data; name="${p.name}"`;
  return `--${BOUNDARY}${CRLF}Content-Disposition: ${disposition}${CRLF}${CRLF}`;
}

/** A multipart/form-data body, built by hand so that tests control every byte. */
export function multipart(parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(partHead(p), 'utf8'));
    chunks.push('fileName' in p ? p.content : Buffer.from(p.value, 'utf8'));
    chunks.push(Buffer.from(CRLF));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--${CRLF}`));
  return Buffer.concat(chunks);
}

export const formType = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every file under the app's document store (blobs and temporary files alike), sorted. */
export async function storedFiles(t: TestApp): Promise<string[]> {
  const entries = await fs.readdir(t.blobDir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((x) => x.isFile())
    .map((x) => path.relative(t.blobDir, path.join(x.parentPath, x.name)))
    .sort();
}

/** Runs `send` and checks it was refused with `status`/`code` and that nothing was written. */
export async function expectRefusedWritingNothing(
  t: TestApp,
  send: () => Promise<{ statusCode: number; body: string; json(): unknown }>,
  status: number,
  code: string,
) {
  const before = await rowCounts(t);
  const filesBefore = await storedFiles(t);
  const res = await send();
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json()).toMatchObject({ code });
  expect(await rowCounts(t)).toEqual(before);
  expect(await storedFiles(t)).toEqual(filesBefore);
  return res;
}
