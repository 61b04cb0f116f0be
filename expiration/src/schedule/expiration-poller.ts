import type { Database } from '@ticketing/common/db';
import { periodicWorker, type Logger, type PeriodicWorker, type Worker } from '@ticketing/common/service';
import { Schedule } from '../db/schedule';
import type { ExpirationSchema } from '../db/schema';

const BATCH = 500;

/**
 * Fires due expirations: every `intervalMs` (and at start, so whatever fell due while the
 * service was down fires at once) it marks due rows fired and queues `expiration:complete`
 * for each in the same transaction, which the outbox relay then publishes. One replica
 * polls at a time (a transaction-level advisory lock), and a row is taken only if it has
 * not fired, so each expiry fires once, whatever the number of replicas.
 */
export class ExpirationPoller implements Worker {
  readonly name = 'expiration poller';
  private readonly loop: PeriodicWorker;
  private failing = false;

  constructor(
    private readonly database: Database<ExpirationSchema>,
    private readonly logger: Logger,
    intervalMs = 1_000,
  ) {
    this.loop = periodicWorker({
      name: this.name,
      intervalMs,
      logger,
      pass: async () => {
        await this.fireDue();
        if (this.failing) this.logger.info('firing expirations again');
        this.failing = false;
      },
      onError: (error) => {
        // Said once per outage: the rows stay due and fire when the database answers again.
        if (!this.failing) this.logger.warn({ err: error }, 'cannot fire expirations now; will try again');
        this.failing = true;
      },
    });
  }

  /** Polls at once (whatever fell due while the service was down fires now), then every interval. */
  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async fireDue(): Promise<number> {
    const fired = await new Schedule(this.database.db).fireDue(BATCH);
    for (const { orderId, dueAt } of fired) this.logger.info({ orderId, dueAt: dueAt.toISOString() }, 'order expired');
    return fired.length;
  }

  /** For `/readyz`: expirations waiting, and those of them already due (a backlog means the poller is stuck). */
  async report(): Promise<Record<string, unknown>> {
    const { scheduled, overdue } = await new Schedule(this.database.db).counts();
    return { expirationsScheduled: scheduled, expirationsOverdue: overdue };
  }
}
