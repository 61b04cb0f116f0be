// The runner's trace store: what it accepts and refuses, what `npm run trace` prints from it,
// and the bridge that gives Prometheus the bus's figures.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { findExecutable } from '@ticketing/common/system';
import { natsMetricsText, prometheusConfig } from '../lib/prometheus.mjs';
import { groupTraces, readSpans, startTraceReceiver, waterfall } from '../lib/trace-store.mjs';
import { parsePrometheusText, sampleValue } from './lib/prometheus-text';

const root = path.join(__dirname, '..', '..');
const T1 = 'aa'.repeat(16);
const T2 = 'bb'.repeat(16);

const span = (traceId: string, spanId: string, name: string, startMs: number, endMs: number, extra = {}) => ({
  traceId,
  spanId,
  name,
  kind: 1,
  startTimeUnixNano: String(BigInt(startMs) * 1_000_000n),
  endTimeUnixNano: String(BigInt(endMs) * 1_000_000n),
  status: {},
  attributes: [],
  ...extra,
});
const batch = (service: string, spans: object[]) => ({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{ spans }],
    },
  ],
});

describe('the trace store', () => {
  let dir: string;
  let receiver: Awaited<ReturnType<typeof startTraceReceiver>>;
  const post = (body: string, type = 'application/json', url = '/v1/traces') =>
    fetch(`${receiver.endpoint}${url}`, { method: 'POST', headers: { 'content-type': type }, body });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ticketing-traces-'));
    receiver = await startTraceReceiver({ dir: path.join(dir, 'traces') });
  });
  afterAll(async () => {
    await receiver.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps each batch of OTLP JSON as a line, and refuses what is not one in the error format', async () => {
    const placing = [
      span(T1, '01', 'POST /api/orders', 1000, 1030, {}),
      span(T1, '02', 'create order:created', 1010, 1012, { parentSpanId: '01', kind: 4 }),
      span(T1, '03', 'send order:created', 1020, 1022, { parentSpanId: '02', kind: 4 }),
    ];
    expect((await post(JSON.stringify(batch('orders', placing)))).status).toBe(200);
    const tickets = [
      span(T1, '04', 'process order:created', 1025, 1040, {
        parentSpanId: '03',
        kind: 5,
        status: { code: 2, message: 'the database is away' },
        attributes: [{ key: 'messaging.nats.message.delivery_count', value: { intValue: '2' } }],
      }),
      // Its parent never arrived: it still shows, at the top.
      span(T1, '05', 'orphan', 1050, 1051, { parentSpanId: 'ff' }),
    ];
    expect((await post(JSON.stringify(batch('tickets', tickets)))).status).toBe(200);
    expect(
      (
        await post(
          JSON.stringify(
            batch('expiration', [
              span(T2, '06', 'expire order', 5000, 5001, { links: [{ traceId: T1, spanId: '01' }] }),
            ]),
          ),
        )
      ).status,
    ).toBe(200);

    const refused = [
      await post('{"resourceSpans":'),
      await post('{"spans":[]}'),
      await post('binary', 'application/x-protobuf'),
      await post('{}', 'application/json', '/v1/metrics'),
    ];
    expect(refused.map((r) => r.status)).toEqual([400, 400, 415, 404]);
    for (const response of refused)
      expect(await response.json()).toEqual({ errors: [{ message: expect.any(String) }] });
    expect((await readFile(path.join(dir, 'traces', 'spans.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(3);

    const traces = groupTraces(readSpans(path.join(dir, 'traces')));
    expect(traces.map((t: { traceId: string }) => t.traceId)).toEqual([T1, T2]);
    expect(waterfall(traces[0]).join('\n')).toBe(
      [
        `trace ${T1}  51.0 ms  5 spans  orders, tickets`,
        '    +0.0 ms  orders   POST /api/orders  30.0 ms',
        '   +10.0 ms  orders     create order:created  2.0 ms',
        '   +20.0 ms  orders       send order:created  2.0 ms',
        '   +25.0 ms  tickets        process order:created  15.0 ms  ERROR: the database is away  (delivery 2)',
        '   +50.0 ms  tickets  orphan  1.0 ms',
      ].join('\n'),
    );
    expect(waterfall(traces[1])[1]).toMatch(/expire order {2}1\.0 ms {2}\(follows trace a{32}\)$/);
  });

  it('prints the latest trace, a given one, or the list, with npm run trace', () => {
    const trace = (...args: string[]) =>
      execFileSync(process.execPath, [path.join(root, 'scripts', 'trace.mjs'), ...args], {
        env: { ...process.env, DATA_DIR: dir },
        encoding: 'utf8',
        // Its complaints are read from the error, not printed among the tests' results.
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    // The latest that crossed services, not the later expiry in expiration alone.
    expect(trace()).toMatch(new RegExp(`^trace ${T1} `));
    expect(trace('aaaa')).toMatch(new RegExp(`^trace ${T1} `));
    expect(trace('--list').trim().split('\n')).toHaveLength(2);
    expect(() => trace('cccc')).toThrow(/No trace's id starts with cccc/);
    expect(() => trace('not-an-id')).toThrow(/is not a trace id/);
  });
});

describe('the trace store when it fills up', () => {
  it('starts a new file, keeping the one before and dropping older ones', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ticketing-traces-'));
    const receiver = await startTraceReceiver({ dir, maxFileBytes: 1_000 });
    try {
      const one = (n: number) =>
        fetch(`${receiver.endpoint}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(batch('orders', [span(n.toString(16).padStart(32, '0'), '01', `work ${n}`, n, n + 1)])),
        });
      // Each batch ~300 bytes: three fit in a file.
      for (let n = 1; n <= 8; n++) expect((await one(n)).status).toBe(200);
      const names = readSpans(dir).map((s: { name: string }) => s.name);
      expect(names).toEqual(['work 4', 'work 5', 'work 6', 'work 7', 'work 8']);
    } finally {
      await receiver.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the bus's figures for Prometheus", () => {
  it("renders nats-server's /varz and /jsz as Prometheus text, with the exporter's names", () => {
    const text = natsMetricsText(
      {
        server_id: 'N1',
        connections: 6,
        in_msgs: 120,
        out_msgs: 300,
        in_bytes: 1,
        out_bytes: 2,
        slow_consumers: 0,
        mem: 9,
      },
      {
        account_details: [
          {
            name: '$G',
            stream_detail: [
              {
                name: 'ticketing',
                state: { messages: 40, bytes: 4000, last_seq: 40 },
                consumer_detail: [
                  {
                    name: 'orders-service-ticket:created',
                    num_pending: 3,
                    num_ack_pending: 1,
                    num_redelivered: 0,
                    delivered: { consumer_seq: 12 },
                    ack_floor: { stream_seq: 37 },
                  },
                ],
              },
            ],
          },
        ],
      },
    );
    const samples = parsePrometheusText(text);
    expect(sampleValue(samples, 'gnatsd_varz_connections', {})).toBe(6);
    expect(sampleValue(samples, 'jetstream_stream_total_messages', { stream_name: 'ticketing' })).toBe(40);
    expect(
      sampleValue(samples, 'jetstream_consumer_num_pending', { consumer_name: 'orders-service-ticket:created' }),
    ).toBe(3);
    expect(sampleValue(samples, 'jetstream_consumer_num_ack_pending', {})).toBe(1);
  });

  it('configures Prometheus with a job per service (every instance), the bus and itself, as promtool accepts', async () => {
    const config = prometheusConfig({
      services: { orders: [4001, 4002], tickets: [4003] },
      natsBridgePort: 4004,
      port: 9090,
    });
    expect(config.scrape_configs.map((job: { job_name: string }) => job.job_name)).toEqual([
      'orders',
      'tickets',
      'nats',
      'prometheus',
    ]);
    expect(config.scrape_configs[0]!.static_configs).toEqual([{ targets: ['127.0.0.1:4001', '127.0.0.1:4002'] }]);
    const dir = await mkdtemp(path.join(tmpdir(), 'ticketing-prometheus-'));
    try {
      writeFileSync(path.join(dir, 'prometheus.yml'), stringify(config));
      const check = spawnSync(
        findExecutable('promtool', 'apt-get install prometheus'),
        ['check', 'config', path.join(dir, 'prometheus.yml')],
        { encoding: 'utf8' },
      );
      expect({ status: check.status, output: check.stdout + check.stderr }).toEqual({
        status: 0,
        output: expect.stringContaining('SUCCESS'),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
