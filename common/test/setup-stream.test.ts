import { spawn } from 'node:child_process';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { Subjects } from '../src/events/subjects';
import { startNatsServer, type TestNatsServer } from '../src/testing';

const main = path.join(__dirname, '..', 'src', 'nats', 'setup-stream-main.ts');

/** Runs the setup as the Kubernetes Job does, with `seed`; resolves with its exit code and output. */
function setUp(server: TestNatsServer, seed: string | undefined, timeoutSeconds = 30) {
  const child = spawn(process.execPath, ['--conditions=ticketing-source', '--import', 'tsx', main], {
    env: {
      PATH: process.env.PATH,
      NATS_URL: server.url,
      NATS_NKEY_SEED: seed,
      NATS_STREAM_REPLICAS: '1',
      SETUP_TIMEOUT_SECONDS: String(timeoutSeconds),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, output })),
  );
}

let server: TestNatsServer;

beforeAll(async () => {
  server = await startNatsServer({ stream: null });
});

afterAll(async () => {
  await server?.destroy();
});

describe('the stream setup (the Kubernetes Job nats-stream-setup)', () => {
  it('with a service’s credential cannot make the stream, and says so', async () => {
    const { code, output } = await setUp(server, server.seedOf('orders'), 1);

    expect(code).toBe(1);
    expect(output).toMatch(/Permissions Violation/);
  });

  it('with the setup credential makes the stream with every subject, then exits 0', async () => {
    const { code } = await setUp(server, server.seedOf('setup'));

    expect(code).toBe(0);
    const admin = await server.connect();
    try {
      const info = await (await jetstreamManager(admin)).streams.info('ticketing');
      expect(info.config.subjects.sort()).toEqual(Object.values(Subjects).sort());
    } finally {
      await admin.close();
    }
  });
});
