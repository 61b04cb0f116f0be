import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Bucket bounds (seconds) the OpenTelemetry semantic conventions advise for
 * `http.server.request.duration`, used for handling an event too.
 */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * A figure read when Prometheus scrapes. A failed read (the database away) leaves a labelled
 * metric's series out of that scrape and makes an unlabelled one NaN: never a stale value.
 */
type Read<T> = () => Promise<T>;

/** How long a scrape waits for one read (a consumer's info, a count): well inside a 5 s scrape timeout. */
const READ_TIMEOUT_MS = 1_000;

/** `read()`, or undefined when it fails or takes longer than `READ_TIMEOUT_MS`. */
async function bounded<T>(read: Read<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), READ_TIMEOUT_MS);
  });
  try {
    return await Promise.race([read().catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a listener tells the metrics: `'outcome'` and `'handled'` events, and its consumer's backlog. */
export interface WatchedListener {
  readonly subject: string;
  readonly durableName: string;
  readonly events: NodeJS.EventEmitter;
  backlog(): Promise<{ pending: number; ackPending: number }>;
}

/** The outbox's state at a scrape. */
export interface OutboxStats {
  pending: number;
  failed: number;
  /** Seconds the oldest pending row has waited; 0 when none waits. */
  oldestPendingAgeSeconds: number;
}

/**
 * A service's Prometheus metrics, in its own registry (several services share a process in
 * tests). Which service it is, Prometheus' scrape says (its `job` and `instance`). Names and labels follow the OpenTelemetry semantic conventions as Prometheus
 * writes them (dots become underscores, the unit and `_total` are suffixed):
 * `http_server_request_duration_seconds`, `messaging_client_sent_messages_total`,
 * `messaging_client_consumed_messages_total`, `messaging_process_duration_seconds`; the
 * project's own live under `ticketing_`; the process' own are prom-client's defaults
 * (`nodejs_eventloop_lag_seconds`, `process_resident_memory_bytes`, …).
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requestDuration: Histogram<'http_request_method' | 'http_route' | 'http_response_status_code'>;
  private readonly sent: Counter<'messaging_system' | 'messaging_destination_name'>;
  private readonly consumed: Counter<
    'messaging_system' | 'messaging_destination_name' | 'messaging_consumer_group_name'
  >;
  private readonly settled: Counter<'messaging_destination_name' | 'messaging_consumer_group_name' | 'outcome'>;
  private readonly processDuration: Histogram<
    'messaging_system' | 'messaging_destination_name' | 'messaging_consumer_group_name' | 'error_type'
  >;
  private readonly listeners: WatchedListener[] = [];

  /**
   * `processMetrics: false` leaves out the process' own figures (whose event-loop monitor
   * runs until the process ends): for the services a test builds by the dozen.
   */
  constructor(
    readonly service: string,
    { processMetrics = true }: { processMetrics?: boolean } = {},
  ) {
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.requestDuration = new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'Duration of HTTP server requests, by method, route template and status.',
      labelNames: ['http_request_method', 'http_route', 'http_response_status_code'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.sent = new Counter({
      name: 'messaging_client_sent_messages_total',
      help: 'Events the outbox relay published, by subject.',
      labelNames: ['messaging_system', 'messaging_destination_name'],
      registers,
    });
    this.consumed = new Counter({
      name: 'messaging_client_consumed_messages_total',
      help: 'Deliveries the listeners received (redeliveries included), by subject and consumer.',
      labelNames: ['messaging_system', 'messaging_destination_name', 'messaging_consumer_group_name'],
      registers,
    });
    this.settled = new Counter({
      name: 'ticketing_messaging_settled_messages_total',
      help: 'Deliveries by what became of them: handled (acked), retried (redelivered later) or terminated (never again).',
      labelNames: ['messaging_destination_name', 'messaging_consumer_group_name', 'outcome'],
      registers,
    });
    this.processDuration = new Histogram({
      name: 'messaging_process_duration_seconds',
      help: 'Duration of handling one delivery, by subject, consumer and error (empty when it succeeded).',
      labelNames: ['messaging_system', 'messaging_destination_name', 'messaging_consumer_group_name', 'error_type'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    const listeners = this.listeners;
    const consumerLabels = ['messaging_destination_name', 'messaging_consumer_group_name'] as const;
    const backlogGauge = (
      name: string,
      help: string,
      pick: (backlog: { pending: number; ackPending: number }) => number,
    ) =>
      new Gauge({
        name,
        help,
        labelNames: consumerLabels,
        registers,
        async collect() {
          this.reset();
          await Promise.all(
            listeners.map(async (listener) => {
              const backlog = await bounded(() => listener.backlog());
              if (!backlog) return;
              this.set(
                { messaging_destination_name: listener.subject, messaging_consumer_group_name: listener.durableName },
                pick(backlog),
              );
            }),
          );
        },
      });
    backlogGauge(
      'ticketing_messaging_consumer_pending_messages',
      "Messages in the stream this consumer has not been given yet (the consumer's num_pending).",
      (backlog) => backlog.pending,
    );
    backlogGauge(
      'ticketing_messaging_consumer_unacknowledged_messages',
      "Messages given to this consumer and not yet acknowledged (the consumer's num_ack_pending).",
      (backlog) => backlog.ackPending,
    );
  }

  /** Wraps a service's HTTP app: answers `GET /metrics`, and times every other request. */
  instrument(app: RequestListener): RequestListener {
    return (req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/metrics' || req.url?.startsWith('/metrics?')) {
        void this.serve(req, res);
        return;
      }
      const started = performance.now();
      res.once('finish', () => {
        // Express leaves the matched route on the request: its template, never the raw path.
        const route = (req as { route?: { path?: unknown } }).route?.path;
        this.requestDuration.observe(
          {
            http_request_method: req.method ?? '',
            http_route: typeof route === 'string' ? route : '',
            http_response_status_code: String(res.statusCode),
          },
          (performance.now() - started) / 1_000,
        );
      });
      app(req, res);
    };
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'Method not allowed: /metrics answers GET' }] }));
      return;
    }
    try {
      const body = await this.registry.metrics();
      res.writeHead(200, { 'content-type': this.registry.contentType, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: `Metrics unavailable: ${(error as Error).message}` }] }));
    }
  }

  /** Counts an event the outbox relay published. */
  published(subject: string): void {
    this.sent.inc({ messaging_system: 'nats', messaging_destination_name: subject });
  }

  /** Counts what becomes of a listener's deliveries, times its handler and reports its consumer's backlog. */
  watch(listener: WatchedListener): void {
    this.listeners.push(listener);
    const consumer = listener.durableName;
    listener.events.on('outcome', ({ outcome, subject }: { outcome: 'ack' | 'nak' | 'term'; subject: string }) => {
      const labels = { messaging_destination_name: subject, messaging_consumer_group_name: consumer };
      this.settled.inc({
        ...labels,
        outcome: outcome === 'ack' ? 'handled' : outcome === 'nak' ? 'retried' : 'terminated',
      });
    });
    listener.events.on('delivered', ({ subject }: { subject: string }) => {
      this.consumed.inc({
        messaging_system: 'nats',
        messaging_destination_name: subject,
        messaging_consumer_group_name: consumer,
      });
    });
    listener.events.on(
      'handled',
      ({ subject, durationSeconds, ok }: { subject: string; durationSeconds: number; ok: boolean }) => {
        this.processDuration.observe(
          {
            messaging_system: 'nats',
            messaging_destination_name: subject,
            messaging_consumer_group_name: consumer,
            error_type: ok ? '' : 'handler_failed',
          },
          durationSeconds,
        );
      },
    );
  }

  /** Reports the outbox at each scrape: rows pending and failed, and how long the oldest pending one has waited. */
  watchOutbox(readStats: Read<OutboxStats>): void {
    // One read serves the two gauges of a scrape: each asks once per scrape, so the first
    // ask after both have had a read makes a new one.
    let current: Promise<OutboxStats | undefined> | undefined;
    let asked = 0;
    const stats = () => {
      if (!current || asked >= 2) {
        current = bounded(readStats);
        asked = 0;
      }
      asked++;
      return current;
    };
    new Gauge({
      name: 'ticketing_outbox_rows',
      help: 'Outbox rows waiting to be published (pending) and given up on (failed).',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const now = await stats();
        if (!now) return;
        this.set({ state: 'pending' }, now.pending);
        this.set({ state: 'failed' }, now.failed);
      },
    });
    new Gauge({
      name: 'ticketing_outbox_oldest_pending_age_seconds',
      help: 'How long the oldest pending outbox row has waited (0 when none waits; NaN when the database cannot say).',
      registers: [this.registry],
      async collect() {
        const now = await stats();
        this.set(now ? now.oldestPendingAgeSeconds : NaN);
      },
    });
  }

  /** Reports the rows a consuming service's inbox holds at each scrape. */
  watchInbox(read: Read<number>): void {
    new Gauge({
      name: 'ticketing_inbox_rows',
      help: 'Messages the inbox remembers as handled, until the pruner drops them (NaN when the database cannot say).',
      registers: [this.registry],
      async collect() {
        const rows = await bounded(read);
        this.set(rows ?? NaN);
      },
    });
  }
}
