'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { apiErrorsFrom } from '../lib/api/api-errors';
import { buildClient } from '../lib/api/build-client';
import { noFormErrors, placeErrors } from '../lib/api/field-errors';
import type { Ticket } from '../lib/api/types';
import { parsePriceInput } from '../lib/format/price-input';
import { FormAlert } from './form-alert';
import { SubmitButton } from './submit-button';
import { TextField } from './text-field';
import styles from './form.module.css';

const FIELDS = ['title', 'price'] as const;
type Field = (typeof FIELDS)[number];

/**
 * Title and price. Without a ticket it lists a new one and opens its page; with one it saves
 * the owner's changes in place and refreshes the server-rendered details beside it.
 */
export function TicketForm({ ticket }: { ticket?: Ticket }) {
  const router = useRouter();
  const [title, setTitle] = useState(ticket?.title ?? '');
  const [price, setPrice] = useState(ticket ? ticket.price.toFixed(2) : '');
  const [pending, setPending] = useState(false);
  const [saved, setSaved] = useState(false);
  const [errors, setErrors] = useState(noFormErrors<Field>());

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    setPending(true);
    setSaved(false);
    setErrors(noFormErrors());
    const parsed = parsePriceInput(price);
    if ('problem' in parsed) {
      // Said at once, and nothing sent: the API would only know a number was missing.
      setErrors({ fields: { price: parsed.problem }, form: [] });
      setPending(false);
      return;
    }
    const body = { title, price: parsed.value };
    try {
      if (!ticket) {
        const { data } = await buildClient().post<Ticket>('/api/tickets', body);
        router.push(`/tickets/${data.id}`);
        return;
      }
      const { data } = await buildClient().put<Ticket>(`/api/tickets/${ticket.id}`, body);
      setTitle(data.title);
      setPrice(data.price.toFixed(2));
      setSaved(true);
      router.refresh();
    } catch (error) {
      setErrors(placeErrors(apiErrorsFrom(error), FIELDS));
    }
    setPending(false);
  }

  function edit(setter: (value: string) => void) {
    return (event: { target: { value: string } }) => {
      setter(event.target.value);
      setSaved(false);
    };
  }

  return (
    <form className={styles.form} onSubmit={submit} noValidate>
      <FormAlert messages={errors.form} />
      {saved ? (
        <p role="status" className={styles.success}>
          Changes saved.
        </p>
      ) : null}
      <TextField
        label="Title"
        name="title"
        autoComplete="off"
        placeholder="e.g. Concert — two seats, row F"
        value={title}
        onChange={edit(setTitle)}
        error={errors.fields.title}
      />
      <TextField
        label="Price"
        name="price"
        prefix="$"
        inputMode="decimal"
        autoComplete="off"
        placeholder="0.00"
        value={price}
        onChange={edit(setPrice)}
        error={errors.fields.price}
      />
      {ticket ? (
        <SubmitButton label="Save changes" pendingLabel="Saving…" pending={pending} />
      ) : (
        <SubmitButton label="List ticket" pendingLabel="Listing…" pending={pending} />
      )}
    </form>
  );
}
