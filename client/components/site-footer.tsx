import styles from './site-footer.module.css';

/** The footer on every page; it says how money and times are shown, since both are fixed for everyone. */
export function SiteFooter() {
  return (
    <footer className={styles.footer}>
      <div className={styles.inner}>
        <span>Ticketing</span>
        <span>Prices in US dollars · Times in UTC</span>
      </div>
    </footer>
  );
}
