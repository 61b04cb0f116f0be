import type { Page } from 'playwright-core';
import { newVisitor, purchase, step, type E2e } from './browser-harness';

/**
 * Reloads until `visible` says the page shows what the events have brought about: within
 * 30 s, room for a listener's passing failure and its retry on a loaded machine.
 */
async function reloadUntil(page: Page, visible: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 30_000;
  while (!(await visible())) {
    if (Date.now() > deadline) throw new Error(`the page never showed ${what}`);
    await page.waitForTimeout(250);
    await page.reload();
  }
}

/** A buyer paying with the built-in test provider: declined, then paid; the ticket sold. */
export function payingScenarios(e2e: E2e): void {
  describe('a buyer paying in a real browser, with the built-in test provider', () => {
    it('is declined with the declined card, pays with Visa, and the ticket is sold; the seller cannot edit it', async () => {
      const seller = await newVisitor(e2e.browser);
      const buyer = await newVisitor(e2e.browser);
      const stamp = Date.now();

      const ticketUrl = await step(seller.page, 'the seller lists a ticket', async () => {
        await e2e.signUp(seller.page, `seller-${stamp}@example.com`);
        return e2e.listTicket(seller.page, 'Opera, stalls', '64');
      });

      await step(buyer.page, 'the buyer purchases it and sees the countdown', async () => {
        await e2e.signUp(buyer.page, `buyer-${stamp}@example.com`);
        await buyer.page.getByRole('link', { name: 'My Orders' }).waitFor();
        await buyer.page.goto(ticketUrl);
        await buyer.page.getByRole('heading', { name: 'Opera, stalls' }).waitFor();
        await purchase(buyer.page);
        await buyer.page.getByText('Awaiting payment').waitFor();
        expect(await buyer.page.getByTestId('countdown').textContent()).toMatch(/^1[45]:\d\d$/);
      });

      const pay = buyer.page.getByRole('button', { name: 'Pay $64.00' });

      await step(buyer.page, 'the declined card is refused, beside the form', async () => {
        await buyer.page.getByLabel('Declined card').check();
        // Payments learns of the order through the bus too: until it has, the page says to try again.
        for (let attempt = 0; ; attempt++) {
          const answered = buyer.page.waitForResponse((r) => r.url().endsWith('/api/payments'));
          await pay.click();
          const status = (await answered).status();
          if (status === 402) break;
          if (status !== 404 || attempt >= 10) throw new Error(`the payment was answered ${status}`);
          await buyer.page.waitForTimeout(500);
        }
        const form = buyer.page.getByRole('form', { name: 'Payment' });
        expect(await form.getByRole('alert').textContent()).toBe('Your card was declined');
        await buyer.page.getByText('Awaiting payment').waitFor();
      });

      await step(buyer.page, 'Visa pays: the button is disabled while paying, then the page says Paid', async () => {
        await buyer.page.getByLabel('Visa, succeeds').check();
        // Hold the request until the form has been seen while it is on its way.
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        await buyer.page.route('**/api/payments', async (route) => {
          await held;
          await route.continue();
        });
        const paying = buyer.page.waitForResponse((r) => r.url().endsWith('/api/payments'));
        await pay.click();
        const busy = buyer.page.getByRole('button', { name: 'Paying…' });
        await busy.waitFor();
        expect(await busy.isDisabled()).toBe(true);
        expect(await buyer.page.getByLabel('Declined card').isDisabled()).toBe(true);
        expect(await buyer.page.getByRole('button', { name: 'Cancel order' }).isDisabled()).toBe(true);
        release();
        expect((await paying).status()).toBe(201);
        await buyer.page.unroute('**/api/payments');
        const paid = buyer.page.getByRole('status').filter({ hasText: 'the ticket is yours' });
        await paid.getByText('Paid', { exact: true }).waitFor();
        await paid.getByRole('link', { name: 'My orders', exact: true }).waitFor();
        expect(await buyer.page.getByRole('button', { name: /^Pay/ }).count()).toBe(0);
      });

      await step(buyer.page, 'the paid order says when it was paid, and no deadline any more', async () => {
        await reloadUntil(buyer.page, () => buyer.page.getByText('Paid on').isVisible(), 'when it was paid');
        expect(await buyer.page.getByText(/Reserved until|Pay by|Reserved for you/).count()).toBe(0);
      });

      await step(buyer.page, 'My Orders shows the order complete', async () => {
        await buyer.page
          .getByRole('status')
          .filter({ hasText: 'the ticket is yours' })
          .getByRole('link', { name: 'My orders', exact: true })
          .click();
        await buyer.page.waitForURL(`${e2e.url}/orders`);
        await reloadUntil(
          buyer.page,
          () => buyer.page.getByRole('listitem').filter({ hasText: 'Opera, stalls' }).getByText('Paid').isVisible(),
          'the order paid in My Orders',
        );
      });

      await step(buyer.page, 'the ticket says Sold to the buyer', async () => {
        await buyer.page.goto(ticketUrl);
        await reloadUntil(buyer.page, () => buyer.page.getByRole('heading', { name: 'Sold' }).isVisible(), 'Sold');
        expect(await buyer.page.getByRole('button', { name: 'Purchase' }).count()).toBe(0);
      });

      await step(seller.page, 'the seller sees it sold, with no edit form', async () => {
        await seller.page.goto(ticketUrl);
        await reloadUntil(seller.page, () => seller.page.getByRole('heading', { name: 'Sold' }).isVisible(), 'Sold');
        expect(await seller.page.getByLabel('Title').count()).toBe(0);
        expect(await seller.page.getByRole('button', { name: 'Save changes' }).count()).toBe(0);
      });

      expect(seller.errors).toEqual([]);
      expect(buyer.errors).toEqual([]);
      await seller.context.close();
      await buyer.context.close();
    }, 120_000);
  });
}
