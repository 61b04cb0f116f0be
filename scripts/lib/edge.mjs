// The local edge: nginx — the engine ingress-nginx runs — configured from the Ingress
// manifest the cluster uses, routing and answering as ingress-nginx would.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_LIMITS } from '@ticketing/common/http-limits';
import { freePort, which } from '@ticketing/common/system';
import { SupervisedProcess } from './supervisor.mjs';

/**
 * Reads the Ingress manifest and returns its routes in the order ingress-nginx tries them
 * with `use-regex`: each path is a case-insensitive regex anchored at the start, longer
 * paths first. The rule's host is ignored locally (every request is for the app).
 * @param {string} file
 * @returns {{ path: string, service: string, port: number }[]}
 */
export function loadIngressRoutes(file) {
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJS());
  const ingress = docs.find((doc) => doc?.kind === 'Ingress');
  if (!ingress) throw new Error(`${file} holds no Ingress`);
  const routes = [];
  for (const rule of ingress.spec?.rules ?? []) {
    for (const entry of rule.http?.paths ?? []) {
      const { name, port } = entry.backend.service;
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new Error(`${file}: "${name}" is not a Service name`);
      if (/[\s"'{};\\]/.test(entry.path)) throw new Error(`${file}: the path "${entry.path}" cannot be routed`);
      routes.push({ path: entry.path, service: name, port: port.number });
    }
  }
  // Array.prototype.sort is stable: equal lengths keep the manifest's order, as nginx does.
  return routes.sort((a, b) => b.path.length - a.path.length);
}

/** The largest request body the edge takes, as ingress-nginx's default `proxy-body-size`. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * What the edge answers itself, in the contract's error format: [status, message] by the
 * status nginx would otherwise answer with its HTML page. 494 is nginx's own code for
 * headers that do not fit; the client sees 431.
 */
const OWN_ANSWERS = {
  400: [400, 'Malformed HTTP request'],
  404: [404, 'Not Found'],
  408: [408, 'Request took too long to arrive'],
  413: [413, 'Request body must not exceed 1 MB'],
  414: [414, 'Request target is too long'],
  429: [429, 'Too many connections from your address'],
  494: [431, 'Request headers are too large'],
  500: [500, 'Something went wrong'],
};

/** A JSON body in an nginx string: the messages above and the service names are plain text. */
function errorBody(message) {
  return `'${JSON.stringify({ errors: [{ message }] })}'`;
}

/** Where the edge's own answers live, internal only (a client asking for one is routed as any path). */
const ANSWERS_PATH = '/.edge-answer/';

const ms = (value) => `${Math.max(1, Math.round(value))}ms`;

/**
 * nginx's configuration for the edge, as text. `upstreams` maps each Service name to the
 * local ports of its instances (a service not there is answered 503 "not running here").
 * @param {{ routes: ReturnType<typeof loadIngressRoutes>, upstreams: Record<string, number | number[]>,
 *   host: string, port: number, dir: string, user?: string,
 *   limits?: Partial<import('@ticketing/common/http-limits').HttpLimits> }} options
 */
export function edgeConfig({ routes, upstreams, host, port, dir, user, limits = {} }) {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs, maxConnectionsPerClient } = {
    ...DEFAULT_LIMITS,
    ...limits,
  };
  const served = [...new Set(routes.map((route) => route.service))].filter((service) => upstreams[service]);
  const upstreamBlocks = served.map((service) => {
    const servers = [upstreams[service]]
      .flat()
      // One failure passes an instance over for a second, while another may answer.
      .map((instance) => `    server 127.0.0.1:${instance} max_fails=1 fail_timeout=1s;`);
    return [
      `  upstream ${service} {`,
      ...servers,
      '    keepalive 64;',
      // Closed before the services close an idle connection (keepAliveTimeoutMs), so a request
      // is never sent on a connection the instance is closing.
      `    keepalive_timeout ${ms(DEFAULT_LIMITS.keepAliveTimeoutMs - 1_000)};`,
      '  }',
    ].join('\n');
  });
  const json = ['default_type application/json;', 'charset utf-8;', 'charset_types application/json;'];
  const locations = routes.map(({ path: regex, service }) =>
    upstreams[service]
      ? `    location ~* ^${regex} {\n      set $edge_service ${service};\n      proxy_pass http://${service};\n    }`
      : `    location ~* ^${regex} {\n      ${json.join(' ')}\n      return 503 ${errorBody(`${service} is not running here`)};\n    }`,
  );
  const own = Object.entries(OWN_ANSWERS).map(
    ([code, [status, message]]) =>
      // A URI, not a named location: a request line nginx could not read has no URI to keep.
      `    error_page ${code} =${status} ${ANSWERS_PATH}${code};\n` +
      `    location = ${ANSWERS_PATH}${code} { internal; ${json.join(' ')} add_header X-Content-Type-Options nosniff always; return ${status} ${errorBody(message)}; }`,
  );
  const temp = (name) => `  ${name}_temp_path ${path.join(dir, 'temp', name)};`;
  return `# Made by the runner from infra/k8s/ingress-srv.yaml on every start; edits are lost.
${user ? `user ${user};\n` : ''}worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
# Failures of the edge itself and upstreams it could not reach; each service logs its own requests.
error_log stderr error;
events {
  worker_connections 8192;
}
http {
  access_log off;
  server_tokens off;
${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n')}
  # A body is read whole before it is forwarded (a slow upload holds only its own connection),
  # and kept in memory: it never exceeds the buffer.
  client_max_body_size ${MAX_BODY_BYTES};
  client_body_buffer_size ${MAX_BODY_BYTES};
  client_header_timeout ${ms(headersTimeoutMs)};
  client_body_timeout ${ms(requestTimeoutMs)};
  send_timeout ${ms(requestTimeoutMs)};
  # Clients are told the idle timeout (Keep-Alive: timeout=N): Node's agent closes an idle
  # connection a second before it, and the edge waits a second after it, so the edge never
  # closes one a client is sending on at that moment (the client would see "socket hang up").
  keepalive_timeout ${ms(keepAliveTimeoutMs + 1_000)} ${Math.max(1, Math.floor(keepAliveTimeoutMs / 1_000))};
  large_client_header_buffers 4 16k;
  limit_conn_zone $binary_remote_addr zone=per_address:1m;
  limit_conn per_address ${maxConnectionsPerClient};
  limit_conn_status 429;

  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host $host;
  # What the edge saw, replacing whatever the client sent.
  proxy_set_header X-Forwarded-For $remote_addr;
  proxy_set_header X-Real-IP $remote_addr;
  proxy_set_header X-Forwarded-Proto $scheme;
  proxy_set_header X-Forwarded-Host $host;
  proxy_set_header X-Forwarded-Port $server_port;
  proxy_set_header Forwarded "";
  # A trace starts here: a client does not choose its trace's id, sampling or baggage.
  proxy_set_header traceparent "";
  proxy_set_header tracestate "";
  proxy_set_header baggage "";
  proxy_connect_timeout 5s;
  proxy_read_timeout 60s;
  proxy_send_timeout 60s;
  proxy_buffer_size 16k;
  proxy_buffers 8 16k;
  proxy_max_temp_file_size 0;
  # A request that never reached an instance goes to the next; one that did goes again only
  # when its method is idempotent (nginx never repeats a POST or a PATCH it has sent).
  proxy_next_upstream error timeout;

${upstreamBlocks.join('\n')}

  server {
    listen ${host.includes(':') ? `[${host}]` : host}:${port} default_server backlog=4096;
    set $edge_service edge;
${own.join('\n')}
    error_page 502 503 504 =503 @unavailable;
    location @unavailable { ${json.join(' ')} add_header X-Content-Type-Options nosniff always; return 503 ${errorBody('$edge_service is unavailable, please try again shortly')}; }
${locations.join('\n')}
  }
}
`;
}

