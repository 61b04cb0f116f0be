/** A ticket as the tickets service returns it. */
export interface Ticket {
  id: string;
  title: string;
  price: number;
  userId: string;
  version: number;
  createdAt: string;
  /** The order holding the ticket, null while it is free to buy. */
  orderId: string | null;
  /** True once the order holding it was paid. */
  sold: boolean;
  /** When the event starts (ISO 8601, UTC); null while it is to be announced. */
  eventAt: string | null;
  /** The venue's IANA time zone: the event's time is shown in it. */
  timeZone: string;
  venue: string | null;
  city: string | null;
  seat: string | null;
  status: TicketStatus;
}

/** Where a listing stands for a buyer. */
export type TicketStatus = 'available' | 'reserved' | 'sold' | 'withdrawn';

/** Where an order stands: reserved and awaiting payment, cancelled (or expired), or paid. */
export type OrderStatus = 'created' | 'cancelled' | 'complete';

/** An order as the orders service returns it. */
export interface Order {
  id: string;
  userId: string;
  status: OrderStatus;
  expiresAt: string;
  version: number;
  /** When it was cancelled, by its buyer or by its expiry; null otherwise (older orders: always null). */
  cancelledAt: string | null;
  /** `price` is what the order was placed at: what the buyer pays, whatever the listing says later. */
  ticket: { id: string; title: string; price: number };
}

/** Where a payment stands, as the payments service says. */
export type PaymentStatus = 'pending' | 'declined' | 'succeeded' | 'refunding' | 'refunded';

/** A payment for an order, as the payments service returns it. */
export interface Payment {
  id: string;
  orderId: string;
  chargeId: string | null;
  status: PaymentStatus;
  amount: number;
  currency: string;
  createdAt: string;
}

/** The signed-in user, as the auth service's currentuser route describes it. */
export interface CurrentUser {
  id: string;
  email: string;
  iat: number;
  exp: number;
}

/** One entry of the contract's error body `{ errors: [...] }`. */
export interface ApiError {
  message: string;
  field?: string;
}
