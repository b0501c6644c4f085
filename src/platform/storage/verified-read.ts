import { createHash } from 'node:crypto';
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { DomainError } from '../errors.js';
import type { BlobStore } from './blob-store.js';

/**
 * Passes stored bytes through while hashing them, and fails at the end if they are not the bytes
 * recorded: a corrupted copy is cut off rather than delivered as if it were the document.
 */
function verifying(sha256: string): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      hash.update(chunk);
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      const actual = hash.digest('hex');
      cb(actual === sha256 ? null : new DomainError('INTERNAL', `Stored content ${sha256} is corrupt`));
    },
  });
}

/**
 * The stored content of a recorded document, checked against its SHA-256 as it is read. Its
 * presence is checked before the response starts: once bytes are sent, an error can only cut the
 * stream. `what` names the document in the error when the content is missing.
 */
export async function openVerified(store: BlobStore, sha256: string, what: string): Promise<Readable> {
  if (!(await store.has(sha256))) {
    throw new DomainError('INTERNAL', `Stored content of ${what} is missing`);
  }
  return pipeline(store.get(sha256), verifying(sha256), () => {});
}
