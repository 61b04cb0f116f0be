import pg from 'pg';
import type { Logger } from 'pino';

const MAX_BACKOFF_MS = 30_000;

/**
 * Keeps one dedicated connection LISTENing on a channel and calls `onNotify` for each
 * notification. A lost connection is reopened with a growing delay (said once, and once
 * more when it is back); notifications sent meanwhile are missed, which is why callers
 * also poll. Resolves with a function that stops listening.
 */
export async function listenForNotifications(
  url: string,
  channel: string,
  onNotify: () => void,
  logger?: Logger,
): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let backoffMs = 1_000;
  let lost = false;

  const connect = async (): Promise<void> => {
    if (stopped) return;
    const next = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    next.on('notification', (message) => {
      if (message.channel === channel) onNotify();
    });
    const reopen = (error?: Error) => {
      if (client !== next || stopped) return;
      client = undefined;
      next.end().catch(() => undefined);
      if (!lost) logger?.warn({ err: error, channel }, 'lost the notification connection; reopening');
      lost = true;
      schedule();
    };
    next.on('error', reopen);
    next.on('end', () => reopen());
    client = next;
    try {
      await next.connect();
      await next.query(`listen "${channel.replaceAll('"', '""')}"`);
      backoffMs = 1_000;
      if (lost) logger?.info({ channel }, 'listening for notifications again');
      lost = false;
      // Whatever was committed while we were away: look now.
      onNotify();
    } catch (error) {
      reopen(error as Error);
    }
  };

  const schedule = () => {
    if (stopped) return;
    retry = setTimeout(() => void connect(), backoffMs);
    retry.unref();
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  };

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const last = client;
    client = undefined;
    await last?.end().catch(() => undefined);
  };
}
