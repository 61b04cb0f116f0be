import { EventEmitter } from 'node:events';
import { createLogger } from '../src/logger/logger';
import { listen, runService } from '../src/lifecycle/run-service';
import { waitFor } from '../src/testing/wait-for';

const logger = createLogger('run-service-test', 'silent');

async function service(steps: { name: string; run: () => Promise<void> }[], timeoutMs?: number) {
  const server = await listen((_req, res) => res.end('ok'), 0);
  const events = new EventEmitter();
  const exits: number[] = [];
  const shutdown = runService({ logger, server, steps, timeoutMs, events, exit: (code) => exits.push(code) });
  return { server, events, exits, shutdown };
}

describe('runService', () => {
  it('on SIGTERM stops HTTP, runs the steps in order once, and exits 0', async () => {
    const order: string[] = [];
    const step = (name: string) => ({ name, run: async () => void order.push(name) });
    const { server, events, exits } = await service([step('relay'), step('nats'), step('database')]);

    events.emit('SIGTERM');
    events.emit('SIGINT');

    await waitFor(() => exits.length > 0, { message: 'the exit' });
    expect(order).toEqual(['relay', 'nats', 'database']);
    expect(exits).toEqual([0]);
    expect(server.listening).toBe(false);
  });

  it('exits 1 after an unhandled rejection, still stopping in order', async () => {
    const order: string[] = [];
    const { events, exits } = await service([{ name: 'database', run: async () => void order.push('database') }]);

    events.emit('unhandledRejection', new Error('forgotten promise'));

    await waitFor(() => exits.length > 0, { message: 'the exit' });
    expect(order).toEqual(['database']);
    expect(exits).toEqual([1]);
  });

  it('keeps going when a step fails, and exits anyway when a step hangs past the timeout', async () => {
    const order: string[] = [];
    const { exits, shutdown } = await service(
      [
        { name: 'broken', run: async () => Promise.reject(new Error('nope')) },
        { name: 'after', run: async () => void order.push('after') },
        { name: 'stuck', run: () => new Promise<void>(() => {}) },
      ],
      200,
    );

    void shutdown('test', 0);

    await waitFor(() => exits.length > 0, { message: 'the forced exit' });
    expect(order).toEqual(['after']);
    expect(exits).toEqual([1]);
  });
});
