import { createLogger } from '../src/logger/logger';
import { periodicWorker, type PeriodicWorker } from '../src/service/periodic-worker';
import { waitFor } from '../src/testing/wait-for';

const logger = createLogger('periodic-worker-test', 'silent');

/** A pass the test lets finish when it chooses, recording each one and whether another overlapped it. */
function passes() {
  const started: { signal: AbortSignal; finish: (error?: Error) => void }[] = [];
  let inFlight = 0;
  let overlapped = false;
  const pass = (signal: AbortSignal) => {
    inFlight++;
    if (inFlight > 1) overlapped = true;
    return new Promise<void>((resolve, reject) => {
      started.push({
        signal,
        finish: (error) => {
          inFlight--;
          if (error) reject(error);
          else resolve();
        },
      });
    });
  };
  return { pass, started, overlapped: () => overlapped };
}

describe('periodicWorker', () => {
  let worker: PeriodicWorker | undefined;
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });

  it('passes at start, and kicks during a pass make exactly one more after it, never two at once', async () => {
    const { pass, started, overlapped } = passes();
    worker = periodicWorker({ name: 'test', intervalMs: 60_000, logger, pass });

    worker.start();
    await waitFor(() => started.length === 1, { message: 'the pass at start' });
    worker.kick();
    worker.kick();
    worker.kick();
    started[0]!.finish();
    await waitFor(() => started.length === 2, { message: 'the pass the kicks asked for' });
    started[1]!.finish();
    // A kick once idle starts a pass at once: the one above was the only one queued.
    worker.kick();
    await waitFor(() => started.length === 3, { message: 'a kick when idle' });
    started[2]!.finish();
    await worker.stop();

    expect(started).toHaveLength(3);
    expect(overlapped()).toBe(false);
  });

  it('passes every interval', async () => {
    const { pass, started } = passes();
    worker = periodicWorker({ name: 'test', intervalMs: 20, logger, pass, passAtStart: false });

    worker.start();
    await waitFor(() => started.length === 1, { message: 'the first interval' });
    started[0]!.finish();
    await waitFor(() => started.length === 2, { message: 'the second interval' });
    started[1]!.finish();
  });

  it('reports a failed pass and passes again', async () => {
    const { pass, started } = passes();
    const errors: unknown[] = [];
    worker = periodicWorker({ name: 'test', intervalMs: 60_000, logger, pass, onError: (e) => errors.push(e) });

    worker.start();
    await waitFor(() => started.length === 1);
    started[0]!.finish(new Error('database away'));
    await waitFor(() => errors.length === 1, { message: 'the failure reported' });
    worker.kick();
    await waitFor(() => started.length === 2, { message: 'the next pass' });
    started[1]!.finish();

    expect(errors).toEqual([new Error('database away')]);
  });

  it('stops: aborts the pass in flight, waits for it, and a kick afterwards starts nothing', async () => {
    const { pass, started } = passes();
    worker = periodicWorker({ name: 'test', intervalMs: 60_000, logger, pass });
    worker.start();
    await waitFor(() => started.length === 1);
    worker.kick();

    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    expect(started[0]!.signal.aborted).toBe(true);
    await Promise.resolve();
    expect(stopped).toBe(false);
    started[0]!.finish();
    await stopping;

    // stop() waits for any pass in flight: had the kick started one, this would not resolve.
    worker.kick();
    await worker.stop();
    expect(started).toHaveLength(1);
  });

  it('starts again after a stop, with a fresh signal', async () => {
    const { pass, started } = passes();
    worker = periodicWorker({ name: 'test', intervalMs: 60_000, logger, pass });
    worker.start();
    await waitFor(() => started.length === 1);
    started[0]!.finish();
    await worker.stop();

    worker.start();
    await waitFor(() => started.length === 2, { message: 'the pass of the second start' });

    expect(started[1]!.signal.aborted).toBe(false);
    started[1]!.finish();
  });
});
