import { Router } from 'express';

/** What `/readyz` asks: the service's own database, and extra facts to report (never failing it). */
export interface HealthChecks {
  /** Resolves when the service's own database answers. */
  database: () => Promise<void>;
  /** Extra state for the body, e.g. `{ nats: 'reconnecting', outboxPending: 3 }`. */
  report?: () => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Milliseconds the database may take before it counts as down. */
  timeoutMs?: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `GET /healthz`: 200 while the process serves (liveness). `GET /readyz`: 200 when the
 * database answers, else 503 in the contract's error format (readiness); other state is
 * reported in the body but does not fail it.
 */
export function healthRoutes({ database, report, timeoutMs = 2_000 }: HealthChecks): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.send({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    // Both at once, each bounded: a stuck database must not hold the answer past the timeout.
    const [up, extra] = await Promise.all([
      withTimeout(database(), timeoutMs).then(
        () => true,
        () => false,
      ),
      withTimeout(Promise.resolve(report?.() ?? {}), timeoutMs).catch(() => ({})),
    ]);
    if (!up) {
      res
        .status(503)
        .send({ errors: [{ message: 'Not ready: the database is unavailable' }], database: 'down', ...extra });
      return;
    }
    res.send({ status: 'ready', database: 'up', ...extra });
  });
  return router;
}
