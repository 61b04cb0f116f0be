#!/usr/bin/env node
// `npm run trace [id]`: prints a trace the local runner kept (the latest that crossed services,
// or the one whose id starts with `id`) as an indented waterfall; `npm run trace -- --list`
// lists the latest of every kind.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { groupTraces, readSpans, tracesDir, waterfall } from './lib/trace-store.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.resolve(root, process.env.DATA_DIR || '.data');
const args = process.argv.slice(2);
const LISTED = 20;

function main() {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(
      [
        'npm run trace            the latest trace npm start kept that crossed services (a listing, an order, a payment), as a waterfall',
        "npm run trace <id>       the trace whose id starts with <id> (a log line's trace_id)",
        'npm run trace -- --list  the latest traces: id, when, duration, spans, services, first span',
      ].join('\n'),
    );
    return 0;
  }
  const traces = groupTraces(readSpans(tracesDir(dataDir)));
  if (traces.length === 0) {
    console.error(
      `No traces in ${tracesDir(dataDir)}. npm start keeps them there while it runs (unless OTEL_SDK_DISABLED=true or OTEL_EXPORTER_OTLP_ENDPOINT sends them elsewhere); do something in the app, then try again.`,
    );
    return 1;
  }
  if (args.includes('--list')) {
    for (const trace of traces.slice(-LISTED)) {
      const when = new Date(Number(trace.start / 1_000_000n)).toISOString().replace('T', ' ').slice(0, 23);
      const duration = (Number(trace.end - trace.start) / 1e6).toFixed(1).padStart(9);
      console.log(
        `${trace.traceId}  ${when}  ${duration} ms  ${String(trace.spans.length).padStart(4)} spans  ${trace.services.join(',').padEnd(40)}  ${trace.root.name}`,
      );
    }
    return 0;
  }
  const wanted = args.find((arg) => !arg.startsWith('-'));
  if (wanted && !/^[0-9a-f]{1,32}$/i.test(wanted)) {
    console.error(`"${wanted}" is not a trace id: 32 hexadecimal digits, or their start`);
    return 1;
  }
  // Without an id, the latest piece of work that crossed services: the pages' own reads (an
  // order page asks for its order every second) would otherwise always be the latest.
  const latest = traces.findLast((trace) => trace.services.length > 1) ?? traces.at(-1);
  const matching = wanted ? traces.filter((trace) => trace.traceId.startsWith(wanted.toLowerCase())) : [latest];
  if (matching.length === 0) {
    console.error(`No trace's id starts with ${wanted}; npm run trace -- --list shows the latest.`);
    return 1;
  }
  if (matching.length > 1) {
    console.error(`${matching.length} traces' ids start with ${wanted}: give more of it.`);
    return 1;
  }
  console.log(waterfall(matching[0]).join('\n'));
  return 0;
}

process.exitCode = main();
