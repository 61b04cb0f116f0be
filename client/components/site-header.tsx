import Link from 'next/link';
import type { CurrentUser } from '../lib/api/types';
import { LogoMark } from './logo-mark';
import { SignOutButton } from './sign-out-button';
import styles from './site-header.module.css';

/** The header on every page: the product name, and the links that fit the visitor's state. */
export function SiteHeader({ currentUser }: { currentUser: CurrentUser | null }) {
  return (
    <header className={styles.header}>
      <div className={styles.inner}>
        <Link href="/" className={styles.brand}>
          <LogoMark />
          <span>Ticketing</span>
        </Link>
        <nav aria-label="Account" className={styles.nav}>
          {currentUser ? (
            <>
              <span className={styles.user} title={currentUser.email}>
                {currentUser.email}
              </span>
              <Link href="/tickets/new" className="button button-primary">
                Sell Tickets
              </Link>
              <Link href="/tickets/mine" className="button">
                My Listings
              </Link>
              <Link href="/orders" className="button">
                My Orders
              </Link>
              <SignOutButton />
            </>
          ) : (
            <>
              <Link href="/auth/signin" className="button">
                Sign In
              </Link>
              <Link href="/auth/signup" className="button button-primary">
                Sign Up
              </Link>
            </>
          )}
        </nav>
      </div>
    </header>
  );
}
