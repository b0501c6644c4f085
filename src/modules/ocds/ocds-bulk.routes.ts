/**
 * The OCDS bulk downloads (issue 6 point 3), public, under /ocds/v1/bulk: an index and the files
 * ocds-bulk.ts generates. Everything served is read from the manifest, the generator's commit point:
 * an appended file is served up to the manifest's size only (a run in progress is never seen half
 * way), a segmented file is the manifest's segments in order, all opened before the first byte
 * is sent (a later run keeps the previous generation's files, so they are still there to open).
 *
 * Why `application/gzip` and not `application/x-ndjson` with `Content-Encoding: gzip`: the files are
 * gzip files, named `.jsonl.gz`, and the bytes sent are the stored bytes with the manifest's size
 * and SHA-256. With a content coding, HTTP clients (browsers, curl --compressed, fetch) decompress on
 * the fly and would save JSON Lines under a `.gz` name, and the published size and hash would not
 * match what they saved. So the ETag is strong (the file's SHA-256) and Content-Length is exact.
 * The CSV is text: it is compressed on the fly when the client asks (@fastify/compress, this scope).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import fastifyCompress from '@fastify/compress';
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { DomainError } from '../../platform/errors.js';
import { makeErrorHandler } from '../../platform/http/error-handler.js';
import { bulkDir, type Manifest, readManifest } from './ocds-bulk.js';
import { matchesIfNoneMatch } from './ocds-package.js';

const tags = ['OCDS'];

/** A day as the daily files name it; anything else never reaches the file system. */
const DAY_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** 2026-02-31 has the shape of a day but is not one. */
function isCalendarDay(day: string): boolean {
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}

export type BulkIndexFile = {
  name: string;
  url: string;
  contentType: string;
  size: number;
  sha256: string;
  count: number;
  lastModified: string;
  final?: boolean;
};

export type BulkIndex = {
  generated: boolean;
  generatedAt: string | null;
  generation: number;
  /** The last release included (its seq), the manifest's mark; null before any. */
  lastReleaseSeq: string | null;
  files: BulkIndexFile[];
  daily: (BulkIndexFile & { day: string })[];
};

/** The index of the bulk files (also read by the open-data page). */
export function bulkIndex(manifest: Manifest | undefined, baseUrl: string): BulkIndex {
  if (!manifest)
    return { generated: false, generatedAt: null, generation: 0, lastReleaseSeq: null, files: [], daily: [] };
  const url = (name: string) => `${baseUrl}/ocds/v1/bulk/${name}`;
  const entry = (
    name: string,
    contentType: string,
    e: Omit<BulkIndexFile, 'name' | 'url' | 'contentType'>,
  ) => ({
    name,
    url: url(name),
    contentType,
    size: e.size,
    sha256: e.sha256,
    count: e.count,
    lastModified: e.lastModified,
  });
  return {
    generated: true,
    generatedAt: manifest.generatedAt,
    generation: manifest.generation,
    lastReleaseSeq: manifest.releases.mark?.seq ?? null,
    files: [
      entry('releases.jsonl.gz', 'application/gzip', manifest.releases),
      entry('records.jsonl.gz', 'application/gzip', manifest.records),
      entry('contracts.csv', 'text/csv; charset=utf-8; header=present', manifest.csv),
    ],
    daily: Object.entries(manifest.daily)
      .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
      .map(([day, e]) => ({
        ...entry(`daily/${day}.releases.jsonl.gz`, 'application/gzip', e),
        day,
        final: e.final,
      })),
  };
}

type Part = { file: string; size: number };

/**
 * Opens every part first, then streams them in order, each up to its size. The files are closed
 * when the stream ends or is destroyed (a client gone midway), whether or not it was read.
 */
async function openParts(dir: string, parts: readonly Part[]): Promise<Readable> {
  const handles: fs.FileHandle[] = [];
  let closed = false;
  const closeAll = async () => {
    if (closed) return;
    closed = true;
    for (const h of handles) await h.close().catch(() => undefined);
  };
  try {
    for (const p of parts) handles.push(await fs.open(path.join(dir, p.file), 'r'));
  } catch (err) {
    await closeAll();
    throw err;
  }
  async function* chunks() {
    try {
      for (const [i, h] of handles.entries()) {
        const size = parts[i]?.size ?? 0;
        let at = 0;
        while (at < size) {
          const buf = Buffer.allocUnsafe(Math.min(65_536, size - at));
          const { bytesRead } = await h.read(buf, 0, buf.length, at);
          if (bytesRead === 0) throw new Error(`${parts[i]?.file} ended before its manifest size`);
          at += bytesRead;
          yield buf.subarray(0, bytesRead);
        }
      }
    } finally {
      await closeAll();
    }
  }
  const stream = Readable.from(chunks());
  stream.once('close', () => void closeAll());
  return stream;
}

const notGenerated = () =>
  new DomainError('NOT_FOUND', 'The bulk files have not been generated yet', { reason: 'not_generated' });

