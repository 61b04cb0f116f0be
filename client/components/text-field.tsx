import { useId, type InputHTMLAttributes } from 'react';
import styles from './form.module.css';

interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'prefix'> {
  label: string;
  name: string;
  /** The API's message for this field, shown beside it. */
  error?: string;
  /** A fixed symbol inside the box, such as "$". */
  prefix?: string;
}

/** A labelled input with its error underneath, wired for screen readers. */
export function TextField({ label, name, error, prefix, ...input }: TextFieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className={styles.field}>
      <label htmlFor={id} className={styles.label}>
        {label}
      </label>
      <div className={`${styles.control} ${error ? styles.invalid : ''}`}>
        {prefix ? (
          <span className={styles.prefix} aria-hidden="true">
            {prefix}
          </span>
        ) : null}
        <input
          id={id}
          name={name}
          className={styles.input}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          {...input}
        />
      </div>
      {error ? (
        <p id={errorId} className={styles.fieldError} data-error-for={name}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
