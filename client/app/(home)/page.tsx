import Link from 'next/link';
import { Notice } from '../../components/notice';
import { SearchForm } from '../../components/search-form';
import { TicketList } from '../../components/ticket-list';
import { apiErrorsFrom, isUnavailable } from '../../lib/api/api-errors';
import { apiQuery, narrows, searchFrom } from '../../lib/api/search';
import { fetchTicketPage, type TicketPage } from '../../lib/api/tickets';
import { describeError, log } from '../../lib/server/log';
import { setResponseStatus } from '../../lib/server/response-status';
import { serverClient } from '../../lib/server/server-client';
import styles from './home.module.css';

type Answer = { page: TicketPage } | { invalid: string[] } | { unavailable: true };

async function firstPage(query: Record<string, string>): Promise<Answer> {
  try {
    return { page: await fetchTicketPage(await serverClient(), undefined, query) };
  } catch (error) {
    if (isUnavailable(error)) {
      log.warn(describeError(error), 'ticket list unavailable');
      return { unavailable: true };
    }
    // A filter the API refuses (a price that is no amount): say what, beside the form.
    const invalid = apiErrorsFrom(error).filter((entry) => entry.field);
    if (invalid.length > 0) return { invalid: invalid.map((entry) => entry.message) };
    throw error;
  }
}

interface HomePageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function HomePage({ searchParams }: HomePageProps) {
  const search = searchFrom(await searchParams);
  const answer = await firstPage(apiQuery(search));
  let results;
  if ('unavailable' in answer) {
    setResponseStatus(503);
    results = (
      <Notice title="Tickets are unavailable right now">
        <p>We couldn&rsquo;t load the listings. Please try again in a moment.</p>
      </Notice>
    );
  } else if ('invalid' in answer) {
    setResponseStatus(400);
    results = (
      <div role="alert" className={styles.invalid}>
        {answer.invalid.map((message) => (
          <p key={message}>{message}</p>
        ))}
      </div>
    );
  } else if (answer.page.tickets.length === 0 && narrows(search)) {
    results = (
      <div className={styles.noMatch}>
        <p className={styles.noMatchTitle}>No tickets match your search</p>
        <p>
          Try fewer words, another city or wider dates, or <Link href="/">clear the filters</Link>.
        </p>
      </div>
    );
  } else {
    // Keyed by the search: a new search starts its own list, not more of the last one.
    results = <TicketList key={JSON.stringify(search)} first={answer.page} />;
  }
  return (
    <>
      <SearchForm search={search} />
      {results}
    </>
  );
}
