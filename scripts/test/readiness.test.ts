import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { httpProbe, natsProbe, waitUntilReady } from '../lib/readiness.mjs';

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('when a component counts as up', () => {
  it('waits for an HTTP component to answer 200, not merely for its port to open', async () => {
    const readyAt = Date.now() + 1_000;
    const server = http.createServer((_req, res) => {
      res.statusCode = Date.now() < readyAt ? 503 : 200;
      res.end();
    });
    const port = await listen(server);

    await waitUntilReady([httpProbe('slow', port, '/readyz')], { timeoutMs: 10_000 });

    expect(Date.now()).toBeGreaterThanOrEqual(readyAt);
    server.close();
  });

  it('waits for a NATS server to greet a connection, not for a port that only accepts', async () => {
    let greet = false;
    const server = net.createServer((socket) => {
      if (greet) socket.write('INFO {"server_id":"x"}\r\n');
    });
    const port = await listen(server);

    expect(await natsProbe('nats', port).check()).toBe(false);
    greet = true;
    expect(await natsProbe('nats', port).check()).toBe(true);
    server.close();
  });

  it('names the components that never answered', async () => {
    const server = http.createServer((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const port = await listen(server);

    await expect(waitUntilReady([httpProbe('tickets', port, '/readyz')], { timeoutMs: 300 })).rejects.toThrow(
      'tickets did not answer within 0.3 s',
    );
    server.close();
  });
});
