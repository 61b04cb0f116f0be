import { EventEmitter } from 'node:events';
import { streamDestination, type OutputStream } from '../src/logger/stdout-destination';

/** A stream whose reader keeps up or not, as the test says. */
class FakeStream extends EventEmitter implements OutputStream {
  written: string[] = [];
  writableLength = 0;

  write(chunk: string): boolean {
    this.written.push(chunk);
    return true;
  }
}

describe('the log destination', () => {
  it('writes every line while the reader keeps up', () => {
    const stream = new FakeStream();
    const destination = streamDestination(stream, 100);

    destination.write('{"msg":"a"}\n');
    destination.write('{"msg":"b"}\n');

    expect(stream.written).toEqual(['{"msg":"a"}\n', '{"msg":"b"}\n']);
  });

  it('drops lines instead of queueing without bound while the reader stalls, then says how many it dropped', () => {
    const stream = new FakeStream();
    const destination = streamDestination(stream, 100);

    stream.writableLength = 101;
    destination.write('{"msg":"lost 1"}\n');
    destination.write('{"msg":"lost 2"}\n');
    stream.writableLength = 0;
    destination.write('{"msg":"after"}\n');

    expect(destination.dropped).toBe(2);
    expect(stream.written).toHaveLength(2);
    expect(JSON.parse(stream.written[0]!)).toMatchObject({
      level: 'warn',
      msg: '2 log lines dropped: the output was not being read',
    });
    expect(stream.written[1]).toBe('{"msg":"after"}\n');
  });

  it('stops writing, without throwing, once the reader is gone', () => {
    const stream = new FakeStream();
    const destination = streamDestination(stream, 100);

    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    destination.write('{"msg":"nobody hears this"}\n');

    expect(stream.written).toEqual([]);
  });
});
