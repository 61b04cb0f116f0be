import styles from './form.module.css';

interface SubmitButtonProps {
  label: string;
  /** Shown, with the button disabled, while the request is on its way. */
  pendingLabel: string;
  pending: boolean;
}

/** The form's submit button; disabled while sending so one click makes one request. */
export function SubmitButton({ label, pendingLabel, pending }: SubmitButtonProps) {
  return (
    <button type="submit" className={`button button-primary ${styles.submit}`} disabled={pending} aria-busy={pending}>
      {pending ? (
        <>
          <span className={styles.spinner} aria-hidden="true" />
          {pendingLabel}
        </>
      ) : (
        label
      )}
    </button>
  );
}
