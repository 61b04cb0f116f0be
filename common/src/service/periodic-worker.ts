import type { Logger } from 'pino';
import { detached } from '../telemetry/trace';
import type { Worker } from './service-definition';

/** A worker that makes a pass at start (unless told otherwise), every `intervalMs`, and whenever it is kicked. */
export interface PeriodicWorker extends Worker {
  /** A pass now, or right after the one under way (kicks meanwhile make one more, not one each). Nothing once stopped. */
  kick(): void;
}

export interface PeriodicWorkerOptions {
  name: string;
  intervalMs: number;
  logger: Logger;
  /** One pass; passes never overlap. `signal` aborts when the worker stops: a long pass should end early. */
  pass: (signal: AbortSignal) => Promise<unknown>;
  /** A pass that failed; the next comes on time. Logged at warn by default. */
  onError?: (error: unknown) => void;
  /** Facts for `/readyz`. */
  report?: () => Promise<Record<string, unknown>>;
  /** False: the first pass comes an interval after start, not at once. */
  passAtStart?: boolean;
}

/**
 * The loop every background worker shares: a pass at start and on an interval that never
 * keeps the process alive, never two passes at once, a kick for work that cannot wait the
 * interval, and a stop that waits for the pass in flight.
 */
export function periodicWorker(options: PeriodicWorkerOptions): PeriodicWorker {
  const { name, intervalMs, logger } = options;
  const onError =
    options.onError ??
    ((error: unknown) => logger.warn({ err: error, worker: name }, `${name} failed; will try again`));
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopping = new AbortController();

  const kick = (): void => {
    if (stopping.signal.aborted) return;
    if (running) {
      again = true;
      return;
    }
    const { signal } = stopping;
    // A pass is nobody's request: whatever trace kicked it (a commit's notification, a
    // listener waking the sweep), its work does not join that trace.
    running = Promise.resolve()
      .then(() => detached(() => options.pass(signal)))
      .then(
        () => undefined,
        (error: unknown) => onError(error),
      )
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          kick();
        }
      });
  };

  return {
    name,
    kick,
    report: options.report,
    start() {
      if (stopping.signal.aborted) stopping = new AbortController();
      timer ??= setInterval(kick, intervalMs);
      timer.unref();
      if (options.passAtStart !== false) kick();
    },
    async stop() {
      stopping.abort();
      clearInterval(timer);
      timer = undefined;
      again = false;
      await running;
    },
  };
}
