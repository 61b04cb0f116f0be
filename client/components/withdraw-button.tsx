'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { apiErrorsFrom } from '../lib/api/api-errors';
import { buildClient } from '../lib/api/build-client';
import { FormAlert } from './form-alert';

/** Takes a free listing down, after the seller confirms, and shows the list as it now is. */
export function WithdrawButton({ ticketId, title }: { ticketId: string; title: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);

  async function withdraw() {
    if (pending || !window.confirm(`Withdraw "${title}"? Buyers will no longer see it.`)) return;
    setPending(true);
    setErrors([]);
    try {
      await buildClient().delete(`/api/tickets/${ticketId}`);
    } catch (error) {
      // Reserved a moment ago, say: the refreshed list shows why.
      setErrors(apiErrorsFrom(error).map((e) => e.message));
    }
    router.refresh();
    setPending(false);
  }

  return (
    <div style={{ gridColumn: '1 / -1' }}>
      <FormAlert messages={errors} />
      <button type="button" className="button" onClick={withdraw} disabled={pending} aria-busy={pending}>
        {pending ? 'Withdrawing…' : 'Withdraw'}
      </button>
    </div>
  );
}
