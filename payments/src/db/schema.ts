import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { inbox, outbox } from '@ticketing/common/db';

/** Order statuses as orders publishes them. */
export const ORDER_STATUSES = ['created', 'cancelled', 'complete'] as const;

/**
 * The orders payments can be made for: a copy kept from order:created / order:cancelled /
 * order:completed, in version order. The amount to charge is the ticket's price in cents.
 */
export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey(),
    userId: text('user_id').notNull(),
    status: text('status', { enum: ORDER_STATUSES }).notNull(),
    priceCents: integer('price_cents').notNull(),
    version: integer('version').notNull(),
    /** When the order stops taking payments (order:created's `expiresAt`); null for copies made before it was kept. */
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }),
  },
  (table) => [check('orders_status_known', sql`${table.status} in ('created', 'cancelled', 'complete')`)],
);

/**
 * Where a payment stands:
 * - `pending`: attempt `attempt` with `token` is with the provider, or may have reached it
 *   (whoever holds the lease, `claimed_until`, is finding out);
 * - `declined`: that attempt was refused and charged nothing; the next takes `attempt + 1`;
 * - `succeeded`: charged (`charge_id`); payment:created is in the outbox;
 * - `refunding`: charged, but the order was cancelled: the charge is to be given back;
 * - `refunded`: given back (`refund_id`); payment:refunded is in the outbox.
 */
export const PAYMENT_STATUSES = ['pending', 'declined', 'succeeded', 'refunding', 'refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * One row per order, written before the provider is called (the unique index on
 * `order_id` is what lets only one request charge an order). The provider call's
 * idempotency key is derived from `order_id` and `attempt`.
 */
export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id').notNull(),
    userId: text('user_id').notNull(),
    amountCents: integer('amount_cents').notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: PAYMENT_STATUSES }).notNull(),
    attempt: integer('attempt').notNull().default(1),
    /** The card token of the current attempt: a replay of the attempt must send the same request. */
    token: text('token').notNull(),
    chargeId: text('charge_id'),
    refundId: text('refund_id'),
    /** Until when the instance working on this row (charging, refunding) is trusted to finish. */
    claimedUntil: timestamp('claimed_until', { withTimezone: true, precision: 3 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('payments_one_per_order').on(table.orderId),
    index('payments_by_user_newest').on(table.userId, table.createdAt.desc()),
    index('payments_unsettled')
      .on(table.claimedUntil)
      .where(sql`${table.status} in ('pending', 'refunding')`),
    check(
      'payments_status_known',
      sql`${table.status} in ('pending', 'declined', 'succeeded', 'refunding', 'refunded')`,
    ),
  ],
);

/**
 * The built-in test provider's ledger: every charge it made or declined, by idempotency
 * key, so a repeated request gets the first answer and never a second charge.
 */
export const testProviderCharges = pgTable('test_provider_charges', {
  idempotencyKey: text('idempotency_key').primaryKey(),
  chargeId: text('charge_id').notNull().unique(),
  outcome: text('outcome', { enum: ['succeeded', 'declined'] }).notNull(),
  amountCents: integer('amount_cents').notNull(),
  currency: text('currency').notNull(),
  token: text('token').notNull(),
  orderId: uuid('order_id').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

/** The test provider's refunds: at most one per charge, and one per idempotency key. */
export const testProviderRefunds = pgTable('test_provider_refunds', {
  idempotencyKey: text('idempotency_key').primaryKey(),
  refundId: text('refund_id').notNull().unique(),
  chargeId: text('charge_id').notNull().unique(),
  amountCents: integer('amount_cents').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

export { inbox, outbox };
export const schema = { orders, payments, testProviderCharges, testProviderRefunds, inbox, outbox };
export type PaymentsSchema = typeof schema;
