import { z } from 'zod';

/** An entity id: a UUID in its text form (any version, as PostgreSQL's `uuid` accepts). */
export const id = z.guid();

/** An entity version: 0 at creation, one more per change. */
export const version = z.number().int().nonnegative();

/** A price in dollars: a positive number (at most two decimals by the services' own rules). */
export const price = z.number().positive();
