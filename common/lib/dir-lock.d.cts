/** Who holds a directory lock. */
export interface LockHolder {
  pid?: number;
  owner?: string;
}
/** A held directory lock. */
export interface DirectoryLock {
  readonly dir: string;
  /** Gives the lock up (it also ends with the process). Idempotent. */
  release(): Promise<void>;
}
/** Thrown when another process holds the directory. */
export declare class DirectoryLockedError extends Error {
  readonly code: 'EDIRLOCKED';
  readonly dir: string;
  readonly holder?: LockHolder;
}
/**
 * Takes an exclusive lock on `dir` (created if missing) for this process, or rejects at once
 * with a `DirectoryLockedError` naming the holder's pid. The lock ends with the process,
 * however it ends.
 */
export declare function lockDirectory(
  dir: string,
  options?: { owner?: string; abstract?: boolean },
): Promise<DirectoryLock>;
/** Who holds `dir` right now, or undefined when it is free (a snapshot). */
export declare function directoryHolder(dir: string, options?: { abstract?: boolean }): Promise<LockHolder | undefined>;
