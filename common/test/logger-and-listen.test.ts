import http from 'node:http';
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