export const ocdsBulkRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    await r.register(fastifyCompress, { global: true, threshold: 1024, encodings: ['gzip', 'deflate'] });
    // A data API: errors are JSON `{ code, message }` (no HTML error pages), as in ocds.routes.ts.
    r.setErrorHandler(makeErrorHandler());

    const dataDir = () => app.deps.config.dataDir;

    /** Sends parts of the bulk directory as one file, with its validators; 304 when unchanged. */
    const sendFile = async (
      request: FastifyRequest,
      reply: FastifyReply,
      o: {
        parts: Part[];
        sha256: string;
        lastModified: string;
        contentType: string;
        name: string;
        final?: boolean;
      },
    ) => {
      // Strong for the gzip files (sent as stored); weak for the CSV, which may be sent compressed.
      const text = o.contentType.startsWith('text/');
      const etag = `${text ? 'W/' : ''}"${o.sha256.slice(0, 32)}"`;
      reply.header('etag', etag);
      if (o.lastModified) reply.header('last-modified', new Date(o.lastModified).toUTCString());
      reply.header('cache-control', o.final ? 'public, max-age=31536000, immutable' : 'public, max-age=60');
      reply.header('vary', 'accept-encoding');
      if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.status(304).send();
      const size = o.parts.reduce((n, p) => n + p.size, 0);
      reply.header('content-disposition', `attachment; filename="${o.name}"`);
      if (!text) reply.header('content-length', size);
      reply.type(o.contentType);
      // HEAD: the headers only, no file opened (Fastify keeps Content-Length for a stream body only).
      if (request.method === 'HEAD') return reply.send(Readable.from([]));
      return reply.send(await openParts(bulkDir(dataDir()), o.parts));
    };

    const manifestOrThrow = async (): Promise<Manifest> => {
      const m = await readManifest(dataDir());
      if (!m) throw notGenerated();
      return m;
    };

    r.get(
      '/bulk',
      { schema: { hide: true, tags, summary: 'Index of the OCDS bulk files (public)' } },
      async (_request, reply) => {
        const index = bulkIndex(await readManifest(dataDir()), app.deps.config.publicUrl);
        reply.header('cache-control', 'public, max-age=60');
        return reply.type('application/json; charset=utf-8').send(index);
      },
    );

    r.get(
      '/bulk/releases.jsonl.gz',
      { schema: { hide: true, tags, summary: 'Every release, JSON Lines, gzip (public)' } },
      async (request, reply) => {
        const m = await manifestOrThrow();
        return sendFile(request, reply, {
          parts: [{ file: m.releases.file, size: m.releases.size }],
          sha256: m.releases.sha256,
          lastModified: m.releases.lastModified,
          contentType: 'application/gzip',
          name: 'releases.jsonl.gz',
        });
      },
    );

    r.get(
      '/bulk/records.jsonl.gz',
      { schema: { hide: true, tags, summary: 'Every record (compiled release), JSON Lines, gzip (public)' } },
      async (request, reply) => {
        const m = await manifestOrThrow();
        return sendFile(request, reply, {
          parts: m.records.segments.map((s) => ({ file: s.file, size: s.size })),
          sha256: m.records.sha256,
          lastModified: m.records.lastModified,
          contentType: 'application/gzip',
          name: 'records.jsonl.gz',
        });
      },
    );

    r.get(
      '/bulk/contracts.csv',
      { schema: { hide: true, tags, summary: 'Contracts and lots, flattened, CSV (public)' } },
      async (request, reply) => {
        const m = await manifestOrThrow();
        return sendFile(request, reply, {
          parts: [
            { file: 'csv/header.csv', size: Buffer.byteLength(m.csv.header, 'utf8') },
            ...m.records.segments.map((s) => ({ file: s.csvFile, size: s.csvSize })),
          ],
          sha256: m.csv.sha256,
          lastModified: m.csv.lastModified,
          contentType: 'text/csv; charset=utf-8; header=present',
          name: 'contracts.csv',
        });
      },
    );

    r.get(
      '/bulk/daily/:file',
      {
        schema: {
          hide: true,
          tags,
          summary: "One day's releases (UTC day of publication), JSON Lines, gzip (public)",
          params: Type.Object({ file: Type.String({ maxLength: 40 }) }),
        },
      },
      async (request, reply) => {
        const match = /^(.+)\.releases\.jsonl\.gz$/.exec(request.params.file);
        const day = match?.[1] ?? '';
        if (!DAY_RE.test(day) || !isCalendarDay(day))
          throw new DomainError('VALIDATION_FAILED', 'A daily file is named YYYY-MM-DD.releases.jsonl.gz', {
            field: 'day',
          });
        const m = await manifestOrThrow();
        const e = m.daily[day];
        if (!e) throw new DomainError('NOT_FOUND', 'No releases were published that day');
        return sendFile(request, reply, {
          parts: [{ file: e.file, size: e.size }],
          sha256: e.sha256,
          lastModified: e.lastModified,
          contentType: 'application/gzip',
          name: `${day}.releases.jsonl.gz`,
          final: e.final,
        });
      },
    );
  };
