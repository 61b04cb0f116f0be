import { EventEmitter, once } from 'node:events';
import { and, count, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../db/open-database';
import { OUTBOX_CHANNEL, outbox } from './outbox-table';
import { periodicWorker, type PeriodicWorker } from '../service/periodic-worker';
import { isRowAtFault } from './publish-errors';
import type { OutboxStats } from '../telemetry/metrics';
import {
  contextFromCarrier,
  currentTraceCarrier,
  inSpan,
  messagingAttributes,
  SpanKind,
  type TraceCarrier,
} from '../telemetry/trace';

/**
 * Sends one outbox row to the bus, with `headers` (the trace context) on the message;
 * resolves with the stream sequence once stored.
 */
export type PublishFn = (subject: string, data: unknown, msgId: string, headers?: TraceCarrier) => Promise<number>;

/** How a relay reaches its database and the bus, and how patient it is. */
export interface OutboxRelayOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  database: Database<any>;
  publish: PublishFn;
  /** False while the bus is unreachable: the relay waits instead of timing out on each row. */
  isReady?: () => boolean;
  logger: Logger;
  /** Milliseconds between sweeps for rows no notification announced (other replicas' rows, outages). */
  intervalMs?: number;
  /** Rows read per query. */
  batchSize?: number;
  /** Milliseconds a published row is kept before it is pruned. */
  retentionMs?: number;
  /** Failed publishes of a row (its own fault, not the bus being away) before it is marked failed. */
  maxAttempts?: number;
  /** Told of every row it published (for the service's metrics). */
  onPublished?: (subject: string) => void;
}

/**
 * Splits rows (in outbox order) into consecutive runs in which no entity appears twice: a
 * run can be published at once without any entity's events overtaking each other.
 */
export function entityWindows<T extends { aggregate: string }>(rows: readonly T[]): T[][] {
  const windows: T[][] = [];
  let current: T[] = [];
  let entities = new Set<string>();
  for (const row of rows) {
    if (entities.has(row.aggregate)) {
      windows.push(current);
      current = [];
      entities = new Set();
    }
    current.push(row);
    entities.add(row.aggregate);
  }
  if (current.length > 0) windows.push(current);
  return windows;
}

/** What `/readyz` reports of an outbox. */
export interface OutboxCounts {
  outboxPending: number;
  outboxFailed: number;
}

type Row = typeof outbox.$inferSelect;

// Any constant will do, as long as every replica of a service uses the same one.
const RELAY_LOCK_KEY = 0x6f757462; // "outb"
const LOCK_RETRY_MS = 100;
const FAILURE_REMINDER_MS = 60_000;

/**
 * Publishes outbox rows in order. A commit that queued events notifies the relay, which
 * publishes at once; a sweep every `intervalMs` catches the rest. Only one relay publishes
 * at a time across replicas of a server database (a session-level advisory lock; an
 * embedded one has a single process), which keeps each entity's events in version order.
 * Rows of different entities are published together (at most one per entity in flight),
 * so a backlog costs round trips per run of distinct entities, not per row. No transaction
 * is held across a publish: rows are read, published with their id as `Nats-Msg-Id`, then
 * marked; JetStream's duplicate window absorbs a crash in between.
 *
 * A row that fails through its own fault (it breaks its contract, nobody here publishes
 * its subject, the server refuses it) is retried on later passes and, after `maxAttempts`,
 * marked failed with its error. Meanwhile rows of other entities go on; the failed row's
 * later siblings wait behind it, since publishing them would break their entity's order.
 */
export class OutboxRelay {
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly retentionMs: number;
  private readonly maxAttempts: number;
  private readonly loop: PeriodicWorker;
  private retryTimer?: NodeJS.Timeout;
  private unlisten?: Promise<(() => Promise<void>) | undefined>;
  private stopped = false;
  private failingSince?: number;
  private lastWarning = 0;
  private lastPrune = 0;
  /** Emits `'marked'` after each batch this relay marked published. */
  private readonly marks = new EventEmitter();

  constructor(private readonly options: OutboxRelayOptions) {
    // Every request waiting for its events listens here for a moment.
    this.marks.setMaxListeners(0);
    this.intervalMs = options.intervalMs ?? 1_000;
    this.batchSize = options.batchSize ?? 100;
    this.retentionMs = options.retentionMs ?? 5 * 60_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.loop = periodicWorker({
      name: 'outbox relay',
      intervalMs: this.intervalMs,
      logger: options.logger,
      pass: () => this.pass(),
    });
  }

