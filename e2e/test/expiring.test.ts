import { newVisitor, purchase, step, useStack } from './browser-harness';

// As `EXPIRATION_WINDOW_SECONDS=5 npm start` runs it: the runner passes the variable on.
const e2e = useStack('expiry', { EXPIRATION_WINDOW_SECONDS: '5' });

describe('an order nobody pays, in a real browser', () => {
  it('counts down to zero, says "Order expired" once the order really is, and the ticket can be bought again', async () => {
    const seller = await newVisitor(e2e.browser);
    const buyer = await newVisitor(e2e.browser);
    const stamp = Date.now();

    const ticketUrl = await step(seller.page, 'the seller lists a ticket', async () => {
      await e2e.signUp(seller.page, `seller-${stamp}@example.com`);
      return e2e.listTicket(seller.page, 'Late show', '18');
    });

    await step(buyer.page, 'the buyer reserves it and watches the countdown reach zero', async () => {
      await e2e.signUp(buyer.page, `buyer-${stamp}@example.com`);
      await buyer.page.goto(ticketUrl);
      await purchase(buyer.page);
      const countdown = buyer.page.getByTestId('countdown');
      await countdown.waitFor();
      expect(await countdown.textContent()).toMatch(/^0:0[1-5]$/);
      await buyer.page.getByText('Order expired').waitFor({ timeout: 15_000 });
      await buyer.page.getByText('Expired', { exact: true }).waitFor();
      await buyer.page.getByText('Expired on').waitFor();
      expect(await buyer.page.getByText(/Reserved until|Pay by/).count()).toBe(0);
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
