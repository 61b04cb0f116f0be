import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { sessionCookie, TEST_JWT_KEY } from '@ticketing/common/testing';
import { startStack } from '../lib/stack.mjs';

const root = path.join(__dirname, '..', '..');
const RUNS_PER_ROUTE = 1_000;
const CONCURRENCY = 8;

/** Every API route, as a client reaches it through the edge. */
const ROUTES: { method: string; path: string }[] = [
  { method: 'POST', path: '/api/users/signup' },
  { method: 'POST', path: '/api/users/signin' },
  { method: 'POST', path: '/api/users/signout' },
  { method: 'GET', path: '/api/users/currentuser' },
  { method: 'GET', path: '/api/tickets' },
  { method: 'POST', path: '/api/tickets' },
  { method: 'GET', path: '/api/tickets/{id}' },
  { method: 'PUT', path: '/api/tickets/{id}' },
  { method: 'POST', path: '/api/orders' },
  { method: 'GET', path: '/api/orders' },
  { method: 'GET', path: '/api/orders/{id}' },
  { method: 'DELETE', path: '/api/orders/{id}' },
  { method: 'POST', path: '/api/payments' },
  { method: 'GET', path: '/api/payments' },
];

interface Sample {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** A string is sent as UTF-8; bytes as they are (some are no UTF-8 at all). */
  body?: string | number[];
}

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
const pathPiece = fc.oneof(
  fc.uuid(),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.constantFrom('%', '%E0', '%ZZ', '..', '.', '%2F', '%00', 'a%20b', ';x', '~', '%F0%9F%8E%B5'),
);

/** Text a field may not hold: control characters (NUL among them) and unpaired surrogates, among letters. */
const hostileText = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', ' ', '\u0000', '\n', '\u007f', '\u0085', '\ud800', '\udc00'), maxLength: 12 }),
  fc.constantFrom('tok_\u0000visa', '\u0000', 'a\tb', '\ud83c', 'tok_visa\r\n'),
);

/** JSON nested `depth` deep, around a field of a route. */
const deeplyNested = fc
  .tuple(
    fc.integer({ min: 30, max: 9_000 }),
    fc.constantFrom('[', '{"a":'),
    fc.constantFrom('title', 'token', 'ticketId'),
  )
  .map(([depth, opener, field]) => {
    const closer = opener === '[' ? ']' : '}';
    return `{"${field}":${opener.repeat(depth)}1${closer.repeat(depth)}}`;
  });

/** Bytes of a JSON body with bytes inside a string that are not UTF-8 (a lone continuation, an overlong form, ff fe). */
const notUtf8 = fc
  .tuple(
    fc.constantFrom('title', 'token', 'email', 'ticketId', 'orderId'),
    fc.constantFrom([0xff, 0xfe], [0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]),
  )
  .map(([field, bytes]) => [...Buffer.from(`{"${field}":"a`), ...bytes, ...Buffer.from('","price":10}')]);

