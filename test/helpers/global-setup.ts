import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/platform/db/client.js';
import { migrate } from '../../src/platform/db/migrate.js';

/**
 * Builds a migrated PGlite data directory once per run and saves it as a tarball; each test
 * file starts its own PGlite from it (about 1 s) instead of running initdb and migrations (5 s+).
 * With TEST_DATABASE_URL set, files use PostgreSQL schemas instead and no template is built.
 */
export default async function setup(project: TestProject) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'contracta-template-'));
  const file = path.join(dir, 'template.tar.gz');
  if (!process.env.TEST_DATABASE_URL) {
    const handle = await openDatabase({});
    await migrate(handle.db);
    const blob = await handle.dumpDataDir?.();
    if (!blob) throw new Error('PGlite handle cannot dump its data directory');
    await fs.writeFile(file, Buffer.from(await blob.arrayBuffer()));
    await handle.close();
  }
  project.provide('pgliteTemplate', file);
  return async () => {
    await fs.rm(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}
