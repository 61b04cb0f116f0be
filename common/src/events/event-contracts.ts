import type { z } from 'zod';
import { expirationCompleteData } from './expiration-complete-event';
import { orderCancelledData } from './order-cancelled-event';
import { orderCompletedData } from './order-completed-event';
import { orderCreatedData } from './order-created-event';
import { paymentCreatedData } from './payment-created-event';
import { paymentRefundedData } from './payment-refunded-event';
import { Subjects } from './subjects';
import { ticketCreatedData } from './ticket-created-event';
import { ticketUpdatedData } from './ticket-updated-event';

/**
 * The schema of every subject's `data`: what publishers must send and listeners accept.
 * Objects strip fields they do not know, so an old listener takes a newer event.
 */
export const eventContracts = {
  [Subjects.TicketCreated]: ticketCreatedData,
  [Subjects.TicketUpdated]: ticketUpdatedData,
  [Subjects.OrderCreated]: orderCreatedData,
  [Subjects.OrderCancelled]: orderCancelledData,
  [Subjects.OrderCompleted]: orderCompletedData,
  [Subjects.ExpirationComplete]: expirationCompleteData,
  [Subjects.PaymentCreated]: paymentCreatedData,
  [Subjects.PaymentRefunded]: paymentRefundedData,
} as const satisfies Record<Subjects, z.ZodType>;

/** The `data` of events on subject `S`. */
export type EventData<S extends Subjects> = z.output<(typeof eventContracts)[S]>;

/** An event: a subject and the data sent under it (a union over every subject by default). */
export type Event<S extends Subjects = Subjects> = S extends Subjects ? { subject: S; data: EventData<S> } : never;

/** Raised when a body does not satisfy its subject's contract (or the subject is unknown). */
export class ContractViolationError extends Error {
  constructor(
    readonly subject: string,
    readonly issues: string[],
    options?: ErrorOptions,
  ) {
    super(`${subject}: ${issues.join('; ')}`, options);
    this.name = 'ContractViolationError';
  }
}

/** True for a subject this package knows a contract for. */
export function isSubject(subject: string): subject is Subjects {
  return Object.hasOwn(eventContracts, subject);
}

/** Checks `data` against the subject's contract and returns it parsed; throws `ContractViolationError`. */
export function parseEventData<S extends Subjects>(subject: S, data: unknown): EventData<S> {
  if (!isSubject(subject)) throw new ContractViolationError(subject, ['no contract for this subject']);
  const result = eventContracts[subject].safeParse(data);
  if (!result.success) {
    throw new ContractViolationError(
      subject,
      result.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`),
      { cause: result.error },
    );
  }
  return result.data as EventData<S>;
}

/**
 * The entity an event is about, whose events must reach the stream in order: the ticket,
 * or the order (payments and expirations are about an order).
 */
export function aggregateOf(subject: Subjects, data: unknown): string {
  const body = data as { id?: unknown; orderId?: unknown };
  const key = subject.startsWith('ticket:') || subject.startsWith('order:') ? body.id : body.orderId;
  return typeof key === 'string' ? key : '';
}
