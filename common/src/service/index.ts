/** `@ticketing/common/service`: configuration, logging and the runner that starts and stops a service. */
export {
  parseConfig,
  ConfigError,
  portSchema,
  booleanSchema,
  durationSecondsSchema,
  logLevelSchema,
  databaseUrlSchema,
  hostSchema,
  trustProxyHopsSchema,
  natsUrlSchema,
  baseEnvShape,
  sessionEnvShape,
  serviceEnvShape,
  natsEnvShape,
} from '../config/parse-config';
export { createLogger, serializeError, type Logger } from '../logger/logger';
export {
  defineService,
  type ServiceDefinition,
  type ServiceContext,
  type PartsContext,
  type OutboxHandle,
  type Worker,
} from './service-definition';
export { startService, runService, type StartServiceOptions, type RunningService } from './run-service';
export { composeService, type ComposedService } from './compose-service';
export { periodicWorker, type PeriodicWorker, type PeriodicWorkerOptions } from './periodic-worker';
export { handleShutdown, runSteps, listen, type ShutdownOptions, type ShutdownStep } from './shutdown';
export { healthApp } from './health-app';
export { ServiceMetrics, type OutboxStats, type WatchedListener } from '../telemetry/metrics';
