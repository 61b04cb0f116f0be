import { z } from 'zod';

/** An entity id: a UUID in its text form (any version, as PostgreSQL's `uuid` accepts). */
export const id = z.guid();

/** An entity version: 0 at creation, one more per change. */
export const version = z.number().int().nonnegative();

/** A price in dollars: a positive number (at most two decimals by the services' own rules). */
export const price = z.number().positive();

/**
 * What a ticket says of its event, all optional (contracts only grow): when it starts (an
 * ISO 8601 instant, null while to be announced), the venue's IANA zone, venue, city, seat.
 */
export const eventDetails = {
  eventAt: z.iso.datetime({ offset: true }).nullable().optional(),
  timeZone: z.string().min(1).optional(),
  venue: z.string().nullable().optional(),
  city: z.string().nullable().optional(),
  seat: z.string().nullable().optional(),
};
