import { newVisitor, step, useStack } from './browser-harness';

const e2e = useStack('market');

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
