/**
 * The floor the OCDS compile benchmark compares with (issue 6): one bare pass over the same JSON
 * Lines file, `JSON.parse` and `JSON.stringify` of every line written to standard output, streamed
 * — what any tool reading and writing this data must at least spend. Plain JavaScript, run by node
 * as the compile CLI is (no TypeScript loader in either child).
 * `node bench/ocds-floor.mjs FILE > /dev/null`.
 */
import fs from 'node:fs';
import readline from 'node:readline';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: ocds-floor.mjs FILE\n');
  process.exit(2);
}
const lines = readline.createInterface({
  input: fs.createReadStream(file, { highWaterMark: 256 * 1024 }),
  crlfDelay: Number.POSITIVE_INFINITY,
});
let n = 0;
for await (const line of lines) {
  if (!line) continue;
  const text = `${JSON.stringify(JSON.parse(line))}\n`;
  n += 1;
  if (!process.stdout.write(text)) await new Promise((r) => process.stdout.once('drain', () => r()));
}
process.stderr.write(`floor: ${n} lines\n`);
