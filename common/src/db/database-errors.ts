const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
]);

const CONNECTION_MESSAGES = [
  /Connection terminated/i,
  /connection timeout/i,
  /PGlite is closed/i,
  /Client has encountered a connection error/i,
  /Cannot use a pool after calling end/i,
  /timeout exceeded when trying to connect/i,
  /Query read timeout/i,
];

/** Walks an error and its `cause` chain (Drizzle wraps driver errors) and returns each link. */
export function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current && chain.length < 10 && !chain.includes(current)) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/** The PostgreSQL SQLSTATE (or socket error code) of an error, looking through Drizzle's wrapping. */
export function databaseErrorCode(error: unknown): string | undefined {
  for (const link of errorChain(error)) {
    const code = (link as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** True when an error means the database could not be reached (rather than a query being wrong). */
export function isDatabaseConnectionError(error: unknown): boolean {
  return errorChain(error).some((link) => {
    const code = (link as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
    const message = (link as { message?: unknown }).message;
    return typeof message === 'string' && CONNECTION_MESSAGES.some((pattern) => pattern.test(message));
  });
}

/** True for a unique-constraint violation (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  return databaseErrorCode(error) === '23505';
}
