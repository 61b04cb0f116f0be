/** Where an order stands. A ticket is reserved while one of its orders is `created` or `complete`. */
export enum OrderStatus {
  /** Reserved, awaiting payment until `expiresAt`. */
  Created = 'created',
  /** Cancelled by its buyer or expired; the ticket is free again. */
  Cancelled = 'cancelled',
  /** Paid. */
  Complete = 'complete',
}
