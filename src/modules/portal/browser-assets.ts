/**
 * The portal's few scripts: the pages where cryptography must run on the user's own device
 * (sealing a bid, making a custodian key, unwrapping shares at an opening) load one ES module each,
 * bundled from `src/browser/<name>.ts` with esbuild on first request and kept in memory. They are
 * served from this origin only (CSP `script-src 'self'`), and every other page works without them.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** The scripts there are; a page names one of these, never a path. */
export const BROWSER_ENTRIES = ['bid-seal', 'custodian-keygen', 'custodian-open'] as const;
export type BrowserEntry = (typeof BROWSER_ENTRIES)[number];

const isEntry = (name: string): name is BrowserEntry => (BROWSER_ENTRIES as readonly string[]).includes(name);

/** The package's src/browser/ folder, found upwards from this file (in src/ or in the dist/ bundle). */
function findBrowserDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'src', 'browser');
    if (existsSync(path.join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('src/browser/ folder not found');
    dir = parent;
  }
}

type Bundle = { code: string; etag: string };
const bundles = new Map<BrowserEntry, Promise<Bundle>>();

/** Bundles one entry (once per process): ES2022 modules, minified, no Node built-ins. */
export function browserBundle(entry: BrowserEntry): Promise<Bundle> {
  let bundle = bundles.get(entry);
  if (!bundle) {
    bundle = (async () => {
      const { build } = await import('esbuild');
      const result = await build({
        entryPoints: [path.join(findBrowserDir(), `${entry}.ts`)],
        bundle: true,
        platform: 'browser',
        format: 'esm',
        target: 'es2022',
        minify: true,
        write: false,
        legalComments: 'none',
        logLevel: 'silent',
      });
      const code = result.outputFiles[0]?.text ?? '';
      return { code, etag: `"${createHash('sha256').update(code).digest('hex').slice(0, 32)}"` };
    })();
    // A failed build is not cached: the next request tries again (and reports the error again).
    bundle.catch(() => bundles.delete(entry));
    bundles.set(entry, bundle);
  }
  return bundle;
}

/** `<script type="module" src="…">` target for an entry. */
export const browserScriptUrl = (entry: BrowserEntry): string => `/assets/js/${entry}.js`;

export function browserAssetRoutes(r: FastifyInstance): void {
  r.get<{ Params: { name: string } }>('/assets/js/:name', async (request, reply) => {
    const name = request.params.name.replace(/\.js$/, '');
    if (!request.params.name.endsWith('.js') || !isEntry(name)) {
      return reply.status(404).type('text/plain; charset=utf-8').send('Not found');
    }
    const bundle = await browserBundle(name);
    // Revalidated on every load (a deploy changes the code at the same URL), answered 304 when unchanged.
    reply.header('cache-control', 'no-cache').header('etag', bundle.etag);
    if (request.headers['if-none-match'] === bundle.etag) return reply.status(304).send();
    return reply.type('text/javascript; charset=utf-8').send(bundle.code);
  });
}
