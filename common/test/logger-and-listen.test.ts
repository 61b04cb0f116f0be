import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { serializeError } from '../src/logger/logger';
import { listen } from '../src/service/shutdown';

describe('serializeError', () => {
  it('drops the SQL parameters Drizzle puts into a failed query, keeping the cause', () => {
    const cause = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    const error = Object.assign(
      new Error(
        'Failed query: insert into users (email, password_hash) values ($1, $2)\nparams: a@b.co,scrypt$16384$8$1$salt$hash',
        {
          cause,
        },
      ),
      { params: ['a@b.co', 'scrypt$16384$8$1$salt$hash'], query: 'insert …' },
    );

    const serialized = serializeError(error);

    const text = JSON.stringify(serialized);
    expect(text).not.toContain('scrypt$');
    expect(text).not.toContain('a@b.co');
    expect(serialized).toMatchObject({
      type: 'Error',
      message: 'Failed query: insert into users (email, password_hash) values ($1, $2)',
      cause: { message: 'duplicate key value violates unique constraint', code: '23505' },
    });
  });

  it('serializes non-errors as a message', () => {
    expect(serializeError('boom')).toEqual({ message: 'boom' });
  });
});

describe('listen', () => {
  it('rejects when the port is taken instead of pretending to listen', async () => {
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    const { port } = taken.address() as AddressInfo;

    await expect(listen((_req, res) => res.end(), port)).rejects.toMatchObject({ code: 'EADDRINUSE' });

    taken.close();
  });

  it('resolves with the listening server', async () => {
    const server = await listen((_req, res) => res.end('ok'), 0);

    const { port } = server.address() as AddressInfo;
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
    server.close();
  });
});

describe('listen: slow and greedy clients', () => {
  it('cuts off a client that never finishes its headers, and serves others meanwhile', async () => {
    const server = await listen((_req, res) => res.end('ok'), 0, '127.0.0.1', {
      headersTimeoutMs: 500,
      requestTimeoutMs: 1_000,
    });
    const { port } = server.address() as AddressInfo;
    const slow = net.connect(port, '127.0.0.1');
    slow.on('error', () => {});
    slow.resume();
    const closed = new Promise<number>((resolve) => {
      const started = Date.now();
      slow.once('close', () => resolve(Date.now() - started));
    });
    slow.write('GET / HTTP/1.1\r\nHost: x');

    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
    expect(await closed).toBeLessThan(2_500);
    server.closeAllConnections();
    server.close();
  });

  it('closes connections from one address beyond its cap as they open', async () => {
    const server = await listen((_req, res) => res.end('ok'), 0, '127.0.0.1', { maxConnectionsPerClient: 3 });
    const { port } = server.address() as AddressInfo;
    const sockets = Array.from({ length: 5 }, () => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.5' });
      socket.on('error', () => {});
      return socket;
    });
    // Each asks for a page: a connection let in is answered, one refused is closed unanswered.
    const outcomes = await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<string>((resolve) => {
            socket.once('data', () => resolve('open'));
            socket.once('close', () => resolve('closed'));
            socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
          }),
      ),
    );

    expect(outcomes.filter((o) => o === 'open')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'closed')).toHaveLength(2);
    // Another address is not affected.
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
    for (const socket of sockets) socket.destroy();
    server.closeAllConnections();
    server.close();
  });
});
