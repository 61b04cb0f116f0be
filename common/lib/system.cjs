// Finding system programs and free ports. Plain CommonJS with no dependencies, so the
// runner scripts can use it before `npm ci` has run, and the test harnesses alike.
'use strict';
const { randomInt } = require('node:crypto');
const { accessSync, constants, readFileSync } = require('node:fs');
const net = require('node:net');
const path = require('node:path');

// Where Debian puts server programs that are not on a normal user's PATH.
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin', '/usr/lib/postgresql/15/bin'];

/** The absolute path of a program on PATH (or the usual sbin folders), or undefined. */
function which(name) {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), ...EXTRA_DIRS]) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** Like `which`, but throws naming how to install the program. */
function findExecutable(name, installHint) {
  const found = which(name);
  if (!found) throw new Error(`${name} was not found. Install it with: ${installHint}`);
  return found;
}

/**
 * The local ports Linux gives outgoing connections (`ip_local_port_range`). A port handed out
 * for something to listen on later must stay out of it: meanwhile any outgoing connection of
 * any process (a database pool, a bus client) may take it as its own, and the listen then
 * fails with EADDRINUSE.
 */
function ephemeralPorts() {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low > 0 && high >= low) return { low, high };
  } catch {
    // not Linux: the usual defaults
  }
  return { low: 32768, high: 60999 };
}

// Listening ports are drawn from here up to the ephemeral range (10000–32767 on Linux).
const LISTEN_PORTS_FROM = 10_000;

/** Resolves true when something may listen on the port now (on every local address). */
function canListen(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/** The port the OS picks for a listen on 127.0.0.1: free now, but from the ephemeral range. */
function kernelPort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * A port that is free now, for something to listen on shortly: drawn at random below the
 * ephemeral range (see `ephemeralPorts`), so no outgoing connection takes it meanwhile.
 */
async function freePort() {
  const { low } = ephemeralPorts();
  if (low - LISTEN_PORTS_FROM < 1_000) return kernelPort();
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = LISTEN_PORTS_FROM + randomInt(low - LISTEN_PORTS_FROM);
    if (await canListen(port)) return port;
  }
  return kernelPort();
}

/** Resolves true when nothing listens on the port (on any local address). */
function isPortFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/** Resolves once something accepts connections on 127.0.0.1:port, or rejects after timeoutMs. */
async function waitForPort(port, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

module.exports = { which, findExecutable, freePort, isPortFree, waitForPort };
