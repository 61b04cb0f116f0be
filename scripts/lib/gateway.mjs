// The local stand-in for ingress-nginx: routes by the Ingress manifest the cluster uses.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

/**
 * Reads the Ingress manifest and returns its routes in the order ingress-nginx tries them
 * with `use-regex`: each path is a case-insensitive regex anchored at the start, longer
 * paths first. The rule's host is ignored locally (every request is for the app).
 * @param {string} file
 * @returns {{ path: string, regex: RegExp, service: string, port: number }[]}
 */
export function loadIngressRoutes(file) {
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJS());
  const ingress = docs.find((doc) => doc?.kind === 'Ingress');
  if (!ingress) throw new Error(`${file} holds no Ingress`);
  const routes = [];
  for (const rule of ingress.spec?.rules ?? []) {
    for (const entry of rule.http?.paths ?? []) {
      const { name, port } = entry.backend.service;
      routes.push({ path: entry.path, regex: new RegExp(`^${entry.path}`, 'i'), service: name, port: port.number });
    }
  }
  // Array.prototype.sort is stable: equal lengths keep the manifest's order, as nginx does.
  return routes.sort((a, b) => b.path.length - a.path.length);
}

/**
 * The route a request path takes, or undefined.
 * @param {ReturnType<typeof loadIngressRoutes>} routes
 * @param {string} url the request URL (path and query)
 */
export function matchRoute(routes, url) {
  const path = url.split('?')[0] ?? '/';
  return routes.find((route) => route.regex.test(path));
}

// Hop-by-hop headers describe one connection, not the message: a proxy must not forward them.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers) {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

/** Raw [name, value, name, value…] headers without hop-by-hop ones (keeps repeated Set-Cookie). */
function endToEndRaw(rawHeaders) {
  const kept = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (!HOP_BY_HOP.has(rawHeaders[i].toLowerCase())) kept.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return kept;
}

function sendError(res, status, message) {
  const body = JSON.stringify({ errors: [{ message }] });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * An HTTP server that forwards each request to the port its Ingress route's service runs
 * on, passing Host, cookies and X-Forwarded-* through; a service that is down answers 503
 * in the contract's error format.
 * @param {{ routes: ReturnType<typeof loadIngressRoutes>, ports: Record<string, number>, log?: (line: string) => void }} options
 */
export function createGateway({ routes, ports, log = () => {} }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  return http.createServer((req, res) => {
    const route = matchRoute(routes, req.url ?? '/');
    if (!route) return sendError(res, 404, 'Not Found');
    const port = ports[route.service];
    if (!port) return sendError(res, 503, `${route.service} is not running here`);

    const remote = req.socket.remoteAddress ?? '';
    const headers = {
      ...endToEnd(req.headers),
      'x-forwarded-for': req.headers['x-forwarded-for'] ? `${req.headers['x-forwarded-for']}, ${remote}` : remote,
      'x-forwarded-proto': req.headers['x-forwarded-proto'] ?? 'http',
      'x-forwarded-host': req.headers['x-forwarded-host'] ?? req.headers.host ?? '',
      'x-forwarded-port': req.headers['x-forwarded-port'] ?? String(req.socket.localPort ?? ''),
    };
    const upstream = http.request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers, agent },
      (response) => {
        res.writeHead(response.statusCode ?? 502, endToEndRaw(response.rawHeaders));
        response.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (res.headersSent) return res.destroy(error);
      log(`${route.service} unavailable for ${req.method} ${req.url}: ${error.message}`);
      sendError(res, 503, `${route.service} is unavailable, please try again shortly`);
    });
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  });
}
