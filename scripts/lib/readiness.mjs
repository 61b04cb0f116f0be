// When is a component up? When it answers, not when its port is open: a port opens before
// the app behind it is ready (Next.js prepares on the first request), and an open port may
// even belong to someone else.
import http from 'node:http';
import net from 'node:net';

const PROBE_TIMEOUT_MS = 2_000;
const RETRY_MS = 100;

/**
 * A probe that passes when `GET http://127.0.0.1:<port><path>` answers 200.
 * @returns {{ name: string, check: () => Promise<boolean> }}
 */
export function httpProbe(name, port, path) {
  return {
    name,
    check: () =>
      new Promise((resolve) => {
        const request = http.get(
          { host: '127.0.0.1', port, path, timeout: PROBE_TIMEOUT_MS, agent: false },
          (response) => {
            response.resume();
            resolve(response.statusCode === 200);
          },
        );
        request.on('timeout', () => request.destroy());
        request.on('error', () => resolve(false));
      }),
  };
}

/**
 * A probe that passes when a NATS server on 127.0.0.1:<port> greets a new connection with
 * its `INFO` line.
 * @returns {{ name: string, check: () => Promise<boolean> }}
 */
export function natsProbe(name, port) {
  return {
    name,
    check: () =>
      new Promise((resolve) => {
        let text = '';
        const socket = net.connect(port, '127.0.0.1');
        const done = (ok) => {
          clearTimeout(timer);
          socket.destroy();
          resolve(ok);
        };
        const timer = setTimeout(() => done(false), PROBE_TIMEOUT_MS);
        socket.setEncoding('utf8');
        socket.on('data', (chunk) => {
          text += chunk;
          if (text.includes('\r\n')) done(text.startsWith('INFO '));
        });
        socket.on('error', () => done(false));
        socket.on('close', () => done(false));
      }),
  };
}

/**
 * Resolves once every probe has passed (each is retried until it does), or rejects after
 * `timeoutMs` naming the components that never answered.
 * @param {{ name: string, check: () => Promise<boolean> }[]} probes
 * @param {{ timeoutMs?: number, signal?: AbortSignal }} [options]
 */
export async function waitUntilReady(probes, { timeoutMs = 120_000, signal } = {}) {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(probes);
  await Promise.all(
    probes.map(async (probe) => {
      for (;;) {
        if (signal?.aborted) throw signal.reason ?? new Error('aborted');
        if (await probe.check()) {
          pending.delete(probe);
          return;
        }
        if (Date.now() > deadline) {
          throw new Error(`${[...pending].map((p) => p.name).join(', ')} did not answer within ${timeoutMs / 1000} s`);
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }),
  );
}
