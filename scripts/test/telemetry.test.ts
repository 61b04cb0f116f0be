// What an operator sees of a purchase on the whole system as `npm start` runs it: one trace
// for placing the order and one for paying, across every service, kept by the runner's own
// OTLP/HTTP receiver under DATA_DIR/traces; log lines that name their trace; each service's
// /metrics moving with the work; and Prometheus (PROMETHEUS=1 npm start) scraping them all.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '@ticketing/common/testing';
import { startStack } from '../lib/stack.mjs';
import { groupTraces, readSpans, tracesDir, waterfall } from '../lib/trace-store.mjs';
import { parsePrometheusText, sampleValue } from './lib/prometheus-text';
import { apiCall, buyTicket } from './lib/purchase';

const root = path.join(__dirname, '..', '..');
const SERVICES = ['auth', 'tickets', 'orders', 'expiration', 'payments'];

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  service: string;
  name: string;
  kind: number;
  status: string;
  attributes: Record<string, unknown>;
}

describe('traces and metrics of a purchase', () => {
  let dataDir: string;
  let stack: Awaited<ReturnType<typeof startStack>>;
  const lines: string[] = [];
  const scrape = async (service: string) => {
    const response = await fetch(`http://127.0.0.1:${stack.ports[`${service}-srv`]}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await response.text());
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ticketing-telemetry-'));
    stack = await startStack({
      root,
      port: 0,
      dataDir,
      natsPort: 0,
      natsMonitorPort: 0,
      client: false,
      logLevel: 'info',
      traces: 'local',
      prometheus: { port: 0 },
      print: (line: string) => lines.push(line),
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The trace whose root is the request `name` in `service`, once `done` holds for its spans. */
  const traceOf = async (service: string, name: string, done: (spans: Span[]) => boolean) =>
    waitFor(
      () => {
        // The first attempt may have found no copy of the ticket yet (a 404): the one that went through.
        return groupTraces(readSpans(tracesDir(dataDir))).find(
          (t: { root: Span; spans: Span[] }) => t.root.service === service && t.root.name === name && done(t.spans),
        );
      },
      { timeoutMs: 30_000, message: `the trace of ${name} in ${service}` },
    );

  const has = (spans: Span[], service: string, name: string) =>
    spans.some((span) => span.service === service && span.name === name);
  const one = (spans: Span[], service: string, name: string) => {
    const found = spans.filter((span) => span.service === service && span.name === name);
    expect(found.map((span) => `${span.service} ${span.name}`)).toEqual([`${service} ${name}`]);
    return found[0]!;
  };
  /** Asserts `child`'s parent is `parent`: the thread runs unbroken from one to the other. */
  const expectChild = (child: Span, parent: Span) =>
    expect(`${child.service} ${child.name} ← ${child.parentSpanId}`).toBe(
      `${child.service} ${child.name} ← ${parent.spanId}`,
    );
  /** The chain an event makes: create (with the change) → send (the relay) → process (each consumer). */
  const expectEvent = (spans: Span[], from: Span, producer: string, subject: string, consumers: string[]) => {
    const create = one(spans, producer, `create ${subject}`);
    const send = one(spans, producer, `send ${subject}`);
    // Within a service, below the work that made the change (a request's handler span between).
    expect(`${create.name} under ${from.name}: ${descends(spans, create, from)}`).toBe(
      `${create.name} under ${from.name}: true`,
    );
    expectChild(send, create);
    // Every delivery to each consumer (a redelivery too) continues from the send.
    return consumers.map((consumer) => {
      const deliveries = spans.filter((span) => span.service === consumer && span.name === `process ${subject}`);
      expect(deliveries.length).toBeGreaterThan(0);
      for (const delivery of deliveries) expectChild(delivery, send);
      return deliveries[0]!;
    });
  };
  /** Whether `ancestor` is above `span` in the trace. */
  const descends = (spans: Span[], span: Span, ancestor: Span) => {
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    for (let at = span.parentSpanId ? byId.get(span.parentSpanId) : undefined; at;) {
      if (at.spanId === ancestor.spanId) return true;
      at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined;
    }
    return false;
  };

  it('follows placing an order and paying for it across every service, one trace each', async () => {
    const before = Object.fromEntries(await Promise.all(SERVICES.map(async (name) => [name, await scrape(name)])));
    const { payment } = await buyTicket(apiCall(stack.url), 'traced', { title: 'Traced', price: 30 });
    expect(payment.status).toBe('succeeded');

    // Placing the order: the request, tickets reserving the ticket and orders' copy taking
    // the update, expiration scheduling it, payments copying the order.
    const placing = await traceOf(
      'orders',
      'POST /api/orders',
      (spans) =>
        has(spans, 'orders', 'process ticket:updated') &&
        has(spans, 'expiration', 'process order:created') &&
        has(spans, 'payments', 'process order:created'),
    );
    const placed = placing.spans as Span[];
    const request = placing.root as Span;
    expect(request.kind).toBe(2); // SERVER
    const [inTickets] = expectEvent(placed, request, 'orders', 'order:created', ['tickets', 'expiration', 'payments']);
    expectEvent(placed, inTickets!, 'tickets', 'ticket:updated', ['orders']);
    // Each step's own database work is in its span: the schedule written in expiration's.
    const scheduling = one(placed, 'expiration', 'process order:created');
    expect(
      placed.some(
        (span) =>
          span.service === 'expiration' && /^pg\.query:INSERT/.test(span.name) && descends(placed, span, scheduling),
      ),
    ).toBe(true);
    expect(new Set(placed.map((span) => span.traceId))).toEqual(new Set([request.traceId]));

    // Paying: the request, orders completing the order, tickets selling the ticket,
    // expiration dropping the schedule.
    const paying = await traceOf(
      'payments',
      'POST /api/payments',
      (spans) =>
        has(spans, 'tickets', 'process order:completed') &&
        has(spans, 'expiration', 'process order:completed') &&
        has(spans, 'orders', 'process ticket:updated'),
    );
    const paid = paying.spans as Span[];
    const [inOrders] = expectEvent(paid, paying.root as Span, 'payments', 'payment:created', ['orders']);
    const [sold] = expectEvent(paid, inOrders!, 'orders', 'order:completed', ['tickets', 'expiration']);
    expectEvent(paid, sold!, 'tickets', 'ticket:updated', ['orders']);
    expect(paying.traceId).not.toBe(placing.traceId);

    // `npm run trace <id>` prints it as a waterfall: every service, nested, with durations.
    const printed = waterfall(paying).join('\n');
    expect(printed).toMatch(/^ +\+0\.0 ms {2}payments +POST \/api\/payments {2}\d/m);
    expect(printed).toMatch(/^ +\+[\d.]+ ms {2}tickets +( {2}){4,}process order:completed {2}\d/m);

    // The request's log line names its trace.
    expect(lines.join('\n')).toMatch(
      new RegExp(`^orders +\\| INFO +request completed .*trace_id=${request.traceId} span_id=`, 'm'),
    );

    // Every service's /metrics moved with the work.
    await waitFor(
      async () => {
        const after = Object.fromEntries(await Promise.all(SERVICES.map(async (name) => [name, await scrape(name)])));
        const moved = (name: string, metric: string, labels: Record<string, string>) =>
          (sampleValue(after[name], metric, labels) ?? 0) > (sampleValue(before[name], metric, labels) ?? 0);
        return (
          moved('auth', 'http_server_request_duration_seconds_count', {
            http_request_method: 'POST',
            http_route: '/api/users/signup',
            http_response_status_code: '201',
          }) &&
          moved('tickets', 'messaging_client_sent_messages_total', { messaging_destination_name: 'ticket:created' }) &&
          moved('orders', 'ticketing_messaging_settled_messages_total', {
            messaging_destination_name: 'payment:created',
            outcome: 'handled',
          }) &&
          moved('expiration', 'messaging_process_duration_seconds_count', {
            messaging_destination_name: 'order:completed',
          }) &&
          moved('payments', 'messaging_client_sent_messages_total', { messaging_destination_name: 'payment:created' })
        );
      },
      { message: 'every service to count the purchase' },
    );
    for (const name of SERVICES) {
      const after = await scrape(name);
      expect(sampleValue(after, 'process_resident_memory_bytes', {})).toBeGreaterThan(0);
      expect(sampleValue(after, 'nodejs_eventloop_lag_seconds', {})).toBeGreaterThanOrEqual(0);
    }
    const orders = await scrape('orders');
    expect(sampleValue(orders, 'ticketing_outbox_rows', { state: 'pending' })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(orders, 'ticketing_outbox_oldest_pending_age_seconds', {})).toBeGreaterThanOrEqual(0);
    expect(sampleValue(orders, 'ticketing_inbox_rows', {})).toBeGreaterThan(0);
    expect(
      sampleValue(orders, 'ticketing_messaging_consumer_pending_messages', {
        messaging_consumer_group_name: 'orders-service-payment:created',
      }),
    ).toBe(0);
  }, 120_000);

  it('runs Prometheus scraping every service and the bus, and graphing what they count', async () => {
    const query = async (path: string) => {
      const response = await fetch(`${stack.prometheusUrl}${path}`);
      expect(response.status).toBe(200);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Prometheus' API answers, read as JSON
      return ((await response.json()) as { data: any }).data;
    };
    const targets = await waitFor(
      async () => {
        const { activeTargets } = await query('/api/v1/targets');
        const up = activeTargets as { labels: { job: string }; health: string; lastError: string }[];
        return up.length > 0 && up.every((target) => target.health === 'up') ? up : undefined;
      },
      { timeoutMs: 30_000, message: 'every target scraped and up' },
    );
    expect(targets.map((target) => target.labels.job).sort()).toEqual([...SERVICES, 'nats', 'prometheus'].sort());

    const ticketCreated = async () => {
      const result = await query(
        `/api/v1/query?query=${encodeURIComponent('sum(messaging_client_sent_messages_total{job="tickets",messaging_destination_name="ticket:created"})')}`,
      );
      return Number(result.result[0]?.value[1] ?? 0);
    };
    const consumerBacklog = async () => {
      const result = await query(
        `/api/v1/query?query=${encodeURIComponent('jetstream_consumer_num_pending{job="nats",consumer_name="orders-service-ticket:created"}')}`,
      );
      return result.result.length === 1 ? Number(result.result[0].value[1]) : undefined;
    };
    // The purchase above listed a ticket; Prometheus has it from a scrape after that, and orders
    // has been given every ticket:created.
    await waitFor(async () => (await ticketCreated()) >= 1 && (await consumerBacklog()) === 0, {
      timeoutMs: 30_000,
      message: "Prometheus to have tickets' publishes and the bus's consumers",
    });
  }, 60_000);
});
