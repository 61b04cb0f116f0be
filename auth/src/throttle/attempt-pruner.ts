import { periodicWorker, type Logger, type Worker } from '@ticketing/common/service';
import type { AttemptRepository } from '../db/attempt-repository';

/** Deletes attempt counters whose window ended over an hour ago, at start and every hour. */
export function attemptPruner(attempts: AttemptRepository, logger: Logger, intervalMs = 3_600_000): Worker {
  return periodicWorker({
    name: 'attempt pruner',
    intervalMs,
    logger,
    async pass() {
      const removed = await attempts.prune(new Date(Date.now() - 3_600_000));
      if (removed > 0) logger.debug({ removed }, 'pruned attempt counters');
    },
    onError: (error) => logger.warn({ err: error }, 'cannot prune attempt counters; will try again'),
  });
}
