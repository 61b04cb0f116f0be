import type { Logger } from 'pino';
import type { Database } from '../db/open-database';
import { pruneInbox } from '../inbox/handle-once';
import { periodicWorker } from './periodic-worker';
import type { Worker } from './service-definition';

const DAY_MS = 86_400_000;

/**
 * Deletes inbox rows older than `retentionMs` (default 7 days) at start and every hour.
 * Redeliveries come within seconds; a week also covers a consumer reset by hand.
 */
export function inboxPruner(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  database: Database<any>,
  logger: Logger,
  { retentionMs = 7 * DAY_MS, intervalMs = 3_600_000 } = {},
): Worker {
  return periodicWorker({
    name: 'inbox pruner',
    intervalMs,
    logger,
    async pass() {
      const removed = await pruneInbox(database.db, new Date(Date.now() - retentionMs));
      if (removed === 0) return;
      logger.debug({ removed }, 'pruned the inbox');
      await database.vacuum('inbox');
    },
    onError: (error) => logger.warn({ err: error }, 'cannot prune the inbox; will try again'),
  });
}
