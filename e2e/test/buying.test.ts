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
  dataDir = await mkdtemp(path.join(tmpdir(), 'ticketing-e2e-buy-'));
  stack = await startStack({
    root,
    port: 0,
    dataDir,
    natsPort: 0,
    natsMonitorPort: null,
    logLevel: 'warn',
    print: () => {},
  });
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

describe('a buyer in a real browser', () => {
  it('reserves another seller’s ticket, watches the countdown, cancels; the seller sees it reserved, then free', async () => {
    const seller = await newVisitor(browser);
    const buyer = await newVisitor(browser);
    const stamp = Date.now();

    const ticketUrl = await step(seller.page, 'the seller lists a ticket', async () => {
      await signUp(seller.page, `seller-${stamp}@example.com`);
      await seller.page.goto(`${stack.url}/tickets/new`);
      await seller.page.getByLabel('Title').fill('Ballet, balcony');
      await seller.page.getByLabel('Price').fill('64');
      await seller.page.getByRole('button', { name: 'List ticket' }).click();
      await seller.page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
      return seller.page.url();
    });

    const orderUrl = await step(buyer.page, 'the buyer purchases it', async () => {
      await signUp(buyer.page, `buyer-${stamp}@example.com`);
      await buyer.page.getByRole('link', { name: 'My Orders' }).waitFor();
      await buyer.page.goto(ticketUrl);
      await buyer.page.getByRole('heading', { name: 'Ballet, balcony' }).waitFor();
      // Orders learns of the ticket through the bus: the first click may come before it has.
      for (let attempt = 0; ; attempt++) {
        await buyer.page.getByRole('button', { name: 'Purchase' }).click();
        const ordered = await buyer.page
          .waitForURL(/\/orders\/[0-9a-f-]{36}$/, { timeout: 2_000 })
          .then(() => true)
          .catch(() => false);
        if (ordered) break;
        if (attempt >= 10) throw new Error('the ticket never became purchasable');
      }
      return buyer.page.url();
    });

    await step(buyer.page, 'the order shows the ticket, its price and a running countdown', async () => {
      await buyer.page.getByRole('heading', { name: 'Ballet, balcony' }).waitFor();
      expect(await buyer.page.getByText('$64.00', { exact: true }).isVisible()).toBe(true);
      await buyer.page.getByText('Awaiting payment').waitFor();
      const countdown = buyer.page.getByTestId('countdown');
      await countdown.waitFor();
      const first = await countdown.textContent();
      expect(first).toMatch(/^1[45]:\d\d$/);
      // A locator, not waitForFunction: the page's CSP forbids evaluating strings.
      await countdown.filter({ hasNotText: first! }).waitFor();
    });

    await step(seller.page, 'the seller sees the ticket reserved, with no edit form', async () => {
      for (let attempt = 0; attempt < 20; attempt++) {
        await seller.page.reload();
        if (await seller.page.getByText('Reserved', { exact: true }).first().isVisible()) break;
        await seller.page.waitForTimeout(250);
      }
      await seller.page.getByRole('heading', { name: 'Reserved' }).waitFor();
      expect(await seller.page.getByLabel('Title').count()).toBe(0);
    });

    await step(buyer.page, 'the buyer sees the order in My Orders, then cancels it', async () => {
      await buyer.page.goto(`${stack.url}/orders`);
      await buyer.page.getByText('Ballet, balcony').waitFor();
      await buyer.page.getByText('Awaiting payment').waitFor();
      await buyer.page.goto(orderUrl);
      await buyer.page.getByRole('button', { name: 'Cancel order' }).click();
      await buyer.page.getByText('Order cancelled').waitFor();
      await buyer.page.getByText('Cancelled', { exact: true }).waitFor();
    });

    await step(seller.page, 'the seller can edit the ticket again', async () => {
      for (let attempt = 0; attempt < 20; attempt++) {
        await seller.page.reload();
        if ((await seller.page.getByLabel('Title').count()) > 0) break;
        await seller.page.waitForTimeout(250);
      }
      await seller.page.getByLabel('Title').fill('Ballet, balcony, row A');
      await seller.page.getByRole('button', { name: 'Save changes' }).click();
      await seller.page.getByRole('heading', { name: 'Ballet, balcony, row A' }).waitFor();
    });

    expect(seller.errors).toEqual([]);
    expect(buyer.errors).toEqual([]);
    await seller.context.close();
    await buyer.context.close();
  }, 120_000);
});
