import { eq } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../db/open-database';
import { awaitKey, RetryLaterError } from '../events/handler-errors';

/** What to do with version `incoming` of an entity whose copy is at `current` (undefined: no copy yet). */
export function versionStep(current: number | undefined, incoming: number): 'apply' | 'stale' | 'early' {
  if (current === undefined) return incoming === 0 ? 'apply' : 'early';
  if (incoming <= current) return 'stale';
  return incoming === current + 1 ? 'apply' : 'early';
}

/** One change to a copy kept in version order. */
export interface VersionedChange {
  /** The entity's id: an early version waits for a message about this id. */
  id: string;
  /** Names the entity in messages, e.g. `ticket`. */
  entity: string;
  /** The version the event carries. */
  version: number;
  /** Reads the copy's version (locking the row for the transaction), or undefined when there is none. */
  current: () => Promise<number | undefined>;
  /** Writes the change: inserts version 0, or updates to `version`. */
  apply: () => Promise<void>;
}

/**
 * Applies version n of an entity only on top of n−1. An older or repeated version resolves
 * `'stale'` without effect (the listener acks it); a newer one throws `RetryLaterError`
 * keyed by the entity's id, so the listener tries it again as soon as that entity's
 * previous version has been applied (or redelivers it soon), until the gap has filled.
 */
export async function applyInVersionOrder(change: VersionedChange): Promise<'applied' | 'stale'> {
  const current = await change.current();
  const step = versionStep(current, change.version);
  if (step === 'stale') return 'stale';
  if (step === 'early') {
    throw new RetryLaterError(
      `${change.entity} ${change.id} version ${change.version} arrived before version ${change.version - 1} (copy at ${current ?? 'none'})`,
      awaitKey(change.id, change.version - 1),
    );
  }
  await change.apply();
  return 'applied';
}

/** How a copy keeps an entity: its table, the columns of the entity's id and version, and what to call it in messages. */
export interface CopyTable {
  table: PgTable;
  id: PgColumn;
  version: PgColumn;
  /** Names the entity in messages, e.g. `ticket`. */
  entity: string;
}

/** A copy kept in version order from events: the one way a service applies an entity's version to its own table. */
export interface VersionedCopy {
  /**
   * Runs `write` for version `change.version` of the entity only on top of the version
   * before, in `tx`, with the entity's row locked until `tx` ends (see `applyInVersionOrder`).
   */
  apply(
    // Any service's schema: only the copy's table is read.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    tx: Db<any>,
    change: { id: string; version: number },
    write: () => Promise<void>,
  ): Promise<'applied' | 'stale'>;
}

export function versionedCopy(copy: CopyTable): VersionedCopy {
  return {
    apply: (tx, change, write) =>
      applyInVersionOrder({
        id: change.id,
        entity: copy.entity,
        version: change.version,
        current: async () => {
          const rows = (await tx
            .select({ version: copy.version })
            .from(copy.table)
            .where(eq(copy.id, change.id))
            .for('update')) as { version: number }[];
          return rows[0]?.version;
        },
        apply: write,
      }),
  };
}