/** A probe that passes once something accepts connections on 127.0.0.1:<port>. */
export function tcpProbe(name, port) {
  return {
    name,
    check: () =>
      new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      }),
  };
}

/**
 * The edge as a supervised child: writes its configuration under `dir` and returns the
 * process, not yet started. As root, its workers run as `nobody` (nginx's master keeps
 * root only to open the port and restart them).
 * @param {Omit<Parameters<typeof edgeConfig>[0], 'user'> & { print: (line: string) => void, color?: boolean }} options
 */
export function edgeProcess({ print, color, ...options }) {
  const binary = which('nginx');
  if (!binary) throw new Error('nginx was not found. Install it: sudo apt-get install nginx');
  mkdirSync(path.join(options.dir, 'temp'), { recursive: true, mode: 0o700 });
  const config = path.join(options.dir, 'nginx.conf');
  const user = process.getuid?.() === 0 ? 'nobody nogroup' : undefined;
  writeFileSync(config, edgeConfig({ ...options, user }), { mode: 0o600 });
  return new SupervisedProcess({
    name: 'edge',
    command: binary,
    // In the foreground, its own prefix and error log: nothing of the system's nginx is touched.
    args: ['-e', 'stderr', '-p', options.dir, '-c', config, '-g', 'daemon off;'],
    env: process.env,
    print,
    color,
    // nginx's fast shutdown: open connections are dropped, as the stop promises.
    stopSignal: 'SIGTERM',
  });
}

/**
 * Starts an edge on its own, outside the stack (the image tier, the edge's tests): on `port`
 * (0: any free port), its files in `dir`. Resolves once it accepts connections.
 * @param {Omit<Parameters<typeof edgeProcess>[0], 'port' | 'print'> & { port?: number, print?: (line: string) => void }} options
 * @returns {Promise<{ url: string, port: number, lines: string[], stop: () => Promise<string> }>}
 */
export async function startEdge({ port = 0, print, ...options }) {
  const edgePort = port || (await freePort());
  const lines = [];
  const edge = edgeProcess({
    ...options,
    port: edgePort,
    print: (line) => {
      lines.push(line);
      print?.(line);
    },
  });
  edge.start();
  const probe = tcpProbe('edge', edgePort);
  const deadline = Date.now() + 10_000;
  while (!(await probe.check())) {
    if (Date.now() > deadline) {
      await edge.stop();
      throw new Error(`the edge did not start within 10 s:\n${lines.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { url: `http://127.0.0.1:${edgePort}`, port: edgePort, lines, stop: () => edge.stop() };
}
