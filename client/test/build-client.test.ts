import { buildClient, clientConfig, currentRuntime } from '../lib/api/build-client';
import { startRecorder, type HttpRecorder } from './http-recorder';

const incoming = (headers: Record<string, string>) => new Headers(headers);

describe('clientConfig', () => {
  it('aims browser calls at the same origin, with no headers of its own', () => {
    expect(clientConfig('browser')).toEqual({ baseURL: '/' });
  });

  it('aims server calls at API_URL with only the cookie and host of the visitor’s request', () => {
    const config = clientConfig('server', {
      apiUrl: 'http://ingress-nginx-controller.ingress-nginx.svc.cluster.local',
      requestHeaders: incoming({
        cookie: 'session=abc',
        host: 'ticketing.dev',
        'accept-encoding': 'br',
        'content-length': '12',
        connection: 'keep-alive',
      }),
    });
    expect(config.baseURL).toBe('http://ingress-nginx-controller.ingress-nginx.svc.cluster.local');
    expect(config.headers).toEqual({ cookie: 'session=abc', host: 'ticketing.dev' });
    expect(config.timeout).toBeGreaterThan(0);
  });

  it('sends no cookie header for a signed-out visitor', () => {
    const config = clientConfig('server', {
      apiUrl: 'http://edge:3000',
      requestHeaders: incoming({ host: 'localhost:3000' }),
    });
    expect(config.headers).toEqual({ host: 'localhost:3000' });
  });

  it('refuses to build a server client without the request context', () => {
    expect(() => clientConfig('server')).toThrow(/request context/);
  });
});

describe('buildClient', () => {
  let api: HttpRecorder;

  beforeAll(async () => {
    api = await startRecorder((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ currentUser: null }));
    });
  });

  afterAll(() => api.close());

  it('runs as the server under Node', () => {
    expect(currentRuntime()).toBe('server');
  });

  it('forwards the visitor’s cookie and Host to API_URL on the server', async () => {
    const client = buildClient({
      apiUrl: api.url,
      requestHeaders: incoming({ cookie: 'session=eyJqd3QiOiJ4In0=', host: 'ticketing.dev' }),
    });

    const { data } = await client.get('/api/users/currentuser');

    expect(data).toEqual({ currentUser: null });
    const [request] = api.requests.slice(-1);
    expect(request?.url).toBe('/api/users/currentuser');
    expect(request?.headers.cookie).toBe('session=eyJqd3QiOiJ4In0=');
    expect(request?.headers.host).toBe('ticketing.dev');
  });
});
