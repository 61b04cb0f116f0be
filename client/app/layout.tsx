import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { Notice } from '../components/notice';
import { SiteFooter } from '../components/site-footer';
import { SiteHeader } from '../components/site-header';
import type { CurrentUser } from '../lib/api/types';
import { ConfigError } from '../lib/server/config-error';
import { getCurrentUser } from '../lib/server/current-user';
import { log } from '../lib/server/log';
import { setResponseStatus } from '../lib/server/response-status';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Ticketing — buy and sell tickets', template: '%s · Ticketing' },
  description: 'List tickets for events and find the ones you want.',
};

export const viewport: Viewport = {
  themeColor: '#4338ca',
};

type Session = { configured: true; currentUser: CurrentUser | null } | { configured: false };

async function loadSession(): Promise<Session> {
  try {
    return { configured: true, currentUser: await getCurrentUser() };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.error({ variable: 'API_URL' }, error.message);
    setResponseStatus(503);
    return { configured: false };
  }
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await loadSession();
  return (
    <html lang="en">
      <body>
        <SiteHeader currentUser={session.configured ? session.currentUser : null} />
        <main className="page">
          {session.configured ? (
            children
          ) : (
            // The operator's detail is in the server log; the visitor only needs to know to come back.
            <Notice title="Ticketing is unavailable right now">
              <p>We&rsquo;re working on it. Please try again in a few minutes.</p>
            </Notice>
          )}
        </main>
        <SiteFooter />
      </body>
    </html>
  );
}
