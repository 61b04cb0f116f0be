'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import { apiErrorsFrom } from '../lib/api/api-errors';
import { buildClient } from '../lib/api/build-client';
import type { Order } from '../lib/api/types';
import { formatCountdown } from '../lib/format/countdown';
import { FormAlert } from './form-alert';
import styles from './order-actions.module.css';

// How often the page asks for the order's status once its time is up, until expiration has run.
const POLL_MS = 1_000;

/**
 * What the buyer can do with an order awaiting payment: a live countdown to `expiresAt`
 * and "Cancel order". When the clock reaches zero it asks the API for the order's real
 * status and shows it once expiration has cancelled the order.
 */
export function OrderActions({ order }: { order: Order }) {
  const router = useRouter();
  const [now, setNow] = useState<number | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  const expiresAt = Date.parse(order.expiresAt);
  const timeUp = now !== null && now >= expiresAt;

  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);

  const refresh = useCallback(() => router.refresh(), [router]);

  useEffect(() => {
    if (!timeUp) return;
    // The server page re-renders with the order as the API has it now.
    refresh();
    const timer = setInterval(refresh, POLL_MS);
    return () => clearInterval(timer);
  }, [timeUp, refresh]);

  async function cancel() {
    if (cancelling) return;
    setCancelling(true);
    setErrors([]);
    try {
      await buildClient().delete(`/api/orders/${order.id}`);
      router.refresh();
    } catch (error) {
      setErrors(apiErrorsFrom(error).map((e) => e.message));
      setCancelling(false);
    }
  }

  return (
    <div className={styles.actions}>
      <FormAlert messages={errors} />
      <p className={styles.countdown} role="timer" aria-live="off">
        {now === null ? (
          <>Reserved for you</>
        ) : timeUp ? (
          <>Time is up — checking the order…</>
        ) : (
          <>
            Reserved for you for <strong data-testid="countdown">{formatCountdown(expiresAt - now)}</strong>
          </>
        )}
      </p>
      <div className={styles.buttons}>
        <button
          type="button"
          className="button"
          onClick={cancel}
          disabled={cancelling || timeUp}
          aria-busy={cancelling}
        >
          {cancelling ? 'Cancelling…' : 'Cancel order'}
        </button>
        <Link href={`/tickets/${order.ticket.id}`} className="button">
          View ticket
        </Link>
      </div>
    </div>
  );
}
