/**
 * `@ticketing/common/events`: the event contracts and the JetStream bus — what a script
 * that only publishes or listens needs (no HTTP, no database).
 */
export { Subjects } from './subjects';
export { OrderStatus } from './order-status';
export {
  eventContracts,
  parseEventData,
  isSubject,
  aggregateOf,
  ContractViolationError,
  type Event,
  type EventData,
} from './event-contracts';
export { ticketCreatedData, type TicketCreatedEvent } from './ticket-created-event';
export { ticketUpdatedData, type TicketUpdatedEvent } from './ticket-updated-event';
export { orderCreatedData, type OrderCreatedEvent } from './order-created-event';
export { orderCancelledData, type OrderCancelledEvent } from './order-cancelled-event';
export { orderCompletedData, type OrderCompletedEvent } from './order-completed-event';
export { expirationCompleteData, type ExpirationCompleteEvent } from './expiration-complete-event';
export { paymentCreatedData, type PaymentCreatedEvent } from './payment-created-event';
export { paymentRefundedData, type PaymentRefundedEvent } from './payment-refunded-event';
export { Publisher, publishEvent, type PublishOptions } from './publisher';
export { Listener, stopListeners, type MessageContext, type ListenerOutcome } from './listener';
export { RetryLaterError, PermanentEventError, TransientEventError, isTransientFailure } from './handler-errors';
export { ConsumersCatchUp, type CatchUpOptions } from './caught-up';
export { isPermissionError, isRefusal } from '../nats/permission-errors';
export {
  NatsWrapper,
  natsWrapper,
  type NatsState,
  type NatsConnectOptions,
  type NatsCredentials,
} from '../nats/nats-wrapper';
export {
  ensureStream,
  ensureConsumers,
  isNoStreamError,
  DUPLICATE_WINDOW_MS,
  type DurableConsumer,
} from '../nats/stream';
export { createLogger, serializeError, type Logger } from '../logger/logger';
