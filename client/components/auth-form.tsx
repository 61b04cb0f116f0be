'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { apiErrorsFrom } from '../lib/api/api-errors';
import { buildClient } from '../lib/api/build-client';
import { noFormErrors, placeErrors } from '../lib/api/field-errors';
import { FormAlert } from './form-alert';
import { SubmitButton } from './submit-button';
import { TextField } from './text-field';
import styles from './form.module.css';

const FIELDS = ['email', 'password'] as const;
type Field = (typeof FIELDS)[number];

interface AuthFormProps {
  /** `/api/users/signup` or `/api/users/signin`. */
  endpoint: string;
  submitLabel: string;
  pendingLabel: string;
  /** `new-password` when signing up, so password managers offer to create one. */
  passwordAutoComplete: 'new-password' | 'current-password';
}

/** Email and password, posted from the browser so the session cookie lands in it; success goes home. */
export function AuthForm({ endpoint, submitLabel, pendingLabel, passwordAutoComplete }: AuthFormProps) {
  const router = useRouter();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [errors, setErrors] = useState(noFormErrors<Field>());

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    setPending(true);
    setErrors(noFormErrors());
    try {
      await buildClient().post(endpoint, { email, password });
      // The header is rendered on the server from the cookie: refresh so it shows the new state.
      router.push('/');
      router.refresh();
    } catch (error) {
      setErrors(placeErrors(apiErrorsFrom(error), FIELDS));
      setPending(false);
    }
  }

  return (
    // noValidate: the API's messages are the ones shown, beside their fields, in every browser.
    <form className={styles.form} onSubmit={submit} noValidate>
      <FormAlert messages={errors.form} />
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        inputMode="email"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={errors.fields.email}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete={passwordAutoComplete}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={errors.fields.password}
      />
      <SubmitButton label={submitLabel} pendingLabel={pendingLabel} pending={pending} />
    </form>
  );
}
