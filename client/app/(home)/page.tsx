import { Notice } from '../../components/notice';
import { TicketList } from '../../components/ticket-list';
import { isUnavailable } from '../../lib/api/api-errors';
import { fetchTicketPage, type TicketPage } from '../../lib/api/tickets';
import { describeError, log } from '../../lib/server/log';
import { setResponseStatus } from '../../lib/server/response-status';
import { serverClient } from '../../lib/server/server-client';

async function firstPage(): Promise<TicketPage | null> {
  try {
    return await fetchTicketPage(await serverClient());
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    log.warn(describeError(error), 'ticket list unavailable');
    return null;
  }
}

export default async function HomePage() {
  const page = await firstPage();
  if (!page) {
    setResponseStatus(503);
    return (
      <Notice title="Tickets are unavailable right now">
        <p>We couldn&rsquo;t load the listings. Please try again in a moment.</p>
      </Notice>
    );
  }
  return <TicketList first={page} />;
}