/** A body: JSON of any shape, a body near the route's own, or bytes that are no JSON at all. */
const body = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc
    .record(
      {
        email: fc.oneof(fc.emailAddress(), fc.string(), fc.jsonValue()),
        password: fc.oneof(fc.string({ maxLength: 40 }), fc.jsonValue()),
        title: fc.oneof(fc.string({ maxLength: 250 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.jsonValue()),
        price: fc.oneof(fc.double(), fc.integer(), fc.jsonValue(), fc.constant('1e400')),
        ticketId: fc.oneof(fc.uuid(), hostileText, fc.jsonValue()),
        orderId: fc.oneof(fc.uuid(), hostileText, fc.jsonValue()),
        token: fc.oneof(fc.constantFrom('tok_visa', 'tok_chargeDeclined', 'tok_nonsense'), hostileText, fc.jsonValue()),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value).replace('"1e400"', '1e400')),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('', '{', '{"title":"\\ud800","price":1}', 'null', '[]', '{"price":1e400,"title":"x"}'),
  fc.record({ title: hostileText, price: fc.constant(10), token: hostileText }).map((value) => JSON.stringify(value)),
  deeplyNested,
  notUtf8,
);

/** A query of known names (in plain, repeated, array and object forms) and unknown ones. */
const queryString = fc
  .array(
    fc.tuple(
      fc.constantFrom('limit', 'cursor', 'orderId', 'x'),
      fc.constantFrom('', '[]', '[a]', '[0]', '[__proto__]'),
      fc.oneof(
        fc
          .oneof(fc.string({ maxLength: 20 }), hostileText, fc.uuid(), fc.constantFrom('1', '100', '0', '-1'))
          // A lone surrogate has no UTF-8 form: it becomes U+FFFD here, as a browser would send it.
          .map((value) => encodeURIComponent(value.replace(/\p{Cs}/gu, '\uFFFD'))),
        // Escapes of bytes that are no UTF-8, and of control characters.
        fc.constantFrom('%00', '%FF%FE', '%ED%A0%80', '%C0%AF', '%0A', '%7F', '%'),
      ),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => pairs.map(([name, shape, value]) => `${name}${shape}=${value}`).join('&'));

function sampleFor(route: { method: string; path: string }): fc.Arbitrary<Sample> {
  return fc.record({
    method: fc.oneof(
      { weight: 8, arbitrary: fc.constant(route.method) },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') },
    ),
    path: fc
      .tuple(pathPiece, fc.option(pathPiece, { nil: undefined }), fc.option(queryString, { nil: undefined }))
      .map(([id, extra, query]) => {
        let url = route.path.replace('{id}', id);
        if (extra !== undefined && !route.path.includes('{id}')) url = `${url}/${extra}`;
        if (query) url += `?${query}`;
        return url;
      }),
    headers: fc
      .record(
        {
          'content-type': fc.constantFrom(
            'application/json',
            'application/json; charset=utf-8',
            'application/json; charset=latin1',
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/json; charset=utf-16',
          ),
          'content-encoding': fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'compress'),
          cookie: fc.oneof(
            { weight: 3, arbitrary: fc.uuid().map((id) => sessionCookie(TEST_JWT_KEY, { id })[0]!) },
            fc.constant(sessionCookie('not-the-key-0123456789abcdef')[0]!),
            headerValue.map((value) => `session=${value}`),
          ),
          'x-forwarded-for': headerValue,
          'sec-fetch-site': fc.constantFrom('same-origin', 'cross-site', 'none'),
        },
        { requiredKeys: [] },
      )
      .chain((known) =>
        fc
          .dictionary(
            token.map((name) => `x-${name.toLowerCase()}`),
            headerValue,
            { maxKeys: 3 },
          )
          .map((extra) => ({ ...known, ...extra })),
      ),
    body: fc.option(body, { nil: undefined }),
  });
}

function send(port: number, sample: Sample): Promise<{ status: number; type: string; text: string }> {
  const body =
    sample.method === 'GET' || sample.body === undefined
      ? undefined
      : typeof sample.body === 'string'
        ? Buffer.from(sample.body, 'utf8')
        : Buffer.from(sample.body);
  // Node sends a DELETE or OPTIONS body without a length unless told one: no valid HTTP message.
  const headers = body ? { ...sample.headers, 'content-length': String(body.length) } : sample.headers;
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method: sample.method, path: sample.path, headers, agent: false },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type'] ?? ''), text }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe(`a fuzz run against the running stack (${RUNS_PER_ROUTE} requests per route)`, () => {
  let dataDir: string;
  let stack: Awaited<ReturnType<typeof startStack>>;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ticketing-fuzz-'));
    stack = await startStack({
      // A throwaway DATA_DIR: its PostgreSQL server need not sync to survive a power cut.
      durable: false,
      root,
      port: 0,
      dataDir,
      natsPort: 0,
      natsMonitorPort: null,
      // Signed-in samples reach the routes' own validation, not only the session check.
      jwtKey: TEST_JWT_KEY,
      logLevel: 'error',
      print: () => {},
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it.each(ROUTES)(
    '$method $path: never a 5xx, always the error format, every process alive',
    async (route) => {
      const pids = stack.processes.map((p: { child?: { pid?: number } }) => p.child?.pid);
      const samples = fc.sample(sampleFor(route), {
        numRuns: RUNS_PER_ROUTE,
        seed: route.path.length * 31 + route.method.length,
      });
      const failures: string[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < samples.length) {
            const sample = samples[next++]!;
            const answer = await send(stack.port, sample);
            const problem =
              answer.status >= 500
                ? `status ${answer.status}`
                : answer.status >= 400 && sample.method !== 'HEAD' && !isErrorFormat(answer)
                  ? `not the error format (${answer.status}): ${answer.type} ${answer.text.slice(0, 80)}`
                  : undefined;
            // A sample can be megabytes of brackets: enough of it to reproduce by eye.
            if (problem) failures.push(`${problem} for ${JSON.stringify(sample).slice(0, 400)}`);
          }
        }),
      );

      expect(failures.slice(0, 5)).toEqual([]);
      expect(stack.processes.map((p: { child?: { pid?: number } }) => p.child?.pid)).toEqual(pids);
      expect((await fetch(`${stack.url}/api/users/currentuser`)).status).toBe(200);
    },
    180_000,
  );
});

function isErrorFormat({ type, text }: { type: string; text: string }): boolean {
  if (!type.startsWith('application/json')) return false;
  try {
    const body = JSON.parse(text) as { errors?: { message?: unknown; field?: unknown }[] };
    return (
      Array.isArray(body.errors) &&
      body.errors.length > 0 &&
      body.errors.every((e) => typeof e.message === 'string' && (e.field === undefined || typeof e.field === 'string'))
    );
  } catch {
    return false;
  }
}
