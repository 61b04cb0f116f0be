/** Where a new subscription starts in the channel, with node-nats-streaming's values. */
export enum StartPosition {
  NEW_ONLY = 0,
  LAST_RECEIVED = 1,
  TIME_DELTA_START = 2,
  SEQUENCE_START = 3,
  FIRST = 4,
}

/** node-nats-streaming's default of `maxInFlight`. */
export const DEFAULT_MAX_IN_FLIGHT = 16_384;
/** node-nats-streaming's default of `ackWait`: 30 seconds. */
export const DEFAULT_ACK_WAIT = 30_000;

/**
 * A subscription's options, built with chained setters as in node-nats-streaming. The
 * fields keep node-nats-streaming's names and units (`startTime` is a delta in nanoseconds).
 */
export class SubscriptionOptions {
  durableName?: string;
  maxInFlight = DEFAULT_MAX_IN_FLIGHT;
  ackWait = DEFAULT_ACK_WAIT;
  startPosition: StartPosition = StartPosition.NEW_ONLY;
  startSequence?: number;
  startTime?: number;
  manualAcks = false;
  /** The exact instant given to `setStartTime`, so the start does not drift with the time the subscription is made. */
  startDate?: Date;

  /** Unacknowledged messages the server lets this subscription hold (JetStream `max_ack_pending`). */
  setMaxInFlight(n: number): this {
    this.maxInFlight = n;
    return this;
  }

  /** Milliseconds before an unacknowledged message is delivered again (JetStream `ack_wait`). */
  setAckWait(millis: number): this {
    this.ackWait = millis;
    return this;
  }

  /** Sets the start position directly; the other `setStart…` methods also set their value. */
  setStartAt(startPosition: StartPosition): this {
    this.startPosition = startPosition;
    return this;
  }

  /** Starts at this stream sequence (what `Message.getSequence()` returns). */
  setStartAtSequence(sequence: number): this {
    this.startPosition = StartPosition.SEQUENCE_START;
    this.startSequence = sequence;
    return this;
  }

  /** Starts with the messages stored at or after this time. */
  setStartTime(date: Date): this {
    this.startPosition = StartPosition.TIME_DELTA_START;
    this.startTime = (Date.now() - date.valueOf()) * 1_000_000;
    this.startDate = new Date(date.valueOf());
    return this;
  }

  /** Starts with the messages stored in the last `millis` milliseconds before subscribing. */
  setStartAtTimeDelta(millis: number): this {
    this.startPosition = StartPosition.TIME_DELTA_START;
    this.startTime = millis * 1_000_000;
    this.startDate = undefined;
    return this;
  }

  /** Starts with the last message stored on the subject, then every new one. */
  setStartWithLastReceived(): this {
    this.startPosition = StartPosition.LAST_RECEIVED;
    return this;
  }

  /** Starts with the first message stored on the subject. */
  setDeliverAllAvailable(): this {
    this.startPosition = StartPosition.FIRST;
    return this;
  }

  /** `true`: messages are acknowledged only by `Message.ack()`; `false` (default): once the `message` listeners return. */
  setManualAckMode(tf: boolean): this {
    this.manualAcks = tf;
    return this;
  }

  /** Makes the subscription durable: its position survives `close()` and restarts (a durable JetStream consumer). */
  setDurableName(durableName: string): this {
    this.durableName = durableName;
    return this;
  }
}

/** Returns options with node-nats-streaming's defaults, like `stan.subscriptionOptions()`. */
export function NewSubscriptionOptions(): SubscriptionOptions {
  return new SubscriptionOptions();
}
