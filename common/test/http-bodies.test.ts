import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import { matchedData, query } from 'express-validator';
import pino from 'pino';
import request from 'supertest';
import { buildServiceApp, MAX_BODY_DEPTH, requireAuth, validateRequest } from '../src/http';
import { nestedDeeperThan } from '../src/http/json-body';
import { TEST_JWT_KEY } from '../src/testing/service';

/** The shared app with one route that echoes its body and one that takes a scalar query parameter. */
function echoApp() {
  return buildServiceApp({
    logger: pino({ level: 'silent' }),
    jwtKey: TEST_JWT_KEY,
    session: { secure: false, maxAgeSeconds: 60 },
    health: { database: async () => undefined },
    routes: (app) => {
      const router = Router();
      router.post('/api/echo', validateRequest, (req, res) => void res.status(201).send({ body: req.body as unknown }));
      router.put('/api/private', requireAuth, validateRequest, (_req, res) => void res.send({}));
      router.get(
        '/api/echo',
        query('limit', 'Limit must be a whole number')
          .optional()
          .custom((value: unknown) => typeof value === 'string' && /^\d+$/.test(value)),
        validateRequest,
        (req, res) => void res.send(matchedData(req)),
      );
      app.use(router);
    },
  });
}

const app = echoApp();
let server: Server;

beforeAll(async () => {
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
});

afterAll(async () => {
  server.close();
  await once(server, 'close');
});

/** POSTs these exact bytes (supertest would turn a Buffer into JSON of its own). */
async function postRaw(body: string | Buffer, contentType = 'application/json') {
  const { port } = server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}/api/echo`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  return { status: response.status, body: (await response.json()) as { body: { title: string }; errors?: unknown } };
}

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('how deeply a body may nest', () => {
  it(`takes a body nested ${MAX_BODY_DEPTH} deep`, async () => {
    const response = await postRaw(`{"a":${nested(MAX_BODY_DEPTH - 1)}}`);

    expect(response.status).toBe(201);
  });

  it.each([MAX_BODY_DEPTH + 1, 8_000, 50_000])('answers a body nested %i deep with 400, not a 500', async (depth) => {
    const response = await postRaw(`{"title":${nested(depth - 1)}}`);

    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      errors: [{ message: `Request body must not be nested more than ${MAX_BODY_DEPTH} levels deep` }],
    });
  });

  it('does not count brackets inside strings, escaped quotes included', async () => {
    const text = `{"title":"${'['.repeat(100)}\\"${'{'.repeat(100)}"}`;

    const response = await postRaw(text);

    expect(response.status).toBe(201);
    expect(response.body.body.title).toHaveLength(201);
  });

  it('counts depth as the parser sees it', () => {
    const bytes = (text: string) => Buffer.from(text);
    expect(nestedDeeperThan(bytes('[[]]'), 2)).toBe(false);
    expect(nestedDeeperThan(bytes('[[[]]]'), 2)).toBe(true);
    expect(nestedDeeperThan(bytes('[[],[],[]]'), 2)).toBe(false);
    expect(nestedDeeperThan(bytes('["\\\\",[[]]]'), 2)).toBe(true);
    expect(nestedDeeperThan(bytes('{"a":{"b":{}}}'), 2)).toBe(true);
  });
});

describe('text no field may hold', () => {
  it.each([
    ['NUL', 'tok_\u0000visa'],
    ['a line feed', 'a\nb'],
    ['DEL', 'a\u007fb'],
    ['a C1 control (NEL)', 'a\u0085b'],
  ])('refuses a string with %s: 400 naming the field', async (_case, token) => {
    const response = await request(app).post('/api/echo').send({ orderId: 'x', token });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      errors: [{ message: 'Token must not contain control characters', field: 'token' }],
    });
  });

  it('refuses a control character deep inside a field', async () => {
    const response = await request(app)
      .post('/api/echo')
      .send({ ticket: { seats: ['A1', 'B\u00002'] } });

    expect(response.body).toEqual({
      errors: [{ message: 'Ticket must not contain control characters', field: 'ticket' }],
    });
  });

  it('refuses a control character in a key without naming a field', async () => {
    const response = await postRaw('{"tok\\u0000en":"tok_visa"}');

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'Request body must not contain control characters' }] });
  });

  it('refuses a string ending in a line break (payments’ token check trims it: see its tests)', async () => {
    const response = await request(app).post('/api/echo').send({ token: 'tok_visa\n' });

    expect(response.status).toBe(400);
  });

  it('tells a caller who is not signed in so first, as it does for any other invalid body', async () => {
    const response = await request(app).put('/api/private').send({ title: 'a\u0000b' });

    expect(response.status).toBe(401);
  });

  it('keeps letters, accents, emoji and spaces', async () => {
    const response = await request(app).post('/api/echo').send({ title: 'Café 🎵 日本 — the show' });

    expect(response.status).toBe(201);
  });
});

describe('bytes and charsets', () => {
  it('refuses bytes that are not UTF-8 inside a string, instead of storing U+FFFD', async () => {
    const response = await postRaw(
      Buffer.concat([Buffer.from('{"title":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
    );

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'Request body must be valid UTF-8 text' }] });
  });

  it('refuses an overlong encoding and a lone continuation byte', async () => {
    for (const bytes of [[0xc0, 0xaf], [0x80], [0xed, 0xa0, 0x80]]) {
      const response = await postRaw(Buffer.concat([Buffer.from('{"t":"'), Buffer.from(bytes), Buffer.from('"}')]));
      expect(response.status).toBe(400);
    }
  });

  it.each(['utf-16', 'UTF-16LE', 'utf-32', 'latin1', 'utf-7'])('answers charset=%s with 415', async (charset) => {
    const response = await postRaw('{"title":"concert"}', `application/json; charset=${charset}`);

    expect(response.status).toBe(415);
    expect(response.body).toEqual({
      errors: [{ message: `Request body must be JSON in UTF-8 (charset ${charset.toLowerCase()} is not supported)` }],
    });
  });

  it('takes charset=utf-8 in any case, and no charset at all', async () => {
    for (const type of ['application/json; charset=UTF-8', 'application/json; charset=utf-8', 'application/json']) {
      expect((await postRaw('{"title":"concert"}', type)).status).toBe(201);
    }
  });
});

describe('query parameters that take one value', () => {
  it.each(['limit[]=1', 'limit[a]=1', 'limit=1&limit=2', 'limit[0]=1&limit[1]=2'])(
    'answers %s with 400 on the parameter',
    async (search) => {
      const response = await request(app).get(`/api/echo?${search}`);

      expect(response.status).toBe(400);
      expect(response.body).toEqual({ errors: [{ message: 'Limit must be a whole number', field: 'limit' }] });
    },
  );

  it('ignores unknown names in any shape', async () => {
    const response = await request(app).get('/api/echo?limit=3&x[]=1&y[a][b]=2');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ limit: '3' });
  });
});
