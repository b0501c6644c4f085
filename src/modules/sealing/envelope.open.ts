/**
 * Opening one envelope once k custodians have submitted their shares (protocol v1, docs/SEALING.md).
 * Order of checks: shares (see shares.ts: SHARE_INVALID, SHARE_FOREIGN, SHARE_DUPLICATE,
 * QUORUM_NOT_REACHED, then SHARE_INVALID if the rebuilt key is not the manifest's), then every
 * ciphertext: age's authentication and the manifest's SHA-256 and sizes (CIPHERTEXT_TAMPERED).
 *
 * Why nothing is released early: age's payload is STREAM (ChaCha20-Poly1305 per 64 KiB chunk), so a
 * decrypting stream hands out the first chunks before a later tampered chunk, or a truncation, is
 * detected at the end. Releasing those chunks would "half-open" a tampered bid. So:
 *  - `openEnvelope` BUFFERS: all files of the envelope are decrypted into memory and released together
 *    only after every chunk authenticated and every hash and size matched (all or nothing).
 *  - `openEnvelopeToSinks` VERIFIES FULLY FIRST for envelopes too large for memory: pass 1 decrypts
 *    every file discarding the output; pass 2 decrypts again into the caller's sinks, re-checking the
 *    hash, and aborts the sink if the source changed in between. The sinks must be staging areas that
 *    the caller commits only after the promise resolves.
 * Isomorphic: sources and sinks are Web streams.
 */
import { Decrypter } from 'age-encryption';
import { DomainError } from '../../platform/errors.js';
import { meter, toStream } from './bytes.js';
import type { EnvelopeManifest, ManifestFile, OpenedFile } from './sealing.types.js';
import { reconstructEnvelopeIdentity } from './shares.js';

type Source = Uint8Array | ReadableStream<Uint8Array>;

/** The stored ciphertexts, by manifest file position, or a function that opens one (may be called twice). */
export type CiphertextSource =
  | readonly Source[]
  | ((file: ManifestFile, position: number) => Source | Promise<Source>);

export type OpenEnvelopeInput = {
  manifest: EnvelopeManifest;
  /** Submitted share payloads (ShareSubmission), parsed or not: they are validated here. */
  shares: readonly unknown[];
  ciphertexts: CiphertextSource;
};

function tampered(file: ManifestFile, reason: string): DomainError {
  return new DomainError('CIPHERTEXT_TAMPERED', `The ciphertext of "${file.name}" fails authentication`, {
    file: file.name,
    reason,
  });
}

async function sourceOf(
  ciphertexts: CiphertextSource,
  file: ManifestFile,
  position: number,
): Promise<Source> {
  if (typeof ciphertexts === 'function') return ciphertexts(file, position);
  const s = ciphertexts[position];
  if (s === undefined) throw tampered(file, 'missing');
  return s;
}

/**
 * Decrypts one ciphertext with the envelope identity, passing plaintext chunks to `onChunk` as they
 * authenticate, and then checks SHA-256 and sizes against the manifest. Errors of the source (I/O) and
 * of `onChunk` propagate unchanged; everything that age or the manifest rejects is CIPHERTEXT_TAMPERED.
 */
async function decryptFile(
  identity: string,
  file: ManifestFile,
  source: ReadableStream<Uint8Array>,
  onChunk: (chunk: Uint8Array) => void | Promise<void>,
): Promise<void> {
  let sourceError: { error: unknown } | null = null;
  const upstream = source.getReader();
  const guarded = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await upstream.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        sourceError = { error };
        controller.error(error);
      }
    },
    cancel(reason) {
      return upstream.cancel(reason);
    },
  });
  const cipher = meter();
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    const d = new Decrypter();
    d.addIdentity(identity);
    reader = (await d.decrypt(guarded.pipeThrough(cipher.stream))).getReader();
  } catch {
    if (sourceError) throw (sourceError as { error: unknown }).error;
    throw tampered(file, 'header');
  }
  let plainBytes = 0;
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch {
      if (sourceError) throw (sourceError as { error: unknown }).error;
      throw tampered(file, 'payload');
    }
    if (next.done) break;
    plainBytes += next.value.length;
    // The manifest declared the size: more plaintext than that is an attack on the opening's
    // memory (a huge file declared tiny), refused before it is held.
    if (plainBytes > file.size) throw tampered(file, 'size');
    await onChunk(next.value);
  }
  let sha256: string;
  try {
    sha256 = cipher.digest();
  } catch {
    throw tampered(file, 'incomplete');
  }
  if (sha256 !== file.sha256 || cipher.bytes() !== file.ciphertextSize) throw tampered(file, 'hash');
  if (plainBytes !== file.size) throw tampered(file, 'size');
}

/**
 * Validates the shares, rebuilds E, and returns every file's plaintext, buffered in memory and
 * released only when the whole envelope verified (see the module comment).
 */
export async function openEnvelope(input: OpenEnvelopeInput): Promise<{ files: OpenedFile[] }> {
  const { manifest } = input;
  let identity: string | null = await reconstructEnvelopeIdentity(manifest, input.shares);
  const opened: OpenedFile[] = [];
  try {
    for (const [position, file] of manifest.files.entries()) {
      const chunks: Uint8Array[] = [];
      await decryptFile(identity, file, toStream(await sourceOf(input.ciphertexts, file, position)), (c) => {
        chunks.push(c);
      });
      const plaintext = new Uint8Array(file.size);
      let at = 0;
      for (const c of chunks) {
        plaintext.set(c, at);
        at += c.length;
        c.fill(0);
      }
      opened.push({ name: file.name, size: file.size, plaintext });
    }
  } catch (err) {
    // All or nothing: files that already verified are wiped, not returned.
    for (const f of opened) f.plaintext.fill(0);
    throw err;
  } finally {
    identity = null;
  }
  return { files: opened };
}

/** Where pass 2 of `openEnvelopeToSinks` writes one file's plaintext. */
export type PlaintextSink = (file: ManifestFile, position: number) => WritableStream<Uint8Array>;

/**
 * Streaming variant for large envelopes: verify everything (pass 1), then decrypt into the sinks
 * (pass 2). Memory stays at a few chunks per file. `ciphertexts` must be a function because every
 * ciphertext is read twice. On failure in pass 2 (the stored bytes changed between the passes) the
 * sink being written is aborted and the error is thrown; earlier sinks were closed, so the caller
 * must treat all of them as staging and discard them unless this promise resolves.
 */
export async function openEnvelopeToSinks(input: {
  manifest: EnvelopeManifest;
  shares: readonly unknown[];
  ciphertexts: (file: ManifestFile, position: number) => Source | Promise<Source>;
  sink: PlaintextSink;
}): Promise<{ files: { name: string; size: number }[] }> {
  const { manifest } = input;
  let identity: string | null = await reconstructEnvelopeIdentity(manifest, input.shares);
  try {
    for (const [position, file] of manifest.files.entries()) {
      await decryptFile(identity, file, toStream(await input.ciphertexts(file, position)), () => {});
    }
    for (const [position, file] of manifest.files.entries()) {
      const writer = input.sink(file, position).getWriter();
      try {
        await decryptFile(identity, file, toStream(await input.ciphertexts(file, position)), (c) =>
          writer.write(c),
        );
        await writer.close();
      } catch (err) {
        await writer.abort(err).catch(() => {});
        throw err;
      }
    }
  } finally {
    identity = null;
  }
  return { files: manifest.files.map((f) => ({ name: f.name, size: f.size })) };
}
