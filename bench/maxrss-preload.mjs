/**
 * Preloaded (`--import`) into a benchmark's child process: at exit it writes its own peak resident
 * memory and wall time to standard error, so the parent reads exact figures instead of sampling.
 * Plain JavaScript, so that a child needs no TypeScript loader (tsx) just for this.
 */
const started = performance.now();
process.on('exit', () => {
  const maxRssKib = process.resourceUsage().maxRSS;
  process.stderr.write(`\nBENCH ${JSON.stringify({ maxRssKib, wallMs: performance.now() - started })}\n`);
});
