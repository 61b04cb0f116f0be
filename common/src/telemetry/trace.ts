import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';

export { SpanKind, type Attributes, type Context, type Link, type Span };

/**
 * The trace context an event carries: W3C `traceparent` (and `tracestate`), as the outbox
 * keeps it in its row and a message carries it in its headers.
 */
export type TraceCarrier = Record<string, string>;

let tracing = false;

/** Set by `startTracing` once an exporter is in place; until then every helper here does nothing. */
export function setTracing(on: boolean): void {
  tracing = on;
}

/** Whether spans are recorded and exported (`OTEL_EXPORTER_OTLP_ENDPOINT` set, the SDK not disabled). */
export function isTracing(): boolean {
  return tracing;
}

/** Runs `fn` outside any trace: for background work that whatever called it must not adopt. */
export function detached<T>(fn: () => T): T {
  return tracing ? context.with(ROOT_CONTEXT, fn) : fn();
}

/** Whether a traced piece of work is under way here (tracing on and a span active). */
export function inTrace(): boolean {
  return tracing && trace.getActiveSpan() !== undefined;
}

const tracer = () => trace.getTracer('@ticketing/common');

/** The current span's trace context as a carrier; undefined when tracing is off or no span is active. */
export function currentTraceCarrier(from: Context = context.active()): TraceCarrier | undefined {
  if (!tracing) return undefined;
  const carrier: TraceCarrier = {};
  propagation.inject(from, carrier);
  return carrier.traceparent ? carrier : undefined;
}

/** The context a carrier describes (the root context for none, or for a malformed one). */
export function contextFromCarrier(carrier: unknown): Context {
  if (!carrier || typeof carrier !== 'object') return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, carrier as TraceCarrier);
}

/** A link to the span a carrier describes, for work that follows it but is not part of its trace. */
export function linkFromCarrier(carrier: unknown, attributes?: Attributes): Link | undefined {
  const spanContext = trace.getSpanContext(contextFromCarrier(carrier));
  return spanContext && trace.isSpanContextValid(spanContext) ? { context: spanContext, attributes } : undefined;
}

/** What `inSpan` starts a span with. */
export interface SpanSpec {
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
  /** The parent; the active context by default. */
  parent?: Context;
}

/**
 * Runs `fn` inside a new active span that ends when it settles: an error marks the span
 * failed (its type and message) and is rethrown. With tracing off it only calls `fn`.
 */
export async function inSpan<T>(name: string, spec: SpanSpec, fn: (span?: Span) => Promise<T>): Promise<T> {
  if (!tracing) return fn();
  const { parent = context.active(), ...options } = spec;
  return tracer().startActiveSpan(name, options, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed by `error`. */
export function failSpan(span: Span, error: unknown): void {
  const type = error instanceof Error ? error.name : 'Error';
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** The ids a log line carries inside a span (`trace_id`, `span_id`); empty outside one or with tracing off. */
export function traceIds(): { trace_id?: string; span_id?: string } {
  if (!tracing) return {};
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** The attributes the OpenTelemetry messaging conventions give an operation on one event. */
export function messagingAttributes(
  operation: 'create' | 'send' | 'process',
  subject: string,
  messageId?: string,
  extra: Attributes = {},
): Attributes {
  return {
    'messaging.system': 'nats',
    'messaging.operation.type': operation,
    'messaging.operation.name': operation === 'send' ? 'publish' : operation,
    'messaging.destination.name': subject,
    ...(messageId ? { 'messaging.message.id': messageId } : {}),
    ...extra,
  };
}
