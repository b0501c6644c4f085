import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { type App, SESSION_COOKIE } from '../../src/app.js';
import { DEMO_PASSWORD } from '../../src/modules/demo/demo.seed.js';
import type { Session } from '../helpers/app.js';
import { systemClock } from '../../src/platform/clock.js';
import { loadConfig } from '../../src/platform/config.js';
import { seedDemo } from '../../src/modules/demo/demo.seed.js';
import { startApp } from '../../src/server.js';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR ?? 'screenshots');

/** Starts the real server on a free port over a fresh embedded database (or DATABASE_URL), with the demo seeded. */
export async function startServer(): Promise<{ app: App; url: string; dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'contracta-browser-'));
  const config = {
    ...loadConfig({ ...process.env, CONTRACTA_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }),
    port: 0,
    host: '127.0.0.1',
    rateLimitMax: 100_000,
  };
  const app = await startApp(config);
  await seedDemo(
    app.deps.database.db,
    { actor: { kind: 'system', label: 'demo-seed' }, clock: systemClock, ip: null, userAgent: null },
    {
      store: app.deps.blobStore,
      custodianIdentitiesDir: path.join(dataDir, 'demo-custodian-identities'),
    },
  );
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: address, dataDir };
}

export async function launch(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The machine has no outside network: background networking only produces refused connections.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/** Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the current page and returns its violations. */
export async function axe(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the page's strict CSP (no inline scripts) does not block.
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    // Runs in the page; typed loosely because the project compiles without the DOM library.
    const w = globalThis as unknown as {
      document: unknown;
      axe: { run(ctx: unknown, opts: object): Promise<{ violations: AxeViolation[] }> };
    };
    const result = await w.axe.run(w.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** A screenshot of the page under `name`, then axe-core: no violation may be left. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  const violations = await axe(page);
  expect(violations, `${name}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

/** An API session (cookie + CSRF header) of a demo user, made through the app as test/helpers/app.ts `login` makes one. */
export async function apiSession(app: App, email: string): Promise<Session> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password: DEMO_PASSWORD },
  });
  expect(res.statusCode, res.body).toBe(200);
  const session = res.cookies.find((c) => c.name === SESSION_COOKIE);
  const csrfRes = await app.inject({
    url: '/api/v1/auth/csrf',
    cookies: { [SESSION_COOKIE]: session?.value ?? '' },
  });
  const csrfCookie = csrfRes.cookies.find((c) => c.name === 'contracta_csrf');
  const token = (csrfRes.json() as { token: string }).token;
  const cookie = `${SESSION_COOKIE}=${session?.value ?? ''}; contracta_csrf=${csrfCookie?.value ?? ''}`;
  return { cookie, csrf: token, headers: { cookie, 'x-csrf-token': token } };
}

/**
 * A fresh browser context signed in as a demo user (the demo password), optionally switched to a
 * language; downloads are accepted (receipts, key files). The caller closes the context.
 */
export async function signInAs(
  browser: Browser,
  base: string,
  email: string,
  locale?: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.fill('#email', email);
  await page.fill('#password', DEMO_PASSWORD);
  await page.click('main button[type=submit]');
  await page.waitForURL(`${base}/account`);
  if (locale) await page.goto(`${base}/lang/${locale}?next=/account`);
  return { context, page };
}
