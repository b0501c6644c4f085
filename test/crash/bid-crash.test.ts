import { describe, expect, it } from 'vitest';
import { runCrashTest } from '../../scripts/crash-test.js';

/**
 * SIGKILL crash test of bid submission (issue 4): the real server in a child process is killed at
 * random moments while bids are submitted over HTTP; afterwards every receipt matches a complete
 * stored bid, no bid is partial, and the storage cleanup leaves no unreferenced content.
 * Slow (a minute or more), so it runs only with CRASH_TEST=1. The work is in `scripts/crash-test.ts`.
 */
const enabled = process.env.CRASH_TEST === '1';
if (!enabled) {
  process.stdout.write(
    'bid-crash.test.ts skipped: set CRASH_TEST=1 to run the SIGKILL crash test (slow: it restarts the server 20 times)\n',
  );
}

describe.skipIf(!enabled)('bid submission survives SIGKILL (CRASH_TEST=1)', () => {
  it(
    'keeps every receipted bid whole, leaves no partial bid and no orphan after cleanup',
    async () => {
      const kills = Math.max(20, Number(process.env.CRASH_TEST_KILLS ?? 20));
      const report = await runCrashTest({
        kills,
        log: (line) => process.stdout.write(`[crash] ${line}\n`),
      });
      process.stdout.write(`[crash] ${JSON.stringify(report)}\n`);
      expect(report.problems).toEqual([]);
      expect(report.kills).toBe(kills);
      expect(report.receipts).toBeGreaterThan(0);
      expect(report.storeFilesAfterCleanup).toBeLessThanOrEqual(report.storeFilesBeforeCleanup);
      expect(Number.isNaN(report.orphansRemoved)).toBe(false);
    },
    15 * 60_000,
  );
});
