import { newVisitor, purchase, step, type E2e } from './browser-harness';

/** A seller's first visit (from an empty marketplace: it runs first), and tickets for events found by search. */
export function marketplaceScenarios(e2e: E2e): void {
  describe('a seller in a real browser', () => {
    it('signs up, sells a ticket, finds it, edits it, signs out and back in, with no console errors', async () => {
      const base = e2e.url;
      const { page, errors, context } = await newVisitor(e2e.browser);
      const email = `seller-${Date.now()}@example.com`;
      const password = 'correct horse battery';

      await step(page, 'home signed out', async () => {
        await page.goto(`${base}/`);
        await page.getByText('No tickets yet — sell the first one').waitFor();
        await page.getByRole('link', { name: 'Sign Up' }).waitFor();
        await page.getByRole('link', { name: 'Sign In' }).waitFor();
      });

      await step(page, 'sign up with a bad email', async () => {
        await page.getByRole('link', { name: 'Sign Up' }).click();
        await page.waitForURL('**/auth/signup');
        await page.getByLabel('Email').fill('not-an-email');
        await page.getByLabel('Password').fill(password);
        await page.getByRole('button', { name: 'Sign up' }).click();
        await page.locator('[data-error-for=email]').waitFor();
        expect(await page.locator('[data-error-for=email]').textContent()).toBe('Email must be valid');
      });

      await step(page, 'sign up', async () => {
        await page.getByLabel('Email').fill(email);
        await page.getByRole('button', { name: 'Sign up' }).click();
        await page.waitForURL(`${base}/`);
        await page.getByRole('link', { name: 'Sell Tickets' }).waitFor();
        await page.getByRole('button', { name: 'Sign Out' }).waitFor();
      });

      await step(page, 'pages carry a policy that forbids framing and foreign scripts', async () => {
        const response = await page.goto(`${base}/tickets/new`);
        const policy = response?.headers()['content-security-policy'] ?? '';
        expect(policy).toContain("frame-ancestors 'none'");
        expect(policy).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
        expect(response?.headers()['x-content-type-options']).toBe('nosniff');
        expect(response?.headers()['referrer-policy']).toBe('strict-origin-when-cross-origin');
      });

      await step(page, 'the price box says what is wrong before sending anything', async () => {
        await page.getByLabel('Title').fill('Opera night, row 3');
        for (const [typed, message] of [
          ['0x10', 'Enter the price in digits, e.g. 25 or 19.99'],
          ['1,5', 'Use a dot for cents, e.g. 1.50'],
          ['abc', 'Enter the price in digits, e.g. 25 or 19.99'],
        ]) {
          await page.getByLabel('Price').fill(typed!);
          await page.getByRole('button', { name: 'List ticket' }).click();
          await page.locator('[data-error-for=price]').getByText(message!).waitFor();
        }
        expect(page.url()).toMatch(/\/tickets\/new$/);
      });

      const ticketUrl = await step(page, 'sell a ticket', async () => {
        await page.goto(`${base}/`);
        await page.getByRole('link', { name: 'Sell Tickets' }).click();
        await page.waitForURL('**/tickets/new');
        await page.getByLabel('Title').fill('Opera night, row 3');
        await page.getByLabel('Price').fill('1249.5');
        await page.getByRole('button', { name: 'List ticket' }).click();
        await page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
        await page.getByRole('heading', { name: 'Opera night, row 3' }).waitFor();
        expect(await page.getByText('$1,249.50', { exact: true }).isVisible()).toBe(true);
        return page.url();
      });

      await step(page, 'see it on the home page', async () => {
        await page.goto(`${base}/`);
        await page.getByText('Opera night, row 3').waitFor();
        expect(await page.getByText('$1,249.50').first().isVisible()).toBe(true);
      });

      await step(page, 'the first HTML is server-rendered with the user and the tickets', async () => {
        const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
        const html = await (await fetch(`${base}/`, { headers: { cookie } })).text();
        expect(html).toContain('Opera night, row 3');
        expect(html).toContain('Sign Out');
        expect(html).toContain('$1,249.50');
      });

      await step(page, 'open and edit it', async () => {
        await page.getByText('Opera night, row 3').click();
        await page.waitForURL(ticketUrl);
        await page.getByLabel('Title').fill('Opera night, row 1');
        await page.getByLabel('Price').fill('980');
        await page.getByRole('button', { name: 'Save changes' }).click();
        await page.getByRole('heading', { name: 'Opera night, row 1' }).waitFor();
        expect(await page.getByText('$980.00', { exact: true }).isVisible()).toBe(true);
        await page.reload();
        await page.getByRole('heading', { name: 'Opera night, row 1' }).waitFor();
      });

      await step(page, 'opening the sign-out page asks, and signs out only when pressed', async () => {
        await page.goto(`${base}/auth/signout`);
        await page.getByRole('heading', { name: 'Sign out of Ticketing?' }).waitFor();
        expect((await context.cookies()).some((c) => c.name === 'session' && c.value)).toBe(true);
        await page.goto(ticketUrl);
      });

      await step(page, 'sign out', async () => {
        await page.getByRole('button', { name: 'Sign Out' }).click();
        await page.waitForURL(`${base}/`);
        await page.getByRole('link', { name: 'Sign In' }).waitFor();
        expect((await context.cookies()).some((c) => c.name === 'session' && c.value)).toBe(false);
        await page.goto(ticketUrl);
        await page.getByRole('heading', { name: 'Opera night, row 1' }).waitFor();
        expect(await page.locator('form').count()).toBe(0);
      });

      await step(page, 'sign in with a wrong password, then the right one', async () => {
        await page.goto(`${base}/auth/signin`);
        await page.getByLabel('Email').fill(email);
        await page.getByLabel('Password').fill('wrong password');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByText('Invalid credentials').waitFor();
        await page.getByLabel('Password').fill(password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(`${base}/`);
        await page.getByRole('button', { name: 'Sign Out' }).waitFor();
      });

      expect(errors).toEqual([]);
      await context.close();
    }, 120_000);

    it('shows another visitor the ticket without an edit form, and renders on a phone without errors', async () => {
      const { page, errors, context } = await newVisitor(e2e.browser, { viewport: { width: 375, height: 740 } });

      await step(page, 'phone home page', async () => {
        await page.goto(`${e2e.url}/`);
        await page.getByText('Opera night, row 1').click();
        await page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
        await page.getByRole('heading', { name: 'Opera night, row 1' }).waitFor();
        expect(await page.locator('form').count()).toBe(0);
        const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
        expect(overflow).toBeLessThanOrEqual(0);
      });

      await step(page, 'unknown ticket is a 404 page', async () => {
        const response = await page.goto(`${e2e.url}/tickets/00000000-0000-4000-8000-000000000000`);
        expect(response?.status()).toBe(404);
      });

      expect(errors).toEqual([]);
      await context.close();
    }, 60_000);
  });

  describe('tickets for events in a real browser', () => {
    it('lists events in two cities; a buyer finds one by city, word, date and price, buys it; the seller sees it sold and withdraws another', async () => {
      const base = e2e.url;
      const seller = await newVisitor(e2e.browser);
      const buyer = await newVisitor(e2e.browser);
      const stamp = Date.now();
      const year = new Date().getUTCFullYear() + 1;
      const events = [
        {
          title: 'Jazz at the Blue Note',
          price: '45',
          when: `${year}-05-01T19:30`,
          venue: 'Blue Note',
          city: 'New York',
        },
        {
          title: 'Jazz on the Common',
          price: '30',
          when: `${year}-05-08T20:00`,
          venue: 'Boston Common',
          city: 'Boston',
        },
        { title: 'Symphony gala', price: '120', when: `${year}-06-12T19:00`, venue: 'Symphony Hall', city: 'Boston' },
      ];

      await step(seller.page, 'the seller lists three events, each shown in its venue’s zone', async () => {
        await e2e.signUp(seller.page, `events-${stamp}@example.com`);
        for (const event of events) {
          await seller.page.goto(`${base}/tickets/new`);
          await seller.page.getByLabel('Title').fill(event.title);
          await seller.page.getByLabel('Price').fill(event.price);
          await seller.page.getByLabel('Event date and time').fill(event.when);
          // The browser's zone by default (this visitor is in Pacific/Kiritimati): the venue's instead.
          expect(await seller.page.getByLabel('Time zone').inputValue()).toBe('Pacific/Kiritimati');
          await seller.page.getByLabel('Time zone').fill('America/New_York');
          await seller.page.getByLabel('Venue').fill(event.venue);
          await seller.page.getByLabel('City').fill(event.city);
          await seller.page.getByRole('button', { name: 'List ticket' }).click();
          await seller.page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
          await seller.page.getByRole('heading', { name: event.title }).waitFor();
        }
        await seller.page.getByText(`Jun 12, ${year}, 7:00 PM EDT`).waitFor();
        await seller.page.getByText('Symphony Hall, Boston').waitFor();
      });

      await step(buyer.page, 'the buyer searches by word and city: one result, rendered on the server', async () => {
        await e2e.signUp(buyer.page, `events-buyer-${stamp}@example.com`);
        await buyer.page.getByLabel('Search', { exact: true }).fill('jazz');
        await buyer.page.getByLabel('City').fill('boston');
        await buyer.page.getByRole('button', { name: 'Search' }).click();
        await buyer.page.waitForURL(/q=jazz&city=boston/);
        await buyer.page.getByText('Jazz on the Common').waitFor();
        expect(await buyer.page.getByText('Jazz at the Blue Note').count()).toBe(0);
        await buyer.page.getByText(`May 8, ${year}, 8:00 PM EDT`).waitFor();
        const html = await (await fetch(buyer.page.url())).text();
        expect(html).toContain('Jazz on the Common');
        expect(html).not.toContain('Jazz at the Blue Note');
      });

      await step(
        buyer.page,
        'narrows by dates: too narrow says so, and the back button brings the result back',
        async () => {
          await buyer.page.getByLabel('From', { exact: true }).fill(`${year}-05-02`);
          await buyer.page.getByLabel('To', { exact: true }).fill(`${year}-05-07`);
          await buyer.page.getByRole('button', { name: 'Search' }).click();
          await buyer.page.getByText('No tickets match your search').waitFor();
          await buyer.page.getByRole('link', { name: 'clear the filters' }).waitFor();
          await buyer.page.goBack();
          await buyer.page.getByText('Jazz on the Common').waitFor();
          await buyer.page.getByLabel('From', { exact: true }).fill(`${year}-05-02`);
          await buyer.page.getByLabel('To', { exact: true }).fill(`${year}-05-08`);
          await buyer.page.getByRole('button', { name: 'Search' }).click();
          await buyer.page.waitForURL(/to=/);
          await buyer.page.getByText('Jazz on the Common').waitFor();
        },
      );

      await step(buyer.page, 'narrows by price, bounds included', async () => {
        await buyer.page.getByLabel('Max $').fill('29.99');
        await buyer.page.getByRole('button', { name: 'Search' }).click();
        await buyer.page.getByText('No tickets match your search').waitFor();
        await buyer.page.getByLabel('Min $').fill('30');
        await buyer.page.getByLabel('Max $').fill('30');
        await buyer.page.getByRole('button', { name: 'Search' }).click();
        await buyer.page.waitForURL(/maxPrice=30(&|$)/);
        await buyer.page.getByText('Jazz on the Common').waitFor();
      });

      await step(buyer.page, 'the buyer buys it', async () => {
        await buyer.page.getByText('Jazz on the Common').click();
        await buyer.page.getByRole('heading', { name: 'Jazz on the Common' }).waitFor();
        await purchase(buyer.page);
        await buyer.page.getByLabel('Visa, succeeds').check();
        for (let attempt = 0; ; attempt++) {
          const answered = buyer.page.waitForResponse((r) => r.url().endsWith('/api/payments'));
          await buyer.page.getByRole('button', { name: 'Pay $30.00' }).click();
          const status = (await answered).status();
          if (status === 201) break;
          if (status !== 404 || attempt >= 10) throw new Error(`the payment was answered ${status}`);
          await buyer.page.waitForTimeout(500);
        }
        await buyer.page.getByText('Paid', { exact: true }).waitFor();
      });

      await step(seller.page, 'the seller sees it sold in My Listings and withdraws another', async () => {
        await seller.page.getByRole('link', { name: 'My Listings' }).click();
        await seller.page.waitForURL('**/tickets/mine');
        const row = (title: string) => seller.page.locator('li', { hasText: title });
        for (
          let attempt = 0;
          (await row('Jazz on the Common').locator('[data-status]').textContent()) !== 'Sold';
          attempt++
        ) {
          // Tickets learns of the payment through the bus, a moment after it is made.
          if (attempt >= 40) throw new Error('the ticket never showed as sold');
          await seller.page.waitForTimeout(250);
          await seller.page.reload();
        }
        expect(await row('Jazz on the Common').getByRole('button', { name: 'Withdraw' }).count()).toBe(0);
        seller.page.once('dialog', (dialog) => void dialog.accept());
        await row('Symphony gala').getByRole('button', { name: 'Withdraw' }).click();
        await row('Symphony gala').locator('[data-status=withdrawn]').waitFor();
        expect(await row('Jazz at the Blue Note').locator('[data-status]').textContent()).toBe('Available');
      });

      await step(buyer.page, 'a withdrawn listing is no longer found', async () => {
        await buyer.page.goto(`${base}/?q=symphony`);
        await buyer.page.getByText('No tickets match your search').waitFor();
      });

      expect(seller.errors).toEqual([]);
      expect(buyer.errors).toEqual([]);
      await seller.context.close();
      await buyer.context.close();
    }, 180_000);
  });
}
