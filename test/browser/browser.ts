import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { type App, buildApp, SESSION_COOKIE } from '../../src/app.js';
import { DEMO_PASSWORD } from '../../src/modules/demo/demo.seed.js';
import type { Session, TestApp } from '../helpers/app.js';
import { fixedClock, systemClock } from '../../src/platform/clock.js';
import { loadConfig } from '../../src/platform/config.js';
import { openDatabase } from '../../src/platform/db/client.js';
import { migrate } from '../../src/platform/db/migrate.js';
import type { Locale } from '../../src/platform/i18n/i18n.js';
import { createLogger } from '../../src/platform/logger.js';
import { memoryMailer } from '../../src/platform/mail.js';
import { fsBlobStore } from '../../src/platform/storage/blob-store.js';
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

/** Signs in on the sign-in page in `page` (its context keeps the session) and waits for the account page. */
export async function signInOn(
  page: Page,
  base: string,
  email: string,
  password: string = DEMO_PASSWORD,
): Promise<void> {
  await page.goto(`${base}/sign-in`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('main button[type=submit]');
  await page.waitForURL(`${base}/account`);
}

/**
 * A fresh browser context signed in as a demo user (the demo password unless another is given),
 * optionally switched to a language; downloads are accepted (receipts, key files). The caller closes the context.
 */
export async function signInAs(
  browser: Browser,
  base: string,
  email: string,
  locale?: string,
  password: string = DEMO_PASSWORD,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await signInOn(page, base, email, password);
  if (locale) await page.goto(`${base}/lang/${locale}?next=/account`);
  return { context, page };
}

/** Switches the page to a language through the switcher's link, back on `target`'s path (its query is dropped). */
export async function switchLocale(page: Page, base: string, locale: Locale, target: string): Promise<void> {
  const pathname = target.split('?')[0] ?? target;
  await page.goto(`${base}/lang/${locale}?next=${encodeURIComponent(pathname)}`);
  await page.waitForURL((u) => u.pathname === pathname);
}

/** What a browser test file over the demo server has once its beforeAll ran (demoSuite). */
export type DemoSuite = {
  readonly app: App;
  /** The server's address, `http://127.0.0.1:port`. */
  readonly base: string;
  readonly dataDir: string;
  readonly browser: Browser;
  /** Barcelona's id, the demo authority the tests act in. */
  readonly authorityId: string;
  /** A fresh context signed in as a demo user (signInAs), closed after the file. */
  signIn(email: string, locale?: Locale): Promise<Page>;
  /** switchLocale on this server. */
  inLocale(page: Page, locale: Locale, target: string): Promise<void>;
  /** A context the file opened itself, to close after the file. */
  track(context: BrowserContext): void;
};

/**
 * The harness of a browser test file over the demo: registers the file's beforeAll (the demo
 * server, Chromium, Barcelona's id) and afterAll (the contexts, Chromium, the server and its data
 * directory). Its fields are read inside tests and later hooks, once the beforeAll has run.
 */
export function demoSuite(): DemoSuite {
  let app: App | undefined;
  let base = '';
  let dataDir = '';
  let browser: Browser | undefined;
  let authorityId = '';
  const contexts: BrowserContext[] = [];
  const ready = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`demoSuite: ${what} is read before beforeAll ran`);
    return v;
  };

  beforeAll(async () => {
    ({ app, url: base, dataDir } = await startServer());
    browser = await launch();
    const barcelona = await app.deps.database.db
      .selectFrom('authority')
      .select('id')
      .where('slug', '=', 'barcelona')
      .executeTakeFirstOrThrow();
    authorityId = barcelona.id;
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await app?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  return {
    get app() {
      return ready(app, 'app');
    },
    get base() {
      return base;
    },
    get dataDir() {
      return dataDir;
    },
    get browser() {
      return ready(browser, 'browser');
    },
    get authorityId() {
      return authorityId;
    },
    async signIn(email, locale) {
      const { context, page } = await signInAs(ready(browser, 'browser'), base, email, locale);
      contexts.push(context);
      return page;
    },
    inLocale: (page, locale, target) => switchLocale(page, base, locale, target),
    track(context) {
      contexts.push(context);
    },
  };
}

/**
 * An app over a fresh embedded database on a movable clock (for steps that wait days, as the
 * standstill), with the test users' helpers of test/helpers (the test password) rather than the
 * demo; not yet listening. The browser run has no PGlite template (no globalSetup), hence not
 * buildTestApp.
 */
export async function startTestServer(cookieSecret: string, blobPrefix: string): Promise<TestApp> {
  const database = await openDatabase({});
  await migrate(database.db);
  const config = { ...loadConfig({ CONTRACTA_DATA_DIR: '/nonexistent-test-dir' }), rateLimitMax: 100_000 };
  const blobDir = fs.mkdtempSync(path.join(os.tmpdir(), blobPrefix));
  const clock = fixedClock(systemClock.now());
  const mail = memoryMailer();
  const app = await buildApp({
    config,
    database,
    logger: createLogger('warn'),
    clock,
    mailer: mail,
    cookieSecret,
    blobStore: fsBlobStore(blobDir),
  });
  await app.ready();
  return {
    app,
    db: database,
    mail,
    logs: [],
    clock,
    blobDir,
    close: async () => {
      await app.close();
      await database.close();
      fs.rmSync(blobDir, { recursive: true, force: true });
    },
  };
}
