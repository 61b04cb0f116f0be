import styles from './ticket-list.module.css';

const PLACEHOLDERS = 6;

/** Grey cards in the grid's shape, so the page does not jump when the tickets arrive. */
export function TicketGridSkeleton() {
  return (
    <div className={styles.grid} aria-busy="true" aria-label="Loading tickets">
      {Array.from({ length: PLACEHOLDERS }, (_, i) => (
        <div key={i} className={`${styles.card} ${styles.skeleton}`}>
          <span className={styles.skeletonLine} />
          <span className={`${styles.skeletonLine} ${styles.skeletonShort}`} />
        </div>
      ))}
    </div>
  );
}
