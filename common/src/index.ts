// Errors
export { CustomError, type SerializedError } from './errors/custom-error';
export { BadRequestError } from './errors/bad-request-error';
export { NotFoundError } from './errors/not-found-error';
export { NotAuthorizedError } from './errors/not-authorized-error';
export { RequestValidationError } from './errors/request-validation-error';
export { DatabaseConnectionError } from './errors/database-connection-error';
export { PayloadTooLargeError } from './errors/payload-too-large-error';
export { MalformedJsonError } from './errors/malformed-json-error';
export { ServiceUnavailableError } from './errors/service-unavailable-error';

// Middlewares and the session
export { currentUser } from './middlewares/current-user';
export { requireAuth } from './middlewares/require-auth';
export { validateRequest } from './middlewares/validate-request';
export { errorHandler } from './middlewares/error-handler';
export { notFound } from './middlewares/not-found';
export { sessionCookie, type SessionCookieOptions } from './session/session-cookie';
export { signSessionToken, verifySessionToken, type UserPayload, type CurrentUser } from './session/session-token';

// Events and the bus
export { Subjects } from './events/subjects';
export type { Event } from './events/base-event';
export type { TicketCreatedEvent } from './events/ticket-created-event';
export type { TicketUpdatedEvent } from './events/ticket-updated-event';
export { Publisher, type PublishOptions } from './events/publisher';
export { Listener, stopListeners } from './events/listener';
export { NatsWrapper, natsWrapper, type NatsState, type NatsConnectOptions } from './nats/nats-wrapper';
export { ensureStream, isNoStreamError, DUPLICATE_WINDOW_MS } from './nats/stream';
export type { JsMsg } from '@nats-io/jetstream';

// Database and the outbox
export { openDatabase, type Database, type Db, type OpenDatabaseOptions } from './db/open-database';
export { isDatabaseConnectionError, isUniqueViolation, databaseErrorCode } from './db/database-errors';
export { outbox, type OutboxRow } from './outbox/outbox-table';
export { enqueueEvent } from './outbox/enqueue-event';
export { OutboxRelay, type OutboxRelayOptions, type PublishFn } from './outbox/outbox-relay';
export { publishThrough } from './outbox/publish-through';

// Service skeleton
export { buildServiceApp, BODY_LIMIT, type ServiceAppOptions } from './http/build-service-app';
export { healthRoutes, type HealthChecks } from './http/health-routes';
export { listen, runService, type RunServiceOptions, type ShutdownStep } from './lifecycle/run-service';

// Configuration and logging
export {
  parseConfig,
  ConfigError,
  portSchema,
  booleanSchema,
  durationSecondsSchema,
  logLevelSchema,
  databaseUrlSchema,
  serviceEnvShape,
} from './config/parse-config';
export { createLogger, serializeError, type Logger } from './logger/logger';
