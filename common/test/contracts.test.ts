import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  aggregateOf,
  ContractViolationError,
  eventContracts,
  parseEventData,
  type EventData,
} from '../src/events/event-contracts';
import { OrderStatus } from '../src/events/order-status';
import { Publisher } from '../src/events/publisher';
import { Subjects } from '../src/events/subjects';
import type { TicketCreatedEvent } from '../src/events/ticket-created-event';
import type { Db } from '../src/db/open-database';
import { enqueueEvent } from '../src/outbox/enqueue-event';

const ticketId = randomUUID();
const orderId = randomUUID();

/** One body per subject, as CONTRACT.md describes it. */
const samples: { [S in Subjects]: EventData<S> } = {
  [Subjects.TicketCreated]: { id: ticketId, version: 0, title: 'Concert', price: 20, userId: 'u1' },
  [Subjects.TicketUpdated]: { id: ticketId, version: 1, title: 'Concert', price: 25, userId: 'u1', orderId },
  [Subjects.OrderCreated]: {
    id: orderId,
    version: 0,
    status: OrderStatus.Created,
    userId: 'u2',
    expiresAt: '2026-11-22T10:15:00.000Z',
    ticket: { id: ticketId, price: 25 },
  },
  [Subjects.OrderCancelled]: { id: orderId, version: 1, ticket: { id: ticketId } },
  [Subjects.OrderCompleted]: { id: orderId, version: 1, ticket: { id: ticketId } },
  [Subjects.ExpirationComplete]: { orderId },
  [Subjects.PaymentCreated]: { id: randomUUID(), orderId, chargeId: 'ch_1' },
  [Subjects.PaymentRefunded]: { id: randomUUID(), orderId, chargeId: 'ch_1' },
};

describe('event contracts', () => {
  it('has a contract for every subject', () => {
    expect(Object.keys(eventContracts).sort()).toEqual(Object.values(Subjects).sort());
  });

  test.each(Object.values(Subjects))('%s accepts the body the contract describes', (subject) => {
    expect(parseEventData(subject, samples[subject])).toEqual(samples[subject]);
  });

  test.each(Object.values(Subjects))('%s refuses a body without its fields, naming them', (subject) => {
    expect(() => parseEventData(subject, {})).toThrow(ContractViolationError);
  });

  test.each(Object.values(Subjects))(
    '%s takes a body with a field it does not know (contracts only grow)',
    (subject) => {
      expect(parseEventData(subject, { ...samples[subject], addedLater: true })).toEqual(samples[subject]);
    },
  );

  it('refuses what the contract rules out', () => {
    const created = samples[Subjects.TicketCreated];
    expect(() => parseEventData(Subjects.TicketCreated, { ...created, id: 'not-a-uuid' })).toThrow(/id/);
    expect(() => parseEventData(Subjects.TicketCreated, { ...created, price: 0 })).toThrow(/price/);
    expect(() => parseEventData(Subjects.TicketCreated, { ...created, version: 1.5 })).toThrow(/version/);
    const order = samples[Subjects.OrderCreated];
    expect(() => parseEventData(Subjects.OrderCreated, { ...order, status: 'awaiting:payment' })).toThrow(/status/);
    expect(() => parseEventData(Subjects.OrderCreated, { ...order, expiresAt: 'tomorrow' })).toThrow(/expiresAt/);
    expect(() => parseEventData('nothing:here' as Subjects, {})).toThrow(/no contract/);
  });

  it('takes a ticket:updated stored before reservations existed (no orderId) as free', () => {
    const { orderId: _orderId, ...old } = samples[Subjects.TicketUpdated];
    expect(parseEventData(Subjects.TicketUpdated, old).orderId ?? null).toBeNull();
  });

  it('names the entity whose events stay in order: the ticket, or the order', () => {
    expect(aggregateOf(Subjects.TicketUpdated, samples[Subjects.TicketUpdated])).toBe(ticketId);
    expect(aggregateOf(Subjects.OrderCancelled, samples[Subjects.OrderCancelled])).toBe(orderId);
    expect(aggregateOf(Subjects.ExpirationComplete, samples[Subjects.ExpirationComplete])).toBe(orderId);
    expect(aggregateOf(Subjects.PaymentCreated, samples[Subjects.PaymentCreated])).toBe(orderId);
  });
});

// Checked by `tsc -p tsconfig.tests.json`, never run: a subject and a body that do not
// match fail to compile (each @ts-expect-error fails the type check if the line compiles).
export function mismatchesDoNotCompile(tx: Db<Record<string, never>>, client: NatsConnection): void {
  // @ts-expect-error -- ticket:updated has no field `anything`, and lacks its own
  void enqueueEvent(tx, Subjects.TicketUpdated, { anything: 'goes' });
  // @ts-expect-error -- an order:cancelled body under ticket:created
  void enqueueEvent(tx, Subjects.TicketCreated, samples[Subjects.OrderCancelled]);

  class WrongSubject extends Publisher<TicketCreatedEvent> {
    // @ts-expect-error -- a ticket:created publisher cannot publish on ticket:updated
    readonly subject = Subjects.TicketUpdated;
  }
  // @ts-expect-error -- price must be a number
  void new WrongSubject(client).publish({ ...samples[Subjects.TicketCreated], price: '20' });
}
