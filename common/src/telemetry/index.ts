// The entry a service loads first (`@ticketing/common/telemetry`): it loads nothing it would instrument.
export { startTracing, stopTracing, tracingOffReason } from './start-tracing';
export {
  contextFromCarrier,
  currentTraceCarrier,
  failSpan,
  inSpan,
  isTracing,
  linkFromCarrier,
  messagingAttributes,
  SpanKind,
  traceIds,
  type SpanSpec,
  type TraceCarrier,
} from './trace';
