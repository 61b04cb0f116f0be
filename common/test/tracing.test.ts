// A trace crossing the outbox and the bus: the change's span, the row's stored context, the
// relay's publish, the message's `traceparent` and the consumer's span, redeliveries included.
import path from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { sql } from 'drizzle-orm';
import { Subjects } from '../src/events/subjects';
import { NatsWrapper } from '../src/nats/nats-wrapper';
import { enqueueEvent } from '../src/outbox/enqueue-event';
import { OutboxRelay } from '../src/outbox/outbox-relay';
import { publishThrough } from '../src/outbox/publish-through';
import { trace } from '@opentelemetry/api';
import { periodicWorker } from '../src/service/periodic-worker';
import { inSpan } from '../src/telemetry/trace';
import { ServiceMetrics } from '../src/telemetry/metrics';
import {
  createTestDatabase,
  recordSpans,
  startNatsServer,
  waitFor,
  type SpanRecorder,
  type TestDatabase,
  type TestNatsServer,
} from '../src/testing';
import { connectWithStream, RecordingCreatedListener, silent, ticket } from './bus-helpers';
import { copySchema, type CopySchema } from './fixtures/copy-schema';

const migrationsFolder = path.join(__dirname, 'fixtures', 'drizzle');

let server: TestNatsServer;
let client: NatsConnection;
let nats: NatsWrapper;
let database: TestDatabase<CopySchema>;
let relay: OutboxRelay;
let metrics: ServiceMetrics;

beforeAll(async () => {
  server = await startNatsServer();
  client = await connectWithStream(server);
  nats = await server.wrapper();
  database = await createTestDatabase({ schema: copySchema, migrationsFolder });
  metrics = new ServiceMetrics('test', { processMetrics: false });
  relay = new OutboxRelay({
    database,
    logger: silent,
    publish: publishThrough(nats, [Subjects.TicketCreated]),
    onPublished: (subject) => metrics.published(subject),
  });
  metrics.watchOutbox(() => relay.stats());
  relay.start();
});

afterAll(async () => {
  await relay?.stop();
  await database?.close();
  await nats?.close();
  await client?.close();
  await server?.destroy();
});

/** Queues `ticket:created` for ticket `n` in a transaction, inside a span standing for the request that made it. */
function queueInRequest(n: number): Promise<string> {
  return inSpan('POST /api/tickets', { kind: SpanKind.SERVER }, () =>
    database.db.transaction((tx) => enqueueEvent(tx, Subjects.TicketCreated, ticket(n))),
  );
}

