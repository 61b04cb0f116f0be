import { newVisitor, purchase, step, type E2e } from './browser-harness';

/** A buyer reserving another seller's ticket and cancelling, while the seller watches. */
export function buyingScenarios(e2e: E2e): void {
  describe('a buyer in a real browser', () => {
    it('reserves another seller’s ticket, watches the countdown, cancels; the seller sees it reserved, then free', async () => {
      const seller = await newVisitor(e2e.browser);
      const buyer = await newVisitor(e2e.browser);
      const stamp = Date.now();

      const ticketUrl = await step(seller.page, 'the seller lists a ticket', async () => {
        await e2e.signUp(seller.page, `seller-${stamp}@example.com`);
        return e2e.listTicket(seller.page, 'Ballet, balcony', '64');
      });

      const orderUrl = await step(buyer.page, 'the buyer purchases it', async () => {
        await e2e.signUp(buyer.page, `buyer-${stamp}@example.com`);
        await buyer.page.getByRole('link', { name: 'My Orders' }).waitFor();
        await buyer.page.goto(ticketUrl);
        await buyer.page.getByRole('heading', { name: 'Ballet, balcony' }).waitFor();
        await purchase(buyer.page);
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
        await buyer.page.goto(`${e2e.url}/orders`);
        await buyer.page.getByText('Ballet, balcony').waitFor();
        await buyer.page.getByText('Awaiting payment').waitFor();
        await buyer.page.goto(orderUrl);
        await buyer.page.getByRole('button', { name: 'Cancel order' }).click();
        await buyer.page.getByText('Order cancelled').waitFor();
        await buyer.page.getByText('Cancelled', { exact: true }).waitFor();
        await buyer.page.getByText('Cancelled on').waitFor();
        expect(await buyer.page.getByText(/Reserved until|Pay by/).count()).toBe(0);
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
}
