import { and, asc, count, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../db/open-database';
import { outbox } from './outbox-table';

/** Sends one outbox row to the bus; resolves with the stream sequence once stored. */
export type PublishFn = (subject: string, data: unknown, msgId: string) => Promise<number>;

/** How a relay reaches its database and the bus, and how often it sweeps. */
export interface OutboxRelayOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  database: Database<any>;
  publish: PublishFn;
  /** False while the bus is unreachable: the relay waits instead of timing out on each row. */
  isReady?: () => boolean;
  logger: Logger;
  /** Milliseconds between sweeps for rows a kick did not publish (other replicas' rows, outages). */
  intervalMs?: number;
  /** Rows read per query. */
  batchSize?: number;
  /** Milliseconds a published row is kept before it is pruned. */
  retentionMs?: number;
}

// Any constant will do, as long as every replica of a service uses the same one.
const RELAY_LOCK_KEY = 0x6f757462; // "outb"
const LOCK_RETRY_MS = 100;
const FAILURE_REMINDER_MS = 60_000;

/**
 * Publishes outbox rows in order. `kick()` after a commit publishes at once; a sweep every
 * `intervalMs` catches the rest. Only one relay publishes at a time across replicas (a
 * session-level advisory lock), which keeps each ticket's events in version order. No
 * transaction is held across a publish: rows are read, published with their id as
 * `Nats-Msg-Id`, then marked; JetStream's duplicate window absorbs a crash in between.
 */
export class OutboxRelay {
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly retentionMs: number;
  private timer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private failingSince?: number;
  private lastWarning = 0;
  private lastPrune = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.intervalMs = options.intervalMs ?? 1_000;
    this.batchSize = options.batchSize ?? 100;
    this.retentionMs = options.retentionMs ?? 5 * 60_000;
  }

  /** Starts sweeping on the interval, beginning now. */
  start(): void {
    this.stopped = false;
    this.timer ??= setInterval(() => this.kick(), this.intervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Asks for a publishing pass soon; passes never overlap within a process. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async pass(): Promise<void> {
    try {
      const published = await this.runOnce();
      if (published === 'busy') {
        // Another replica is publishing; look again shortly so our fresh rows do not wait a sweep.
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.kick(), LOCK_RETRY_MS);
        this.retryTimer.unref();
      }
      if (typeof published === 'number' && published > 0 && this.failingSince) {
        this.options.logger.info({ published }, 'outbox relay publishing again');
        this.failingSince = undefined;
      }
    } catch (error) {
      // Said when it starts and again every minute it lasts: a stuck row holds back every later event.
      const now = Date.now();
      if (!this.failingSince || now - this.lastWarning >= FAILURE_REMINDER_MS) {
        this.options.logger.warn(
          { err: error, failingForMs: this.failingSince ? now - this.failingSince : 0 },
          'outbox relay cannot publish; rows stay queued and will be retried',
        );
        this.lastWarning = now;
      }
      this.failingSince ??= now;
    }
  }

  /**
   * One publishing pass: takes the lock, publishes pending rows in order until none are
   * left (or the bus goes away, or `stop()` is called), prunes old published rows.
   * Resolves with how many rows were published, or `'busy'` when another relay holds the lock.
   */
  async runOnce(): Promise<number | 'busy'> {
    const { database, publish, isReady = () => true, logger } = this.options;
    return database.withSession(async (db) => {
      // Both drivers answer `execute` with `{ rows }`.
      const lock = (await db.execute(sql`select pg_try_advisory_lock(${RELAY_LOCK_KEY}) as locked`)) as unknown as {
        rows: { locked: boolean }[];
      };
      if (!lock.rows[0]?.locked) return 'busy';
      try {
        let published = 0;
        while (!this.stopped && isReady()) {
          const rows = await db
            .select()
            .from(outbox)
            .where(isNull(outbox.publishedAt))
            .orderBy(asc(outbox.position))
            .limit(this.batchSize);
          // Marked once per batch: a crash before the mark re-sends at most one batch, and
          // JetStream drops those as duplicates. Publishes stay one at a time, in order.
          const sent: string[] = [];
          try {
            for (const row of rows) {
              if (this.stopped || !isReady()) break;
              const seq = await publish(row.subject, row.data, row.id);
              logger.debug({ subject: row.subject, id: row.id, seq }, 'event published');
              sent.push(row.id);
            }
          } finally {
            if (sent.length > 0) {
              await db.update(outbox).set({ publishedAt: new Date() }).where(inArray(outbox.id, sent));
              published += sent.length;
            }
          }
          if (sent.length < rows.length) break;
          if (rows.length < this.batchSize) break;
        }
        // Off the hot path: at most once a minute (or per retention, when shorter).
        if (Date.now() - this.lastPrune >= Math.min(this.retentionMs, 60_000)) {
          this.lastPrune = Date.now();
          await db
            .delete(outbox)
            .where(and(isNotNull(outbox.publishedAt), lt(outbox.publishedAt, new Date(Date.now() - this.retentionMs))));
        }
        return published;
      } finally {
        await db.execute(sql`select pg_advisory_unlock(${RELAY_LOCK_KEY})`);
      }
    });
  }

  /** How many rows wait to be published. */
  async pendingCount(): Promise<number> {
    const [row] = await this.options.database.db.select({ n: count() }).from(outbox).where(isNull(outbox.publishedAt));
    return row?.n ?? 0;
  }

  /** Stops sweeping and waits for the publish in flight to be stored and marked. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.retryTimer);
    this.timer = undefined;
    await this.running;
  }
}
