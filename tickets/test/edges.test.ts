import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { signin, startTickets, type TicketsContext } from './tickets-app';

let ctx: TicketsContext;

beforeAll(async () => {
  ctx = await startTickets();
});

afterAll(async () => {
  await ctx.close();
});

/** POSTs a raw body, as a client that does not go through a JSON encoder may. */
function postRaw(body: string | Buffer, headers: Record<string, string> = {}) {
  const req = request(ctx.app).post('/api/tickets').set('Cookie', signin());
  req.set('Content-Type', 'application/json');
  for (const [name, value] of Object.entries(headers)) req.set(name, value);
  return req.send(body);
}

describe('titles a person could not see or that are not text', () => {
  it.each([
    ['a next line (U+0085)', 'Concert\u0085Hall'],
    ['a line separator (U+2028)', 'Concert\u2028Hall'],
    ['a paragraph separator (U+2029)', 'Concert\u2029Hall'],
    ['a right-to-left override (U+202E)', 'Concert \u202Ellah'],
    ['only a zero-width space (U+200B)', '\u200B'],
    ['a zero-width space inside', 'Con\u200Bcert'],
    ['a byte order mark inside', 'Con\uFEFFcert'],
  ])('rejects a title with %s: 400 on title', async (_case, title) => {
    const response = await request(ctx.app).post('/api/tickets').set('Cookie', signin()).send({ title, price: 10 });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      errors: [{ message: 'Title must not contain control or invisible characters', field: 'title' }],
    });
  });

  it('rejects a lone surrogate instead of storing U+FFFD', async () => {
    const response = await postRaw('{"title":"Concert \\ud800","price":10}');

    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      errors: [{ message: 'Title must be valid Unicode text (it holds an unpaired surrogate)', field: 'title' }],
    });
  });

  it('keeps letters, accents, emoji and a surrogate pair written as escapes', async () => {
    const response = await postRaw('{"title":"Caf\\u00e9 \\ud83c\\udfb5 \u65e5\u672c","price":10}');

    expect(response.status).toBe(201);
    expect(response.body.title).toBe('Café 🎵 日本');
  });
});

describe('prices beyond what a number can hold', () => {
  it('says 1e400 is too large (it parses to Infinity), not that it must be greater than 0', async () => {
    const response = await postRaw('{"title":"concert","price":1e400}');

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'Price must be at most 1,000,000', field: 'price' }] });
  });

  it('says -1e400 must be greater than 0', async () => {
    const response = await postRaw('{"title":"concert","price":-1e400}');

    expect(response.body).toEqual({ errors: [{ message: 'Price must be greater than 0', field: 'price' }] });
  });
});

describe('bodies the service cannot read', () => {
  it('answers JSON in another charset with 415 in the error format', async () => {
    const response = await postRaw('{"title":"concert","price":10}', {
      'Content-Type': 'application/json; charset=latin1',
    });

    expect(response.status).toBe(415);
    expect(response.body).toEqual({
      errors: [{ message: 'Request body must be JSON in UTF-8 (charset latin1 is not supported)' }],
    });
  });

  it('answers an unknown Content-Encoding with 415 in the error format', async () => {
    const response = await postRaw('{"title":"concert","price":10}', { 'Content-Encoding': 'compress' });

    expect(response.status).toBe(415);
    expect(response.body.errors[0].message).toMatch(/^Content-Encoding compress is not supported/);
  });

  it('answers a body that is not gzip though it says so with 400 in the error format, not zlib words', async () => {
    const response = await postRaw('{"title":"concert","price":10}', { 'Content-Encoding': 'gzip' });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      errors: [{ message: 'Request body could not be decompressed as its Content-Encoding says' }],
    });
  });

  it('reads a real gzip body', async () => {
    const { port } = ctx.app.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/api/tickets`, {
      method: 'POST',
      headers: { cookie: signin().join('; '), 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync('{"title":"zipped","price":10}'),
    });

    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ title: 'zipped' });
  });
});

describe('OPTIONS and headers', () => {
  it.each([
    ['/api/tickets', 'GET, HEAD, POST, OPTIONS'],
    ['/api/tickets/00000000-0000-4000-8000-000000000000', 'DELETE, GET, HEAD, PUT, OPTIONS'],
  ])('OPTIONS %s names every method served there: %s', async (path, allow) => {
    const response = await request(ctx.app).options(path);

    expect(response.status).toBe(204);
    expect(response.get('Allow')).toBe(allow);
  });

  it('OPTIONS on a path nobody serves is a 404', async () => {
    const response = await request(ctx.app).options('/api/nothing');

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ errors: [{ message: 'Not Found' }] });
  });

  it('sends security headers on every answer, errors included', async () => {
    for (const response of [await request(ctx.app).get('/api/tickets'), await request(ctx.app).get('/api/nothing')]) {
      expect(response.get('X-Content-Type-Options')).toBe('nosniff');
      expect(response.get('Referrer-Policy')).toBe('no-referrer');
      expect(response.get('Content-Security-Policy')).toBe("default-src 'none';frame-ancestors 'none'");
      expect(response.get('X-Frame-Options')).toBe('SAMEORIGIN');
    }
  });
});
