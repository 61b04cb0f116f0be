import { once } from 'node:events';
import net from 'node:net';

/** A TCP proxy in front of a server, for tests of what a slow or broken network does. */
export interface TcpProxy {
  readonly port: number;
  /** Holds every byte this long, each way, keeping their order. */
  delayMs: number;
  /** Closes the listening socket and every connection through it. */
  close(): Promise<void>;
}

/**
 * Starts a proxy on a free port of 127.0.0.1 that forwards each connection to
 * `targetPort` on 127.0.0.1, holding every chunk for `delayMs` in both directions: a link
 * with that much latency (a bus across a region, say).
 */
export async function startTcpProxy(targetPort: number, { delayMs = 0 } = {}): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const relay = (from: net.Socket, to: net.Socket) => {
    from.on('data', (chunk) => {
      // Timers of one duration fire in the order they were set: chunks keep theirs.
      if (proxy.delayMs <= 0) to.write(chunk);
      else setTimeout(() => to.writable && to.write(chunk), proxy.delayMs);
    });
    from.on('end', () => setTimeout(() => to.end(), proxy.delayMs));
    from.on('error', () => to.destroy());
    from.on('close', () => setTimeout(() => to.destroy(), proxy.delayMs));
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    relay(client, upstream);
    relay(upstream, client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const proxy: TcpProxy = {
    port: (server.address() as net.AddressInfo).port,
    delayMs,
    async close() {
      const closed = once(server, 'close');
      server.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
  return proxy;
}
