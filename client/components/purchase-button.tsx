'use client';

import { isAxiosError } from 'axios';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { apiErrorsFrom } from '../lib/api/api-errors';
import { buildClient } from '../lib/api/build-client';
import type { Order } from '../lib/api/types';
import { FormAlert } from './form-alert';
import styles from './form.module.css';

const NOT_YET = 'This ticket cannot be bought just yet. Please try again in a moment.';

/** Reserves the ticket for the visitor and opens the new order; says why when it cannot. */
export function PurchaseButton({ ticketId }: { ticketId: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);

  async function purchase() {
    if (pending) return;
    setPending(true);
    setErrors([]);
    try {
      const { data } = await buildClient().post<Order>('/api/orders', { ticketId });
      router.push(`/orders/${data.id}`);
      return;
    } catch (error) {
      // Orders learns of a new ticket through events, a moment after it is listed.
      const notYet = isAxiosError(error) && error.response?.status === 404;
      setErrors(notYet ? [NOT_YET] : apiErrorsFrom(error).map((e) => e.message));
      // The ticket may have been reserved meanwhile: show its current state.
      router.refresh();
    }
    setPending(false);
  }

  return (
    <div className={styles.form}>
      <FormAlert messages={errors} />
      <button
        type="button"
        className={`button button-primary ${styles.submit}`}
        onClick={purchase}
        disabled={pending}
        aria-busy={pending}
      >
        {pending ? (
          <>
            <span className={styles.spinner} aria-hidden="true" />
            Reserving…
          </>
        ) : (
          'Purchase'
        )}
      </button>
    </div>
  );
}
