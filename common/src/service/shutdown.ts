import { createServer, type RequestListener, type Server } from 'node:http';
import type { Logger } from 'pino';
import { applyLimits, serverOptions, type HttpLimits } from '../../lib/http-limits.cjs';

/**
 * What a service's server tolerates: header and request timeouts as everywhere, and a
 * per-client cap well above what the edge or an ingress controller opens to one replica.
 */
export const SERVICE_LIMITS: Partial<HttpLimits> = { maxConnectionsPerClient: 512 };

/**
 * Listens on `port` (every interface unless `host` names one); rejects when the port cannot
 * be had. Slow clients are cut off: the headers must arrive within 10 s and the whole request
 * within 30 s (else 408), and one address may hold at most 512 connections open.
 */
export function listen(
  app: RequestListener,
  port: number,
  host?: string,
  limits: Partial<HttpLimits> = SERVICE_LIMITS,
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = applyLimits(createServer(serverOptions(limits), app), limits);
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** One step of an orderly stop. */
export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

/** Runs the steps in order; a step that fails is logged and the next one runs anyway. */
export async function runSteps(logger: Logger, steps: ShutdownStep[]): Promise<void> {
  for (const step of steps) {
    try {
      await step.run();
    } catch (error) {
      logger.warn({ err: error, step: step.name }, 'shutdown step failed');
    }
  }
}

/** How a process stops. */
export interface ShutdownOptions {
  /** The logger to report on; a function when it exists only once the service has started. */
  logger: Logger | (() => Logger);
  /** Stops everything in order. */
  stop: () => Promise<void>;
  /** Milliseconds the whole stop may take before the process exits anyway. */
  timeoutMs?: number;
  /** Called with the exit code; `process.exit` by default. */
  exit?: (code: number) => void;
  /** Where signals and process-level errors come from; `process` by default. */
  events?: NodeJS.EventEmitter;
}

/**
 * Wires a process's lifecycle: SIGTERM/SIGINT stop it in order and exit 0; an unhandled
 * rejection or uncaught exception is logged, stops it the same way and exits 1 (the
 * orchestrator restarts the process). Returns the idempotent shutdown function.
 */
export function handleShutdown({
  logger: loggerOrGetter,
  stop,
  timeoutMs = 3_000,
  exit = process.exit,
  events = process,
}: ShutdownOptions) {
  const logger = () => (typeof loggerOrGetter === 'function' ? loggerOrGetter() : loggerOrGetter);
  let stopping: Promise<void> | undefined;

  const shutdown = (reason: string, code: number): Promise<void> => {
    stopping ??= (async () => {
      logger().info({ reason }, 'shutting down');
      const deadline = setTimeout(() => {
        logger().error({ timeoutMs }, 'shutdown took too long; exiting');
        exit(code || 1);
      }, timeoutMs);
      deadline.unref();
      await stop().catch((error: unknown) => logger().warn({ err: error }, 'stopping failed'));
      clearTimeout(deadline);
      logger().info('stopped');
      exit(code);
    })();
    return stopping;
  };

  events.once('SIGTERM', () => void shutdown('SIGTERM', 0));
  events.once('SIGINT', () => void shutdown('SIGINT', 0));
  events.on('unhandledRejection', (error) => {
    logger().fatal({ err: error }, 'unhandled promise rejection');
    void shutdown('unhandledRejection', 1);
  });
  events.on('uncaughtException', (error) => {
    logger().fatal({ err: error }, 'uncaught exception');
    void shutdown('uncaughtException', 1);
  });
  return shutdown;
}
