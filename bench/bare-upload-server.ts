/**
 * The baseline for deadline-surge: a minimal node:http server that does only the unavoidable work
 * of a sealed-bid upload — stream the body, hash it (SHA-256), write it to a file that is fsynced
 * before close, rename it into place and fsync the directory (as the app's blob store does) — and
 * answers the commit POST with a fixed JSON body (no database, no signature). Same URLs as the app,
 * so the same client drives both. Started as a child process:
 *   BARE_DIR=/tmp/… PORT=… node --import tsx bench/bare-upload-server.ts
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const dir = process.env.BARE_DIR ?? '';
if (!dir) throw new Error('BARE_DIR is required');
const tmpDir = path.join(dir, 'tmp');
const blobDir = path.join(dir, 'blobs');
await fs.mkdir(tmpDir, { recursive: true });
await fs.mkdir(blobDir, { recursive: true });

const BLOB = /^\/api\/v1\/tenders\/[^/]+\/bids\/[^/]+\/blobs\/([0-9a-f]{64})(?:\?.*)?$/;

async function store(req: http.IncomingMessage, expected: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  const tmp = path.join(tmpDir, `${randomBytes(12).toString('hex')}.part`);
  await pipeline(req, tap, createWriteStream(tmp, { flags: 'wx', flush: true }));
  const sha256 = hash.digest('hex');
  if (sha256 !== expected) {
    await fs.rm(tmp, { force: true });
    throw new Error('hash mismatch');
  }
  await fs.rename(tmp, path.join(blobDir, sha256));
  const handle = await fs.open(blobDir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { sha256, size };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  const blob = req.method === 'PUT' ? BLOB.exec(url) : null;
  if (blob?.[1]) {
    store(req, blob[1]).then(
      (stored) => send(res, 201, stored),
      (err: unknown) => send(res, 422, { error: err instanceof Error ? err.message : String(err) }),
    );
    return;
  }
  if (req.method === 'POST' && url.endsWith('/versions')) {
    req.resume();
    req.once('end', () => send(res, 201, { receipt: { bare: true }, signature: '' }));
    return;
  }
  req.resume();
  send(res, url === '/' ? 200 : 404, { status: url === '/' ? 'ok' : 'not found' });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  process.stdout.write('bare upload server listening\n');
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
