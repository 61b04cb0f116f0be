import { sql } from 'drizzle-orm';
import { enqueueEvent, type Database } from '@ticketing/common/db';
import { Subjects } from '@ticketing/common/events';
import { periodicWorker, type Logger, type PeriodicWorker, type Worker } from '@ticketing/common/service';
import type { ExpirationSchema } from '../db/schema';

// Any constant will do, as long as every replica uses the same one.
const POLLER_LOCK_KEY = 0x65787069; // "expi"
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

  private fireDue(): Promise<number> {
    return this.database.db.transaction(async (tx) => {
      const lock = (await tx.execute(
        sql`select pg_try_advisory_xact_lock(${POLLER_LOCK_KEY}) as locked`,
      )) as unknown as {
        rows: { locked: boolean }[];
      };
      if (!lock.rows[0]?.locked) return 0;
      const due = (await tx.execute(sql`
        update expirations set fired_at = now()
        where order_id in (
          select order_id from expirations
          where fired_at is null and dropped_at is null and due_at <= now()
          order by due_at
          limit ${BATCH}
          for update skip locked
        )
        returning order_id, due_at`)) as unknown as { rows: { order_id: string; due_at: string | Date }[] };
      for (const row of due.rows) {
        await enqueueEvent(tx, Subjects.ExpirationComplete, { orderId: row.order_id });
        this.logger.info({ orderId: row.order_id, dueAt: new Date(row.due_at).toISOString() }, 'order expired');
      }
      return due.rows.length;
    });
  }

  /** For `/readyz`: expirations waiting, and those of them already due (a backlog means the poller is stuck). */
  async report(): Promise<Record<string, unknown>> {
    const result = (await this.database.db.execute(sql`
      select count(*) filter (where fired_at is null and dropped_at is null) as scheduled,
             count(*) filter (where fired_at is null and dropped_at is null and due_at <= now()) as overdue
      from expirations`)) as unknown as { rows: { scheduled: string | number; overdue: string | number }[] };
    const row = result.rows[0];
    return { expirationsScheduled: Number(row?.scheduled ?? 0), expirationsOverdue: Number(row?.overdue ?? 0) };
  }
}
