import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { declaredFormat, FILE_FORMATS, SNIFF_BYTES, sniffingStream } from './content-type.js';
import { sampleJpeg, sampleOdf, sampleOoxml, samplePdf, samplePng, zipArchive } from './sample-files.js';

const ALL = FILE_FORMATS.map((f) => f.mime);

/** Passes `content` (in small chunks) through the sniffer for `declared`; resolves to what came out. */
async function sniff(content: Buffer, declared: string, fileName: string, chunk = 1000): Promise<Buffer> {
  const format = declaredFormat(declared, fileName, ALL);
  const chunks: Buffer[] = [];
  for (let i = 0; i < content.length; i += chunk) chunks.push(content.subarray(i, i + chunk));
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), sniffingStream(format), async (source: AsyncIterable<Buffer>) => {
    for await (const c of source) out.push(c);
  });
  return Buffer.concat(out);
}

describe('declared type and file name', () => {
  it('accepts a listed type with one of its extensions, in any case, with parameters', () => {
    expect(declaredFormat('Text/CSV; charset=utf-8', 'Annex 1.CSV', ALL).mime).toBe('text/csv');
    expect(declaredFormat('image/jpeg', 'photo.jpeg', ALL).mime).toBe('image/jpeg');
  });

  it.each([
    ['application/zip', 'a.zip'],
    ['application/octet-stream', 'a.pdf'],
    ['application/x-msdownload', 'a.exe'],
    ['', 'a.pdf'],
  ])('refuses %s as a type not allowed', (declared, name) => {
    expect(() => declaredFormat(declared, name, ALL)).toThrow(
      expect.objectContaining({ code: 'DOCUMENT_TYPE_NOT_ALLOWED' }),
    );
  });

  it('refuses a type the caller did not allow', () => {
    expect(() => declaredFormat('image/png', 'a.png', ['application/pdf'])).toThrow(
      expect.objectContaining({ code: 'DOCUMENT_TYPE_NOT_ALLOWED' }),
    );
  });

  it.each([
    ['application/pdf', 'plec.docx'],
    ['application/pdf', 'plec'],
    ['text/plain', 'data.csv'],
    ['image/png', 'image.png.exe'],
  ])('refuses %s named %s', (declared, name) => {
    expect(() => declaredFormat(declared, name, ALL)).toThrow(
      expect.objectContaining({ code: 'CONTENT_TYPE_MISMATCH' }),
    );
  });
});

describe('content sniffing', () => {
  it.each([
    ['application/pdf', 'a.pdf', samplePdf()],
    ['image/png', 'a.png', samplePng()],
    ['image/jpeg', 'a.jpg', sampleJpeg()],
    [
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'a.docx',
      sampleOoxml('docx'),
    ],
    ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'a.xlsx', sampleOoxml('xlsx')],
    ['application/vnd.oasis.opendocument.text', 'a.odt', sampleOdf('odt')],
    ['application/vnd.oasis.opendocument.spreadsheet', 'a.ods', sampleOdf('ods')],
    ['text/plain', 'a.txt', Buffer.from('Memòria justificativa — €\n', 'utf8')],
    ['text/csv', 'a.csv', Buffer.from('lot;import\n1;100000,00\n', 'utf8')],
  ])('passes %s through unchanged', async (declared, name, content) => {
    expect((await sniff(content, declared, name)).equals(content)).toBe(true);
  });

  it('passes a file larger than the sample through unchanged, in order', async () => {
    const big = Buffer.concat([samplePdf(), randomBytes(SNIFF_BYTES * 2 + 17)]);
    expect((await sniff(big, 'application/pdf', 'big.pdf', 7000)).equals(big)).toBe(true);
  });

  it.each([
    ['a PNG declared as PDF', samplePng(), 'application/pdf', 'a.pdf', 'image/png'],
    ['a PDF declared as PNG', samplePdf(), 'image/png', 'a.png', 'application/pdf'],
    [
      'a DOCX declared as XLSX',
      sampleOoxml('docx'),
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'a.xlsx',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ],
    [
      'a plain zip declared as DOCX',
      zipArchive([['readme.txt', 'hi']]),
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'a.docx',
      'application/zip',
    ],
    [
      'an ODT declared as ODS',
      sampleOdf('odt'),
      'application/vnd.oasis.opendocument.spreadsheet',
      'a.ods',
      'application/vnd.oasis.opendocument.text',
    ],
    ['a PDF declared as text', samplePdf(), 'text/plain', 'a.txt', 'application/pdf'],
    ['random bytes declared as PDF', randomBytes(5000), 'application/pdf', 'a.pdf', null],
  ])('refuses %s', async (_name, content, declared, fileName, detected) => {
    const err = await sniff(content, declared, fileName).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'CONTENT_TYPE_MISMATCH', details: { declared, detected } });
  });

  it('refuses text that is not UTF-8, or has NUL bytes, even past the sample', async () => {
    const latin1 = Buffer.from('Memòria', 'latin1');
    await expect(sniff(latin1, 'text/plain', 'a.txt')).rejects.toMatchObject({
      code: 'CONTENT_TYPE_MISMATCH',
    });
    const lateNul = Buffer.concat([Buffer.alloc(SNIFF_BYTES + 10, 'a'), Buffer.from([0])]);
    await expect(sniff(lateNul, 'text/csv', 'a.csv')).rejects.toMatchObject({
      code: 'CONTENT_TYPE_MISMATCH',
    });
    // A multi-byte character cut at the very end.
    const cut = Buffer.from('abc€', 'utf8').subarray(0, 5);
    await expect(sniff(cut, 'text/plain', 'a.txt')).rejects.toMatchObject({ code: 'CONTENT_TYPE_MISMATCH' });
  });

  it('accepts a multi-byte character split across chunks', async () => {
    const text = Buffer.from('àèìòù€'.repeat(100), 'utf8');
    expect((await sniff(text, 'text/plain', 'a.txt', 3)).equals(text)).toBe(true);
  });

  it('refuses an empty file', async () => {
    await expect(sniff(Buffer.alloc(0), 'text/plain', 'a.txt')).rejects.toMatchObject({
      code: 'UNPROCESSABLE',
    });
  });

  it('handles one write far larger than the sample', async () => {
    const format = declaredFormat('application/pdf', 'a.pdf', ALL);
    const sniffer = sniffingStream(format);
    const content = Buffer.concat([samplePdf(), Buffer.alloc(SNIFF_BYTES * 3)]);
    const out = buffer(sniffer);
    sniffer.end(content);
    expect((await out).length).toBe(content.length);
  });
});
