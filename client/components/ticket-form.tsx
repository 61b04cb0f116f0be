'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { apiErrorsFrom } from '../lib/api/api-errors';
import { buildClient } from '../lib/api/build-client';
import { noFormErrors, placeErrors } from '../lib/api/field-errors';
import type { Ticket } from '../lib/api/types';
import { utcToZonedInput, zonedTimeToUtc } from '../lib/format/date';
import { parsePriceInput } from '../lib/format/price-input';
import { FormAlert } from './form-alert';
import { SubmitButton } from './submit-button';
import { TextField } from './text-field';
import styles from './form.module.css';

const FIELDS = ['title', 'price', 'eventAt', 'timeZone', 'venue', 'city', 'seat'] as const;
type Field = (typeof FIELDS)[number];

/**
 * Title and price, and the event: its date and time in the venue's zone (the browser's own by
 * default), venue, city and seat. Without a ticket it lists a new one and opens its page;
 * with one it saves the owner's changes in place and refreshes the details beside it.
 */
export function TicketForm({ ticket }: { ticket?: Ticket }) {
  const router = useRouter();
  const [title, setTitle] = useState(ticket?.title ?? '');
  const [price, setPrice] = useState(ticket ? ticket.price.toFixed(2) : '');
  const [timeZone, setTimeZone] = useState(ticket?.timeZone ?? 'UTC');
  const [eventAt, setEventAt] = useState(ticket?.eventAt ? utcToZonedInput(ticket.eventAt, ticket.timeZone) : '');
  const [venue, setVenue] = useState(ticket?.venue ?? '');
  const [city, setCity] = useState(ticket?.city ?? '');
  const [seat, setSeat] = useState(ticket?.seat ?? '');
  // The server renders UTC; once in the browser, a new listing is in the seller's own zone.
  useEffect(() => {
    if (!ticket) setTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  }, [ticket]);
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
    const start = eventAt ? zonedTimeToUtc(eventAt, timeZone.trim()) : null;
    if (start === undefined) {
      setErrors({
        fields: { [eventAt ? 'timeZone' : 'eventAt']: 'Time zone must be an IANA zone such as America/New_York' },
        form: [],
      });
      setPending(false);
      return;
    }
    const body = {
      title,
      price: parsed.value,
      eventAt: start,
      timeZone: timeZone.trim(),
      venue: venue.trim() || null,
      city: city.trim() || null,
      seat: seat.trim() || null,
    };
    try {
      if (!ticket) {
        const { data } = await buildClient().post<Ticket>('/api/tickets', body);
        router.push(`/tickets/${data.id}`);
        return;
      }
      const { data } = await buildClient().put<Ticket>(`/api/tickets/${ticket.id}`, body);
      setTitle(data.title);
      setPrice(data.price.toFixed(2));
      setTimeZone(data.timeZone);
      setEventAt(data.eventAt ? utcToZonedInput(data.eventAt, data.timeZone) : '');
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
      <TextField
        label="Event date and time"
        name="eventAt"
        type="datetime-local"
        value={eventAt}
        onChange={edit(setEventAt)}
        error={errors.fields.eventAt}
      />
      <TextField
        label="Time zone"
        name="timeZone"
        autoComplete="off"
        placeholder="e.g. America/New_York"
        value={timeZone}
        onChange={edit(setTimeZone)}
        error={errors.fields.timeZone}
      />
      <TextField
        label="Venue"
        name="venue"
        autoComplete="off"
        placeholder="e.g. Fenway Park"
        value={venue}
        onChange={edit(setVenue)}
        error={errors.fields.venue}
      />
      <TextField
        label="City"
        name="city"
        autoComplete="off"
        placeholder="e.g. Boston"
        value={city}
        onChange={edit(setCity)}
        error={errors.fields.city}
      />
      <TextField
        label="Seat"
        name="seat"
        autoComplete="off"
        placeholder="e.g. Section 104, Row F"
        value={seat}
        onChange={edit(setSeat)}
        error={errors.fields.seat}
      />
      {ticket ? (
        <SubmitButton label="Save changes" pendingLabel="Saving…" pending={pending} />
      ) : (
        <SubmitButton label="List ticket" pendingLabel="Listing…" pending={pending} />
      )}
    </form>
  );
}
