import type { Metadata } from 'next';
import Link from 'next/link';
import { FormCard } from '../../../components/form-card';
import { Notice } from '../../../components/notice';
import { TicketForm } from '../../../components/ticket-form';
import { getCurrentUser } from '../../../lib/server/current-user';

export const metadata: Metadata = { title: 'Sell a ticket' };

export default async function NewTicketPage() {
  const currentUser = await getCurrentUser();
  if (!currentUser) {
    return (
      <Notice
        title="Sign in to sell tickets"
        actions={
          <>
            <Link href="/auth/signin" className="button button-primary">
              Sign in
            </Link>
            <Link href="/auth/signup" className="button">
              Create an account
            </Link>
          </>
        }
      >
        <p>Listings belong to an account, so you can edit them later.</p>
      </Notice>
    );
  }
  return (
    <FormCard title="Sell a ticket" subtitle="Give it a clear title and a fair price. You can edit both later.">
      <TicketForm />
    </FormCard>
  );
}
