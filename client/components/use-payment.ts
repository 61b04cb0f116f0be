'use client';

import { isAxiosError } from 'axios';
import { useState } from 'react';
import { apiErrorsFrom } from '../lib/api/api-errors';
import { buildClient } from '../lib/api/build-client';
import type { Payment } from '../lib/api/types';

const NOT_YET = 'This order cannot be paid just yet. Please try again in a moment.';

/** What paying for an order looks like to the page: send a card token, and how it went. */
export interface PaymentState {
  pay(token: string): Promise<void>;
  /** A payment request is on its way. */
  pending: boolean;
  /** The order is paid (by this page, or it was already). */
  paid: boolean;
  /** Why the last attempt did not go through, for beside the form. */
  errors: string[];
  /** Shows errors found before anything was sent (e.g. the card element's). */
  setErrors(errors: string[]): void;
}

/** Pays for the order through POST /api/payments; the caller refreshes the page once it is paid. */
export function usePayment(orderId: string, onSettled: () => void): PaymentState {
  const [pending, setPending] = useState(false);
  const [paid, setPaid] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);

  async function pay(token: string) {
    if (pending || paid) return;
    setPending(true);
    setErrors([]);
    try {
      await buildClient().post<Payment>('/api/payments', { orderId, token });
      setPaid(true);
      onSettled();
    } catch (error) {
      const messages = apiErrorsFrom(error).map((e) => e.message);
      // Payments learns of a new order through events, a moment after it is placed.
      const notYet = isAxiosError(error) && error.response?.status === 404;
      if (messages.includes('Order is already paid')) setPaid(true);
      setErrors(notYet ? [NOT_YET] : messages);
      // Paid meanwhile, or cancelled: show the order as it is now.
      if (isAxiosError(error) && error.response?.status === 400) onSettled();
    }
    setPending(false);
  }

  return { pay, pending, paid, errors, setErrors };
}
