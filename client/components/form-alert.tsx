import styles from './form.module.css';

/** The errors that belong to no field (such as "Invalid credentials"), above the form. */
export function FormAlert({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <div role="alert" className={styles.alert}>
      {messages.length === 1 ? (
        <p>{messages[0]}</p>
      ) : (
        <ul>
          {messages.map((message, i) => (
            // The API may repeat a message; its position is what tells the items apart.
            <li key={i}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
