// Loaded before anything else: tracing hooks `require` for what the service loads next
// (HTTP, Express, the `pg` driver). It does nothing unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
import { startTracing } from '@ticketing/common/telemetry';

startTracing('payments');
