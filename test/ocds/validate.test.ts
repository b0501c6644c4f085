import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/platform/canonical-json.js';
import { declaredExtensionUrls } from '../../src/modules/ocds/extensions.js';
import { validate, type ValidateOptions } from '../../src/modules/ocds/validate.js';
import { validateCommand } from '../../src/modules/ocds/validate.cli.js';
import type { Finding } from '../../src/modules/ocds/validate.types.js';
import { hasOcdsData, OCDS_DATA_MISSING, ocdsPath } from '../helpers/ocds.js';

const options: ValidateOptions = {
  schema: { dir: hasOcdsData ? ocdsPath('schema') : undefined },
  extensionSource: { offline: true },
};

function read(...parts: string[]): JsonValue {
  return JSON.parse(fs.readFileSync(ocdsPath(...parts), 'utf8')) as JsonValue;
}

function codes(findings: readonly Finding[], severity?: 'error' | 'warning'): string[] {
  return [
    ...new Set(
      findings.filter((f) => !severity || f.severity === severity).map((f) => `${f.code} ${f.path}`),
    ),
  ].sort();
}

function walk(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p, ext));
    else if (entry.name.endsWith(ext)) out.push(p);
  }
  return out.sort();
}

/** The fictional tender release package, as a fresh copy to break. */
type Pkg = { releases: Record<string, JsonValue>[]; [k: string]: JsonValue };
const tenderPackage = () =>
  read('fictional-example', 'ocds-213czf-000-00001-02-tender.json') as unknown as Pkg;

