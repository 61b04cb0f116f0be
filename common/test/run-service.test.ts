import { EventEmitter } from 'node:events';
import { createLogger } from '../src/logger/logger';
import { handleShutdown, runSteps } from '../src/service/shutdown';
import { waitFor } from '../src/testing/wait-for';

const logger = createLogger('run-service-test', 'silent');

function process(stop: () => Promise<void>, timeoutMs?: number) {
  const events = new EventEmitter();
  const exits: number[] = [];
  const shutdown = handleShutdown({ logger, stop, timeoutMs, events, exit: (code) => exits.push(code) });
  return { events, exits, shutdown };
}

describe('handleShutdown', () => {
  it('on SIGTERM stops once and exits 0, however many signals follow', async () => {
    let stops = 0;
    const { events, exits } = process(async () => void stops++);

    events.emit('SIGTERM');
    events.emit('SIGINT');

    await waitFor(() => exits.length > 0, { message: 'the exit' });
    expect(stops).toBe(1);
    expect(exits).toEqual([0]);
  });

  it('exits 1 after an unhandled rejection, still stopping', async () => {
    let stopped = false;
    const { events, exits } = process(async () => void (stopped = true));

    events.emit('unhandledRejection', new Error('forgotten promise'));

    await waitFor(() => exits.length > 0, { message: 'the exit' });
    expect(stopped).toBe(true);
    expect(exits).toEqual([1]);
  });

  it('exits 1 anyway when stopping hangs past the timeout', async () => {
    const { exits, shutdown } = process(() => new Promise<void>(() => {}), 200);

    void shutdown('test', 0);

    await waitFor(() => exits.length > 0, { message: 'the forced exit' });
    expect(exits).toEqual([1]);
  });
});

describe('runSteps', () => {
  it('runs the steps in order, going on past a step that fails', async () => {
    const order: string[] = [];

    await runSteps(logger, [
      { name: 'broken', run: async () => Promise.reject(new Error('nope')) },
      { name: 'relay', run: async () => void order.push('relay') },
      { name: 'database', run: async () => void order.push('database') },
    ]);

    expect(order).toEqual(['relay', 'database']);
  });
});
