import type { Logger } from 'pino';
import type { Database } from '../db/open-database';
import { pruneInbox } from '../inbox/handle-once';
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
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const prune = () => {
    running ??= pruneInbox(database.db, new Date(Date.now() - retentionMs))
      .then(async (removed) => {
        if (removed === 0) return;
        logger.debug({ removed }, 'pruned the inbox');
        await database.vacuum('inbox');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'cannot prune the inbox; will try again'))
      .finally(() => (running = undefined));
  };
  return {
    name: 'inbox pruner',
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
