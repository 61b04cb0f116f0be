#!/usr/bin/env node
// `npm run screenshots`: the pictures in the README and client/README.md, taken from the
// system as `npm start` runs it (a throwaway DATA_DIR, free ports) with a few listings for
// events, in Debian's Chromium. Run it after changing what the home page shows.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canInstallSystemPackages, ensureSystemPackages } from './lib/system-deps.mjs';
import { ensureNodeModules } from './lib/node-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (text) => console.log(`screenshots | ${text}`);

// Dates a few weeks ahead of the day it runs, so the picture never shows a past event.
const inDays = (days, hour, minute, offset) => {
  const day = new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  return `${day}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00${offset}`;
};

/** What the home page shows: events in a few cities, each in its venue's zone. */
const LISTINGS = [
  [
    'Jazz at the Blue Note — late set',
    45,
    20,
    22,
    30,
    '-05:00',
    'America/New_York',
    'Blue Note',
    'New York',
    'Table 12',
  ],
  [
    'Boston Symphony — Mahler 5',
    89,
    24,
    20,
    0,
    '-05:00',
    'America/New_York',
    'Symphony Hall',
    'Boston',
    'Row F, seat 7',
  ],
  ['Celtics vs Knicks', 145.5, 27, 19, 30, '-05:00', 'America/New_York', 'TD Garden', 'Boston', 'Section 104'],
  ['Hamilton', 189, 31, 19, 0, '-05:00', 'America/New_York', 'Richard Rodgers Theatre', 'New York', 'Mezzanine B3'],
  ['Stand-up night', 28, 22, 21, 0, '+00:00', 'Europe/London', 'The Comedy Store', 'London', null],
  ['Berliner Philharmoniker', 120, 35, 20, 0, '+01:00', 'Europe/Berlin', 'Philharmonie', 'Berlin', 'Block A, row 3'],
  ['Coldplay — Music of the Spheres', 120, 40, 19, 45, '+00:00', 'Europe/London', 'Wembley Stadium', 'London', null],
  ['Jazz brunch', 35, 21, 11, 0, '-05:00', 'America/New_York', 'Wally’s Café', 'Boston', null],
];

async function main() {
  ensureSystemPackages(['nats-server', 'nginx', 'chromium'], say);
  if (canInstallSystemPackages()) ensureSystemPackages(['postgresql'], say);
  ensureNodeModules(root, say);
  const { buildServices, buildClient } = await import('./lib/build.mjs');
  const { startStack } = await import('./lib/stack.mjs');
  const { chromium } = await import('playwright-core');
  buildServices(root, say);
  buildClient(root, say);

  const dataDir = await mkdtemp(path.join(tmpdir(), 'ticketing-screenshots-'));
  // The stack's lines are shown only if something fails.
  const log = [];
  let stack;
  let browser;
  try {
    stack = await startStack({
      root,
      port: 0,
      dataDir,
      natsPort: 0,
      natsMonitorPort: null,
      durable: false,
      logLevel: 'warn',
      print: (line) => log.push(line),
    });
    const api = async (route, body, cookie) => {
      const response = await fetch(`${stack.url}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`POST ${route} answered ${response.status}: ${await response.text()}`);
      return response;
    };
    const signedUp = await api('/api/users/signup', { email: 'seller@example.com', password: 'correct horse battery' });
    const cookie = signedUp.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    for (const [title, price, days, hour, minute, offset, timeZone, venue, city, seat] of LISTINGS) {
      const eventAt = inDays(days, hour, minute, offset);
      await api('/api/tickets', { title, price, eventAt, timeZone, venue, city, ...(seat ? { seat } : {}) }, cookie);
    }

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const page = await browser.newPage({ viewport: { width: 1200, height: 930 }, locale: 'en-US' });
    await page.goto(`${stack.url}/?sort=soonest`);
    await page.getByText(LISTINGS[7][0]).waitFor();
    const file = path.join(root, 'client', 'docs', 'home.png');
    await page.screenshot({ path: file });
    say(`wrote ${path.relative(root, file)}`);
  } catch (error) {
    console.error(log.slice(-50).join('\n'));
    throw error;
  } finally {
    await browser?.close();
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`\nnpm run screenshots failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
