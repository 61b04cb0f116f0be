import { outboxOnEveryDatabase } from './outbox-cases';
import { startTickets, type TicketsContext } from './tickets-app';

// The outbox on the embedded database (the PGlite tier): what differs there is PGlite's own:
// one connection, no autovacuum, a commit waking the relay in the same process.
let ctx: TicketsContext;

// A PGlite database opened per test takes seconds on a busy machine.
beforeEach(async () => {
  ctx = await startTickets();
}, 90_000);

afterEach(async () => {
  await ctx.close();
});

describe('the outbox on the embedded database', () => {
  outboxOnEveryDatabase(() => ctx);
});
