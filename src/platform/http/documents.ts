/**
 * The HTTP side of stored documents, shared by every route that takes or gives one (the documents
 * of a file, tender-document.routes.ts; of a contract, contract-document.upload.ts and .routes.ts):
 * the multipart parser's limits, the streamed reading of a one-file form with its refusals as
 * stable codes, and the headers of a download. What a form's fields mean, where the bytes go and
 * what records them stay with each module.
 */
import fastifyMultipart, { type MultipartFile, type MultipartValue } from '@fastify/multipart';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { DomainError } from '../errors.js';
import { validatorCompiler } from './validation.js';

/** Room for the form's other parts and headers on top of the document itself. */
const FORM_OVERHEAD = 64 * 1024;

/**
 * The multipart parser, to be registered in the encapsulated plugin of an upload route only, so
 * that no other route accepts multipart bodies: at most `fields` text fields (none longer than
 * `titleMax` characters, four bytes each at most in UTF-8) and one file.
 */
export async function registerDocumentMultipart(
  r: FastifyInstance,
  form: { maxBytes: number; fields: number; titleMax: number },
): Promise<void> {
  await r.register(fastifyMultipart, {
    limits: {
      fileSize: form.maxBytes,
      files: 1,
      fields: form.fields,
      parts: form.fields + 1,
      fieldNameSize: 50,
      fieldSize: 4 * form.titleMax + 100,
      headerPairs: 20,
    },
  });
}

/**
 * A multipart body cannot be validated as a whole before it is read (that would mean buffering
 * it): an upload route validates its parts while streaming them, and its body schema only
 * documents the form. Parameters are validated as everywhere else.
 */
export const streamedBodyValidator: FastifySchemaCompiler<unknown> = (route) =>
  route.httpPart === 'body' ? () => true : validatorCompiler(route);

const tooLarge = (maxBytes: number) =>
  new DomainError('DOCUMENT_TOO_LARGE', `The document is larger than ${maxBytes} bytes`, { maxBytes });

/**
 * The form's fault as the route reports it (VALIDATION_FAILED, with its own shape of details);
 * `field` is given when the file part is known to be at fault.
 */
export type FormError = (message: string, field?: 'file') => DomainError;

/** Errors of the multipart layer, as stable codes. */
function multipartError(err: unknown, maxBytes: number, invalid: FormError): unknown {
  if (err instanceof DomainError) return err;
  const e = err as { code?: unknown; message?: unknown };
  if (e.code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(maxBytes);
  if (e.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
    return new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send the document as multipart/form-data');
  }
  if (e.code === 'FST_FILES_LIMIT') return invalid('Send one file per upload', 'file');
  if (e.code === 'ERR_STREAM_PREMATURE_CLOSE') return invalid('The upload was interrupted');
  if (typeof e.code === 'string' && e.code.startsWith('FST_')) {
    return invalid(`Malformed form: ${String(e.message)}`);
  }
  // The parser's own errors (no boundary, a part cut short, a bad part header) carry no code;
  // system errors (a full disk) do, and stay server errors.
  if (e.code === undefined && err instanceof Error)
    return invalid(`Malformed multipart body: ${err.message}`);
  return err;
}

/**
 * After a refusal, stop reading the body: the client may be sending gigabytes. Unpiping stops
 * the parser, and `Connection: close` has the server drop the rest instead of draining it.
 */
export function stopReading(request: FastifyRequest, reply: FastifyReply): void {
  request.raw.unpipe();
  reply.header('connection', 'close');
}

/** What an upload route brings to `receiveDocumentUpload`: its form, its storage, its record. */
export type DocumentUpload<Input, Stored, Result> = {
  /** The document limit; the parser must have been registered with it. */
  maxBytes: number;
  invalid: FormError;
  /** Who and which target: asked before a byte of the body is read. */
  authorize: () => Promise<void>;
  /** A text field before the file part: checked and kept by the route. */
  field: (part: MultipartValue) => void;
  /** The file part, before its bytes are read: checks its name and the fields kept so far. */
  file: (part: MultipartFile) => Input;
  /** Streams the file into the store, with the route's type checks. */
  store: (file: { stream: Readable; fileName: string; declaredType: string | undefined }) => Promise<Stored>;
  /** Removes what `store` stored when the form fails after it. */
  discard: (stored: Stored) => Promise<void>;
  /** Records the stored file (and removes it again itself when that fails). */
  record: (input: Input, stored: Stored) => Promise<Result>;
};

/**
 * Reads a form of text fields and one file, last, streaming the file into the store. Throws
 * DomainErrors with stable codes; on a refusal while reading, the body is no longer read and
 * content already stored is discarded.
 */
export async function receiveDocumentUpload<Input, Stored, Result>(
  request: FastifyRequest,
  reply: FastifyReply,
  upload: DocumentUpload<Input, Stored, Result>,
): Promise<Result> {
  const { maxBytes, invalid } = upload;
  let stored: Stored | undefined;
  let input: Input | undefined;
  let parsing = true;
  try {
    // Who and which target first: a refused caller gets its answer before the body is read.
    await upload.authorize();
    if (Number(request.headers['content-length']) > maxBytes + FORM_OVERHEAD) throw tooLarge(maxBytes);
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (stored) throw invalid('The "file" part must be the last part of the form');
        upload.field(part);
        continue;
      }
      input = upload.file(part);
      const file = part.file;
      // At the limit the parser stops passing bytes but goes on reading (and discarding) the
      // rest of the part: stop the body right there and fail the file. The limit may even
      // have been reached before the part got here, when the first bytes came in one chunk.
      if (file.truncated) {
        request.raw.unpipe();
        throw tooLarge(maxBytes);
      }
      file.on('limit', () => {
        request.raw.unpipe();
        file.destroy(tooLarge(maxBytes));
      });
      stored = await upload.store({ stream: file, fileName: part.filename, declaredType: part.mimetype });
      if (file.truncated) throw tooLarge(maxBytes);
    }
    if (stored === undefined || input === undefined) throw invalid('The form has no "file" part', 'file');
    parsing = false;
    return await upload.record(input, stored);
  } catch (err) {
    // `record` cleans up after itself; content stored before a later part failed is ours.
    if (parsing) {
      stopReading(request, reply);
      if (stored !== undefined) await upload.discard(stored);
    }
    throw parsing ? multipartError(err, maxBytes, invalid) : err;
  }
}

/** What a download's headers are made of. */
export type DownloadedDocument = { contentType: string; size: number; fileName: string; sha256: string };

/** RFC 5987 `attr-char` encoding: what `encodeURIComponent` leaves, less `'()*`. */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * `Content-Disposition` for a download (RFC 6266): always `attachment`, so a document is saved
 * rather than rendered in the portal's origin; an ASCII `filename` for old clients and the exact
 * name as UTF-8 in `filename*` (RFC 8187).
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(fileName)}`;
}

/** Headers of a download: the stored type, the size, the name, and the hash to verify it by. */
export function downloadHeaders(reply: FastifyReply, document: DownloadedDocument, cacheControl: string) {
  // Text was checked to be UTF-8 on upload, so saying so is safe.
  const type = document.contentType.startsWith('text/')
    ? `${document.contentType}; charset=utf-8`
    : document.contentType;
  return reply
    .header('content-type', type)
    .header('content-length', String(document.size))
    .header('content-disposition', contentDisposition(document.fileName))
    .header('x-content-sha256', document.sha256)
    .header('repr-digest', `sha-256=:${Buffer.from(document.sha256, 'hex').toString('base64')}:`)
    .header('cache-control', cacheControl);
}
