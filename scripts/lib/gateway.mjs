// The local stand-in for ingress-nginx: routes by the Ingress manifest the cluster uses.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { applyLimits, DEFAULT_LIMITS, serverOptions } from '../../common/lib/http-limits.cjs';

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

// Hop-by-hop headers describe one connection, not the message: a proxy must not forward them
// (nor those the Connection header names).
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

/** The largest request body the gateway takes, as ingress-nginx's default `proxy-body-size`. */
export const MAX_BODY_BYTES = 1024 * 1024;

function hopByHop(headers) {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  return new Set([...HOP_BY_HOP, ...named]);
}

/**
 * The headers to send upstream: end-to-end ones only, and no forwarding headers from the
 * client, whose X-Forwarded-For a service trusting one hop would otherwise believe.
 */
function upstreamHeaders(headers) {
  const drop = hopByHop(headers);
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => {
      const lower = name.toLowerCase();
      return !drop.has(lower) && !lower.startsWith('x-forwarded-') && lower !== 'forwarded' && lower !== 'x-real-ip';
    }),
  );
}

/** Raw [name, value, name, value…] headers without hop-by-hop ones (keeps repeated Set-Cookie). */
function endToEndRaw(rawHeaders) {
  const drop = new Set(HOP_BY_HOP);
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === 'connection') {
      for (const name of rawHeaders[i + 1].split(',')) drop.add(name.trim().toLowerCase());
    }
  }
  const kept = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (!drop.has(rawHeaders[i].toLowerCase())) kept.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return kept;
}

function sendError(res, status, message, extra = {}) {
  const body = JSON.stringify({ errors: [{ message }] });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-content-type-options': 'nosniff',
    ...extra,
  });
  res.end(body);
}

/**
 * The path to forward and the host a request is for, or undefined for a request target the
 * gateway does not serve. Origin-form (`/path?query`) is the norm; absolute-form
 * (`http://host/path`) is turned into origin-form with its host as the Host (RFC 9112 §3.2.2),
 * so the app never sees a foreign absolute URL to redirect to.
 */
