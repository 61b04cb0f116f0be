'use client';

import Link from 'next/link';
import { Notice } from '../components/notice';

/** Any failure a page did not expect. The detail stays in the server log, under the error's digest. */
export default function ErrorPage({ retry }: { error: unknown; retry: () => void }) {
  return (
    <Notice
      title="Something went wrong"
      actions={
        <>
          <button type="button" className="button button-primary" onClick={() => retry()}>
            Try again
          </button>
          <Link href="/" className="button">
            Go home
          </Link>
        </>
      }
    >
      <p>Sorry — that didn&rsquo;t work. Please try again.</p>
    </Notice>
  );
}
