import { describe, expect, it } from 'vitest';
import type { JsonObject } from './merge.types.js';
import { type ContainerInfo, type InputWarning, readOcdsInput } from './ocds-input.js';

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

async function read(text: string | Uint8Array, size = 7, encoding?: string) {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const releases: { release: JsonObject; container: number }[] = [];
  const containers: ContainerInfo[] = [];
  const warnings: InputWarning[] = [];
  await readOcdsInput(
    chunksOf(bytes, size),
    'test',
    {
      release: (release, container) => void releases.push({ release, container }),
      containerEnd: (info) => void containers.push(info),
      warning: (w) => void warnings.push(w),
    },
    { encoding },
  );
  return { releases, containers, warnings, codes: warnings.map((w) => w.code) };
}

const rel = (ocid: string, extra = '') =>
  `{"ocid":"${ocid}","id":"1","date":"2020-01-01T00:00:00Z","tag":["tender"]${extra}}`;

describe('OCDS input splitter', () => {
  it('reads JSON Lines, concatenated JSON and arrays, across any chunk boundary', async () => {
    const text = `${rel('a')}\n${rel('b')}${rel('c')} [${rel('d')}, {"version":"1.1","uri":"u","releases":[${rel('e')},${rel('f', ',"parties":[]')}]}]`;
    for (const size of [1, 3, 64, 4096]) {
      const r = await read(text, size);
      expect(r.releases.map((x) => x.release.ocid)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
      expect(r.containers.map((c) => [c.kind, c.version, c.uri])).toEqual([
        ['release', '1.0', ''],
        ['release', '1.0', ''],
        ['release', '1.0', ''],
        ['release', '1.0', ''],
        ['releasePackage', '1.1', 'u'],
      ]);
      expect(r.warnings).toEqual([]);
    }
  });

  it('takes record packages: embedded releases, else the compiledRelease of a linked-only record', async () => {
    const pkg = `{"uri":"p","records":[{"ocid":"a","releases":[${rel('a')}]},{"ocid":"b","releases":[{"url":"x#1","date":"2020","tag":["tender"]}],"compiledRelease":${rel('b')}},{"ocid":"c","releases":[{"url":"y#1","date":"2020"}]}]}`;
    const r = await read(pkg, 5);
    expect(r.releases.map((x) => x.release.ocid)).toEqual(['a', 'b']);
    expect(r.containers[0]).toMatchObject({ kind: 'recordPackage', version: '1.0' });
    expect(r.codes).toEqual(['compiledReleaseUsed', 'linkedReleaseSkipped', 'noVersion']);
  });

  it('streams a package too large to parse whole, release by release', async () => {
    const big = `{"version":"1.1","releases":[${Array.from({ length: 2500 }, (_, i) => rel(`o${i}`, `,"x":"${'y'.repeat(4000)}"`)).join(',')}],"uri":"late"}`;
    expect(big.length).toBeGreaterThan(8 * 1024 * 1024);
    const r = await read(big, 256 * 1024);
    expect(r.releases).toHaveLength(2500);
    expect(r.containers).toEqual([
      expect.objectContaining({ kind: 'releasePackage', uri: 'late', version: '1.1' }),
    ]);
  });

  it('counts dirt instead of throwing: empty input, bad JSON, non-objects, unknown objects', async () => {
    expect((await read('  \n')).codes).toEqual(['emptyInput']);
    expect((await read('<?xml version="1.0"?><a/>')).codes).toEqual(['invalidJson']);
    expect((await read(`${rel('a')}\n{"ocid":`)).codes).toEqual(['invalidJson']);
    expect((await read(`${rel('a')} {"a":1,}`)).releases).toHaveLength(1);
    expect((await read('[1, "x", {"foo": 1}]')).codes).toEqual([
      'nonObjectItem',
      'nonObjectItem',
      'unknownItem',
    ]);
  });

  it('reads ISO-8859-1 when the input is not UTF-8 (with a warning), or as told', async () => {
    const latin = Uint8Array.from([
      ...new TextEncoder().encode('{"ocid":"'),
      0xd3,
      ...new TextEncoder().encode('","date":"d"}'),
    ]);
    const r = await read(latin, 3);
    expect(r.releases[0]?.release.ocid).toBe('Ó');
    expect(r.codes).toEqual(['encodingFallback']);
    const told = await read(latin, 3, 'iso-8859-1');
    expect(told.releases[0]?.release.ocid).toBe('Ó');
    expect(told.codes).toEqual([]);
    // A UTF-8 sequence split across chunks is still UTF-8.
    expect((await read('{"ocid":"Ó€","date":"d"}', 1)).releases[0]?.release.ocid).toBe('Ó€');
  });

  it('reads JSON Lines (CRLF, blank lines, a BOM) the same whatever the chunking, and falls back to scanning', async () => {
    const lines = `\ufeff${rel('a')}\r\n\n${rel('b', ',"x":"é€"')}\n  ${rel('c')}  \n${rel('d')}`;
    const want = ['a', 'b', 'c', 'd'];
    for (const size of [1, 2, 5, 64, 100_000]) {
      const r = await read(lines, size);
      expect(r.releases.map((x) => x.release.ocid)).toEqual(want);
      expect(r.releases[1]?.release.x).toBe('é€');
      expect(r.warnings).toEqual([]);
    }
    // Not one object per line: the scan takes over from there, same outcome.
    const mixed = `${rel('a')}\n{"ocid":"b",\n"date":"d"}\n${rel('c')}\n`;
    for (const size of [3, 4096]) {
      const r = await read(mixed, size);
      expect(r.releases.map((x) => x.release.ocid)).toEqual(['a', 'b', 'c']);
    }
    // A broken line is still reported as bad JSON, and what follows it is skipped as before.
    expect((await read(`${rel('a')}\n{"ocid":"b"\n${rel('c')}\n`, 8)).codes).toEqual(['invalidJson']);
  });

  it('decodes UTF-8 as a fatal TextDecoder does, for any chunking (BOM dropped, invalid input read as ISO-8859-1)', async () => {
    const { decodeStream } = await import('./ocds-input.js');
    const samples: Uint8Array[] = [
      new TextEncoder().encode('\ufeff{"a":"Ó€😀"}'),
      Uint8Array.from([0xef, 0xbb, 0xbf, 0x41]),
      Uint8Array.from([0xef, 0xbb]),
      Uint8Array.from([0x41, 0xd3, 0x42, 0xc3, 0xa9]),
      Uint8Array.from([0x41, 0xe2, 0x82]),
      new TextEncoder().encode('plain ascii'),
    ];
    const reference = (bytes: Uint8Array): { text: string; warned: boolean } => {
      try {
        return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), warned: false };
      } catch {
        return { text: Buffer.from(bytes).toString('latin1'), warned: true };
      }
    };
    for (const bytes of samples)
      for (const size of [1, 2, 3, 4, 1000]) {
        let warned = false;
        let text = '';
        for await (const t of decodeStream(chunksOf(bytes, size), 's', () => {
          warned = true;
        }))
          text += t;
        const ref = reference(bytes);
        expect({ warned, text: warned ? undefined : text }).toEqual({
          warned: ref.warned,
          text: ref.warned ? undefined : ref.text,
        });
      }
  });
});