export function requestTarget(url, hostHeader) {
  if (url.startsWith('/')) return { path: url, host: hostHeader ?? '' };
  if (/^https?:\/\//i.test(url)) {
    try {
      const parsed = new URL(url);
      return { path: `${parsed.pathname}${parsed.search}`, host: parsed.host };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Remembers which backends are down, so that an outage is logged once when it starts and
 * once when it ends (with how many requests failed meanwhile), not once per request.
 */
function backendHealth(log) {
  const down = new Map();
  return {
    failed(service, error) {
      let outage = down.get(service);
      if (!outage) {
        outage = { since: Date.now(), failed: 0 };
        down.set(service, outage);
        log(`${service} is down (${error.code ?? error.message}); answering 503 until it is back`);
      }
      outage.failed++;
    },
    answered(service) {
      const outage = down.get(service);
      if (!outage) return;
      down.delete(service);
      const seconds = ((Date.now() - outage.since) / 1000).toFixed(1);
      log(`${service} is back after ${seconds} s; ${outage.failed} request(s) failed meanwhile`);
    },
  };
}

// How long an instance that refused a connection is passed over while another may answer.
const DOWN_FOR_MS = 1_000;

/** Round robin over each service's instances, passing over those that refused lately. */
function instancePicker(ports) {
  const turn = new Map();
  const downUntil = new Map();
  const list = (service) => [ports[service]].flat();
  return {
    count: (service) => list(service).length,
    /** The next instance in turn not yet `tried`, preferring those not lately down. */
    next(service, tried) {
      const instances = list(service);
      const start = turn.get(service) ?? 0;
      turn.set(service, (start + 1) % instances.length);
      const inTurn = instances.map((_, i) => instances[(start + i) % instances.length]);
      const now = Date.now();
      const fresh = inTurn.filter((port) => !tried.has(port));
      return fresh.find((port) => (downUntil.get(port) ?? 0) <= now) ?? fresh[0] ?? inTurn[0];
    },
    down(service, port) {
      downUntil.set(port, Date.now() + DOWN_FOR_MS);
    },
  };
}

/**
 * An HTTP server that forwards each request to the port its Ingress route's service runs on,
 * as ingress-nginx would: the request body is read whole first (up to 1 MB, like nginx's
 * request buffering), so a slow upload holds only its own connection, never a backend's;
 * X-Forwarded-For/-Proto/-Host/-Port are set from what the gateway saw, replacing whatever
 * the client sent; Host and cookies pass through. A backend that is down answers 503 in the
 * contract's error format. Slow or greedy clients are cut off by header and request
 * timeouts and a per-address connection cap (`limits`, see common/lib/http-limits.cjs).
 * A service may run as several instances (`ports[service]` a list): requests go to them in
 * turn; one that refuses the connection is skipped for a moment and the request goes to the
 * next, and a GET or HEAD whose instance died before answering is sent to the next one too.
 * A request with a body that an instance dies holding is not repeated (it may have been
 * carried out): it answers 503, as with one instance.
 * @param {{ routes: ReturnType<typeof loadIngressRoutes>, ports: Record<string, number | number[]>,
 *   log?: (line: string) => void, limits?: Partial<import('../../common/lib/http-limits.cjs').HttpLimits> }} options
 */
export function createGateway({ routes, ports, log = () => {}, limits = {} }) {
  // Fewer than a service accepts from one address (512), so the gateway is never refused.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  // A request that changes something goes on a connection of its own: on a kept-alive one, a
  // reset cannot tell "the instance had closed it while idle" (never arrived, safe to send
  // again) from "the instance died carrying it out" (sending it again could do it twice).
  const writes = new http.Agent({ keepAlive: false, maxSockets: 256 });
  const health = backendHealth(log);
  const pick = instancePicker(ports);
  let refused = 0;
  const server = http.createServer(serverOptions(limits), (req, res) => {
    const target = requestTarget(req.url ?? '', req.headers.host);
    if (!target) {
      if (req.method === 'OPTIONS' && req.url === '*') {
        res.writeHead(204, { allow: 'GET, HEAD, POST, PUT, DELETE, OPTIONS' });
        return res.end();
      }
      return sendError(res, 400, 'Bad request target');
    }
    const route = matchRoute(routes, target.path);
    if (!route) return sendError(res, 404, 'Not Found');
    if (!ports[route.service]) return sendError(res, 503, `${route.service} is not running here`);

    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES)
      return sendError(res, 413, 'Request body must not exceed 1 MB', { connection: 'close' });
    const chunks = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        req.pause();
        sendError(res, 413, 'Request body must not exceed 1 MB', { connection: 'close' });
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => {
      if (tooLarge) return;
      const body = Buffer.concat(chunks);
      const headers = {
        ...upstreamHeaders(req.headers),
        host: target.host,
        'x-forwarded-for': req.socket.remoteAddress ?? '',
        'x-forwarded-proto': 'http',
        'x-forwarded-host': target.host,
        'x-forwarded-port': String(req.socket.localPort ?? ''),
      };
      if (body.length > 0 || req.headers['content-length'] !== undefined || req.headers['transfer-encoding']) {
        headers['content-length'] = String(body.length);
      }
      const idempotent = req.method === 'GET' || req.method === 'HEAD';
      const tried = new Set();
      const forward = (retry) => {
        const port = pick.next(route.service, tried);
        tried.add(port);
        const upstream = http.request(
          {
            host: '127.0.0.1',
            port,
            method: req.method,
            path: target.path,
            headers,
            agent: idempotent ? agent : writes,
          },
          (response) => {
            health.answered(route.service);
            res.writeHead(response.statusCode ?? 502, endToEndRaw(response.rawHeaders));
            response.pipe(res);
          },
        );
        upstream.on('error', (error) => {
          if (res.headersSent) return res.destroy(error);
          // A kept-alive connection the backend closed while idle: the request never reached it.
          const neverArrived =
            error.code === 'ECONNREFUSED' ||
            (upstream.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE'));
          if (error.code === 'ECONNREFUSED') pick.down(route.service, port);
          if (retry && (neverArrived || (idempotent && error.code === 'ECONNRESET'))) {
            // Another instance, or (one instance, a stale connection) the same one afresh.
            return forward(pick.count(route.service) > tried.size);
          }
          health.failed(route.service, error);
          sendError(res, 503, `${route.service} is unavailable, please try again shortly`);
        });
        res.once('close', () => {
          if (!res.writableFinished) upstream.destroy();
        });
        upstream.end(body);
      };
      forward(true);
    });
  });
  return applyLimits(server, {
    ...limits,
    onRefused: (address) => {
      // Once per burst, not once per connection.
      if (refused++ === 0) {
        log(
          `refusing connections from ${address}: over ${limits.maxConnectionsPerClient ?? DEFAULT_LIMITS.maxConnectionsPerClient} open at once`,
        );
        setTimeout(() => (refused = 0), 10_000).unref();
      }
    },
  });
}
