/**
 * Node-only adapters for the sealing core: files as Web streams in and out, so that the CLI seals and
 * opens files of any size with a few chunks in memory. Kept apart so the core stays bundleable for the
 * browser.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import type { CiphertextSink } from './envelope.seal.js';

/** A file as a Web stream of Uint8Array chunks (64 KiB reads). */
export function fileStream(path: string): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(path, { highWaterMark: 64 * 1024 })) as ReadableStream<Uint8Array>;
}

/**
 * Writes a Web stream to a new file (refusing to overwrite) and fsyncs it, so that a manifest is only
 * written once the bytes it describes are on disk.
 */
export async function writeStreamToFile(
  path: string,
  stream: ReadableStream<Uint8Array>,
  mode = 0o644,
): Promise<void> {
  const out = createWriteStream(path, { flags: 'wx', mode });
  await stream.pipeTo(Writable.toWeb(out));
  const handle = await fs.open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes small bytes to a new file with the given mode (0600 for identities), refusing to overwrite. */
export async function writeNewFile(path: string, data: Uint8Array | string, mode = 0o644): Promise<void> {
  const handle = await fs.open(path, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  // The process umask could have narrowed the mode; make it exact (never wider than asked).
  await fs.chmod(path, mode);
}

/** A sealing sink writing each ciphertext to `pathFor(position, name)`. */
export function fileSink(pathFor: (position: number, name: string) => string): CiphertextSink {
  return ({ position, name }, ciphertext) => writeStreamToFile(pathFor(position, name), ciphertext);
}
