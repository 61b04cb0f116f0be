import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { aggregateOf, parseEventData, type EventData } from '../events/event-contracts';
import type { Subjects } from '../events/subjects';
import type { Db } from '../db/open-database';
import { currentTraceCarrier, inSpan, messagingAttributes, SpanKind } from '../telemetry/trace';
import { OUTBOX_CHANNEL } from './outbox-table';

/** The span of queuing one event: its context is what the row keeps and the message carries. */
function queuing<T>(subject: string, id: string, fn: () => Promise<T>): Promise<T> {
  return inSpan(
    `create ${subject}`,
    { kind: SpanKind.PRODUCER, attributes: messagingAttributes('create', subject, id) },
    fn,
  );
}

/** The current trace context as the outbox stores it (null with tracing off). */
function traceContext(): string | null {
  const carrier = currentTraceCarrier();
  return carrier ? JSON.stringify(carrier) : null;
}

/**
 * Records an event in the outbox; call it inside the transaction that makes the change,
 * so both commit or neither does. The body is checked against the subject's contract
 * first (a mismatch throws and rolls the change back). The same statement notifies the
 * relays, which PostgreSQL delivers only when the transaction commits.
 * Returns the event's id (its future `Nats-Msg-Id`).
 */
export async function enqueueEvent<S extends Subjects>(
  // Any service's schema: only the outbox table is touched.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  tx: Db<any>,
  subject: S,
  data: NoInfer<EventData<S>>,
): Promise<string> {
  const body = parseEventData(subject, data);
  const id = randomUUID();
  await queuing(subject, id, () =>
    tx.execute(sql`
      with queued as (
        insert into outbox (id, subject, data, aggregate, trace_context)
        values (${id}, ${subject}, ${JSON.stringify(body)}::jsonb, ${aggregateOf(subject, body) || id}, ${traceContext()}::jsonb)
        returning position
      )
      select pg_notify(${OUTBOX_CHANNEL}, '') from queued`),
  );
  return id;
}

/**
 * Runs one change — an `insert … returning *` or `update … returning *` — and queues the
 * event about it in the same statement: one round trip, atomic without a transaction. The
 * event is queued (and the relays notified) only when the change returned a row. Resolves
 * with the rows the change returned, as the database names their columns.
 */
export async function changeWithEvent<S extends Subjects>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Db<any>,
  change: SQL,
  subject: S,
  data: NoInfer<EventData<S>>,
): Promise<Record<string, unknown>[]> {
  const body = parseEventData(subject, data);
  const id = randomUUID();
  const result = (await queuing(subject, id, () =>
    db.execute(sql`
      with change as (${change}),
      queued as (
        insert into outbox (id, subject, data, aggregate, trace_context)
        select ${id}, ${subject}, ${JSON.stringify(body)}::jsonb, ${aggregateOf(subject, body) || id}, ${traceContext()}::jsonb
        where exists (select 1 from change)
        returning position
      )
      select change.*, pg_notify(${OUTBOX_CHANNEL}, '') as notified
      from change, queued`),
  )) as unknown as { rows: Record<string, unknown>[] };
  return result.rows.map(({ notified: _notified, ...row }) => row);
}
