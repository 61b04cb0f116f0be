import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Creates the structured logger every component uses: JSON lines on stdout,
 * fields rather than concatenated strings, secrets redacted.
 */
export function createLogger(name: string, level: string = 'info'): Logger {
  return pino({
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
  });
}
