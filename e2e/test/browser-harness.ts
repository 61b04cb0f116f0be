import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, nkeyAuthenticator } from '@nats-io/transport-node';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startStack } from '../../scripts/lib/stack.mjs';

const ROOT = path.join(__dirname, '..', '..');

/** Where screenshots of failed steps are kept. */
export const ARTIFACTS = path.join(__dirname, '..', '..', 'test-results', 'e2e');

// Chromium reports every deliberate 4xx the API answers (a wrong password, a bad form) as
// "Failed to load resource"; those are the behaviour under test, not page errors.
const EXPECTED_RESOURCE_ERROR = /^Failed to load resource: the server responded with a status of 4\d\d/;

/** Launches Debian's Chromium headless, as the machine allows it (no sandbox as root, no background traffic). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** A browser user: one context (its own cookies), one page, every console error and page crash recorded. */
export async function newVisitor(browser: Browser, options: { viewport?: { width: number; height: number } } = {}) {
  const context: BrowserContext = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 900 },
    locale: 'fr-FR',
    timezoneId: 'Pacific/Kiritimati',
  });
  const page: Page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !EXPECTED_RESOURCE_ERROR.test(message.text())) errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return { context, page, errors };
}

// The stack's latest warnings and errors (it logs at warn): a failed step shows them.
const recentLog: string[] = [];
function keepLogLine(line: string) {
  recentLog.push(line);
  if (recentLog.length > (process.env.E2E_LOG_LEVEL ? 5000 : 100)) recentLog.shift();
}

/** What the running stack's bus and outboxes hold, for a failed step to show. */
let stackReport: (() => Promise<string>) | undefined;

/**
 * Each consumer's position on the stream and each service's readiness report (its outbox):
 * where an event that never had its effect is.
 */
async function reportOf(stack: Awaited<ReturnType<typeof startStack>>, dataDir: string): Promise<string> {
  const lines: string[] = [];
  const seed = (await readFile(path.join(dataDir, 'credentials', 'runner.nk'), 'utf8')).trim();
  const nc = await connect({
    servers: stack.natsUrl,
    authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)),
  });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = await jsm.streams.info('ticketing');
    lines.push(`stream: last sequence ${stream.state.last_seq}, ${stream.state.messages} messages`);
    for await (const c of jsm.consumers.list('ticketing')) {
      lines.push(
        `${c.name}: delivered ${c.delivered.stream_seq}, acknowledged ${c.ack_floor.stream_seq}, ` +
          `pending ${c.num_pending}, awaiting ack ${c.num_ack_pending}, redelivered ${c.num_redelivered}, waiting pulls ${c.num_waiting}`,
      );
    }
  } finally {
    await nc.close();
  }
  for (const [name, port] of Object.entries(stack.ports as Record<string, number>)) {
    if (name === 'client-srv') continue;
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`)
      .then((response) => response.text())
      .catch((error: Error) => error.message);
    lines.push(`${name} /readyz: ${ready}`);
  }
  return lines.join('\n');
}

/** Runs one step of a scenario; on failure keeps a screenshot named after it, then fails with the stack's latest warnings. */
export async function step<T>(page: Page, name: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    await mkdir(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    const log = recentLog.length > 0 ? recentLog.join('\n') : '(none)';
    const report = await (stackReport?.() ?? Promise.resolve('(no stack)')).catch((e: Error) => `(${e.message})`);
    throw new Error(
      `step "${name}" failed (screenshot: ${file}); the stack's latest warnings:\n${log}\nthe bus and the outboxes:\n${report}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * The stack exactly as `npm start` runs it (free ports, a temporary DATA_DIR, `env` passed
 * on as the runner passes the environment on) and a Chromium, for the calling test file:
 * started in its `beforeAll`, stopped in its `afterAll`.
 */
export function useStack(name: string, env: Record<string, string> = {}) {
  let stack: Awaited<ReturnType<typeof startStack>> | undefined;
  let browser: Browser | undefined;
  let dataDir: string | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), `ticketing-e2e-${name}-`));
    const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
    Object.assign(process.env, env);
    try {
      stack = await startStack({
        // A throwaway DATA_DIR: its PostgreSQL server need not sync to survive a power cut.
        durable: false,
        root: ROOT,
        port: 0,
        dataDir,
        natsPort: 0,
        natsMonitorPort: null,
        logLevel: process.env.E2E_LOG_LEVEL ?? 'warn',
        print: keepLogLine,
      });
    } catch (error) {
      // What the components said while the stack would not come up is why.
      const log = recentLog.length > 0 ? recentLog.join('\n') : '(none)';
      throw new Error(`the stack did not start; its latest warnings:\n${log}`, { cause: error });
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    browser = await launchChromium();
    const [started, folder] = [stack, dataDir];
    stackReport = () => reportOf(started, folder);
  }, 180_000);

  afterAll(async () => {
    stackReport = undefined;
    await browser?.close();
    await stack?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const e2e = {
    /** The edge's URL. */
    get url(): string {
      return stack!.url;
    },
    get browser(): Browser {
      return browser!;
    },
    /** Signs up through the form; resolves on the home page. */
    async signUp(page: Page, email: string): Promise<void> {
      await page.goto(`${e2e.url}/auth/signup`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.waitForURL(`${e2e.url}/`);
    },
    /** Lists a ticket through the form; resolves with its page's URL. */
    async listTicket(page: Page, title: string, price: string): Promise<string> {
      await page.goto(`${e2e.url}/tickets/new`);
      await page.getByLabel('Title').fill(title);
      await page.getByLabel('Price').fill(price);
      await page.getByRole('button', { name: 'List ticket' }).click();
      await page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
      return page.url();
    },
  };
  return e2e;
}

/** A running stack and its browser, as `useStack` gives them to a test file's scenarios. */
export type E2e = ReturnType<typeof useStack>;

/**
 * Clicks Purchase on a ticket's page until orders knows the ticket (it learns of it through
 * the bus, so the first click may come before it has); resolves with the order page's URL.
 */
export async function purchase(page: Page): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    await page.getByRole('button', { name: 'Purchase' }).click();
    const ordered = await page
      .waitForURL(/\/orders\/[0-9a-f-]{36}$/, { timeout: 2_000 })
      .then(() => true)
      .catch(() => false);
    if (ordered) return page.url();
    if (attempt >= 10) throw new Error('the ticket never became purchasable');
  }
}
