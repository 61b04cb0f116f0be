// Limits that keep slow or greedy clients from starving an HTTP server: header and request
// timeouts, and a cap on the connections one client address may hold open. Plain CommonJS
// with no dependencies: the services apply them, and the local edge (nginx) takes its numbers.
'use strict';

/** What every server here applies unless told otherwise. */
const DEFAULT_LIMITS = Object.freeze({
  // The whole header block must arrive within this time…
  headersTimeoutMs: 10_000,
  // …and the whole request, body included (a slow upload is cut off with 408).
  requestTimeoutMs: 30_000,
  // An idle keep-alive connection is closed after this time.
  keepAliveTimeoutMs: 5_000,
  // Connections one address may hold open at once; more are closed as they open.
  maxConnectionsPerClient: 128,
});

/**
 * Options for `http.createServer`: how often Node checks the header and request timeouts
 * (by default only every 30 s, which would let a timeout run up to 30 s late).
 * @param {Partial<typeof DEFAULT_LIMITS>} [limits]
 */
function serverOptions(limits = {}) {
  const { headersTimeoutMs, requestTimeoutMs } = { ...DEFAULT_LIMITS, ...limits };
  return {
    connectionsCheckingInterval: Math.max(
      100,
      Math.min(1_000, Math.floor(Math.min(headersTimeoutMs, requestTimeoutMs) / 4)),
    ),
  };
}

// What Node's HTTP parser refuses before any handler runs, answered in the error format
// (Node's own answer has no body at all).
const CLIENT_ERRORS = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'Request headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'Request took too long to arrive'],
};

function answerClientError(error, socket) {
  if (error.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
  const [status, reason, message] = CLIENT_ERRORS[error.code] ?? [400, 'Bad Request', 'Malformed HTTP request'];
  const body = JSON.stringify({ errors: [{ message }] });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Applies the limits to an HTTP server (create it with `serverOptions()` so the timeouts are
 * checked in time). `onRefused(address)` is called for each connection refused by the cap.
 * A request the HTTP parser refuses is answered in the error format (400, 408 or 431).
 * @param {import('node:http').Server} server
 * @param {Partial<typeof DEFAULT_LIMITS> & { onRefused?: (address: string) => void }} [limits]
 */
function applyLimits(server, limits = {}) {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs, maxConnectionsPerClient } = {
    ...DEFAULT_LIMITS,
    ...limits,
  };
  server.on('clientError', answerClientError);
  server.headersTimeout = headersTimeoutMs;
  server.requestTimeout = requestTimeoutMs;
  server.keepAliveTimeout = keepAliveTimeoutMs;
  const open = new Map();
  // Before the HTTP parser sees the socket: a refused connection costs nothing more.
  server.prependListener('connection', (socket) => {
    const address = socket.remoteAddress ?? '';
    const count = open.get(address) ?? 0;
    if (count >= maxConnectionsPerClient) {
      socket.destroy();
      limits.onRefused?.(address);
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
  return server;
}

module.exports = { DEFAULT_LIMITS, serverOptions, applyLimits };