describe.skipIf(!hasOcdsData)(`OCDS validation (${OCDS_DATA_MISSING})`, () => {
  it('the fictional example validates: no errors; its warnings are real and listed', async () => {
    const files = fs.readdirSync(ocdsPath('fictional-example')).filter((f) => f.endsWith('.json'));
    files.push(...fs.readdirSync(ocdsPath('fictional-example', 'record')).map((f) => path.join('record', f)));
    expect(files.length).toBe(9);
    for (const f of files) {
      const report = await validate(read('fictional-example', f), options);
      expect(codes(report.findings, 'error'), f).toEqual([]);
      // Two document types with the publisher's own x_ codes (open code list), and organisations
      // referenced as tenderer, payer and payee without those roles in parties.
      for (const finding of report.findings) {
        expect(['codelist.open', 'party.role.missing'], `${f}: ${finding.code} ${finding.path}`).toContain(
          finding.code,
        );
      }
    }
    const whole = await validate(read('fictional-example', 'ocds-213czf-000-00001.json'), options);
    expect(whole.kind).toBe('release package');
    expect(whole.releaseCount).toBe(6);
    expect(codes(whole.findings)).toEqual([
      'codelist.open /releases/0/tender/documents/0/documentType',
      'codelist.open /releases/0/tender/documents/1/documentType',
      'party.role.missing /releases/3/tender/tenderers/0/id',
      'party.role.missing /releases/5/contracts/0/implementation/transactions/0/payee/id',
      'party.role.missing /releases/5/contracts/0/implementation/transactions/0/payer/id',
      'party.role.missing /releases/5/contracts/0/implementation/transactions/1/payee/id',
      'party.role.missing /releases/5/contracts/0/implementation/transactions/1/payer/id',
    ]);
  });

  it('the standard merging examples: release packages valid; the records have the errors they really have', async () => {
    const errorsOf = async (...p: string[]) =>
      codes((await validate(read('standard-examples', 'merging', ...p), options)).findings, 'error');
    for (const f of ['tender1', 'tender2', 'tender3', 'award1', 'award2'])
      expect(await errorsOf('updates', `${f}.json`)).toEqual([]);
    for (const f of [
      'array_award',
      'field_tender',
      'field_tenderUpdate',
      'object_tender',
      'object_tenderAmendment',
    ]) {
      expect(await errorsOf('deletions', `${f}.json`)).toEqual([]);
    }
    // merged.json and versioned.json list the releases in the order of the docs' narrative, not by date.
    expect(await errorsOf('updates', 'merged.json')).toEqual([
      'record.releases.unsorted /records/0/releases/2/date',
    ]);
    expect(await errorsOf('updates', 'versioned.json')).toEqual([
      'record.releases.unsorted /records/0/releases/2/date',
    ]);
    expect(await errorsOf('embedded_releases.json')).toEqual([
      'record.releases.unsorted /records/0/releases/3/date',
    ]);
    // awardAmendment is not a release tag in 1.1.5 (closed code list).
    expect(await errorsOf('deletions', 'array_awardAmendment.json')).toEqual([
      'codelist.closed /releases/0/tag/0',
      'schema.enum /releases/0/tag/0',
    ]);
    // The deletion records leave uri/publishedDate blank.
    expect(await errorsOf('deletions', 'field_record.json')).toContain('schema.format /uri');
  });

  it('broken variants produce the expected codes at the expected paths', async () => {
    const check = async (mutate: (p: Pkg) => void) => {
      const p = tenderPackage();
      mutate(p);
      return codes((await validate(p as unknown as JsonValue, options)).findings);
    };
    expect(await check((p) => delete p.releases[0]!.ocid)).toContain('schema.required /releases/0/ocid');
    const zoneless = await check((p) => {
      p.releases[0]!.date = '2011-01-10T09:30:00';
    });
    expect(zoneless).toContain('date.timezone /releases/0/date');
    expect(zoneless).not.toContain('schema.format /releases/0/date');
    expect(
      await check((p) => {
        p.releases[0]!.date = '10/01/2011';
      }),
    ).toContain('schema.format /releases/0/date');
    const status = await check((p) => {
      (p.releases[0]!.tender as Record<string, JsonValue>).status = 'open';
    });
    expect(status).toEqual(
      expect.arrayContaining([
        'codelist.closed /releases/0/tender/status',
        'schema.enum /releases/0/tender/status',
      ]),
    );
    expect(
      await check((p) => {
        (p.releases[0]!.tender as Record<string, JsonValue>).submissionMethod = ['carrierPigeon'];
      }),
    ).toContain('codelist.open /releases/0/tender/submissionMethod/0');
    expect(await check((p) => p.releases.push(structuredClone(p.releases[0]!)))).toContain(
      'release.id.duplicate /releases/1/id',
    );
    expect(
      await check((p) => {
        p.releases[0]!.id = 'a#b';
      }),
    ).toContain('release.id.hash /releases/0/id');
    const empties = await check((p) => {
      const t = p.releases[0]!.tender as Record<string, JsonValue>;
      t.title = '';
      t.minValue = {};
      t.documents = [];
    });
    expect(empties).toEqual(
      expect.arrayContaining([
        'empty.string /releases/0/tender/title',
        'empty.object /releases/0/tender/minValue',
        'empty.array /releases/0/tender/documents',
      ]),
    );
    const items = await check((p) => {
      const t = p.releases[0]!.tender as { items: JsonValue[] };
      t.items.push(structuredClone(t.items[0]!));
    });
    expect(items.some((c) => /^array\.id\.duplicate \/releases\/0\/tender\/items\/\d+\/id$/.test(c))).toBe(
      true,
    );
    expect(
      await check((p) => {
        p.releases[0]!.ocid = 'OCDS-213CZF-1';
      }),
    ).toContain('ocid.prefix.format /releases/0/ocid');
    expect(
      await check((p) => {
        p.releases[0]!.buyer = { id: 'GB-COH-99999999', name: 'Nobody' };
      }),
    ).toContain('party.reference.unresolved /releases/0/buyer/id');
    expect(
      await check((p) => {
        delete p.version;
      }),
    ).toContain('schema.required /version');
  });

  it('expected ocid prefixes are enforced when given', async () => {
    const report = await validate(tenderPackage() as unknown as JsonValue, {
      ...options,
      expectedPrefixes: ['ocds-abcdef-'],
    });
    expect(codes(report.findings, 'error')).toEqual(['ocid.prefix.unexpected /releases/0/ocid']);
  });

  it("Contracta's extensions are applied: lots, bids and submission terms are typed and their code lists closed", async () => {
    const p = tenderPackage();
    const release = p.releases[0]!;
    const tender = release.tender as Record<string, JsonValue>;
    tender.lots = [
      {
        id: '1',
        title: 'Lot 1',
        status: 'active',
        value: { amount: 1000, currency: 'EUR' },
        submissionTerms: { electronicSubmissionPolicy: 'required', languages: ['ca', 'es'] },
      },
    ];
    tender.submissionTerms = { variantPolicy: 'notAllowed' };
    release.bids = {
      statistics: [{ id: 'requests', measure: 'bids', value: 2, date: '2011-01-20T12:00:00Z' }],
      details: [
        {
          id: 'b1',
          status: 'valid',
          tenderers: [{ id: 'GB-COH-11111111', name: 'Bidder' }],
          relatedLots: ['1'],
        },
      ],
    };
    release.parties = [
      ...(release.parties as JsonValue[]),
      { id: 'GB-COH-11111111', name: 'Bidder', roles: ['tenderer'] },
    ];
    const ours = { ...tenderPackage(), extensions: declaredExtensionUrls() } as unknown as Pkg;
    ours.releases = [release];
    const ok = await validate(ours as unknown as JsonValue, options);
    expect(codes(ok.findings, 'error')).toEqual([]);
    expect(codes(ok.findings)).toEqual([]);

    (release.bids as { details: Record<string, JsonValue>[] }).details[0]!.status = 'accepted';
    (
      (tender.lots as Record<string, JsonValue>[])[0]!.submissionTerms as Record<string, JsonValue>
    ).electronicSubmissionPolicy = 'maybe';
    ((tender.lots as Record<string, JsonValue>[])[0]!.value as Record<string, JsonValue>).amount = 'a lot';
    const bad = await validate(ours as unknown as JsonValue, options);
    expect(codes(bad.findings, 'error')).toEqual([
      'codelist.closed /releases/0/bids/details/0/status',
      'codelist.closed /releases/0/tender/lots/0/submissionTerms/electronicSubmissionPolicy',
      'schema.enum /releases/0/bids/details/0/status',
      'schema.enum /releases/0/tender/lots/0/submissionTerms/electronicSubmissionPolicy',
      'schema.type /releases/0/tender/lots/0/value/amount',
    ]);

    // Without the extensions declared, the same fields are not checked (proof that the patch did it).
    const undeclared = { ...ours, extensions: [] } as unknown as JsonValue;
    expect(codes((await validate(undeclared, options)).findings, 'error')).toEqual([]);
  });

  it('the CLI: exit 0 when valid, 1 when invalid, 2 when unreadable; JSON lines; standard input', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l) };
    const cli = { schema: ocdsPath('schema'), offline: true };
    const good = ocdsPath('fictional-example', 'ocds-213czf-000-00001.json');
    expect((await validateCommand([good], cli, io)).exitCode).toBe(0);
    expect(lines[0]).toMatch(/: valid: 1 release package; 6 releases, 1 ocids; 0 errors, 7 warnings$/);

    const bad = ocdsPath('standard-examples', 'merging', 'deletions', 'array_awardAmendment.json');
    lines.length = 0;
    const r1 = await validateCommand([good, bad], { ...cli, json: true }, io);
    expect(r1.exitCode).toBe(1);
    const parsed = lines.map(
      (l) => JSON.parse(l) as { file: string; code?: string; summary?: { errors: number } },
    );
    expect(parsed.filter((x) => x.summary).map((x) => x.summary!.errors)).toEqual([0, 2]);
    expect(parsed.filter((x) => x.file === bad && x.code).map((x) => x.code)).toContain('codelist.closed');

    lines.length = 0;
    const r2 = await validateCommand([good, ocdsPath('no-such-file.json')], cli, io);
    expect(r2.exitCode).toBe(2);
    expect(lines.at(-1)).toMatch(/no-such-file\.json: unreadable/);

    // JSON Lines of releases on standard input: the duplicate release id across lines is found.
    const release = JSON.stringify(tenderPackage().releases[0] as JsonValue);
    const stdin = async () => new TextEncoder().encode(`${release}\n${release}\n`);
    lines.length = 0;
    const r3 = await validateCommand(['-'], { ...cli, json: true }, { ...io, readStdin: stdin });
    expect(r3.exitCode).toBe(1);
    expect(r3.files[0]!.kinds).toEqual({ release: 2 });
    expect(
      lines
        .map((l) => JSON.parse(l) as { code?: string; document?: string })
        .filter((x) => x.code === 'release.id.duplicate'),
    ).toEqual([expect.objectContaining({ document: '#2', path: '/id' })]);

    const notJson = async () => new TextEncoder().encode('{"releases": [');
    expect((await validateCommand(['-'], cli, { ...io, readStdin: notJson })).exitCode).toBe(2);
    const empty = async () => new Uint8Array();
    const r4 = await validateCommand(['-'], cli, { ...io, readStdin: empty });
    expect([r4.exitCode, r4.files[0]!.byCode['input.empty']]).toEqual([1, 1]);
    expect((await validateCommand([good], { ...cli, schema: ocdsPath('no-such-dir') }, io)).exitCode).toBe(2);
  });

  it('every real-examples and eForms-converted file goes through validate without a crash', {
    timeout: 120_000,
  }, async () => {
    const files = [
      ...walk(ocdsPath('real-examples'), '.json'),
      ...walk(ocdsPath('ted-doffin-eforms-converted'), '.json'),
    ];
    expect(files.length).toBeGreaterThan(800);
    const result = await validateCommand(
      files,
      { schema: ocdsPath('schema'), offline: true },
      { out: () => {} },
    );
    expect(result.files.length).toBe(files.length);
    expect(result.files.filter((f) => !f.readable)).toEqual([]);
    const total = (key: 'errors' | 'warnings' | 'releases') => result.files.reduce((n, f) => n + f[key], 0);
    const byCode: Record<string, number> = {};
    for (const f of result.files)
      for (const [c, n] of Object.entries(f.byCode)) byCode[c] = (byCode[c] ?? 0) + n;
    const valid = result.files.filter((f) => f.errors === 0).length;
    console.log(
      `validate robustness: ${files.length} files, ${valid} valid, ${files.length - valid} invalid, ` +
        `${total('releases')} releases, ${total('errors')} errors, ${total('warnings')} warnings\n` +
        Object.entries(byCode)
          .sort((a, b) => b[1] - a[1])
          .map(([c, n]) => `  ${c}: ${n}`)
          .join('\n'),
    );
    // The three empty Paraguay files are reported, not crashed on.
    expect(byCode['input.empty']).toBe(3);
    // Dirt ocds.md §9 lists is found: unregistered prefixes, tags outside the code list.
    expect(byCode['ocid.prefix.format']).toBeGreaterThan(0);
    expect(byCode['codelist.closed']).toBeGreaterThan(0);
  });
});
