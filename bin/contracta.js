#!/usr/bin/env node
// Bundles src/ with esbuild when a source file is newer than the bundle, then runs the bundle: no
// stale build to forget, and no TypeScript compiled at run time (which costs a second per start).
// Code splitting: what src/cli.ts imports with import() (the server, the database layer) is a chunk
// loaded by the commands that use it, so the offline tools (`ocds compile`, `validate`) start light.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = path.join(root, 'dist', 'cli.js');
process.setSourceMapsEnabled(true);

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

const built = fs.existsSync(outfile) ? fs.statSync(outfile).mtimeMs : 0;
const sources = Math.max(
  newestSource(path.join(root, 'src')),
  fs.statSync(path.join(root, 'package.json')).mtimeMs,
);
if (sources >= built) {
  try {
    const { buildSync } = await import('esbuild');
    // Chunks are named by their content hash: the old ones go, so dist/ does not grow at each build.
    fs.rmSync(path.join(root, 'dist', 'chunks'), { recursive: true, force: true });
    buildSync({
      entryPoints: [path.join(root, 'src', 'cli.ts')],
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      outdir: path.join(root, 'dist'),
      entryNames: '[name]',
      chunkNames: 'chunks/[name]-[hash]',
      logLevel: 'error',
    });
  } catch (err) {
    // A read-only installation runs the bundle it shipped with.
    if (!built) throw err;
  }
}
await import(outfile);
