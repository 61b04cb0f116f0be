import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startStack } from '../../scripts/lib/stack.mjs';
import { launchChromium, newVisitor, step } from './browser-harness';

const root = path.join(__dirname, '..', '..');
let stack: Awaited<ReturnType<typeof startStack>>;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'ticketing-e2e-expiry-'));
  // As `EXPIRATION_WINDOW_SECONDS=5 npm start` runs it: the runner passes the variable on.
  process.env.EXPIRATION_WINDOW_SECONDS = '5';
  try {
    stack = await startStack({
      root,
      port: 0,
      dataDir,
      natsPort: 0,
      natsMonitorPort: null,
      logLevel: 'warn',
      print: () => {},
    });
  } finally {
    delete process.env.EXPIRATION_WINDOW_SECONDS;
  }
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function signUp(page: Page, email: string) {
  await page.goto(`${stack.url}/auth/signup`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(`${stack.url}/`);
}

/** Clicks Purchase until orders knows the ticket (it learns of it through the bus); resolves on the order page. */
async function purchase(page: Page) {
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

describe('an order nobody pays, in a real browser', () => {
  it('counts down to zero, says "Order expired" once the order really is, and the ticket can be bought again', async () => {
    const seller = await newVisitor(browser);
    const buyer = await newVisitor(browser);
    const stamp = Date.now();

    const ticketUrl = await step(seller.page, 'the seller lists a ticket', async () => {
      await signUp(seller.page, `seller-${stamp}@example.com`);
      await seller.page.goto(`${stack.url}/tickets/new`);
      await seller.page.getByLabel('Title').fill('Late show');
      await seller.page.getByLabel('Price').fill('18');
      await seller.page.getByRole('button', { name: 'List ticket' }).click();
      await seller.page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
      return seller.page.url();
    });

    await step(buyer.page, 'the buyer reserves it and watches the countdown reach zero', async () => {
      await signUp(buyer.page, `buyer-${stamp}@example.com`);
      await buyer.page.goto(ticketUrl);
      await purchase(buyer.page);
      const countdown = buyer.page.getByTestId('countdown');
      await countdown.waitFor();
      expect(await countdown.textContent()).toMatch(/^0:0[1-5]$/);
      await buyer.page.getByText('Order expired').waitFor({ timeout: 15_000 });
      await buyer.page.getByText('Cancelled', { exact: true }).waitFor();
      expect(await buyer.page.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);
    });

    await step(buyer.page, 'back on the ticket, it can be bought again', async () => {
      await buyer.page.getByRole('link', { name: 'Back to the ticket' }).click();
      await buyer.page.waitForURL(ticketUrl);
      for (let attempt = 0; attempt < 20; attempt++) {
        if ((await buyer.page.getByRole('button', { name: 'Purchase' }).count()) > 0) break;
        await buyer.page.waitForTimeout(250);
        await buyer.page.reload();
      }
      await purchase(buyer.page);
      await buyer.page.getByText('Awaiting payment').waitFor();
    });

    expect(seller.errors).toEqual([]);
    expect(buyer.errors).toEqual([]);
    await seller.context.close();
    await buyer.context.close();
  }, 120_000);
});
