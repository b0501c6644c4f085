/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, e.g. BENCH_SURGE_PROFILE=<dir> for the
 * deadline-surge server) by self time: the top functions, and the self time grouped by package
 * or source area, so a profile can be read without a browser.
 *   node --import tsx bench/cpu-profile-summary.ts <file.cpuprofile> [top=40]
 */
import fs from 'node:fs/promises';

type Frame = { functionName: string; url: string; lineNumber: number };
type Node = { id: number; callFrame: Frame; hitCount?: number; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: cpu-profile-summary.ts <file.cpuprofile> [top]');
const profile = JSON.parse(await fs.readFile(file, 'utf8')) as Profile;
const top = Number(topArg ?? 40);

// Self time per node: each sample's delta is charged to the node it hit.
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

/** A package name, a source area (src/modules/bids) or a V8 pseudo-frame. */
function area(f: Frame): string {
  const url = f.url;
  if (!url) return `(${f.functionName || 'native'})`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm?.[1]) return nm[1];
  const src = /\/src\/((?:modules|platform)\/[^/]+|[^/]+)/.exec(url);
  if (src?.[1]) return `src/${src[1]}`;
  if (url.startsWith('node:')) return url.split('/')[0] ?? url;
  if (url.includes('/dist/')) return 'dist (bundle)';
  return url;
}

const byFn = new Map<string, number>();
const byArea = new Map<string, number>();
for (const n of profile.nodes) {
  const us = selfUs.get(n.id) ?? 0;
  if (!us) continue;
  const f = n.callFrame;
  const key = `${f.functionName || '(anonymous)'}  ${f.url.replace(/^.*node_modules\//, '')}:${f.lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + us);
  const a = area(f);
  byArea.set(a, (byArea.get(a) ?? 0) + us);
}
const pct = (us: number) =>
  `${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms`;
process.stdout.write(`total sampled ${(total / 1000).toFixed(0)} ms\n\nby area (self time)\n`);
for (const [k, us] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 25))
  process.stdout.write(`${pct(us)}  ${k}\n`);
process.stdout.write(`\ntop ${top} functions (self time)\n`);
for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top))
  process.stdout.write(`${pct(us)}  ${k}\n`);
