'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { apiErrorsFrom } from '../lib/api/api-errors';
import { buildClient } from '../lib/api/build-client';

/**
 * Signs out when pressed: the browser POSTs to the API (only a response to the browser's own
 * request can expire the cookie it holds), then goes home, refreshed so the header changes.
 * A button, never a link: following a link must not change anything.
 */
export function SignOutButton({ label = 'Sign Out', className = 'button' }: { label?: string; className?: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function signOut() {
    setPending(true);
    setError(null);
    try {
      await buildClient().post('/api/users/signout', {});
      router.replace('/');
      router.refresh();
    } catch (e) {
      setError(apiErrorsFrom(e)[0]?.message ?? null);
      setPending(false);
    }
  }

  return (
    <>
      <button type="button" className={className} onClick={signOut} disabled={pending}>
        {pending ? 'Signing out…' : label}
      </button>
      {error ? <span role="alert">{error}</span> : null}
    </>
  );
}
