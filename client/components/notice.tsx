import type { ReactNode } from 'react';
import styles from './notice.module.css';

interface NoticeProps {
  title: string;
  children?: ReactNode;
  /** Links or buttons offered as the way forward. */
  actions?: ReactNode;
  /** A short label above the title, such as "404". */
  eyebrow?: string;
}

/** A centred card for the moments a page has a message instead of content: signed out, not found, unavailable. */
export function Notice({ title, children, actions, eyebrow }: NoticeProps) {
  return (
    <section className={styles.notice}>
      {eyebrow ? <p className={styles.eyebrow}>{eyebrow}</p> : null}
      <h1 className={styles.title}>{title}</h1>
      {children ? <div className={styles.body}>{children}</div> : null}
      {actions ? <div className={styles.actions}>{actions}</div> : null}
    </section>
  );
}