  /** Starts listening for commits that queued events and sweeping on the interval, beginning now. */
  start(): void {
    this.stopped = false;
    this.unlisten ??= this.options.database
      .listen(OUTBOX_CHANNEL, () => this.kick())
      .catch((error: unknown) => {
        this.options.logger.warn({ err: error }, 'cannot listen for queued events; relying on the sweep');
        return undefined;
      });
    this.loop.start();
  }

  /** Asks for a publishing pass soon; passes never overlap within a process. */
  kick(): void {
    if (!this.stopped) this.loop.kick();
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
      // Said when it starts and again every minute it lasts: the queued events wait meanwhile.
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
    const { database, isReady = () => true, logger } = this.options;
    // An embedded database belongs to one process, whose passes never overlap: no lock to take.
    const shared = database.kind !== 'pglite';
    return database.withSession(async (db) => {
      if (shared) {
        // Both drivers answer `execute` with `{ rows }`.
        const lock = (await db.execute(sql`select pg_try_advisory_lock(${RELAY_LOCK_KEY}) as locked`)) as unknown as {
          rows: { locked: boolean }[];
        };
        if (!lock.rows[0]?.locked) return 'busy';
      }
      try {
        let published = 0;
        // Entities with a row that failed in this pass: their later rows wait for the next one.
        const held = new Set<string>();
        while (!this.stopped && isReady()) {
          const rows = await this.pendingRows(db, held);
          // Marked once per batch: a crash before the mark re-sends at most one batch, and
          // JetStream drops those as duplicates.
          const sent: string[] = [];
          try {
            for (const window of entityWindows(rows)) {
              if (this.stopped || !isReady()) break;
              // One row per entity in flight: the window's publishes go out together and the
              // next window waits for all of them. A row failing here holds its entity's later rows.
              const ready = window.filter((row) => !held.has(row.aggregate));
              const results = await Promise.allSettled(ready.map((row) => this.send(row)));
              let busError: unknown;
              for (const [i, result] of results.entries()) {
                const row = ready[i]!;
                if (result.status === 'fulfilled') {
                  logger.debug({ subject: row.subject, id: row.id, seq: result.value }, 'event published');
                  this.options.onPublished?.(row.subject);
                  sent.push(row.id);
                } else if (isRowAtFault(result.reason)) {
                  held.add(row.aggregate);
                  await this.recordFailure(db, row, result.reason);
                } else {
                  busError ??= result.reason;
                }
              }
              // The bus failing ends the pass; what it stored before failing is marked below.
              if (busError !== undefined) throw busError;
            }
          } finally {
            if (sent.length > 0) {
              await db.update(outbox).set({ publishedAt: new Date() }).where(inArray(outbox.id, sent));
              published += sent.length;
              this.marks.emit('marked');
            }
          }
          if (rows.length < this.batchSize || this.stopped || !isReady()) break;
        }
        // Off the hot path: at most once a minute (or per retention, when shorter).
        if (Date.now() - this.lastPrune >= Math.min(this.retentionMs, 60_000)) {
          this.lastPrune = Date.now();
          const pruned = await db
            .delete(outbox)
            .where(and(isNotNull(outbox.publishedAt), lt(outbox.publishedAt, new Date(Date.now() - this.retentionMs))))
            .returning({ position: outbox.position });
          // Every published row left an old version behind too: without a vacuum (PGlite has no
          // autovacuum) the pending index fills with dead entries that each read steps over.
          if (pruned.length > 0) await database.vacuum('outbox');
        }
        return published;
      } finally {
        if (shared) await db.execute(sql`select pg_advisory_unlock(${RELAY_LOCK_KEY})`);
      }
    });
  }

  /**
   * Publishes one row in a span that continues the trace of the change that queued it; the
   * message carries that span's context, for its consumers to continue in turn.
   */
  private send(row: Row): Promise<number> {
    const { subject, data, id, traceContext } = row;
    return inSpan(
      `send ${subject}`,
      {
        kind: SpanKind.PRODUCER,
        parent: contextFromCarrier(traceContext),
        attributes: messagingAttributes('send', subject, id),
      },
      () => this.options.publish(subject, data, id, currentTraceCarrier()),
    );
  }

