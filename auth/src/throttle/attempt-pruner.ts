import type { Logger, Worker } from '@ticketing/common/service';
import type { AttemptRepository } from '../db/attempt-repository';

/** Deletes attempt counters whose window ended over an hour ago, at start and every hour. */
export function attemptPruner(attempts: AttemptRepository, logger: Logger, intervalMs = 3_600_000): Worker {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const prune = () => {
    running ??= attempts
      .prune(new Date(Date.now() - 3_600_000))
      .then((removed) => {
        if (removed > 0) logger.debug({ removed }, 'pruned attempt counters');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'cannot prune attempt counters; will try again'))
      .finally(() => (running = undefined));
  };
  return {
    name: 'attempt pruner',
    start() {
      timer = setInterval(prune, intervalMs);
      timer.unref();
      prune();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
