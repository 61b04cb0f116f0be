import { buildClient } from '../lib/api/build-client';
import { fetchTicketPage, PAGE_SIZE } from '../lib/api/tickets';
import { startRecorder, type HttpRecorder } from './http-recorder';

const ticket = (n: number) => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  title: `Ticket ${n}`,
  price: 10 * n,
  userId: 'u1',
  version: 0,
  createdAt: '2026-11-21T19:02:00.000Z',
});

describe('fetchTicketPage', () => {
  let api: HttpRecorder;

  beforeAll(async () => {
    api = await startRecorder((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.includes('cursor=')) {
        res.end(JSON.stringify([ticket(2)]));
        return;
      }
      res.setHeader('link', `<http://tickets-srv:3000/api/tickets?limit=${PAGE_SIZE}&cursor=c1>; rel="next"`);
      res.end(JSON.stringify([ticket(1)]));
    });
  });

  afterAll(() => api.close());

  const client = () => buildClient({ apiUrl: api.url, requestHeaders: new Headers() });

  it('asks for the first page with the page size and returns the next page as a same-origin path', async () => {
    const page = await fetchTicketPage(client());

    expect(api.requests.at(-1)?.url).toBe(`/api/tickets?limit=${PAGE_SIZE}`);
    expect(page).toEqual({ tickets: [ticket(1)], next: `/api/tickets?limit=${PAGE_SIZE}&cursor=c1` });
  });

  it('follows a next path and reports the last page', async () => {
    const page = await fetchTicketPage(client(), `/api/tickets?limit=${PAGE_SIZE}&cursor=c1`);

    expect(api.requests.at(-1)?.url).toBe(`/api/tickets?limit=${PAGE_SIZE}&cursor=c1`);
    expect(page).toEqual({ tickets: [ticket(2)], next: null });
  });
});
