import { lt, sql } from 'drizzle-orm';
import type { Db } from '@ticketing/common/db';
import { attemptCounters, type AuthSchema } from './schema';

/** A key's count in its current window, and when that window ends. */
export interface AttemptCount {
  attempts: number;
  windowEndsAt: Date;
}

/** Counts attempts per key in fixed windows, atomically, so concurrent requests and replicas agree. */
export class AttemptRepository {
  constructor(private readonly db: Db<AuthSchema>) {}

  /** Adds one attempt to `key`, starting a new window of `windowSeconds` when the last one ended. */
  async hit(key: string, windowSeconds: number): Promise<AttemptCount> {
    const ended = sql`${attemptCounters.windowEndsAt} <= now()`;
    const [row] = await this.db
      .insert(attemptCounters)
      .values({ key, attempts: 1, windowEndsAt: sql`now() + make_interval(secs => ${windowSeconds})` })
      .onConflictDoUpdate({
        target: attemptCounters.key,
        set: {
          attempts: sql`case when ${ended} then 1 else ${attemptCounters.attempts} + 1 end`,
          windowEndsAt: sql`case when ${ended} then now() + make_interval(secs => ${windowSeconds}) else ${attemptCounters.windowEndsAt} end`,
        },
      })
      .returning({ attempts: attemptCounters.attempts, windowEndsAt: attemptCounters.windowEndsAt });
    return row!;
  }

  /** Takes one attempt back (one that turned out to be no attack, e.g. a successful sign-in). */
  async undo(key: string): Promise<void> {
    await this.db
      .update(attemptCounters)
      .set({ attempts: sql`greatest(${attemptCounters.attempts} - 1, 0)` })
      .where(sql`${attemptCounters.key} = ${key}`);
  }

  /** Forgets every attempt of `key`. */
  async reset(key: string): Promise<void> {
    await this.db.delete(attemptCounters).where(sql`${attemptCounters.key} = ${key}`);
  }

  /** Deletes the counters whose window ended before `before`; returns how many. */
  async prune(before: Date): Promise<number> {
    const rows = await this.db
      .delete(attemptCounters)
      .where(lt(attemptCounters.windowEndsAt, before))
      .returning({ key: attemptCounters.key });
    return rows.length;
  }
}
