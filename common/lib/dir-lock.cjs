// An exclusive lock on a data directory for the life of a process. Plain CommonJS with no
// dependencies, so the runner can take one before `npm ci` has run, and services alike.
//
// The lock is a listening Unix socket named after the directory's real path. On Linux it
// lives in the abstract namespace, which the kernel frees the moment the holder ends, however
// it ends (`kill -9` included): a lock never goes stale and no pid file needs guessing. A
// second taker fails to bind at once, connects instead, and the holder answers with its pid,
// which the refusal names. Elsewhere the socket is a file under the temp folder; one nobody
// answers on is stale and taken over.
'use strict';
const { createHash } = require('node:crypto');
const { mkdirSync, realpathSync, unlinkSync } = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ASK_TIMEOUT_MS = 1_000;

/** Thrown when another process holds the directory. */
class DirectoryLockedError extends Error {
  constructor(dir, holder) {
    const who = holder ? `pid ${holder.pid}${holder.owner ? ` (${holder.owner})` : ''}` : 'another process';
    super(`${dir} is in use by ${who}`);
    this.name = 'DirectoryLockedError';
    this.code = 'EDIRLOCKED';
    this.dir = dir;
    this.holder = holder;
  }
}

function socketAddress(dir, abstract) {
  const key = createHash('sha256').update(realpathSync(dir)).digest('hex').slice(0, 40);
  if (abstract) return `\0ticketing-lock-${key}`;
  const folder = path.join(
    os.tmpdir(),
    `ticketing-locks-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`,
  );
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  return path.join(folder, `${key}.sock`);
}

function bind(address, identity) {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.end(identity);
    });
    server.once('error', reject);
    server.listen({ path: address, exclusive: true }, () => {
      server.off('error', reject);
      // The lock must not keep a process alive that has nothing else to do.
      server.unref();
      resolve(server);
    });
  });
}

/** Asks the holder who it is: `{ pid, owner }`, or null when nobody answers (a stale socket file). */
function askHolder(address) {
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect({ path: address });
    const done = (value) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done({ pid: undefined }), ASK_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (text += chunk));
    socket.on('end', () => {
      try {
        done(JSON.parse(text));
      } catch {
        done({ pid: undefined });
      }
    });
    socket.on('error', (error) =>
      done(error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? null : { pid: undefined }),
    );
  });
}

/**
 * Takes the lock on `dir` (created if missing) for this process, or rejects at once with a
 * `DirectoryLockedError` naming the holder's pid. `owner` says who holds it, for that message.
 * Resolves with `release()`; the lock also ends with the process.
 * @param {string} dir
 * @param {{ owner?: string, abstract?: boolean }} [options]
 */
async function lockDirectory(dir, { owner, abstract = process.platform === 'linux' } = {}) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const address = socketAddress(dir, abstract);
  const identity = JSON.stringify({ pid: process.pid, owner });
  for (let attempt = 0; ; attempt++) {
    try {
      const server = await bind(address, identity);
      let released;
      return {
        dir,
        release: () =>
          (released ??= new Promise((resolve) => {
            server.close(() => resolve());
          })),
      };
    } catch (error) {
      if (error.code !== 'EADDRINUSE') throw error;
      const holder = await askHolder(address);
      // Only a socket file can be stale: its process ended without removing it.
      if (holder === null && !abstract && attempt === 0) {
        try {
          unlinkSync(address);
        } catch {
          // someone else cleared it
        }
        continue;
      }
      throw new DirectoryLockedError(dir, holder ?? undefined);
    }
  }
}

/**
 * Who holds `dir` right now (`{ pid, owner }`), or undefined when it is free. Takes and
 * releases the lock to find out, so it is only a snapshot.
 * @param {string} dir
 * @param {{ abstract?: boolean }} [options]
 */
async function directoryHolder(dir, options = {}) {
  try {
    const lock = await lockDirectory(dir, options);
    await lock.release();
    return undefined;
  } catch (error) {
    if (error instanceof DirectoryLockedError) return error.holder ?? { pid: undefined };
    throw error;
  }
}

module.exports = { lockDirectory, directoryHolder, DirectoryLockedError };
