import { types, type PGlite, type Transaction } from '@electric-sql/pglite';
import { inSpan, inTrace, SpanKind } from '../telemetry/trace';

/**
 * The types whose text Drizzle maps itself: it asks PGlite, with every query, to leave them
 * unparsed (timestamp, timestamptz, interval, date, and the arrays numeric[], timestamp[],
 * timestamptz[], interval[], date[]).
 */
const TEXT_TYPES = new Set<number>([
  types.TIMESTAMP,
  types.TIMESTAMPTZ,
  types.INTERVAL,
  types.DATE,
  1231,
  1115,
  1185,
  1187,
  1182,
]);

const asText = (value: string) => value;

type QueryOptions = Parameters<PGlite['query']>[2];
/** What Drizzle's PGlite session calls on its client. */
type DrizzleClient = Pick<PGlite, 'query' | 'transaction'>;

/**
 * Per-query parsers that the client already applies can be left out: PGlite merges a
 * query's parsers into a copy of its whole table (over 300 types) on every query, which
 * costs more than a primary-key lookup itself.
 */
function withoutKnownParsers(options: QueryOptions): QueryOptions {
  if (!options?.parsers) return options;
  for (const key of Object.keys(options.parsers)) if (!TEXT_TYPES.has(Number(key))) return options;
  const { parsers: _parsers, ...rest } = options;
  return rest;
}

/** The longest statement text a query's span records. */
const MAX_TRACED_TEXT = 2_000;

/**
 * Runs a query in a span of its own, as the `pg` instrumentation does for the server's
 * driver (only inside a traced piece of work), when tracing is on.
 */
function traced<T>(text: string, query: () => Promise<T>): Promise<T> {
  if (!inTrace()) return query();
  // The statement's first word, as the `pg` instrumentation names its spans.
  const operation = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? 'QUERY';
  return inSpan(
    `pglite.query:${operation}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': 'postgresql',
        'db.operation.name': operation,
        'db.query.text': text.length > MAX_TRACED_TEXT ? `${text.slice(0, MAX_TRACED_TEXT)}…` : text,
        'ticketing.db.engine': 'pglite',
      },
    },
    query,
  );
}

/** The transaction, whose `query` leaves those parsers out; every other member is the transaction's own. */
function wrapTransaction(tx: Transaction): Transaction {
  const query: Transaction['query'] = (text, params, options) =>
    traced(text, () => tx.query(text, params, withoutKnownParsers(options)));
  return new Proxy(tx, {
    get: (target, key) => {
      if (key === 'query') return query;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Makes `client` return the types Drizzle maps itself as text, as Drizzle asks it to, and
 * returns the client to hand Drizzle: the same instance, whose queries no longer carry
 * those parsers each time. Types Drizzle might ask for beyond these still travel per query.
 * The client's own queries (outside Drizzle) then also see those types as text.
 */
export function clientForDrizzle(client: PGlite): DrizzleClient {
  for (const type of TEXT_TYPES) client.parsers[type] = asText;
  return {
    query: (text, params, options) => traced(text, () => client.query(text, params, withoutKnownParsers(options))),
    transaction: (fn) => client.transaction((tx) => fn(wrapTransaction(tx))),
  } as DrizzleClient;
}
