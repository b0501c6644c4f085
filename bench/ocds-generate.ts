/**
 * Generates the OCDS compile benchmark's input (issue 6): `ocids` processes × 6 stages (planning,
 * tender, tenderAmendment, award, contract, implementation) as JSON Lines of releases, about 4.3 KB
 * each — 5,000 × 6 = 30,000 releases, about 128 MB, as the issue states. Deterministic (seeded), so
 * runs compare. Lines are shuffled by process so that releases of one ocid are far apart, as in a
 * real bulk file in publication order.
 *
 * Standalone: `node --import tsx bench/ocds-generate.ts OUT.jsonl [ocids]`.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const STAGES = ['planning', 'tender', 'tenderAmendment', 'award', 'contract', 'implementation'] as const;

function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

const words =
  'servei neteja manteniment subministrament obres enllumenat parcs jardins escoles biblioteca mobiliari vehicles elèctrics recollida residus instal·lacions esportives'.split(
    ' ',
  );

function text(next: () => number, n: number): string {
  return Array.from({ length: n }, () => words[Math.floor(next() * words.length)]).join(' ');
}

/** One release of process `p` at stage `s`. */
function release(p: number, s: number, next: () => number): Record<string, unknown> {
  const ocid = `ocds-bench0-${String(p).padStart(8, '0')}`;
  const day = new Date(Date.UTC(2025, 0, 1) + (p % 300) * 86_400_000 + s * 7 * 86_400_000);
  const amount = Math.round(50_000 + next() * 950_000);
  const buyer = { id: `ES-DIR3-L0108${String(p % 900).padStart(4, '0')}`, name: `Ajuntament ${p % 900}` };
  const supplier = {
    id: `ES-NIF-B${String(10_000_000 + (p % 7919)).padStart(8, '0')}`,
    name: `Empresa ${p % 7919} SL`,
  };
  const items = Array.from({ length: 6 }, (_, i) => ({
    id: String(i + 1),
    description: text(next, 30),
    classification: { scheme: 'CPV', id: `9091${i}000`, description: text(next, 3) },
    quantity: 1 + Math.floor(next() * 10),
    unit: { name: 'unitat', value: { amount: Math.round(amount / 8), currency: 'EUR' } },
  }));
  const tag = STAGES[s] ?? 'tender';
  const base: Record<string, unknown> = {
    ocid,
    id: `${ocid}-${tag}`,
    date: day.toISOString().replace('.000Z', 'Z'),
    tag: [tag],
    initiationType: 'tender',
    language: 'ca',
    parties: [
      {
        ...buyer,
        roles: ['buyer', 'procuringEntity'],
        address: { locality: 'Barcelona', countryName: 'Espanya' },
      },
      ...(s >= 3 ? [{ ...supplier, roles: ['supplier', 'tenderer'] }] : []),
    ],
    buyer,
  };
  if (s === 0) {
    base.planning = { rationale: text(next, 220), budget: { amount: { amount, currency: 'EUR' } } };
  }
  if (s >= 1 && s <= 2) {
    base.tender = {
      id: `${ocid}-tender`,
      title: text(next, 8),
      description: text(next, 160),
      status: 'active',
      value: { amount: s === 2 ? Math.round(amount * 1.05) : amount, currency: 'EUR' },
      procurementMethod: 'open',
      mainProcurementCategory: 'services',
      items,
      tenderPeriod: {
        startDate: base.date,
        endDate: new Date(day.getTime() + 30 * 86_400_000).toISOString(),
      },
      documents: Array.from({ length: 3 }, (_, i) => ({
        id: `doc-${i}`,
        documentType: 'tenderNotice',
        title: text(next, 5),
        url: `https://example.org/${ocid}/doc-${i}.pdf`,
      })),
      ...(s === 2 ? { amendments: [{ id: 'a1', date: base.date, rationale: text(next, 20) }] } : {}),
    };
  }
  if (s === 3) {
    base.awards = [
      {
        id: `${ocid}-award-1`,
        status: 'active',
        date: base.date,
        value: { amount, currency: 'EUR' },
        suppliers: [supplier],
        items,
      },
    ];
  }
  if (s >= 4) {
    base.contracts = [
      {
        id: `${ocid}-contract-1`,
        awardID: `${ocid}-award-1`,
        status: 'active',
        value: { amount, currency: 'EUR' },
        period: { startDate: base.date, endDate: new Date(day.getTime() + 365 * 86_400_000).toISOString() },
        items,
        ...(s === 5
          ? {
              implementation: {
                transactions: Array.from({ length: 6 }, (_, i) => ({
                  id: `t${i}`,
                  date: new Date(day.getTime() + i * 30 * 86_400_000).toISOString(),
                  value: { amount: Math.round(amount / 12), currency: 'EUR' },
                  payer: buyer,
                  payee: supplier,
                })),
              },
            }
          : {}),
      },
    ];
  }
  return base;
}

/** Writes the file; returns the number of releases and bytes. */
export async function generateReleases(
  file: string,
  ocids = 5_000,
): Promise<{ releases: number; bytes: number }> {
  const next = rng(20_261_126);
  const out = fs.createWriteStream(file);
  // Publication order: stage by stage across processes, processes in a shuffled order per stage.
  let bytes = 0;
  let releases = 0;
  for (let s = 0; s < STAGES.length; s++) {
    const order = Array.from({ length: ocids }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    for (const p of order) {
      const line = `${JSON.stringify(release(p, s, next))}\n`;
      bytes += Buffer.byteLength(line);
      releases += 1;
      if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return { releases, bytes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, ocids] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/ocds-generate.ts OUT.jsonl [ocids]\n');
    process.exit(2);
  }
  const r = await generateReleases(file, ocids ? Number(ocids) : undefined);
  process.stdout.write(`${r.releases} releases, ${(r.bytes / 1_048_576).toFixed(1)} MiB\n`);
}
