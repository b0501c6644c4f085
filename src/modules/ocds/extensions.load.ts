/**
 * Where the extensions' release-schema patches come from (issue 6, ocds.md §6: "patch the schema with
 * the package's declared extensions; tolerate extension URLs that cannot be retrieved (warn); use a
 * local cache, since CI has no network"). Contracta's own extensions (extensions.ts, `own`, served by
 * every deployment under /ocds/v1/extensions/) are known here and never fetched. Any other, in order:
 *  1. a directory (`dir`) holding one folder per extension, named after its repository
 *     (`ocds_lots_extension/release-schema.json`) or its registry id (`lots/release-schema.json`);
 *  2. the on-disk cache of earlier downloads;
 *  3. the official URL (`…/extension.json` → `…/release-schema.json`), downloaded once and cached,
 *     unless `offline`;
 *  4. for Contracta's own extensions, our minimal patch (extensions.ts), with a note;
 *  5. otherwise the extension is skipped with a warning, never an exception.
 * The patches are data we read, never copied into the repository.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CONTRACTA_EXTENSIONS, minimalPatchFor, ownExtensionFor } from './extensions.js';
import { isJsonObject, type JsonObject } from './schema-patch.js';

export type ExtensionSource = {
  /** A directory with one folder per extension (see the module comment). */
  dir?: string | undefined;
  /** Where downloaded patches are kept (default `$XDG_CACHE_HOME/contracta/ocds/extensions`). */
  cacheDir?: string | undefined;
  /** Never use the network (tests, CI). */
  offline?: boolean | undefined;
  /** For tests: how to fetch a URL (default: global fetch). */
  fetchText?: ((url: string) => Promise<string>) | undefined;
};

export type ExtensionPatchOrigin = 'own' | 'dir' | 'cache' | 'download' | 'minimal';

export type LoadedExtension = { url: string; origin: ExtensionPatchOrigin; patch: JsonObject };

export type ExtensionLoad = {
  /** The patches found, in declaration order (what patchSchema takes). */
  loaded: LoadedExtension[];
  /** One line per extension that was skipped or replaced by our minimal patch. */
  warnings: string[];
};

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'contracta', 'ocds', 'extensions');
}

/** The URL of the release-schema patch of an extension, from its `extension.json` or base URL. */
export function releaseSchemaUrl(extensionUrl: string): string {
  if (extensionUrl.endsWith('/extension.json'))
    return `${extensionUrl.slice(0, -'extension.json'.length)}release-schema.json`;
  if (extensionUrl.endsWith('/')) return `${extensionUrl}release-schema.json`;
  return extensionUrl.replace(/extension\.json/, 'release-schema.json');
}

/** Folder names under `dir` that may hold an extension: its repository name and its registry id. */
function candidateFolders(extensionUrl: string): string[] {
  const names: string[] = [];
  const repo = /github(?:usercontent)?\.com\/[^/]+\/([^/]+)\//.exec(extensionUrl)?.[1];
  if (repo) names.push(repo);
  const known = CONTRACTA_EXTENSIONS.find((e) => e.url === extensionUrl);
  if (known) names.push(known.id);
  return names;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

function parsePatch(text: string): JsonObject {
  const parsed: unknown = JSON.parse(text);
  if (!isJsonObject(parsed)) throw new Error('not a JSON object');
  return parsed;
}

/** Downloads that failed in this process, so that a long input does not retry the same URL. */
const failedDownloads = new Map<string, string>();

async function loadOne(url: string, source: ExtensionSource): Promise<LoadedExtension | string> {
  const own = ownExtensionFor(url);
  if (own) return { url, origin: 'own', patch: own.minimalPatch };
  if (source.dir) {
    for (const folder of candidateFolders(url)) {
      const text = await readIfExists(path.join(source.dir, folder, 'release-schema.json'));
      if (text !== undefined) return { url, origin: 'dir', patch: parsePatch(text) };
    }
  }
  const schemaUrl = releaseSchemaUrl(url);
  const key = createHash('sha256').update(schemaUrl).digest('hex').slice(0, 32);
  const cached = path.join(source.cacheDir ?? defaultCacheDir(), `${key}.json`);
  const fromCache = await readIfExists(cached);
  if (fromCache !== undefined) return { url, origin: 'cache', patch: parsePatch(fromCache) };

  let failure = source.offline ? 'offline' : failedDownloads.get(schemaUrl);
  if (!failure) {
    try {
      const fetchText =
        source.fetchText ??
        (async (u: string) => {
          const res = await fetch(u, { signal: AbortSignal.timeout(15_000) });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          return res.text();
        });
      const text = await fetchText(schemaUrl);
      const patch = parsePatch(text);
      await fs.mkdir(path.dirname(cached), { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      await fs.writeFile(tmp, text);
      await fs.rename(tmp, cached);
      return { url, origin: 'download', patch };
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
      failedDownloads.set(schemaUrl, failure);
    }
  }
  const minimal = minimalPatchFor(url);
  if (minimal) return { url, origin: 'minimal', patch: minimal };
  return `${url}: release-schema.json not available (${failure}); extension not applied`;
}

/**
 * The release-schema patches of the given extension URLs (duplicates and non-strings ignored), with
 * a warning for each one that could not be read. Never throws for an unreachable or broken extension.
 */
export async function loadExtensionPatches(
  urls: readonly unknown[],
  source: ExtensionSource = {},
): Promise<ExtensionLoad> {
  const loaded: LoadedExtension[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const url of urls) {
    if (typeof url !== 'string' || url === '' || seen.has(url)) continue;
    seen.add(url);
    let result: LoadedExtension | string;
    try {
      result = await loadOne(url, source);
    } catch (err) {
      result = `${url}: unreadable release-schema.json (${err instanceof Error ? err.message : String(err)})`;
    }
    if (typeof result === 'string') warnings.push(result);
    else loaded.push(result);
  }
  return { loaded, warnings };
}
