import { eq, sql } from 'drizzle-orm';
import { enqueueEvent, versionedCopy, type Db } from '@ticketing/common/db';
import { Subjects } from '@ticketing/common/events';
import { currentTraceCarrier, inSpan, linkFromCarrier } from '@ticketing/common/telemetry';
import { expirations, type ExpirationSchema } from './schema';

// Any constant will do, as long as every replica uses the same one.
const POLLER_LOCK_KEY = 0x65787069; // "expi"

/** An order's events apply in version order over its row in `expirations`. */
const copy = versionedCopy({
  table: expirations,
  id: expirations.orderId,
  version: expirations.version,
  entity: 'order',
});

/** The expiry schedule, on the database or inside a transaction. */
export class Schedule {
  constructor(private readonly db: Db<ExpirationSchema>) {}

  /** order:created: the order expires at `expiresAt` unless something comes first. A repeat schedules nothing. */
  add(order: { id: string; version: number; expiresAt: string }): Promise<'applied' | 'stale'> {
    return copy.apply(this.db, order, async () => {
      await this.db.insert(expirations).values({
        orderId: order.id,
        version: order.version,
        dueAt: new Date(order.expiresAt),
        traceContext: currentTraceCarrier() ?? null,
      });
    });
  }

  /** order:cancelled / order:completed: nothing is left to expire (a row that already fired stays fired). */
  drop(order: { id: string; version: number }): Promise<'applied' | 'stale'> {
    return copy.apply(this.db, order, async () => {
      await this.db
        .update(expirations)
        .set({
          version: order.version,
          droppedAt: sql`case when ${expirations.firedAt} is null then now() else ${expirations.droppedAt} end`,
        })
        .where(eq(expirations.orderId, order.id));
    });
  }

  /**
   * Marks up to `limit` due rows fired (earliest first) and queues `expiration:complete` for
   * each, in one transaction; resolves with them, or with nothing when another replica is
   * firing (a transaction-level advisory lock). A row is taken only if it has not fired, so
   * each expiry fires once, whatever the number of replicas. Each expiry starts a trace of its
   * own (minutes after the order's, which it links to), carried on by its event.
   */
  fireDue(limit: number): Promise<{ orderId: string; dueAt: Date }[]> {
    return this.db.transaction(async (tx) => {
      const lock = (await tx.execute(
        sql`select pg_try_advisory_xact_lock(${POLLER_LOCK_KEY}) as locked`,
      )) as unknown as {
        rows: { locked: boolean }[];
      };
      if (!lock.rows[0]?.locked) return [];
      const due = (await tx.execute(sql`
        update expirations set fired_at = now()
        where order_id in (
          select order_id from expirations
          where fired_at is null and dropped_at is null and due_at <= now()
          order by due_at
          limit ${limit}
          for update skip locked
        )
        returning order_id, due_at, trace_context`)) as unknown as {
        rows: { order_id: string; due_at: string | Date; trace_context: unknown }[];
      };
      for (const row of due.rows) {
        const placed = linkFromCarrier(row.trace_context);
        await inSpan(
          'expire order',
          { attributes: { 'ticketing.order.id': row.order_id }, links: placed ? [placed] : [] },
          () => enqueueEvent(tx, Subjects.ExpirationComplete, { orderId: row.order_id }),
        );
      }
      return due.rows.map((row) => ({ orderId: row.order_id, dueAt: new Date(row.due_at) }));
    });
  }

  /** Expirations waiting, and those of them already due. */
  async counts(): Promise<{ scheduled: number; overdue: number }> {
    const result = (await this.db.execute(sql`
      select count(*) filter (where fired_at is null and dropped_at is null) as scheduled,
             count(*) filter (where fired_at is null and dropped_at is null and due_at <= now()) as overdue
      from expirations`)) as unknown as { rows: { scheduled: string | number; overdue: string | number }[] };
    const row = result.rows[0];
    return { scheduled: Number(row?.scheduled ?? 0), overdue: Number(row?.overdue ?? 0) };
  }
}
