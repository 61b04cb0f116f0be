import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { publishEvent, Subjects } from '@ticketing/common/events';
import { jetstream } from '@nats-io/jetstream';
import { settled, signin, startTickets, waitForTicketEvents, type TicketsContext } from './tickets-app';

let ctx: TicketsContext;

beforeAll(async () => {
  ctx = await startTickets();
});

afterAll(async () => {
  await ctx.close();
});

const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/** A word no other test's tickets hold: a search for it sees this test's tickets only. */
const tag = () => `t${randomUUID().slice(0, 8)}`;

async function list(fields: Record<string, unknown>, user: { id?: string } = {}) {
  const response = await request(ctx.app)
    .post('/api/tickets')
    .set('Cookie', signin(user))
    .send({ price: 20, ...fields });
  expect(response.status).toBe(201);
  return response.body as { id: string; title: string; price: number; eventAt: string | null; version: number };
}

async function search(query: Record<string, string>, user?: { id?: string }) {
  const call = request(ctx.app).get('/api/tickets').query(query);
  if (user) void call.set('Cookie', signin(user));
  const response = await call;
  expect(response.status).toBe(200);
  return (response.body as { id: string; title: string }[]).map((ticket) => ticket.title);
}

describe('listing a ticket for an event', () => {
  it('keeps its date, zone, venue, city and seat, shows them, and sends them in ticket:created', async () => {
    const eventAt = inDays(30);
    const ticket = await list({
      title: 'Red Sox',
      eventAt,
      timeZone: 'america/new_york',
      venue: '  Fenway Park ',
      city: 'Boston',
      seat: 'Section 104, Row F',
    });

    const shown = await request(ctx.app).get(`/api/tickets/${ticket.id}`);
    expect(shown.body).toMatchObject({
      eventAt,
      timeZone: 'America/New_York',
      venue: 'Fenway Park',
      city: 'Boston',
      seat: 'Section 104, Row F',
      status: 'available',
    });
    const [created] = await waitForTicketEvents(ctx.nats, ticket.id, 1);
    expect(created!.data).toMatchObject({
      eventAt,
      timeZone: 'America/New_York',
      venue: 'Fenway Park',
      city: 'Boston',
      seat: 'Section 104, Row F',
    });
  });

  it('takes an instant with any offset and keeps it in UTC to the millisecond', async () => {
    const ticket = await list({ title: 'Offset', eventAt: '2027-06-01T20:30:00.1239-04:00' });

    expect(ticket.eventAt).toBe('2027-06-02T00:30:00.123Z');
  });

  it.each([
    ['in the past', { eventAt: new Date(Date.now() - 60_000).toISOString() }, 'eventAt', 'Event must be in the future'],
    ['more than two years ahead', { eventAt: inDays(2 * 366 + 1) }, 'eventAt', 'Event must be at most 2 years ahead'],
    ['without an offset', { eventAt: '2027-06-01T20:30:00' }, 'eventAt', expect.stringContaining('ISO 8601')],
    ['a day that does not exist', { eventAt: '2027-02-30T20:30:00Z' }, 'eventAt', expect.stringContaining('ISO 8601')],
    ['a number', { eventAt: 1_800_000_000_000 }, 'eventAt', expect.stringContaining('ISO 8601')],
    ['an unknown zone', { timeZone: 'Mars/Olympus_Mons' }, 'timeZone', expect.stringContaining('IANA')],
    ['a zone that is not text', { timeZone: 5 }, 'timeZone', expect.stringContaining('IANA')],
    ['an empty venue', { venue: '   ' }, 'venue', 'Venue must be 1 to 120 characters'],
    ['a venue too long', { venue: 'v'.repeat(121) }, 'venue', 'Venue must be 1 to 120 characters'],
    ['a city with a control character', { city: 'Bos\u0000ton' }, 'city', expect.stringContaining('control')],
    ['a city with a zero-width space', { city: 'Bos\u200bton' }, 'city', expect.stringContaining('invisible')],
    ['a city too long', { city: 'c'.repeat(81) }, 'city', 'City must be 1 to 80 characters'],
    ['a seat that is not text', { seat: ['A', 1] }, 'seat', 'Seat must be text'],
    ['a seat too long', { seat: 's'.repeat(121) }, 'seat', 'Seat must be at most 120 characters'],
  ])('refuses %s with a 400 on its field', async (_case, fields, field, message) => {
    const response = await request(ctx.app)
      .post('/api/tickets')
      .set('Cookie', signin())
      .send({ title: 'Show', price: 10, ...fields });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message, field }] });
  });

  it('keeps working for a client that sends only title and price: undated, in UTC, nowhere yet', async () => {
    const ticket = await list({ title: 'Plain' });

    expect(ticket).toMatchObject({ eventAt: null, timeZone: 'UTC', venue: null, city: null, seat: null });
  });

  it('on an edit keeps what is left out, clears what is sent as null, and says it all in ticket:updated', async () => {
    const owner = { id: randomUUID() };
    const ticket = await list(
      { title: 'Edit me', eventAt: inDays(10), venue: 'Hall', city: 'Paris', seat: 'A1' },
      owner,
    );

    const edited = await request(ctx.app)
      .put(`/api/tickets/${ticket.id}`)
      .set('Cookie', signin(owner))
      .send({ title: 'Edited', price: 30, seat: null, city: 'Lyon' });

    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ eventAt: ticket.eventAt, venue: 'Hall', city: 'Lyon', seat: null, version: 1 });
    const [, updated] = await waitForTicketEvents(ctx.nats, ticket.id, 2);
    expect(updated!.data).toMatchObject({ eventAt: ticket.eventAt, venue: 'Hall', city: 'Lyon', seat: null });
  });
});

