import { TicketGridSkeleton } from '../../components/ticket-grid-skeleton';

/** Shown while the list loads on a navigation back home. */
export default function Loading() {
  return <TicketGridSkeleton />;
}
