/**
 * Byte helpers for the sealing core. Isomorphic on purpose (no Buffer, no node:*): the same module is
 * bundled into the bidder's and the custodian's browser pages.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Strict UTF-8 decoding: invalid bytes throw instead of turning into U+FFFD. */
export function fromUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes canonical standard base64; returns null for anything else (so callers pick the error code). */
export function fromBase64(text: string): Uint8Array | null {
  if (!BASE64.test(text)) return null;
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return toBase64(out) === text ? out : null;
}

/** Constant-time comparison of two byte strings (used for reconstructed secrets and hashes). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return acc === 0;
}

/** Running SHA-256 and byte count of whatever flows through; read `digest()` once the stream ended. */
export type Meter = {
  stream: TransformStream<Uint8Array, Uint8Array>;
  bytes: () => number;
  digest: () => string;
};

export function meter(): Meter {
  const hash = sha256.create();
  let count = 0;
  let hex: string | null = null;
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      hash.update(chunk);
      count += chunk.length;
      controller.enqueue(chunk);
    },
    flush() {
      hex = bytesToHex(hash.digest());
    },
  });
  return {
    stream,
    bytes: () => count,
    digest: () => {
      if (hex === null) throw new Error('meter read before its stream ended');
      return hex;
    },
  };
}

export function toStream(content: Uint8Array | ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  if (content instanceof ReadableStream) return content;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (content.length) controller.enqueue(content);
      controller.close();
    },
  });
}

export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