describe('searching', () => {
  it('matches every word as a word prefix in the title, venue or city, in any case', async () => {
    const word = tag();
    await list({ title: `${word} Symphony No. 9`, venue: 'Symphony Hall', city: 'Boston' });
    await list({ title: `${word} Jazz trio`, venue: 'Blue Note', city: 'New York' });
    await list({ title: `${word} Rock`, venue: 'Paradise', city: 'Boston' });
    await list({ title: `${word} ÉTÉ À ZÜRICH` });

    expect(await search({ q: `${word} boston`, sort: 'price' })).toHaveLength(2);
    expect(await search({ q: `${word} SYMPH`, sort: 'newest' })).toEqual([`${word} Symphony No. 9`]);
    expect(await search({ q: `${word} new yo` })).toEqual([`${word} Jazz trio`]);
    expect(await search({ q: `${word} blue paradise` })).toEqual([]);
    expect(await search({ q: `${word} ymphony` })).toEqual([]);
    // Every letter, not only ASCII ones.
    expect(await search({ q: `${word} été zür` })).toEqual([`${word} ÉTÉ À ZÜRICH`]);
    expect(await search({ q: `${word} À` })).toEqual([`${word} ÉTÉ À ZÜRICH`]);
  });

  it('treats query syntax and quotes in a search as text, and punctuation alone as no narrowing', async () => {
    const word = tag();
    await list({ title: `${word} Rock'n'roll & blues` });

    expect(await search({ q: `${word} rock'n` })).toEqual([`${word} Rock'n'roll & blues`]);
    for (const q of [`${word} & | ! ( ) :* '`, `${word} \\`, `${word} <->`]) {
      expect(await search({ q })).toEqual([`${word} Rock'n'roll & blues`]);
    }
  });

  it('finds a city in any case, and only that city', async () => {
    const word = tag();
    await list({ title: `${word} a`, city: 'São Paulo' });
    await list({ title: `${word} b`, city: 'Paulo' });

    expect(await search({ q: word, city: 'SÃO PAULO' })).toEqual([`${word} a`]);
  });

  it('narrows by dates: from inclusive, to exclusive, undated left out once either is given', async () => {
    const word = tag();
    const at = (days: number) => new Date(Date.UTC(2027, 4, days, 19, 30)).toISOString();
    await list({ title: `${word} may 3`, eventAt: at(3) });
    await list({ title: `${word} may 5`, eventAt: at(5) });
    await list({ title: `${word} may 9`, eventAt: at(9) });
    await list({ title: `${word} undated` });

    expect(await search({ q: word, from: '2027-05-04', sort: 'soonest' })).toEqual([`${word} may 5`, `${word} may 9`]);
    expect(await search({ q: word, to: '2027-05-09', sort: 'soonest' })).toEqual([`${word} may 3`, `${word} may 5`]);
    expect(await search({ q: word, from: at(5), to: at(9) })).toEqual([`${word} may 5`]);
    expect(await search({ q: word, from: '2027-05-05T19:30:00+00:00', to: '2027-05-05T19:30:00.001Z' })).toEqual([
      `${word} may 5`,
    ]);
    expect(await search({ q: word, sort: 'soonest' })).toEqual([
      `${word} may 3`,
      `${word} may 5`,
      `${word} may 9`,
      `${word} undated`,
    ]);
  });

  it('reads a date as the venue’s calendar day, and an instant as that instant', async () => {
    const word = tag();
    // 8 PM in New York on May 8 is 00:00 on May 9 in UTC.
    await list({ title: `${word} late show`, eventAt: '2027-05-08T20:00:00-04:00', timeZone: 'America/New_York' });

    expect(await search({ q: word, from: '2027-05-08', to: '2027-05-09' })).toEqual([`${word} late show`]);
    expect(await search({ q: word, from: '2027-05-09' })).toEqual([]);
    expect(await search({ q: word, from: '2027-05-09T00:00:00Z' })).toEqual([`${word} late show`]);
    expect(await search({ q: word, to: '2027-05-09T00:00:00Z' })).toEqual([]);
  });

  it('narrows by price, bounds inclusive, and sorts by price either way', async () => {
    const word = tag();
    for (const price of [5, 12.5, 20, 99.99]) await list({ title: `${word} ${price}`, price });

    expect(await search({ q: word, minPrice: '12.5', maxPrice: '20', sort: 'price' })).toEqual([
      `${word} 12.5`,
      `${word} 20`,
    ]);
    expect(await search({ q: word, sort: '-price' })).toEqual([
      `${word} 99.99`,
      `${word} 20`,
      `${word} 12.5`,
      `${word} 5`,
    ]);
    expect(await search({ q: word, minPrice: '0', maxPrice: '5' })).toEqual([`${word} 5`]);
  });

  it('leaves out withdrawn tickets and events that have started; available=true leaves out the reserved ones too', async () => {
    const word = tag();
    const owner = { id: randomUUID() };
    await list({ title: `${word} open` }, owner);
    const reserved = await list({ title: `${word} reserved` }, owner);
    const withdrawn = await list({ title: `${word} withdrawn` }, owner);
    const started = await list({ title: `${word} started`, eventAt: inDays(1) }, owner);
    await publishEvent(jetstream(ctx.nats.client), Subjects.OrderCreated, {
      id: randomUUID(),
      version: 0,
      status: 'created' as never,
      userId: randomUUID(),
      expiresAt: inDays(1),
      ticket: { id: reserved.id, price: 20 },
    });
    await settled(ctx);
    await request(ctx.app).delete(`/api/tickets/${withdrawn.id}`).set('Cookie', signin(owner)).expect(204);
    // An event that started a minute ago (the API takes no past start: the clock moved on).
    await ctx.database.db.execute(
      sql`update tickets set event_at = now() - interval '1 minute' where id = ${started.id}`,
    );

    expect(await search({ q: word })).toEqual([`${word} reserved`, `${word} open`]);
    expect(await search({ q: word, available: 'true' })).toEqual([`${word} open`]);
    expect(await search({ q: word, available: 'false' })).toEqual([`${word} reserved`, `${word} open`]);
    // The ticket's own page still answers.
    expect((await request(ctx.app).get(`/api/tickets/${started.id}`)).status).toBe(200);
    // Its seller sees every one of them.
    expect(await search({ q: word, seller: 'me' }, owner)).toEqual([
      `${word} started`,
      `${word} withdrawn`,
      `${word} reserved`,
      `${word} open`,
    ]);
  });

  it('shows a seller their own listings only, and answers 401 to seller=me signed out', async () => {
    const word = tag();
    const seller = { id: randomUUID() };
    await list({ title: `${word} mine` }, seller);
    await list({ title: `${word} theirs` });

    expect(await search({ q: word, seller: 'me' }, seller)).toEqual([`${word} mine`]);
    const signedOut = await request(ctx.app).get('/api/tickets').query({ seller: 'me' });
    expect([signedOut.status, signedOut.body]).toEqual([401, { errors: [{ message: 'Not authorized' }] }]);
  });

  it('keeps the search in the next page’s link', async () => {
    const word = tag();
    for (let n = 0; n < 3; n++) await list({ title: `${word} ${n}`, city: 'Oslo', price: 10 + n });

    const first = await request(ctx.app)
      .get('/api/tickets')
      .query({ q: word, city: 'oslo', sort: '-price', limit: '2' });
    const next = /^<([^>]+)>; rel="next"$/.exec(first.get('Link') ?? '')![1]!;
    const second = await request(ctx.app).get(next);

    expect(first.body.map((ticket: { price: number }) => ticket.price)).toEqual([12, 11]);
    expect(second.body.map((ticket: { price: number }) => ticket.price)).toEqual([10]);
    expect(second.get('Link')).toBeUndefined();
  });

  it.each([
    ['q', 'x'.repeat(101)],
    ['q', 'bad\u0000byte'],
    ['city', ''],
    ['city', 'c'.repeat(81)],
    ['from', 'tomorrow'],
    ['from', '2027-02-30'],
    ['from', '0000-01-01'],
    ['to', '2027-05-01T10:00:00'],
    ['minPrice', '-1'],
    ['minPrice', '1.234'],
    ['maxPrice', '1000000.01'],
    ['maxPrice', 'NaN'],
    ['available', 'yes'],
    ['sort', 'oldest'],
    ['seller', 'you'],
  ])('answers a malformed %s (%j) with a 400 on it', async (name, value) => {
    const response = await request(ctx.app)
      .get('/api/tickets')
      .query({ [name]: value });

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: name })]);
  });

  it.each(['q', 'city', 'sort', 'minPrice', 'available', 'seller'])(
    'answers a repeated %s with a 400 on it',
    async (name) => {
      const response = await request(ctx.app).get(`/api/tickets?${name}=a&${name}=b`).set('Cookie', signin());

      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: name })]);
    },
  );

  it('refuses bounds the wrong way round, and a cursor made for another sort', async () => {
    const dates = await request(ctx.app).get('/api/tickets').query({ from: '2027-05-05', to: '2027-05-05' });
    const prices = await request(ctx.app).get('/api/tickets').query({ minPrice: '20', maxPrice: '10' });
    await list({ title: `${tag()} one` });
    await list({ title: `${tag()} two` });
    const page = await request(ctx.app).get('/api/tickets').query({ limit: '1', sort: 'price' });
    const cursor = new URL(/<([^>]+)>/.exec(page.get('Link')!)![1]!, 'http://x').searchParams.get('cursor')!;
    const otherSort = await request(ctx.app).get('/api/tickets').query({ cursor, sort: 'soonest' });

    expect([dates.status, dates.body]).toEqual([400, { errors: [{ message: 'To must be after from', field: 'to' }] }]);
    expect([prices.status, prices.body]).toEqual([
      400,
      { errors: [{ message: 'Max price must be at least min price', field: 'maxPrice' }] },
    ]);
    expect([otherSort.status, otherSort.body]).toEqual([
      400,
      { errors: [{ message: 'Cursor is invalid', field: 'cursor' }] },
    ]);
  });

  it('ignores query names it does not know', async () => {
    const word = tag();
    await list({ title: word });

    expect(await search({ q: word, colour: 'red' })).toEqual([word]);
  });
});