const named = (spans: ReadableSpan[], name: string) => spans.filter((span) => span.name === name);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('with tracing on', () => {
  let recorder: SpanRecorder;
  beforeAll(() => {
    recorder = recordSpans();
  });
  afterAll(() => recorder.stop());

  it('continues the trace of the change that queued an event through the relay and every delivery of it', async () => {
    let failedOnce = false;
    const listener = new RecordingCreatedListener(client, 'tracing-redelivered', async (data) => {
      if (data.id === ticket(1).id && !failedOnce) {
        failedOnce = true;
        throw new Error('the first delivery fails');
      }
    });
    metrics.watch(listener);
    await listener.listen();
    try {
      await queueInRequest(1);
      await waitFor(() => listener.received.filter((r) => r.data.id === ticket(1).id).length === 2, {
        message: 'the event to be delivered twice',
      });
      await waitFor(() => named(recorder.spans(), 'process ticket:created').length === 2, {
        message: 'both deliveries to be recorded',
      });
    } finally {
      await listener.close();
    }

    const spans = recorder.spans();
    const [request] = named(spans, 'POST /api/tickets');
    const [create] = named(spans, 'create ticket:created');
    const [send] = named(spans, 'send ticket:created');
    const processes = named(spans, 'process ticket:created');
    expect(request && create && send).toBeTruthy();
    const traceId = request!.spanContext().traceId;
    for (const span of [create!, send!, ...processes]) expect(span.spanContext().traceId).toBe(traceId);

    // request → create (kept with the row) → send (the relay, later, in another task) → each delivery.
    expect(parentOf(create!)).toBe(request!.spanContext().spanId);
    expect(create!.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(send!)).toBe(create!.spanContext().spanId);
    expect(send!.kind).toBe(SpanKind.PRODUCER);
    expect(processes.map(parentOf)).toEqual([send!.spanContext().spanId, send!.spanContext().spanId]);
    expect(processes.map((span) => span.kind)).toEqual([SpanKind.CONSUMER, SpanKind.CONSUMER]);
    expect(processes.map((span) => span.attributes['messaging.nats.message.delivery_count'])).toEqual([1, 2]);
    expect(processes.map((span) => span.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.UNSET]);
    expect(processes[0]!.status.message).toBe('the first delivery fails');
    expect(processes[1]!.attributes).toMatchObject({
      'messaging.system': 'nats',
      'messaging.destination.name': 'ticket:created',
      'messaging.consumer.group.name': 'tracing-redelivered-ticket:created',
    });

    // What Prometheus reads of the same deliveries.
    const text = await metrics.registry.metrics();
    const consumer =
      'messaging_destination_name="ticket:created",messaging_consumer_group_name="tracing-redelivered-ticket:created"';
    expect(text).toContain(`ticketing_messaging_settled_messages_total{${consumer},outcome="retried"} 1`);
    expect(text).toContain(`ticketing_messaging_settled_messages_total{${consumer},outcome="handled"} 1`);
    expect(text).toMatch(
      /messaging_client_sent_messages_total\{messaging_system="nats",messaging_destination_name="ticket:created"\} [1-9]/,
    );
    // Everything queued has been sent.
    expect(text).toContain('ticketing_outbox_rows{state="pending"} 0');
    expect(text).toContain('ticketing_outbox_oldest_pending_age_seconds 0');
  });

  it('keeps a background pass out of the trace that kicked it', async () => {
    const seen: (string | undefined)[] = [];
    const worker = periodicWorker({
      name: 'test worker',
      intervalMs: 60_000,
      logger: silent,
      passAtStart: false,
      pass: async () => void seen.push(trace.getActiveSpan()?.spanContext().traceId),
    });
    worker.start();
    await inSpan('a request that wakes the worker', {}, async () => worker.kick());
    await worker.stop();
    expect(seen).toEqual([undefined]);
  });

  it('keeps the context with the outbox row until the relay sends it', async () => {
    const id = await inSpan('work', {}, () =>
      database.db.transaction((tx) => enqueueEvent(tx, Subjects.TicketCreated, ticket(2))),
    );
    const rows = (await database.db.execute(sql`select trace_context from outbox where id = ${id}`)) as unknown as {
      rows: { trace_context: Record<string, string> | null }[];
    };
    const [create] = named(recorder.spans(), 'create ticket:created').filter(
      (span) => span.attributes['messaging.message.id'] === id,
    );
    const { traceId, spanId } = create!.spanContext();
    expect(rows.rows[0]!.trace_context).toEqual({ traceparent: `00-${traceId}-${spanId}-01` });
  });
});

describe('with tracing off', () => {
  it('stores no context and sends no traceparent', async () => {
    const listener = new RecordingCreatedListener(client, 'tracing-off');
    const headers: (string | undefined)[] = [];
    const sub = client.subscribe(Subjects.TicketCreated, {
      callback: (_error, msg) => {
        if ((msg.json() as { id?: string }).id === ticket(3).id)
          headers.push(msg.headers?.get('traceparent') || undefined);
      },
    });
    await listener.listen();
    try {
      const id = await database.db.transaction((tx) => enqueueEvent(tx, Subjects.TicketCreated, ticket(3)));
      await waitFor(() => listener.received.some((r) => r.data.id === ticket(3).id), {
        message: 'the event to arrive',
      });
      const rows = (await database.db.execute(sql`select trace_context from outbox where id = ${id}`)) as unknown as {
        rows: { trace_context: unknown }[];
      };
      expect(rows.rows[0]!.trace_context).toBeNull();
      await waitFor(() => headers.length > 0, { message: 'the message to be seen' });
      expect(headers).toEqual([undefined]);
    } finally {
      sub.unsubscribe();
      await listener.close();
    }
  });
});

describe('the outbox in the metrics', () => {
  it('reports a pending row and its age, and NaN rather than a stale age when the database cannot say', async () => {
    const local = new ServiceMetrics('outbox-test', { processMetrics: false });
    let stats = { pending: 2, failed: 1, oldestPendingAgeSeconds: 12.5 };
    let failing = false;
    local.watchOutbox(async () => {
      if (failing) throw new Error('the database is away');
      return stats;
    });
    const text = () => local.registry.metrics();

    expect(await text()).toContain('ticketing_outbox_rows{state="pending"} 2');
    expect(await text()).toContain('ticketing_outbox_rows{state="failed"} 1');
    expect(await text()).toContain('ticketing_outbox_oldest_pending_age_seconds 12.5');

    failing = true;
    stats = { pending: 0, failed: 0, oldestPendingAgeSeconds: 0 };
    const away = await text();
    // prom-client writes NaN so; Prometheus reads it in any case (Go's ParseFloat).
    expect(away).toContain('ticketing_outbox_oldest_pending_age_seconds Nan');
    expect(away).not.toContain('ticketing_outbox_rows{');
  });
});
