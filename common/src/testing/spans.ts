import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-node';
import { setTracing } from '../telemetry/trace';

/** Tracing on in this process, each finished span kept in memory, as a service with an exporter would record it. */
export interface SpanRecorder {
  /** The spans finished so far, in the order they ended. */
  spans(): ReadableSpan[];
  /** Tracing off again and the global provider, context manager and propagator dropped. */
  stop(): Promise<void>;
}

/** Turns tracing on for the code under test (the outbox, the relay, listeners, PGlite queries), keeping the spans. */
export function recordSpans(): SpanRecorder {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register({
    propagator: new W3CTraceContextPropagator(),
  });
  setTracing(true);
  return {
    spans: () => exporter.getFinishedSpans(),
    async stop() {
      setTracing(false);
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
