/** How many bytes may wait for a slow reader before lines are dropped. */
const MAX_PENDING_BYTES = 1024 * 1024;

/** What a destination writes to: `process.stdout`, or a stand-in in tests. */
export interface OutputStream {
  write(chunk: string): boolean;
  readonly writableLength: number;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** A pino destination. */
export interface LogDestination {
  write(line: string): void;
  /** Lines dropped so far because nobody read the output fast enough. */
  readonly dropped: number;
}

/**
 * Where every component's logger writes: stdout, without ever stalling the process.
 *
 * pino's default destination writes synchronously and, when a pipe is full because its
 * reader is alive but not reading, sleeps on the main thread (`Atomics.wait`, a futex) and
 * retries for as long as that lasts: no timer, no I/O and no signal handler runs meanwhile,
 * so such a process ignores SIGTERM. `process.stdout.write` on a pipe never blocks (libuv
 * writes what fits and queues the rest), so this writes through it, caps what may queue
 * (1 MiB) and drops lines beyond that, saying how many once the reader catches up. A reader
 * that is gone (EPIPE) ends the output quietly.
 */
export function streamDestination(stream: OutputStream, maxPendingBytes = MAX_PENDING_BYTES): LogDestination {
  let broken = false;
  let dropped = 0;
  let reported = 0;
  stream.on('error', () => {
    broken = true;
  });
  return {
    get dropped() {
      return dropped;
    },
    write(line: string) {
      if (broken) return;
      if (stream.writableLength > maxPendingBytes) {
        dropped++;
        return;
      }
      if (dropped > reported) {
        const count = dropped - reported;
        reported = dropped;
        stream.write(
          `${JSON.stringify({ level: 'warn', time: new Date().toISOString(), msg: `${count} log lines dropped: the output was not being read` })}\n`,
        );
      }
      stream.write(line);
    },
  };
}

let shared: LogDestination | undefined;

/** The process's stdout as a log destination: one for every logger of the process. */
export function stdoutDestination(): LogDestination {
  return (shared ??= streamDestination(process.stdout));
}
