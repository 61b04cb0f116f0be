import Link from 'next/link';
import { SORT_LABELS, narrows, type TicketSearch } from '../lib/api/search';
import styles from './search-form.module.css';

/**
 * The home page's search: a plain GET form, so a search is a URL (shared, bookmarked, the
 * back button works) and its results come rendered from the server, with or without JavaScript.
 */
export function SearchForm({ search }: { search: TicketSearch }) {
  return (
    <form method="get" action="/" className={styles.search} role="search" aria-label="Search tickets">
      <label className={styles.words}>
        <span className={styles.label}>Search</span>
        <input
          type="search"
          name="q"
          defaultValue={search.q}
          placeholder="Artist, event, venue or city"
          maxLength={100}
        />
      </label>
      <label>
        <span className={styles.label}>City</span>
        <input type="text" name="city" defaultValue={search.city} placeholder="Any city" maxLength={80} />
      </label>
      <label>
        <span className={styles.label}>From</span>
        <input type="date" name="from" defaultValue={search.from} />
      </label>
      <label>
        <span className={styles.label}>To</span>
        <input type="date" name="to" defaultValue={search.to} />
      </label>
      <label>
        <span className={styles.label}>Min $</span>
        <input
          type="text"
          inputMode="decimal"
          name="minPrice"
          defaultValue={search.minPrice}
          placeholder="0"
          size={6}
        />
      </label>
      <label>
        <span className={styles.label}>Max $</span>
        <input
          type="text"
          inputMode="decimal"
          name="maxPrice"
          defaultValue={search.maxPrice}
          placeholder="Any"
          size={6}
        />
      </label>
      <label>
        <span className={styles.label}>Sort</span>
        <select name="sort" defaultValue={search.sort || 'newest'}>
          {Object.entries(SORT_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label className={styles.check}>
        <input type="checkbox" name="available" value="true" defaultChecked={search.available} />
        <span>Available only</span>
      </label>
      <div className={styles.actions}>
        <button type="submit" className="button button-primary">
          Search
        </button>
        {narrows(search) || search.sort ? (
          <Link href="/" className="button">
            Clear filters
          </Link>
        ) : null}
      </div>
    </form>
  );
}
