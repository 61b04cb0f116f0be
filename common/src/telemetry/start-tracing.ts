import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { setTracing } from './trace';

/** Paths no trace is made for: probes and scrapes, many a minute, never interesting. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** How often the same export failure is said. */
const DIAG_REMINDER_MS = 60_000;

let shutdown: (() => Promise<void>) | undefined;

/** Why tracing is off, or undefined when `env` asks for it. */
export function tracingOffReason(env: NodeJS.ProcessEnv): string | undefined {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return 'OTEL_SDK_DISABLED is true';
  const exporters = (env.OTEL_TRACES_EXPORTER ?? 'otlp').split(',').map((name) => name.trim());
  if (!exporters.includes('otlp')) return `OTEL_TRACES_EXPORTER is ${env.OTEL_TRACES_EXPORTER}`;
  if (!env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT && !env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    return 'OTEL_EXPORTER_OTLP_ENDPOINT is not set';
  }
  return undefined;
}

/** A diag logger that writes JSON lines like the services' own, saying a repeated failure once a minute. */
function diagLogger(serviceName: string): DiagLogger {
  const lastSaid = new Map<string, number>();
  const write =
    (level: string) =>
    (message: string, ...args: unknown[]) => {
      const now = Date.now();
      if (now - (lastSaid.get(message) ?? 0) < DIAG_REMINDER_MS) return;
      lastSaid.set(message, now);
      const detail = args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(' ');
      process.stdout.write(
        `${JSON.stringify({ level, time: new Date().toISOString(), service: serviceName, component: 'telemetry', msg: detail ? `${message} ${detail}` : message })}\n`,
      );
    };
  return {
    error: write('error'),
    warn: write('warn'),
    info: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
  };
}

/**
 * Starts OpenTelemetry tracing for a service when its environment asks for it
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` set, and neither
 * `OTEL_SDK_DISABLED=true` nor `OTEL_TRACES_EXPORTER=none`). Call it before anything it
 * instruments is loaded — first thing in the service's entry point — since the HTTP and
 * `pg` instrumentations hook `require`. Spans leave over OTLP: `http/protobuf`
 * by default, `http/json` with `OTEL_EXPORTER_OTLP_PROTOCOL` (or `_TRACES_PROTOCOL`); the
 * other standard `OTEL_*` variables (service name and resource attributes, headers,
 * timeouts, sampler, batch sizes) are honoured by the SDK. Off, the SDK is never loaded.
 * Returns whether tracing is on.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (shutdown || tracingOffReason(env)) return Boolean(shutdown);
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on, and synchronously: the
     instrumentations must hook `require` before the service loads what they instrument. */
  const { W3CTraceContextPropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const { NodeTracerProvider, BatchSpanProcessor } =
    require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { detectResources, envDetector, resourceFromAttributes } =
    require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { registerInstrumentations } =
    require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ??
    env.OTEL_EXPORTER_OTLP_PROTOCOL ??
    'http/protobuf'
  ).trim();
  const { OTLPTraceExporter } = (
    protocol === 'http/json'
      ? require('@opentelemetry/exporter-trace-otlp-http')
      : require('@opentelemetry/exporter-trace-otlp-proto')
  ) as typeof import('@opentelemetry/exporter-trace-otlp-http');
  /* eslint-enable @typescript-eslint/no-require-imports */

  diag.setLogger(diagLogger(serviceName), DiagLogLevel.WARN);
  if (protocol !== 'http/json' && protocol !== 'http/protobuf') {
    diag.warn(`OTEL_EXPORTER_OTLP_PROTOCOL ${protocol} is not supported here: sending http/protobuf`);
  }
  // The service's own name first; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override it.
  const resource = resourceFromAttributes({ 'service.name': serviceName, 'service.namespace': 'ticketing' }).merge(
    detectResources({ detectors: [envDetector] }),
  );
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register({
    // The trace context only: baggage would travel, unread, into every outbox row and message.
    propagator: new W3CTraceContextPropagator(),
  });
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0]!),
        // The route's template from what Express left on the request, as the Express
        // instrumentation would set it, without that instrumentation's wrapper around every
        // middleware and router of every request (a fifth of tracing's cost in a create).
        applyCustomAttributesOnSpan: (span, request) => {
          const route = (request as { route?: { path?: unknown } }).route?.path;
          if (typeof route !== 'string') return;
          span.setAttribute('http.route', route);
          span.updateName(`${(request as { method?: string }).method ?? 'GET'} ${route}`);
        },
      }),
      // Only inside a traced piece of work (the relay's and pruners' sweeps would each start a
      // trace), and the queries, not the pool handing out connections.
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    ],
  });
  setTracing(true);
  shutdown = () => provider.shutdown();
  return true;
}

/** Exports what is left and stops tracing; safe to call when it never started. */
export async function stopTracing(): Promise<void> {
  const stop = shutdown;
  shutdown = undefined;
  setTracing(false);
  await stop?.();
}
