// A purchase through the edge of a running stack, as a person's browser makes it.
import { waitFor } from '@ticketing/common/testing';

/** One JSON request to the API at `base`: its status, headers and parsed body. */
export type ApiCall = (
  method: string,
  url: string,
  cookie?: string,
  body?: object,
) => Promise<{ status: number; headers: Headers; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the API's JSON

/** Calls the API at `base` (the edge's URL). */
export function apiCall(base: string): ApiCall {
  return async (method, url, cookie = '', body) => {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: { 'content-type': 'application/json', cookie },
      body: body && JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  };
}

/**
 * A seller lists a ticket and a buyer (both new accounts, named after `who`) reserves and
 * pays for it. Orders and payments hear of the ticket and the order through the bus: until
 * they have, an attempt answers 404 and is made again, for up to `timeoutMs` each.
 */
export async function buyTicket(
  call: ApiCall,
  who: string,
  ticket: { title: string; price: number },
  timeoutMs = 20_000,
) {
  const signUp = async (email: string) => {
    const answer = await call('POST', '/api/users/signup', '', { email, password: 'password123' });
    if (answer.status !== 201) throw new Error(`sign-up answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.headers.get('set-cookie')!.split(';')[0]!;
  };
  const seller = await signUp(`${who}-seller@example.com`);
  const buyer = await signUp(`${who}-buyer@example.com`);
  const listed = await call('POST', '/api/tickets', seller, ticket);
  if (listed.status !== 201) throw new Error(`listing answered ${listed.status}: ${JSON.stringify(listed.body)}`);
  const order = await waitFor(
    async () => {
      const placed = await call('POST', '/api/orders', buyer, { ticketId: listed.body.id });
      return placed.status === 201 ? placed.body : undefined;
    },
    { timeoutMs, message: 'the order placed' },
  );
  const payment = await waitFor(
    async () => {
      const paid = await call('POST', '/api/payments', buyer, { orderId: order.id, token: 'tok_visa' });
      return paid.status === 201 ? paid.body : undefined;
    },
    { timeoutMs, message: 'the order paid' },
  );
  return { seller, buyer, ticket: listed.body, order, payment };
}
