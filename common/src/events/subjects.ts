/** Every event subject on the bus; the `ticketing` stream captures all of them. */
export enum Subjects {
  TicketCreated = 'ticket:created',
  TicketUpdated = 'ticket:updated',
}
