import type { ReactNode } from 'react';
import styles from './home.module.css';

/** The home page's heading, shown at once while the list below it loads. */
export default function HomeLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <div className={styles.intro}>
        <h1>Tickets for sale</h1>
        <p>Search by artist, venue, city, date or price. Find your seat, or sell the one you can&rsquo;t use.</p>
      </div>
      {children}
    </>
  );
}
