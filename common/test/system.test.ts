import { readFileSync } from 'node:fs';
import net from 'node:net';
import { freePort } from '../lib/system.cjs';

describe('freePort', () => {
  it('hands out ports outside the range outgoing connections take theirs from, free to listen on', async () => {
    const [ephemeralLow] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);

    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));

    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(ephemeralLow!);
    }
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(ports[0], '127.0.0.1', () => resolve());
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
