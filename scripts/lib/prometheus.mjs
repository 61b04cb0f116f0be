// `PROMETHEUS=1 npm start`: Debian's Prometheus, scraping every service's /metrics and the
// bus. nats-server's monitoring port answers JSON (/varz, /jsz), not Prometheus' text, and
// neither Debian nor npm carries its exporter: a small bridge here reads those two pages and
// answers the figures in Prometheus' text format, named as prometheus-nats-exporter names them.
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { stringify } from 'yaml';
import { which } from '@ticketing/common/system';
import { SupervisedProcess } from './supervisor.mjs';

/** Seconds between scrapes: a laptop's graphs move while one watches. */
const SCRAPE_INTERVAL = '5s';

const getJson = (port, page) =>
  new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: page, timeout: 2_000, agent: false }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        try {
          if (response.statusCode !== 200) throw new Error(`${page} answered ${response.statusCode}`);
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error);
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error(`${page} did not answer in time`)));
    request.on('error', reject);
  });

const escape = (value) => String(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labelsOf = (labels) => {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${escape(v)}"`).join(',')}}` : '';
};

/**
 * Renders nats-server's /varz and /jsz?consumers=true as Prometheus text: the server's
 * connections, messages and bytes, and each stream's and consumer's state (the backlog a
 * consumer has not been given, what it holds unacknowledged, its redeliveries).
 */
export function natsMetricsText(varz, jsz) {
  const families = new Map();
  const add = (name, type, help, labels, value) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return;
    const family = families.get(name) ?? { type, help, samples: [] };
    family.samples.push(`${name}${labelsOf(labels)} ${value}`);
    families.set(name, family);
  };
  const server = { server_id: varz.server_id ?? '' };
  add('gnatsd_varz_connections', 'gauge', 'Client connections open now.', server, varz.connections);
  add('gnatsd_varz_in_msgs', 'counter', 'Messages received by the server.', server, varz.in_msgs);
  add('gnatsd_varz_out_msgs', 'counter', 'Messages sent by the server.', server, varz.out_msgs);
  add('gnatsd_varz_in_bytes', 'counter', 'Bytes received by the server.', server, varz.in_bytes);
  add('gnatsd_varz_out_bytes', 'counter', 'Bytes sent by the server.', server, varz.out_bytes);
  add(
    'gnatsd_varz_slow_consumers',
    'counter',
    'Clients the server cut off for reading too slowly.',
    server,
    varz.slow_consumers,
  );
  add('gnatsd_varz_mem', 'gauge', "The server's resident memory in bytes.", server, varz.mem);
  for (const account of jsz.account_details ?? []) {
    for (const stream of account.stream_detail ?? []) {
      const streamLabels = { ...server, account: account.name ?? '', stream_name: stream.name };
      add(
        'jetstream_stream_total_messages',
        'gauge',
        'Messages the stream holds.',
        streamLabels,
        stream.state?.messages,
      );
      add('jetstream_stream_total_bytes', 'gauge', 'Bytes the stream holds.', streamLabels, stream.state?.bytes);
      add('jetstream_stream_last_seq', 'gauge', "The stream's last sequence.", streamLabels, stream.state?.last_seq);
      for (const consumer of stream.consumer_detail ?? []) {
        const labels = { ...streamLabels, consumer_name: consumer.name };
        add(
          'jetstream_consumer_num_pending',
          'gauge',
          'Messages the consumer has not been given yet.',
          labels,
          consumer.num_pending,
        );
        add(
          'jetstream_consumer_num_ack_pending',
          'gauge',
          'Messages given and not yet acknowledged.',
          labels,
          consumer.num_ack_pending,
        );
        add(
          'jetstream_consumer_num_redelivered',
          'gauge',
          'Messages given more than once.',
          labels,
          consumer.num_redelivered,
        );
        add(
          'jetstream_consumer_delivered_consumer_seq',
          'gauge',
          'Deliveries made.',
          labels,
          consumer.delivered?.consumer_seq,
        );
        add(
          'jetstream_consumer_ack_floor_stream_seq',
          'gauge',
          'The stream sequence acknowledged up to.',
          labels,
          consumer.ack_floor?.stream_seq,
        );
      }
    }
  }
  const lines = [];
  for (const [name, { type, help, samples }] of families)
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples);
  return `${lines.join('\n')}\n`;
}

/** The bridge: `GET /metrics` answers the bus's figures from the monitoring port `monitorPort`. */
export async function startNatsMetricsBridge({ monitorPort }) {
  const server = http.createServer(async (req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('Only /metrics is served here\n');
    }
    try {
      const [varz, jsz] = await Promise.all([
        getJson(monitorPort, '/varz'),
        getJson(monitorPort, '/jsz?accounts=true&streams=true&consumers=true'),
      ]);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(natsMetricsText(varz, jsz));
    } catch (error) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end(`nats-server's monitoring port does not answer: ${error.message}\n`);
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Prometheus' configuration: a job per service with every instance's port, the bus through
 * the bridge, and Prometheus itself.
 * @param {{ services: Record<string, number[]>, natsBridgePort?: number, port: number }} targets
 */
export function prometheusConfig({ services, natsBridgePort, port }) {
  const job = (name, ports) => ({
    job_name: name,
    static_configs: [{ targets: ports.map((p) => `127.0.0.1:${p}`) }],
  });
  return {
    global: { scrape_interval: SCRAPE_INTERVAL, evaluation_interval: SCRAPE_INTERVAL },
    scrape_configs: [
      ...Object.entries(services).map(([name, ports]) => job(name, ports)),
      ...(natsBridgePort ? [job('nats', [natsBridgePort])] : []),
      job('prometheus', [port]),
    ],
  };
}

/**
 * The Prometheus the runner supervises, its configuration and its data under
 * DATA_DIR/prometheus, answering on loopback at `port`.
 */
export function prometheusProcess({ dataDir, port, targets, logs }) {
  const binary = which('prometheus');
  if (!binary) throw new Error('prometheus was not found. Install it: sudo apt-get install prometheus');
  const home = path.join(dataDir, 'prometheus');
  mkdirSync(path.join(home, 'data'), { recursive: true, mode: 0o700 });
  const config = path.join(home, 'prometheus.yml');
  writeFileSync(
    config,
    `# Written by the runner at each start (PROMETHEUS=1 npm start); edits are lost.\n${stringify(prometheusConfig({ ...targets, port }))}`,
    { mode: 0o600 },
  );
  return new SupervisedProcess({
    name: 'prometheus',
    command: binary,
    args: [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(home, 'data')}`,
      `--storage.tsdb.retention.time=7d`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    env: process.env,
    lock: home,
    ...logs,
  });
}
