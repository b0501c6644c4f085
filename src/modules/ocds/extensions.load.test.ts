import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { declaredExtensionUrls } from './extensions.js';
import { loadExtensionPatches, releaseSchemaUrl } from './extensions.load.js';

const LOTS = declaredExtensionUrls()[0]!;
const OTHER =
  'https://raw.githubusercontent.com/open-contracting-extensions/ocds_other_extension/master/extension.json';

describe('loading extension patches', () => {
  it('derives the release-schema URL from extension.json or a base URL', () => {
    expect(releaseSchemaUrl(OTHER)).toBe(OTHER.replace('extension.json', 'release-schema.json'));
    expect(releaseSchemaUrl('https://example.org/ext/')).toBe('https://example.org/ext/release-schema.json');
  });

  it('reads from a directory, downloads once into the cache, falls back to our minimal patch, warns otherwise', async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ocds-ext-'));
    const dir = path.join(tmp, 'dir');
    await fs.mkdir(path.join(dir, 'ocds_lots_extension'), { recursive: true });
    await fs.writeFile(
      path.join(dir, 'ocds_lots_extension', 'release-schema.json'),
      '{"definitions":{"Lot":{"title":"from dir"}}}',
    );
    const fetched: string[] = [];
    const fetchText = async (url: string) => {
      fetched.push(url);
      return '{"properties":{"other":{"type":"string"}}}';
    };
    const cacheDir = path.join(tmp, 'cache');

    const fromDir = await loadExtensionPatches([LOTS, OTHER, LOTS, 7], { dir, cacheDir, fetchText });
    expect(fromDir.loaded.map((l) => [l.url, l.origin])).toEqual([
      [LOTS, 'dir'],
      [OTHER, 'download'],
    ]);
    expect(fromDir.warnings).toEqual([]);
    const again = await loadExtensionPatches([OTHER], { cacheDir, fetchText });
    expect(again.loaded[0]!.origin).toBe('cache');
    expect(fetched).toEqual([releaseSchemaUrl(OTHER)]);

    const offline = await loadExtensionPatches([LOTS, 'https://example.org/x/extension.json'], {
      cacheDir: path.join(tmp, 'empty'),
      offline: true,
    });
    expect(offline.loaded.map((l) => l.origin)).toEqual(['minimal']);
    expect(offline.warnings).toEqual([
      expect.stringMatching(/^https:\/\/example\.org\/x\/extension\.json: .*offline/),
    ]);

    // Our own extension is known: never fetched, whatever the host that serves it.
    const own = 'https://contracta.example.cat/ocds/v1/extensions/documentIntegrity/extension.json';
    const ours = await loadExtensionPatches([own], { cacheDir: path.join(tmp, 'own'), fetchText });
    expect(ours.loaded.map((l) => l.origin)).toEqual(['own']);
    expect(ours.loaded[0]!.patch).toHaveProperty('definitions.Document.properties.integrity');
    expect(fetched).toEqual([releaseSchemaUrl(OTHER)]);

    const broken = await loadExtensionPatches([OTHER], {
      cacheDir: path.join(tmp, 'other'),
      fetchText: async () => 'not json',
    });
    expect(broken.loaded).toEqual([]);
    expect(broken.warnings).toHaveLength(1);
    await fs.rm(tmp, { recursive: true, force: true });
  });
});
