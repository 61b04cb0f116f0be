import {
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

/** How long JetStream remembers a `Nats-Msg-Id` to drop a re-sent message (as the project's services do). */
export const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

const STREAM_NOT_FOUND = 10059;

/** True when `pattern` (a stream subject, possibly with `*` and `>`) captures `subject`. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const want = pattern.split('.');
  const have = subject.split('.');
  for (let i = 0; i < want.length; i++) {
    if (want[i] === '>') return have.length > i;
    if (i >= have.length || (want[i] !== '*' && want[i] !== have[i])) return false;
  }
  return want.length === have.length;
}

/**
 * True when a publish found no stream for its subject: JetStream answers "no responders",
 * which the client reports as JetStream not being enabled.
 */
export function isNoStreamError(error: unknown): boolean {
  for (let link = error, depth = 0; link instanceof Error && depth < 5; link = link.cause, depth++) {
    if (link.name === 'JetStreamNotEnabled' || /no responders/i.test(link.message)) return true;
  }
  return false;
}

/**
 * The stream a cluster id names, and the subjects it is known to capture. It is made as
 * @ticketing/common's `ensureStream` makes the services' stream, so either side may create
 * it first; the logic is repeated here because this package does not depend on common
 * (which would load Express and the database code into every script). `ensure` creates
 * the stream (file storage, limits retention, a two-minute duplicate window) or adds the
 * subjects it lacks, never removing one; calls are applied one after the other, so a client
 * never races itself.
 */
export class StreamSubjects {
  private readonly known: string[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly jsm: JetStreamManager,
    readonly name: string,
  ) {}

  /** True when the stream is known to capture `subject`. */
  has(subject: string): boolean {
    return this.known.some((pattern) => subjectMatches(pattern, subject));
  }

  /** Forgets what the stream held, e.g. after a publish found no stream (the server lost its store). */
  forget(): void {
    this.known.length = 0;
  }

  /** Makes sure the stream exists and captures every subject given. */
  ensure(subjects: string[]): Promise<void> {
    if (subjects.every((subject) => this.has(subject))) return Promise.resolve();
    const run = this.queue.then(() => this.createOrExtend(subjects));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async createOrExtend(subjects: string[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.remember(await this.apply(subjects));
        return;
      } catch (error) {
        // Another client may have created or changed the stream between our read and write.
        if (attempt === 3) throw error;
      }
    }
  }

  private async apply(subjects: string[]): Promise<string[]> {
    let config: StreamConfig;
    try {
      config = (await this.jsm.streams.info(this.name)).config;
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === STREAM_NOT_FOUND)) throw error;
      const created = await this.jsm.streams.add({
        name: this.name,
        subjects: [...new Set(subjects)],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      });
      return created.config.subjects;
    }
    const captured = config.subjects ?? [];
    const missing = [...new Set(subjects)].filter(
      (subject) => !captured.some((pattern) => subjectMatches(pattern, subject)),
    );
    if (missing.length === 0) return captured;
    const updated = await this.jsm.streams.update(this.name, { subjects: [...captured, ...missing] });
    return updated.config.subjects;
  }

  private remember(subjects: string[]): void {
    this.known.splice(0, this.known.length, ...subjects);
  }
}
