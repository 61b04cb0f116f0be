'use client';

import { Notice } from '../components/notice';
import './globals.css';

/** Replaces the whole document when the root layout itself fails. */
export default function GlobalError({ retry }: { error: unknown; retry: () => void }) {
  return (
    <html lang="en">
      <body>
        <title>Something went wrong · Ticketing</title>
        <main className="page">
          <Notice
            title="Something went wrong"
            actions={
              <button type="button" className="button button-primary" onClick={() => retry()}>
                Try again
              </button>
            }
          >
            <p>Ticketing hit an unexpected problem. Please try again in a moment.</p>
          </Notice>
        </main>
      </body>
    </html>
  );
}
