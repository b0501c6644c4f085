import { Transform, type TransformCallback } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
import { DomainError } from '../errors.js';

/** A file format the platform can recognise from its bytes (or, for text, validate). */
export type FileFormat = {
  /** The canonical media type, stored and served. */
  mime: string;
  /** File name extensions, lower case, without the dot. */
  extensions: readonly string[];
  /** What `file-type` reports for it; absent for text, which has no magic number. */
  detected?: readonly string[];
};

/**
 * The formats known here. The zip-based office formats are told apart by their first entries
 * (`[Content_Types].xml` or `word/`/`xl/` for OOXML, the stored `mimetype` entry for ODF);
 * a zip whose first entries do not say what it is comes out as `application/zip` and matches
 * none of them.
 */
export const FILE_FORMATS: readonly FileFormat[] = [
  { mime: 'application/pdf', extensions: ['pdf'], detected: ['application/pdf'] },
  {
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    extensions: ['docx'],
    detected: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  },
  {
    mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    extensions: ['xlsx'],
    detected: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  },
  {
    mime: 'application/vnd.oasis.opendocument.text',
    extensions: ['odt'],
    detected: ['application/vnd.oasis.opendocument.text'],
  },
  {
    mime: 'application/vnd.oasis.opendocument.spreadsheet',
    extensions: ['ods'],
    detected: ['application/vnd.oasis.opendocument.spreadsheet'],
  },
  // An animated PNG is still a PNG to every viewer.
  { mime: 'image/png', extensions: ['png'], detected: ['image/png', 'image/apng'] },
  { mime: 'image/jpeg', extensions: ['jpg', 'jpeg'], detected: ['image/jpeg'] },
  { mime: 'text/plain', extensions: ['txt'] },
  { mime: 'text/csv', extensions: ['csv'] },
];

/**
 * Bytes kept in memory to recognise a format. PDF, PNG and JPEG need a few bytes; the zip-based
 * formats need their first local file headers, which follow the first entry's data.
 */
export const SNIFF_BYTES = 256 * 1024;

/** `Text/CSV; charset=utf-8` → `text/csv`. */
export function normalizeMime(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase();
}

/**
 * Checks what the client says before a byte is read: the declared type must be one of `allowed`
 * and the file name's extension must be one of that type's. Returns the format to sniff for.
 */
export function declaredFormat(
  declaredType: string | undefined,
  fileName: string,
  allowed: readonly string[],
) {
  const mime = normalizeMime(declaredType);
  const format = FILE_FORMATS.find((f) => f.mime === mime);
  if (!format || !allowed.includes(mime)) {
    throw new DomainError('DOCUMENT_TYPE_NOT_ALLOWED', `Documents of type "${mime}" are not accepted`, {
      declared: mime,
      allowed,
    });
  }
  const extension = extensionOf(fileName);
  if (!format.extensions.includes(extension)) {
    throw new DomainError('CONTENT_TYPE_MISMATCH', `A ${mime} file must be named *.${format.extensions[0]}`, {
      declared: mime,
      extension,
    });
  }
  return format;
}

/**
 * A pass-through stream that holds back the first `SNIFF_BYTES` until it has recognised them as
 * `format` and fails with `CONTENT_TYPE_MISMATCH` otherwise, so a refused file reaches the store
 * no further than its temporary file. Text must be UTF-8 without NUL bytes all the way through
 * (checked incrementally, the body is never held whole); an empty file is refused too.
 */
export function sniffingStream(format: FileFormat): Transform {
  const isText = format.detected === undefined;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let head: Buffer[] = [];
  let headSize = 0;
  let decided = false;
  let total = 0;

  const mismatch = (detected: string | undefined, what?: string) =>
    new DomainError(
      'CONTENT_TYPE_MISMATCH',
      `The content is ${what ?? detected ?? (isText ? 'not valid UTF-8 text' : 'of no recognised type')}, not ${format.mime}`,
      { declared: format.mime, detected: detected ?? null },
    );

  const checkText = (chunk: Buffer) => {
    if (!isText) return;
    if (chunk.includes(0)) throw mismatch(undefined, 'binary data (it has NUL bytes)');
    try {
      decoder.decode(chunk, { stream: true });
    } catch {
      throw mismatch(undefined);
    }
  };

  async function decide(stream: Transform): Promise<void> {
    const sample = Buffer.concat(head, headSize);
    head = [];
    decided = true;
    const detected = (await fileTypeFromBuffer(sample))?.mime;
    if (isText ? detected !== undefined : !detected || !format.detected?.includes(detected)) {
      throw mismatch(detected);
    }
    checkText(sample);
    stream.push(sample);
  }

  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      total += chunk.length;
      if (decided) {
        try {
          checkText(chunk);
        } catch (err) {
          cb(err as Error);
          return;
        }
        cb(null, chunk);
        return;
      }
      head.push(chunk);
      headSize += chunk.length;
      if (headSize < SNIFF_BYTES) {
        cb();
        return;
      }
      decide(this).then(() => cb(), cb);
    },
    flush(cb: TransformCallback) {
      if (total === 0) {
        cb(new DomainError('UNPROCESSABLE', 'The file is empty', { field: 'file' }));
        return;
      }
      const finish = () => {
        if (isText) {
          try {
            decoder.decode();
          } catch {
            cb(mismatch(undefined));
            return;
          }
        }
        cb();
      };
      if (decided) finish();
      else decide(this).then(finish, cb);
    },
  });
}
