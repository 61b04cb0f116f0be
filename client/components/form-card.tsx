import type { ReactNode } from 'react';
import styles from './form-card.module.css';

interface FormCardProps {
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
  /** Below the form, e.g. a link to the other auth page. */
  footer?: ReactNode;
  /** h1 for a page of its own; h2 when the card sits beside the page's heading. */
  headingLevel?: 1 | 2;
}

/** The narrow card a form sits in. */
export function FormCard({ title, subtitle, children, footer, headingLevel = 1 }: FormCardProps) {
  const Heading = headingLevel === 1 ? 'h1' : 'h2';
  return (
    <section className={styles.card}>
      <header className={styles.header}>
        <Heading className={styles.title}>{title}</Heading>
        {subtitle ? <p className={styles.subtitle}>{subtitle}</p> : null}
      </header>
      {children}
      {footer ? <div className={styles.footer}>{footer}</div> : null}
    </section>
  );
}
