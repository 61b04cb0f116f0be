import { createServer, type RequestListener, type Server } from 'node:http';
import type { Logger } from 'pino';

/** Listens on `port`; rejects (instead of logging success) when the port cannot be had. */
export function listen(app: RequestListener, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(app);
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** One step of an orderly stop, run in the order given after HTTP stops accepting. */
export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

/** How a started service stops. */
export interface RunServiceOptions {
  logger: Logger;
  server: Server;
  /** Run after the HTTP server closes, e.g. stop the relay, drain NATS, close the database. */
  steps: ShutdownStep[];
  /** Milliseconds the whole stop may take before the process exits anyway. */
  timeoutMs?: number;
  /** Called with the exit code; `process.exit` by default. */
  exit?: (code: number) => void;
  /** Where signals and process-level errors come from; `process` by default. */
  events?: NodeJS.EventEmitter;
}

/**
 * Wires a service's process lifecycle: SIGTERM/SIGINT stop it in order and exit 0; an
 * unhandled rejection or uncaught exception is logged, stops it the same way and exits 1
 * (the orchestrator restarts the process). Returns the idempotent shutdown function.
 */
export function runService({
  logger,
  server,
  steps,
  timeoutMs = 10_000,
  exit = process.exit,
  events = process,
}: RunServiceOptions) {
  let stopping: Promise<void> | undefined;

  const shutdown = (reason: string, code: number): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ reason }, 'shutting down');
      const deadline = setTimeout(() => {
        logger.error({ timeoutMs }, 'shutdown took too long; exiting');
        exit(code || 1);
      }, timeoutMs);
      deadline.unref();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      for (const step of steps) {
        try {
          await step.run();
        } catch (error) {
          logger.warn({ err: error, step: step.name }, 'shutdown step failed');
        }
      }
      clearTimeout(deadline);
      logger.info('stopped');
      exit(code);
    })();
    return stopping;
  };

  events.once('SIGTERM', () => void shutdown('SIGTERM', 0));
  events.once('SIGINT', () => void shutdown('SIGINT', 0));
  events.on('unhandledRejection', (error) => {
    logger.fatal({ err: error }, 'unhandled promise rejection');
    void shutdown('unhandledRejection', 1);
  });
  events.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    void shutdown('uncaughtException', 1);
  });
  return shutdown;
}
