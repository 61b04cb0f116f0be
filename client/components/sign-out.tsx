'use client';

import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { apiErrorsFrom } from '../lib/api/api-errors';
import { buildClient } from '../lib/api/build-client';
import { Notice } from './notice';

/**
 * Signs out from the browser: only a response to the browser's own request can expire the
 * cookie it holds. Then home, refreshed so the header shows the signed-out state.
 */
export function SignOut() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);

  const signOut = useCallback(async () => {
    setError(null);
    try {
      await buildClient().post('/api/users/signout', {});
      router.replace('/');
      router.refresh();
    } catch (e) {
      setError(apiErrorsFrom(e)[0]?.message ?? null);
    }
  }, [router]);

  useEffect(() => {
    // Strict mode mounts twice in development; one request is enough.
    if (started.current) return;
    started.current = true;
    void signOut();
  }, [signOut]);

  if (error) {
    return (
      <Notice
        title="We couldn't sign you out"
        actions={
          <button type="button" className="button button-primary" onClick={signOut}>
            Try again
          </button>
        }
      >
        <p>{error}</p>
      </Notice>
    );
  }
  return (
    <Notice title="Signing you out…">
      <p role="status">One moment.</p>
    </Notice>
  );
}
