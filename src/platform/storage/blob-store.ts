import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '../errors.js';

/** What `put` stored: the content's SHA-256 (hex) and its size in bytes. */
export type StoredBlob = {
  sha256: string;
  size: number;
  /**
   * True when this call wrote the content; false when identical content was already stored.
   * Cleanup after a failed transaction only considers removing content this call created.
   */
  created: boolean;
};

/**
 * Content-addressed storage for documents. The address is the SHA-256 of the bytes, so identical
 * content is stored once and any stored byte can be verified against the hash kept in the
 * database. Kept small on purpose: an S3-compatible store must be able to implement it (a
 * multipart upload to a temporary key, then a copy to `sha256/<hash>`).
 */
export interface BlobStore {
  /**
   * Streams `stream` into the store while hashing it. Refuses with `DOCUMENT_TOO_LARGE` as soon as
   * more than `maxBytes` bytes have arrived, without reading the rest. On any failure (the limit,
   * an error of the source, a disk error) nothing is left behind.
   */
  put(stream: Readable, opts: { maxBytes: number }): Promise<StoredBlob>;
  /** The content; the stream fails with `NOT_FOUND` when no such blob exists. */
  get(sha256: string): Readable;
  has(sha256: string): Promise<boolean>;
  /** Removes a blob (cleanup of content no row references); no error when absent. */
  delete(sha256: string): Promise<void>;
  /** Size and time of storage of a blob, or null when absent (an S3 HEAD). */
  stat(sha256: string): Promise<BlobInfo | null>;
  /** Every stored blob, in no particular order (an S3 listing); for the cleanup pass. */
  list(): AsyncIterable<BlobInfo>;
  /**
   * Removes unfinished uploads (left by a crash between the first byte and the final rename) that
   * started before `before`; returns how many. An S3 store aborts its stale multipart uploads.
   */
  sweepTemporary(before: Date): Promise<number>;
}

/** What the store knows about a blob besides its bytes. */
export type BlobInfo = { sha256: string; size: number; storedAt: Date };

const SHA256_RE = /^[0-9a-f]{64}$/;

/** Only a well-formed hash ever becomes a path: nothing else can reach the file system. */
function checkHash(sha256: string): string {
  if (!SHA256_RE.test(sha256)) throw new DomainError('VALIDATION_FAILED', 'Not a SHA-256 hex digest');
  return sha256;
}

/** Counts and hashes the bytes passing through, and fails once they exceed the limit. */
class HashingLimit extends Transform {
  readonly hash = createHash('sha256');
  size = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      cb(
        new DomainError('DOCUMENT_TOO_LARGE', `The document is larger than ${this.maxBytes} bytes`, {
          maxBytes: this.maxBytes,
        }),
      );
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}

/** Entries of a directory; none when it does not exist (yet). */
async function listDir(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}

/** Durability of a rename needs the directory entry itself on disk, not only the file. */
async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Resolves once `out` has closed its file (destroying it first if it is still open). */
function closed(out: WriteStream): Promise<void> {
  if (out.closed) return Promise.resolve();
  return new Promise((resolve) => {
    out.once('close', () => resolve());
    out.destroy();
  });
}

/**
 * A blob store on the local file system: `<root>/sha256/ab/cd/<hash>`, written through
 * `<root>/tmp/` (same file system, so the final rename is atomic). Directories are created on
 * first use, so an app that never stores a document never touches `root`.
 */
export function fsBlobStore(root: string): BlobStore & { root: string } {
  const tmpDir = path.join(root, 'tmp');
  const blobPath = (sha256: string) =>
    path.join(root, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), checkHash(sha256));

  return {
    root,

    async put(stream, { maxBytes }) {
      const tmp = path.join(tmpDir, `${Date.now().toString(36)}-${randomBytes(12).toString('hex')}.part`);
      const counter = new HashingLimit(maxBytes);
      let out: WriteStream | undefined;
      try {
        await fs.mkdir(tmpDir, { recursive: true });
        // `flush` fsyncs the file before it is closed, so a renamed blob is never half on disk.
        out = createWriteStream(tmp, { flags: 'wx', mode: 0o640, flush: true });
        // `pipeline` destroys the source when the limit is hit, so the rest is never read.
        await pipeline(stream, counter, out);
        const sha256 = counter.hash.digest('hex');
        const target = blobPath(sha256);
        if (await exists(target)) {
          await fs.rm(tmp, { force: true });
          // Uploaded again: the cleanup's grace period counts from now, not from the first copy.
          const now = new Date();
          await fs.utimes(target, now, now).catch(() => undefined);
          return { sha256, size: counter.size, created: false };
        }
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.rename(tmp, target);
        await fsyncDir(path.dirname(target));
        return { sha256, size: counter.size, created: true };
      } catch (err) {
        // The store owns the stream once given: a caller is never left with a half-read body.
        stream.destroy();
        // The file is opened asynchronously, and `pipeline` can reject (a source already
        // destroyed) before the open has even happened: remove it only once the stream is closed,
        // or the open would recreate it after the removal (seen under load in the test suite).
        if (out) await closed(out);
        await fs.rm(tmp, { force: true });
        throw err;
      }
    },

    get(sha256) {
      const out = new PassThrough();
      const source = createReadStream(blobPath(sha256));
      source.on('error', (err) =>
        out.destroy(isMissing(err) ? new DomainError('NOT_FOUND', 'No such stored content') : err),
      );
      return source.pipe(out);
    },

    async has(sha256) {
      return exists(blobPath(sha256));
    },

    async delete(sha256) {
      await fs.rm(blobPath(sha256), { force: true });
    },

    async stat(sha256) {
      try {
        const st = await fs.stat(blobPath(sha256));
        return { sha256, size: st.size, storedAt: st.mtime };
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },

    async *list() {
      const top = path.join(root, 'sha256');
      for (const a of await listDir(top)) {
        for (const b of await listDir(path.join(top, a))) {
          for (const name of await listDir(path.join(top, a, b))) {
            if (!SHA256_RE.test(name)) continue;
            const st = await fs.stat(path.join(top, a, b, name)).catch((err: unknown) => {
              if (isMissing(err)) return null;
              throw err;
            });
            if (st) yield { sha256: name, size: st.size, storedAt: st.mtime };
          }
        }
      }
    },

    async sweepTemporary(before) {
      let removed = 0;
      for (const name of await listDir(tmpDir)) {
        const file = path.join(tmpDir, name);
        const st = await fs.stat(file).catch(() => null);
        if (st && st.mtime < before) {
          await fs.rm(file, { force: true });
          removed += 1;
        }
      }
      return removed;
    },
  };
}
