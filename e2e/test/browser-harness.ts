import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

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

/** Runs one step of a scenario; on failure keeps a screenshot named after it, then fails. */
export async function step<T>(page: Page, name: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    await mkdir(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    throw new Error(`step "${name}" failed (screenshot: ${file})`, { cause: error });
  }
}