describe('withdrawing a listing', () => {
  it('answers 204, shows it withdrawn with the next version, and says so in ticket:updated; again changes nothing', async () => {
    const owner = { id: randomUUID() };
    const ticket = await list({ title: 'Withdraw me' }, owner);

    const response = await request(ctx.app).delete(`/api/tickets/${ticket.id}`).set('Cookie', signin(owner));
    const again = await request(ctx.app).delete(`/api/tickets/${ticket.id}`).set('Cookie', signin(owner));

    expect([response.status, again.status]).toEqual([204, 204]);
    const shown = await request(ctx.app).get(`/api/tickets/${ticket.id}`);
    expect(shown.body).toMatchObject({ status: 'withdrawn', version: 1 });
    await settled(ctx);
    const events = await waitForTicketEvents(ctx.nats, ticket.id, 2);
    expect(events.map((event) => [event.subject, event.data.version, event.data.withdrawn])).toEqual([
      ['ticket:created', 0, undefined],
      ['ticket:updated', 1, true],
    ]);
  });

  it('refuses an edit of a withdrawn ticket', async () => {
    const owner = { id: randomUUID() };
    const ticket = await list({ title: 'Gone' }, owner);
    await request(ctx.app).delete(`/api/tickets/${ticket.id}`).set('Cookie', signin(owner)).expect(204);

    const response = await request(ctx.app)
      .put(`/api/tickets/${ticket.id}`)
      .set('Cookie', signin(owner))
      .send({ title: 'Back', price: 10 });

    expect([response.status, response.body]).toEqual([
      400,
      { errors: [{ message: 'Cannot edit a withdrawn ticket' }] },
    ]);
  });

  it('refuses a reserved ticket and a sold one with a 400 that says which', async () => {
    const owner = { id: randomUUID() };
    const reserved = await list({ title: 'Held' }, owner);
    const sold = await list({ title: 'Sold' }, owner);
    const js = jetstream(ctx.nats.client);
    const orderFor = (ticketId: string) => ({
      id: randomUUID(),
      version: 0,
      status: 'created' as never,
      userId: randomUUID(),
      expiresAt: inDays(1),
      ticket: { id: ticketId, price: 20 },
    });
    const soldOrder = orderFor(sold.id);
    await publishEvent(js, Subjects.OrderCreated, orderFor(reserved.id));
    await publishEvent(js, Subjects.OrderCreated, soldOrder);
    await publishEvent(js, Subjects.OrderCompleted, { id: soldOrder.id, version: 1, ticket: { id: sold.id } });
    await settled(ctx);

    const held = await request(ctx.app).delete(`/api/tickets/${reserved.id}`).set('Cookie', signin(owner));
    const gone = await request(ctx.app).delete(`/api/tickets/${sold.id}`).set('Cookie', signin(owner));

    expect([held.status, held.body]).toEqual([400, { errors: [{ message: 'Cannot withdraw a reserved ticket' }] }]);
    expect([gone.status, gone.body]).toEqual([400, { errors: [{ message: 'Cannot withdraw a sold ticket' }] }]);
  });

  it('answers 401 signed out, 404 for an unknown or malformed id, 401 "Not authorized" to someone else', async () => {
    const ticket = await list({ title: 'Not yours' });

    const signedOut = await request(ctx.app).delete(`/api/tickets/${ticket.id}`);
    const unknown = await request(ctx.app).delete(`/api/tickets/${randomUUID()}`).set('Cookie', signin());
    const malformed = await request(ctx.app).delete('/api/tickets/not-an-id').set('Cookie', signin());
    const someoneElse = await request(ctx.app).delete(`/api/tickets/${ticket.id}`).set('Cookie', signin());

    expect(signedOut.status).toBe(401);
    expect([unknown.status, malformed.status]).toEqual([404, 404]);
    expect([someoneElse.status, someoneElse.body]).toEqual([401, { errors: [{ message: 'Not authorized' }] }]);
    expect((await request(ctx.app).get(`/api/tickets/${ticket.id}`)).body.status).toBe('available');
  });
});
