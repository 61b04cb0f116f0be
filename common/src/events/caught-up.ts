import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsumerInfo, JetStreamManager } from '@nats-io/jetstream';

/** How long to wait for consumers, and how often to ask. */
export interface CatchUpOptions {
  /** Give up after this long (1 s by default): callers go on without the guarantee. */
  timeoutMs?: number;
  /** Milliseconds between two looks at consumers still behind (20 by default). */
  pollMs?: number;
}

/**
 * Runs `fetch` for every caller that asks after a call began: a caller joins the next call,
 * never one already in flight, so what it reads is no older than its own question.
 */
function nextRound<T>(fetch: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  let next: Promise<T> | undefined;
  return () => {
    if (!current) {
      current = fetch().finally(() => (current = undefined));
      return current;
    }
    next ??= current
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        current = fetch().finally(() => (current = undefined));
        return current;
      });
    return next;
  };
}

/**
 * Lets a service read its own copies as fresh as the bus before acting on them: `caughtUp()`
 * resolves true once each of `durables` (its durable consumers on `stream`) has handled
 * every message the stream held when it was called — everything at or below the stream's
 * last sequence then is acknowledged (a listener acknowledges after its transaction commits),
 * or nothing is left to deliver or acknowledge at all. False after the timeout, or when the
 * bus cannot say: the caller goes on and must still be right without it.
 *
 * Concurrent callers share the requests to the server (one stream read, one read of the
 * consumers at a time), so a burst of calls costs the server no more than one caller does.
 */
export class ConsumersCatchUp {
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private readonly lastSequence: () => Promise<number>;
  private readonly consumers: () => Promise<ConsumerInfo[]>;

  constructor(
    manager: () => Promise<JetStreamManager>,
    private readonly stream: string,
    durables: readonly string[],
    { timeoutMs = 1_000, pollMs = 20 }: CatchUpOptions = {},
  ) {
    this.timeoutMs = timeoutMs;
    this.pollMs = pollMs;
    this.lastSequence = nextRound(async () => (await (await manager()).streams.info(this.stream)).state.last_seq);
    this.consumers = nextRound(async () => {
      const jsm = await manager();
      return Promise.all(durables.map((durable) => jsm.consumers.info(this.stream, durable)));
    });
  }

  async caughtUp(): Promise<boolean> {
    const deadline = Date.now() + this.timeoutMs;
    const look = async (): Promise<boolean> => {
      const target = await this.lastSequence();
      for (;;) {
        const infos = await this.consumers();
        const done = infos.every(
          (info) =>
            info.ack_floor.stream_seq >= target ||
            (info.num_ack_pending === 0 && (info.num_pending === 0 || info.delivered.stream_seq >= target)),
        );
        if (done) return true;
        if (Date.now() + this.pollMs > deadline) return false;
        await sleep(this.pollMs);
      }
    };
    const timeout = new AbortController();
    try {
      return await Promise.race([
        look(),
        sleep(this.timeoutMs, false, { signal: timeout.signal, ref: false }).catch(() => false),
      ]);
    } catch {
      return false;
    } finally {
      timeout.abort();
    }
  }
}
