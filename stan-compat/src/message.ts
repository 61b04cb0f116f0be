import type { JsMsg } from '@nats-io/jetstream';

let crcTable: Uint32Array | undefined;

function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A message delivered to a subscription, read through node-nats-streaming's getters. */
export class Message {
  /** @internal */
  constructor(
    private readonly msg: JsMsg,
    private readonly encoding: BufferEncoding | 'binary',
    private readonly manualAcks: boolean,
    private readonly acked: (msg: JsMsg) => boolean,
  ) {}

  /** The subject (STAN channel) the message was published on. */
  getSubject(): string {
    return this.msg.subject;
  }

  /** The message's sequence in the stream, which numbers every subject the stream holds. */
  getSequence(): number {
    return this.msg.seq;
  }

  /** The payload's bytes. */
  getRawData(): Buffer {
    const { data } = this.msg;
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  /** The payload as a UTF-8 string, or its bytes when the client's `stanEncoding` is `'binary'`. */
  getData(): string | Buffer {
    return this.encoding === 'binary' ? this.getRawData() : this.getRawData().toString('utf8');
  }

  /** When the server stored the message, in nanoseconds since the epoch (as a number, so not exact). */
  getTimestampRaw(): number {
    return this.msg.info.timestampNanos;
  }

  /** When the server stored the message. */
  getTimestamp(): Date {
    return new Date(Math.floor(this.getTimestampRaw() / 1_000_000));
  }

  /** True when this delivery is not the first one of the message to its subscription's consumer. */
  isRedelivered(): boolean {
    return this.msg.info.deliveryCount > 1;
  }

  /** How many times the message was delivered before this delivery. */
  getRedeliveryCount(): number {
    return this.msg.info.deliveryCount - 1;
  }

  /** The IEEE CRC-32 of the payload (JetStream stores none; node-nats-streaming publishers never set one). */
  getCrc32(): number {
    return crc32(this.msg.data);
  }

  /**
   * Acknowledges the message, so it is not delivered again. Only needed in manual ack mode;
   * a second ack, or one after its subscription ended, does nothing.
   */
  ack(): void {
    if (this.acked(this.msg)) this.msg.ack();
  }

  /** @internal Acks after the `message` listeners returned, unless the subscription is in manual ack mode. */
  maybeAutoAck(): void {
    if (!this.manualAcks) this.ack();
  }
}
