/**
 * Where the OCDS schemas come from (issue 6): a directory laid out like the standard's `schema/`
 * folder (release-schema.json, release-package-schema.json, record-package-schema.json,
 * codelists/), or the official URL of the version, fetched once and cached on disk. The schema is
 * data we read, never code we ship: nothing of it is copied into this repository.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The OCDS versions the platform reads: 1.1 (the target, 1.1.5) and 1.0 (data without `version`). */
export type OcdsVersion = '1.0' | '1.1';

/** The schema release each version is read with (the latest patch of each minor version). */
export const SCHEMA_TAGS: Record<OcdsVersion, string> = { '1.0': '1__0__3', '1.1': '1__1__5' };

export type SchemaFile =
  | 'release-schema.json'
  | 'release-package-schema.json'
  | 'record-package-schema.json'
  | 'versioned-release-validation-schema.json';

export type SchemaSource = {
  /**
   * A directory holding the schema files of one version, or a parent holding one folder per tag
   * (`1__1__5/`, `1__0__3/`, as `shared/data/ocds/schema`). Absent: the official URL, cached.
   */
  dir?: string | undefined;
  /** Where downloaded schemas are kept (default: `$XDG_CACHE_HOME/contracta/ocds` or `~/.cache/...`). */
  cacheDir?: string | undefined;
  /** For tests: how to fetch a URL (default: global fetch). */
  fetchText?: ((url: string) => Promise<string>) | undefined;
};

export function officialSchemaUrl(version: OcdsVersion, file: SchemaFile): string {
  return `https://standard.open-contracting.org/schema/${SCHEMA_TAGS[version]}/${file}`;
}

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'contracta', 'ocds');
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** The directory of one version's files under `dir`: the tag folder when there is one, else `dir`. */
async function versionDir(dir: string, version: OcdsVersion): Promise<string> {
  const tagged = path.join(dir, SCHEMA_TAGS[version]);
  return (await exists(tagged)) ? tagged : dir;
}

/**
 * The text of one schema file of `version`: from the directory when given (an error when the file
 * is not there: a wrong path must not silently fall back to the network), else from the cache,
 * else downloaded from the official URL and cached (written atomically).
 */
export async function schemaText(
  version: OcdsVersion,
  file: SchemaFile,
  source: SchemaSource = {},
): Promise<string> {
  if (source.dir) return fs.readFile(path.join(await versionDir(source.dir, version), file), 'utf8');
  const cached = path.join(source.cacheDir ?? defaultCacheDir(), SCHEMA_TAGS[version], file);
  if (await exists(cached)) return fs.readFile(cached, 'utf8');
  const url = officialSchemaUrl(version, file);
  const fetchText =
    source.fetchText ??
    (async (u: string) => {
      const res = await fetch(u);
      if (!res.ok) throw new Error(`${u}: HTTP ${res.status}`);
      return res.text();
    });
  const text = await fetchText(url);
  JSON.parse(text); // refuse to cache anything that is not JSON
  await fs.mkdir(path.dirname(cached), { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, cached);
  return text;
}

export async function loadSchema(
  version: OcdsVersion,
  file: SchemaFile,
  source: SchemaSource = {},
): Promise<Record<string, unknown>> {
  return JSON.parse(await schemaText(version, file, source)) as Record<string, unknown>;
}
