import pino, { type Logger } from 'pino';
import { traceIds } from '../telemetry/trace';
import { stdoutDestination } from './stdout-destination';

export type { Logger };

/**
 * Serializes an error and its causes without the values a failed query carried: Drizzle
 * puts the SQL parameters (emails, password hashes, titles) into its message and fields.
 */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const withoutParams = (text: string) => text.replace(/\nparams:[^\n]*/g, '');
  const entry: Record<string, unknown> = { type: error.name, message: withoutParams(error.message) };
  const { code, status } = error as { code?: unknown; status?: unknown };
  if (typeof code === 'string' || typeof code === 'number') entry.code = code;
  if (typeof status === 'number') entry.status = status;
  if (error.stack) entry.stack = withoutParams(error.stack);
  if (error.cause !== undefined && depth < 5) entry.cause = serializeError(error.cause, depth + 1);
  return entry;
}

/**
 * Creates the structured logger every component uses: JSON lines on stdout (written so that
 * a stalled reader never stalls the process), fields rather than concatenated strings,
 * secrets redacted; inside a traced piece of work, the trace's `trace_id` and `span_id`.
 */
export function createLogger(name: string, level: string = 'info'): Logger {
  return pino(
    {
      name,
      level,
      base: { service: name },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['password', '*.password', 'req.headers.cookie', 'res.headers["set-cookie"]', 'jwt', '*.jwt'],
        censor: '[redacted]',
      },
      formatters: {
        level: (label) => ({ level: label }),
      },
      serializers: { err: serializeError },
      mixin: traceIds,
    },
    stdoutDestination(),
  );
}
