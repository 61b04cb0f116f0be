'use client';

import dynamic from 'next/dynamic';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import { apiErrorsFrom } from '../lib/api/api-errors';
import { buildClient } from '../lib/api/build-client';
import type { Order } from '../lib/api/types';
import { formatCountdown } from '../lib/format/countdown';
import { FormAlert } from './form-alert';
import { TestCardForm } from './test-card-form';
import { usePayment } from './use-payment';
import styles from './order-actions.module.css';

// How often the page asks for the order's status once its time is up (until expiration has
// run), and once it is paid (until orders has completed it).
const POLL_MS = 1_000;

// Stripe's code is loaded only where a publishable key is configured.
const StripeCardForm = dynamic(() => import('./stripe-card-form').then((m) => m.StripeCardForm), {
  ssr: false,
  loading: () => <p>Loading the card form…</p>,
});

/**
 * What the buyer can do with an order awaiting payment: a live countdown to `expiresAt`,
 * the payment form (Stripe's card element with a publishable key, else the test provider's
 * cards) and "Cancel order". When the clock reaches zero it asks the API for the order's
 * real status and shows it once expiration has cancelled the order.
 */
export function OrderActions({ order, publishableKey }: { order: Order; publishableKey?: string }) {
  const router = useRouter();
  const [now, setNow] = useState<number | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  const refresh = useCallback(() => router.refresh(), [router]);
  const payment = usePayment(order.id, refresh);
  const expiresAt = Date.parse(order.expiresAt);
  const timeUp = now !== null && now >= expiresAt;

  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    if (!timeUp && !payment.paid) return;
    // The server page re-renders with the order as the API has it now.
    refresh();
    const timer = setInterval(refresh, POLL_MS);
    return () => clearInterval(timer);
  }, [timeUp, payment.paid, refresh]);

  async function cancel() {
    if (cancelling || payment.pending) return;
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

  if (payment.paid) {
    return (
      <div className={styles.actions} role="status">
        <p>
          <strong>Paid</strong> — the ticket is yours.
        </p>
        <Link href="/orders" className="button">
          My orders
        </Link>
      </div>
    );
  }

  return (
    <div className={styles.actions}>
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
      {timeUp ? null : publishableKey ? (
        <StripeCardForm publishableKey={publishableKey} price={order.ticket.price} payment={payment} />
      ) : (
        <TestCardForm price={order.ticket.price} payment={payment} />
      )}
      <FormAlert messages={errors} />
      <div className={styles.buttons}>
        <button
          type="button"
          className="button"
          onClick={cancel}
          disabled={cancelling || payment.pending || timeUp}
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
