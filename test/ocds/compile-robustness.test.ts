/**
 * Robustness of `ocds compile` on real, dirty data (issue 6, ocds.md §6): every file under
 * real-examples and ted-doffin-eforms-converted (including READMEs, empty files and the eForms XML
 * sources) goes through compile one file at a time without an exception, and the dirt is reported as
 * counted warnings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CompileSummary, compileOcds } from '../../src/modules/ocds/compile.js';
import { formatSummary } from '../../src/modules/ocds/compile.cli.js';
import { hasOcdsData, OCDS_DATA_MISSING, ocdsPath } from '../helpers/ocds.js';

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

async function compileFile(
  file: string,
  versioned: boolean,
): Promise<{ summary: CompileSummary; lines: string[] }> {
  const out: string[] = [];
  const summary = await compileOcds(
    [{ name: file, open: () => fs.createReadStream(file) }],
    (t) => {
      out.push(t);
    },
    { schemaDir: ocdsPath('schema'), offline: true, versioned },
  );
  return { summary, lines: out.join('').split('\n').filter(Boolean) };
}

describe.skipIf(!hasOcdsData)(`ocds compile robustness ${hasOcdsData ? '' : OCDS_DATA_MISSING}`, () => {
  for (const folder of ['real-examples', 'ted-doffin-eforms-converted']) {
    it(`compiles every file under ${folder} without a crash, counting the dirt`, async () => {
      const files = walk(ocdsPath(folder));
      expect(files.length).toBeGreaterThan(folder === 'real-examples' ? 700 : 190);
      const totals: Record<string, number> = {};
      let written = 0;
      let releases = 0;
      let versionErrors = 0;
      for (const file of files) {
        const { summary, lines } = await compileFile(file, false);
        for (const [code, n] of Object.entries(summary.warnings)) totals[code] = (totals[code] ?? 0) + n;
        // Every output line is a compiled release of one ocid.
        for (const line of lines) expect(JSON.parse(line)).toMatchObject({ tag: ['compiled'] });
        expect(lines).toHaveLength(summary.written);
        written += summary.written;
        releases += summary.releases;
        if (summary.exitCode !== 0) {
          versionErrors++;
          expect(summary.errors.join()).toMatch(/version error/);
        }
        // The report names every counted warning.
        const report = formatSummary(summary);
        for (const code of Object.keys(summary.warnings)) expect(report).toContain(`${code}=`);
      }
      console.info(
        `${folder}: ${files.length} files, ${releases} releases, ${written} compiled; warnings`,
        totals,
      );
      expect(versionErrors).toBe(0);
      if (folder === 'real-examples') {
        // READMEs are not JSON; three Paraguay files are empty; Taiwan's `awardNotice` and ProZorro's `bid`
        // are outside the tag codelist; several publishers omit `version`.
        expect(totals.invalidJson).toBe(18);
        expect(totals.emptyInput).toBe(3);
        expect(totals.unknownTag).toBeGreaterThan(0);
        expect(totals.noVersion).toBeGreaterThan(0);
        expect(written).toBeGreaterThan(600);
      } else {
        // The 91 eForms XML sources are not JSON; the 100 converted releases compile.
        expect(totals.invalidJson).toBe(91);
        expect(written).toBe(100);
      }
    }, 120_000);
  }

  it('compiles a whole publisher folder at once, and versions it, without a crash', async () => {
    const files = walk(ocdsPath('real-examples', 'moldova', 'sample', 'releases'));
    const inputs = files.map((f) => ({ name: f, open: () => fs.createReadStream(f) }));
    for (const versioned of [false, true]) {
      const out: string[] = [];
      const s = await compileOcds(inputs, (t) => void out.push(t), {
        schemaDir: ocdsPath('schema'),
        versioned,
      });
      expect(s.exitCode).toBe(0);
      expect(s.ocids).toBe(51);
      expect(s.written).toBe(51);
      const ocids = out.map((l) => (JSON.parse(l) as { ocid: string }).ocid);
      expect(ocids).toEqual([...ocids].sort());
    }
    // Its records/ folder holds record packages without `version` (1.0): mixing them with the 1.1
    // release packages is refused as ocdskit does (InconsistentVersionError), with nothing written.
    const all = walk(ocdsPath('real-examples', 'moldova')).filter((f) => f.endsWith('.json'));
    const out: string[] = [];
    const mixed = await compileOcds(
      all.map((f) => ({ name: f, open: () => fs.createReadStream(f) })),
      (t) => void out.push(t),
      { schemaDir: ocdsPath('schema') },
    );
    expect(mixed.exitCode).toBe(1);
    expect(mixed.errors[0]).toMatch(
      /version error: this item uses version 1.1, but earlier items used version 1.0/,
    );
    expect(out).toEqual([]);
  }, 60_000);
});