  /** The next rows to publish: pending, in order, none behind a failed row of its entity, none held in this pass. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async pendingRows(db: Database<any>['db'], held: Set<string>): Promise<Row[]> {
    const notHeld = held.size > 0 ? sql`and o.aggregate not in (${sql.join([...held], sql`, `)})` : sql``;
    const result = (await db.execute(sql`
      select o.position, o.id, o.subject, o.data, o.aggregate, o.attempts, o.trace_context as "traceContext"
      from outbox o
      where o.published_at is null and o.failed_at is null ${notHeld}
        and not exists (
          select 1 from outbox f
          where f.failed_at is not null and f.aggregate = o.aggregate and f.position < o.position
        )
      order by o.position
      limit ${this.batchSize}`)) as unknown as { rows: Row[] };
    return result.rows;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async recordFailure(db: Database<any>['db'], row: Row, error: unknown): Promise<void> {
    const attempts = row.attempts + 1;
    const message = error instanceof Error ? error.message : String(error);
    const failed = attempts >= this.maxAttempts;
    await db
      .update(outbox)
      .set({ attempts, lastError: message, failedAt: failed ? new Date() : null })
      .where(sql`${outbox.id} = ${row.id}`);
    const fields = { subject: row.subject, id: row.id, aggregate: row.aggregate, attempts, err: error };
    if (failed) {
      this.options.logger.error(fields, 'outbox row failed for good: it and later events of its entity are held');
    } else {
      this.options.logger.warn(fields, 'outbox row could not be published; it will be retried');
    }
  }

  /**
   * Publishes now and resolves true once every row in `eventIds` is on the bus; false at
   * once while the bus is unreachable, or after `timeoutMs`. The rows stay queued either
   * way: this only lets a request answer after its events are out, so that whatever the
   * caller does next (a payment after a cancellation) finds them in the stream. Another
   * replica's relay may be the one to publish them: the rows are read back to see.
   */
  async published(eventIds: readonly string[], timeoutMs = 2_000): Promise<boolean> {
    const { database, isReady = () => true } = this.options;
    if (eventIds.length === 0) return true;
    const deadline = Date.now() + timeoutMs;
    this.kick();
    for (;;) {
      if (this.stopped || !isReady()) return false;
      const [row] = await database.db
        .select({ n: count() })
        .from(outbox)
        .where(and(inArray(outbox.id, [...eventIds]), isNull(outbox.publishedAt)));
      if ((row?.n ?? 0) === 0) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      // This relay's next mark, or a look at the rows again shortly for another replica's.
      await once(this.marks, 'marked', { signal: AbortSignal.timeout(Math.min(left, 50)) }).catch(() => undefined);
    }
  }

  /** How many rows wait to be published (those held behind a failed row included). */
  async pendingCount(): Promise<number> {
    const [row] = await this.options.database.db
      .select({ n: count() })
      .from(outbox)
      .where(and(isNull(outbox.publishedAt), isNull(outbox.failedAt)));
    return row?.n ?? 0;
  }

  /** Pending and failed rows, for `/readyz`. */
  async counts(): Promise<OutboxCounts> {
    const [row] = await this.options.database.db
      .select({
        pending: sql<number>`count(*) filter (where ${outbox.publishedAt} is null and ${outbox.failedAt} is null)`,
        failed: sql<number>`count(*) filter (where ${outbox.failedAt} is not null)`,
      })
      .from(outbox);
    return { outboxPending: Number(row?.pending ?? 0), outboxFailed: Number(row?.failed ?? 0) };
  }

  /** Pending and failed rows, and how long the oldest pending row has waited, for the metrics. */
  async stats(): Promise<OutboxStats> {
    const [row] = await this.options.database.db
      .select({
        pending: sql<number>`count(*) filter (where ${outbox.publishedAt} is null and ${outbox.failedAt} is null)`,
        failed: sql<number>`count(*) filter (where ${outbox.failedAt} is not null)`,
        oldest: sql<
          number | null
        >`extract(epoch from now() - min(${outbox.createdAt}) filter (where ${outbox.publishedAt} is null and ${outbox.failedAt} is null))`,
      })
      .from(outbox);
    return {
      pending: Number(row?.pending ?? 0),
      failed: Number(row?.failed ?? 0),
      oldestPendingAgeSeconds: Math.max(0, Number(row?.oldest ?? 0)),
    };
  }

  /** Stops listening and sweeping and waits for the publish in flight to be stored and marked. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const unlisten = await this.unlisten;
    this.unlisten = undefined;
    await unlisten?.().catch(() => undefined);
    await this.loop.stop();
  }
}
