// The local runner's trace store: an OTLP/HTTP (JSON) receiver that keeps what the services
// send under DATA_DIR/traces, and the reader `npm run trace` prints from. No viewer that
// installs offline (from npm or Debian) exists, so the spans stay as OTLP JSON lines.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/** The file the receiver appends to; at `maxFileBytes` (32 MB) it becomes `spans.1.jsonl` (replacing the older one). */
const CURRENT = 'spans.jsonl';
const PREVIOUS = 'spans.1.jsonl';
const MAX_FILE_BYTES = 32 * 1024 * 1024;
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** The folder a data folder keeps its traces in. */
export const tracesDir = (dataDir) => path.join(dataDir, 'traces');

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Starts the receiver on loopback: `POST /v1/traces` with an OTLP `ExportTraceServiceRequest`
 * as JSON (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`), each appended as one line.
 * @param {{ dir: string, port?: number, maxFileBytes?: number }} options
 * @returns {Promise<{ endpoint: string, port: number, stop: () => Promise<void> }>}
 */
export async function startTraceReceiver({ dir, port = 0, maxFileBytes = MAX_FILE_BYTES }) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, CURRENT);
  let size = fs.existsSync(file) ? fs.statSync(file).size : 0;
  const append = (line) => {
    if (size + Buffer.byteLength(line) > maxFileBytes && size > 0) {
      fs.renameSync(file, path.join(dir, PREVIOUS));
      size = 0;
    }
    fs.appendFileSync(file, line, { mode: 0o600 });
    size += Buffer.byteLength(line);
  };
  const server = http.createServer((req, res) => {
    if (req.url !== '/v1/traces')
      return answer(res, 404, { errors: [{ message: 'Only /v1/traces is received here' }] });
    if (req.method !== 'POST') return answer(res, 405, { errors: [{ message: '/v1/traces takes POST' }] });
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return answer(res, 415, { errors: [{ message: 'Send OTLP as JSON: OTEL_EXPORTER_OTLP_PROTOCOL=http/json' }] });
    }
    const chunks = [];
    let length = 0;
    req.on('data', (chunk) => {
      length += chunk.length;
      if (length > MAX_BODY_BYTES) {
        answer(res, 413, { errors: [{ message: `A batch may hold at most ${MAX_BODY_BYTES} bytes` }] });
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return answer(res, 400, { errors: [{ message: 'The body is not JSON' }] });
      }
      if (!Array.isArray(body?.resourceSpans)) {
        return answer(res, 400, { errors: [{ message: 'Expected an ExportTraceServiceRequest (resourceSpans)' }] });
      }
      try {
        append(`${JSON.stringify(body)}\n`);
      } catch (error) {
        return answer(res, 503, { errors: [{ message: `Cannot keep the spans: ${error.message}` }] });
      }
      answer(res, 200, {});
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = server.address().port;
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    port: bound,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const nanos = (value) => BigInt(value ?? 0);
const attributeValue = (value) => {
  if (!value || typeof value !== 'object') return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue;
  if ('boolValue' in value) return value.boolValue;
  return undefined;
};
const attributesOf = (list) =>
  Object.fromEntries(
    (list ?? []).map(({ key, value }) => [key, attributeValue(value)]).filter(([, v]) => v !== undefined),
  );

/**
 * Every span kept in `dir`, flattened: `{ traceId, spanId, parentSpanId, service, name, kind,
 * start, end (bigint ns), status: 'ok' | 'error' | 'unset', statusMessage, attributes, links }`.
 * A line that does not parse (a crash mid-write) is skipped.
 */
export function readSpans(dir) {
  const spans = [];
  for (const name of [PREVIOUS, CURRENT]) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let request;
      try {
        request = JSON.parse(line);
      } catch {
        continue;
      }
      for (const resourceSpans of request.resourceSpans ?? []) {
        const resource = attributesOf(resourceSpans.resource?.attributes);
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || undefined,
              service: String(resource['service.name'] ?? '?'),
              name: span.name,
              kind: span.kind,
              start: nanos(span.startTimeUnixNano),
              end: nanos(span.endTimeUnixNano),
              status: span.status?.code === 2 ? 'error' : span.status?.code === 1 ? 'ok' : 'unset',
              statusMessage: span.status?.message || undefined,
              attributes: attributesOf(span.attributes),
              links: (span.links ?? []).map((link) => ({ traceId: link.traceId, spanId: link.spanId })),
            });
          }
        }
      }
    }
  }
  return spans;
}

/** Spans grouped by trace: `[{ traceId, spans, start, end, root, services }]`, the latest start last. */
export function groupTraces(spans) {
  const byTrace = new Map();
  for (const span of spans) {
    const list = byTrace.get(span.traceId) ?? [];
    list.push(span);
    byTrace.set(span.traceId, list);
  }
  const traces = [...byTrace].map(([traceId, list]) => {
    const ids = new Set(list.map((span) => span.spanId));
    const roots = list.filter((span) => !span.parentSpanId || !ids.has(span.parentSpanId));
    roots.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const start = list.reduce((min, span) => (span.start < min ? span.start : min), list[0].start);
    const end = list.reduce((max, span) => (span.end > max ? span.end : max), list[0].end);
    return { traceId, spans: list, start, end, root: roots[0], services: [...new Set(list.map((s) => s.service))] };
  });
  return traces.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

const ms = (ns) => Number(ns) / 1e6;
const formatMs = (value) => (value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`);

/**
 * A trace as an indented waterfall, one line a span in start order under its parent: when it
 * began after the trace did, the service, the span's name, its duration, its status.
 * @returns {string[]}
 */
export function waterfall(trace) {
  const children = new Map();
  const ids = new Set(trace.spans.map((span) => span.spanId));
  for (const span of trace.spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : '';
    const list = children.get(parent) ?? [];
    list.push(span);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const serviceWidth = Math.max(...trace.spans.map((span) => span.service.length));
  const lines = [
    `trace ${trace.traceId}  ${formatMs(ms(trace.end - trace.start))}  ${trace.spans.length} spans  ${trace.services.join(', ')}`,
  ];
  const visit = (span, depth) => {
    const offset = `+${formatMs(ms(span.start - trace.start))}`.padStart(11);
    const status = span.status === 'error' ? `  ERROR${span.statusMessage ? `: ${span.statusMessage}` : ''}` : '';
    const delivery = span.attributes['messaging.nats.message.delivery_count'];
    const redelivered = typeof delivery === 'number' && delivery > 1 ? `  (delivery ${delivery})` : '';
    const linked = span.links.length ? `  (follows trace ${span.links.map((link) => link.traceId).join(', ')})` : '';
    lines.push(
      `${offset}  ${span.service.padEnd(serviceWidth)}  ${'  '.repeat(depth)}${span.name}  ${formatMs(ms(span.end - span.start))}${status}${redelivered}${linked}`,
    );
    for (const child of children.get(span.spanId) ?? []) visit(child, depth + 1);
  };
  for (const root of children.get('') ?? []) visit(root, 0);
  return lines;
}
