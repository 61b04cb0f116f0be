type Level = 'info' | 'warn' | 'error';

// One JSON line per event, like the services' logs, so one collector reads them all.
function write(level: Level, fields: Record<string, unknown>, msg: string): void {
  const line = JSON.stringify({ level, time: new Date().toISOString(), component: 'client', ...fields, msg });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

/** The server side's structured logger (JSON lines on stdout/stderr). */
export const log = {
  info: (fields: Record<string, unknown>, msg: string) => write('info', fields, msg),
  warn: (fields: Record<string, unknown>, msg: string) => write('warn', fields, msg),
  error: (fields: Record<string, unknown>, msg: string) => write('error', fields, msg),
};

/** A failure described by plain fields, for the log: never the whole axios error with its headers and cookies. */
export function describeError(error: unknown): Record<string, unknown> {
  if (typeof error !== 'object' || error === null) return { error: String(error) };
  const e = error as { name?: unknown; message?: unknown; code?: unknown; response?: { status?: unknown } };
  return { error: e.message, name: e.name, code: e.code, status: e.response?.status };
}
