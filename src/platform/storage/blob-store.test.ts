import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { type BlobStore, fsBlobStore } from './blob-store.js';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

/** A stream of `chunks` chunks of 16 KiB, counting how many were pulled. */
function counted(chunks: number): Readable & { pulled: () => number } {
  let pulled = 0;
  const chunk = Buffer.alloc(16 * 1024, 0x61);
  const stream = new Readable({
    read() {
      pulled += 1;
      this.push(pulled > chunks ? null : chunk);
    },
  });
  return Object.assign(stream, { pulled: () => pulled });
}

describe('file-system blob store', () => {
  let root: string;
  let store: BlobStore;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'contracta-blobs-'));
    store = fsBlobStore(root);
  });
  afterEach(async () => fs.rm(root, { recursive: true, force: true }));

  it('stores content under its SHA-256 and gives it back', async () => {
    const content = 'Plec de clàusules administratives particulars\n';
    const put = await store.put(Readable.from([Buffer.from(content)]), { maxBytes: 1024 });
    expect(put).toEqual({ sha256: sha(content), size: Buffer.byteLength(content), created: true });
    expect(await filesUnder(root)).toEqual([
      path.join('sha256', put.sha256.slice(0, 2), put.sha256.slice(2, 4), put.sha256),
    ]);
    expect(await store.has(put.sha256)).toBe(true);
    expect(await text(store.get(put.sha256))).toBe(content);
  });

  it('stores identical content once', async () => {
    const a = await store.put(Readable.from([Buffer.from('same'), Buffer.from(' bytes')]), { maxBytes: 100 });
    const b = await store.put(Readable.from([Buffer.from('same bytes')]), { maxBytes: 100 });
    expect(b).toEqual({ ...a, created: false });
    expect(await filesUnder(root)).toHaveLength(1);
  });

  it('accepts exactly the limit', async () => {
    const put = await store.put(counted(4), { maxBytes: 4 * 16 * 1024 });
    expect(put.size).toBe(65_536);
  });

  it('refuses past the limit without reading the rest, and leaves no temporary file', async () => {
    // 1 GiB announced; the limit is 64 KiB.
    const source = counted(65_536);
    const err = await store.put(source, { maxBytes: 64 * 1024 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', details: { maxBytes: 65_536 } });
    // A handful of chunks for stream buffering, nowhere near the 65,536 the source would give.
    expect(source.pulled()).toBeLessThan(20);
    expect(source.destroyed).toBe(true);
    expect(await filesUnder(root)).toEqual([]);
  });

  it('removes the temporary file when the source fails', async () => {
    const source = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(store.put(source, { maxBytes: 1024 })).rejects.toThrow('client went away');
    expect(await filesUnder(root)).toEqual([]);
  });

  it('stores an empty stream (the callers decide whether empty is acceptable)', async () => {
    const put = await store.put(Readable.from([]), { maxBytes: 10 });
    expect(put).toEqual({ sha256: sha(''), size: 0, created: true });
  });

  it('reports a missing blob as NOT_FOUND, and deletes idempotently', async () => {
    const missing = sha('never stored');
    expect(await store.has(missing)).toBe(false);
    await expect(text(store.get(missing))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const put = await store.put(Readable.from([Buffer.from('x')]), { maxBytes: 10 });
    await store.delete(put.sha256);
    await store.delete(put.sha256);
    expect(await store.has(put.sha256)).toBe(false);
  });

  it('never turns anything but a hex digest into a path', async () => {
    expect(() => store.get('../../etc/passwd')).toThrow(DomainError);
    await expect(store.has('A'.repeat(64))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(store.delete(`${'0'.repeat(63)}/`)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('does not create its directory before the first write', async () => {
    const lazy = fsBlobStore(path.join(root, 'not-yet'));
    expect(await lazy.has(sha('x'))).toBe(false);
    await expect(fs.access(path.join(root, 'not-yet'))).rejects.toThrow();
  });
});
