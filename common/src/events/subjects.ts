/** Every event subject on the bus; the `ticketing` stream captures all of them. */
export enum Subjects {
  TicketCreated = 'ticket:created',
  TicketUpdated = 'ticket:updated',
  OrderCreated = 'order:created',
  OrderCancelled = 'order:cancelled',
  OrderCompleted = 'order:completed',
  ExpirationComplete = 'expiration:complete',
  PaymentCreated = 'payment:created',
  PaymentRefunded = 'payment:refunded',
}
