import { z } from 'zod';
import { ConfigError, natsEnvShape, parseConfig } from '../src/config/parse-config';

const schema = z.object({ ...natsEnvShape });
const bus = { NATS_URL: 'nats://127.0.0.1:4222', NATS_CLIENT_ID: 'tickets-1' };

describe('parseConfig', () => {
  it('names the stream NATS_STREAM, ticketing by default', () => {
    expect(parseConfig(schema, bus).NATS_STREAM).toBe('ticketing');
    expect(parseConfig(schema, { ...bus, NATS_STREAM: 'sales' }).NATS_STREAM).toBe('sales');
  });

  it('still takes the stream from NATS_CLUSTER_ID, NATS Streaming’s name for it, when NATS_STREAM is not set', () => {
    expect(parseConfig(schema, { ...bus, NATS_CLUSTER_ID: 'ticketing-old' }).NATS_STREAM).toBe('ticketing-old');
    expect(parseConfig(schema, { ...bus, NATS_CLUSTER_ID: 'old', NATS_STREAM: 'new' }).NATS_STREAM).toBe('new');
    expect(parseConfig(schema, { ...bus, NATS_CLUSTER_ID: 'old', NATS_STREAM: ' ' }).NATS_STREAM).toBe('old');
  });

  it('names every bad variable at once, a stream name given by its old name included', () => {
    expect(() => parseConfig(schema, { NATS_CLUSTER_ID: 'no spaces allowed' })).toThrow(
      new ConfigError([
        'NATS_URL is required',
        'NATS_STREAM must be a stream name (letters, digits, - and _)',
        'NATS_CLIENT_ID is required',
      ]),
    );
  });
});
