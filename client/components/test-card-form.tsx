'use client';

import { useState, type FormEvent } from 'react';
import { formatPrice } from '../lib/format/money';
import { FormAlert } from './form-alert';
import { SubmitButton } from './submit-button';
import type { PaymentState } from './use-payment';
import styles from './payment-form.module.css';

/** Stripe's test cards that the built-in test provider answers as Stripe's test mode does. */
const TEST_CARDS = [
  { token: 'tok_visa', label: 'Visa, succeeds' },
  { token: 'tok_chargeDeclined', label: 'Declined card' },
] as const;

/** The payment form with the built-in test provider: a choice of test card, no card details. */
export function TestCardForm({ price, payment }: { price: number; payment: PaymentState }) {
  const [token, setToken] = useState<string>(TEST_CARDS[0].token);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void payment.pay(token);
  }

  return (
    <form className={styles.form} onSubmit={submit} noValidate aria-label="Payment">
      <fieldset className={styles.cards} disabled={payment.pending}>
        <legend className={styles.legend}>Card</legend>
        {TEST_CARDS.map((card) => (
          <label key={card.token} className={styles.card}>
            <input
              type="radio"
              name="card"
              value={card.token}
              checked={token === card.token}
              onChange={() => setToken(card.token)}
            />
            {card.label}
          </label>
        ))}
        <p className={styles.hint}>Test mode: Stripe&rsquo;s test cards, no money moves.</p>
      </fieldset>
      <FormAlert messages={payment.errors} />
      <SubmitButton label={`Pay ${formatPrice(price)}`} pendingLabel="Paying…" pending={payment.pending} />
    </form>
  );
}
