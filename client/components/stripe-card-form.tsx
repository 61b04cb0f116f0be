'use client';

import { CardElement, Elements, useElements, useStripe } from '@stripe/react-stripe-js';
import { loadStripe, type Stripe } from '@stripe/stripe-js';
import type { FormEvent } from 'react';
import { formatPrice } from '../lib/format/money';
import { FormAlert } from './form-alert';
import { SubmitButton } from './submit-button';
import type { PaymentState } from './use-payment';
import styles from './payment-form.module.css';

// Stripe.js is loaded once per key, from Stripe, only on pages that take a card.
const loaded = new Map<string, Promise<Stripe | null>>();
function stripeFor(publishableKey: string): Promise<Stripe | null> {
  let stripe = loaded.get(publishableKey);
  if (!stripe) loaded.set(publishableKey, (stripe = loadStripe(publishableKey)));
  return stripe;
}

function CardForm({ price, payment }: { price: number; payment: PaymentState }) {
  const stripe = useStripe();
  const elements = useElements();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const card = elements?.getElement(CardElement);
    if (!stripe || !card || payment.pending) return;
    // The card details go to Stripe only; the API gets the PaymentMethod's id.
    const { paymentMethod, error } = await stripe.createPaymentMethod({ type: 'card', card });
    if (error || !paymentMethod) {
      payment.setErrors([error?.message ?? 'Your card could not be read']);
      return;
    }
    await payment.pay(paymentMethod.id);
  }

  return (
    <form className={styles.form} onSubmit={submit} noValidate aria-label="Payment">
      <div className={styles.cardElement}>
        <CardElement options={{ disabled: payment.pending, hidePostalCode: true }} />
      </div>
      <FormAlert messages={payment.errors} />
      <SubmitButton
        label={`Pay ${formatPrice(price)}`}
        pendingLabel={stripe ? 'Paying…' : 'Loading…'}
        pending={payment.pending || !stripe}
      />
    </form>
  );
}

/** The payment form with Stripe: its card element, when a publishable key is configured. */
export function StripeCardForm({
  publishableKey,
  price,
  payment,
}: {
  publishableKey: string;
  price: number;
  payment: PaymentState;
}) {
  return (
    <Elements stripe={stripeFor(publishableKey)}>
      <CardForm price={price} payment={payment} />
    </Elements>
  );
}
