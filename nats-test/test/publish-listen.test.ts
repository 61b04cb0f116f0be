import { randomUUID } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { publishEvent, Subjects } from '@ticketing/common/events';
import { startNatsServer, waitFor, waitForConsumers, type TestNatsServer } from '@ticketing/common/testing';

const workspace = path.join(__dirname, '..');
const tsx = path.join(workspace, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');
const scripts = (
  JSON.parse(readFileSync(path.join(workspace, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;

/** The arguments `npm run <script>` gives tsx. */
function tsxArgs(script: string): string[] {
  const [command, ...args] = scripts[script]!.split(' ');
  expect(command).toBe('tsx');
  return args;
}

let server: TestNatsServer;

beforeAll(async () => {
  server = await startNatsServer();
});

afterAll(async () => {
  await server.destroy();
});

// Each script runs in a process group of its own (tsx starts node under it): a test that fails
// half-way leaves none of them behind.
const groups = new Set<number>();
afterEach(() => {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
});

/** Runs an npm script's command the way `npm run` does, collecting what it prints. */
function run(script: 'publisher' | 'listener') {
  const child = spawn(process.execPath, [tsx, ...tsxArgs(script === 'publisher' ? 'publish' : 'listen')], {
    cwd: workspace,
    env: { ...process.env, NATS_URL: server.url, NATS_NKEY_SEED: server.seedOf('demo') },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  groups.add(child.pid!);
  const output = { text: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}

function stop(child: ChildProcess) {
  child.kill('SIGINT');
}

describe('npm run publish / npm run listen', () => {
  it('the listener prints what the publisher sent with its sequence, acks it, and exits 0 on SIGINT', async () => {
    const listener = run('listener');
    await waitFor(() => listener.output.text.includes('waiting for ticket:created'), {
      timeoutMs: 20_000,
      message: 'the listener',
    });

    const publisher = run('publisher');
    expect(await publisher.exited).toBe(0);
    const published = /Event #(\d+) published: ticket:created (\{.*\})/.exec(publisher.output.text);
    expect(published).not.toBeNull();

    await waitFor(
      () => listener.output.text.includes(`Event #${published![1]} received: ticket:created ${published![2]}`),
      {
        message: 'the received event',
      },
    );
    stop(listener.child);
    expect(await listener.exited).toBe(0);
    expect(listener.output.text).toContain('Listener drained and closed');

    // Acked: a new listener in the same queue group gets nothing more. Its consumer has
    // nothing left to deliver or redeliver, and a later event is the only one it prints.
    const again = run('listener');
    await waitFor(() => again.output.text.includes('waiting for'), {
      timeoutMs: 20_000,
      message: 'the second listener',
    });
    const nc = await server.connect();
    try {
      await waitForConsumers(nc, { durables: ['payments-service-ticket:created'] });
      const later = { id: randomUUID(), version: 0, title: 'later', price: 30, userId: 'u1' };
      const seq = await publishEvent(jetstream(nc), Subjects.TicketCreated, later);
      const laterLine = `Event #${seq} received: ticket:created ${JSON.stringify(later)}`;
      await waitFor(() => again.output.text.includes(laterLine), { message: 'the later event' });
      expect(again.output.text.split('\n').filter((line) => line.includes('received'))).toEqual([laterLine]);
    } finally {
      await nc.close();
    }
    stop(again.child);
    expect(await again.exited).toBe(0);
  });

  it('the listener also prints ticket:updated events, with their sequence', async () => {
    const listener = run('listener');
    await waitFor(() => listener.output.text.includes('waiting for ticket:created, ticket:updated'), {
      timeoutMs: 20_000,
      message: 'the listener',
    });
    const nc = await server.connect();
    const data = { id: randomUUID(), version: 1, title: 'concert', price: 25, userId: 'u1', orderId: null };

    const seq = await publishEvent(jetstream(nc), Subjects.TicketUpdated, data);

    await waitFor(
      () => listener.output.text.includes(`Event #${seq} received: ticket:updated ${JSON.stringify(data)}`),
      {
        message: 'the printed event',
      },
    );
    await nc.close();
    stop(listener.child);
    expect(await listener.exited).toBe(0);
  });

  it('runs from the sources right after npm ci: common is resolved from src/, no build needed', () => {
    const resolved = spawnSync(
      process.execPath,
      [tsx, ...tsxArgs('listen').slice(0, -1), '-e', "console.log(require.resolve('@ticketing/common/events'))"],
      { cwd: workspace, encoding: 'utf8' },
    );

    expect(resolved.stdout.trim()).toBe(path.join(workspace, '..', 'common', 'src', 'events', 'index.ts'));
  });

  it('finds the demo credential npm start made in DATA_DIR when none is given', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ticketing-demo-'));
    try {
      await mkdir(path.join(dataDir, 'credentials'));
      await writeFile(path.join(dataDir, 'credentials', 'demo.nk'), `${server.seedOf('demo')}\n`, { mode: 0o600 });
      const { NATS_NKEY_SEED: _seed, NATS_NKEY_SEED_FILE: _file, NATS_USER: _user, ...env } = process.env;
      const child = spawn(process.execPath, [tsx, ...tsxArgs('publish')], {
        cwd: workspace,
        env: { ...env, NATS_URL: server.url, DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      const code = await new Promise((resolve) => child.once('exit', resolve));

      expect([code, text]).toEqual([0, expect.stringContaining('published: ticket:created')]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('is refused, with a hint, without a credential: the server takes nobody anonymous', async () => {
    const { NATS_NKEY_SEED: _seed, NATS_NKEY_SEED_FILE: _file, NATS_USER: _user, ...env } = process.env;
    const child = spawn(process.execPath, [tsx, ...tsxArgs('publish')], {
      cwd: workspace,
      env: { ...env, NATS_URL: server.url, DATA_DIR: path.join(tmpdir(), `nowhere-${randomUUID()}`) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));

    expect(code).toBe(1);
    expect(text).toContain(`NATS at ${server.url} refused the connection`);
    expect(text).toContain('NATS_NKEY_SEED_FILE');
  });

  it('the publisher fails at once with a hint when no server answers', async () => {
    const dead = await startNatsServer();
    await dead.destroy();
    const child = spawn(process.execPath, [tsx, ...tsxArgs('publish')], {
      cwd: workspace,
      env: { ...process.env, NATS_URL: dead.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));

    expect(code).toBe(1);
    expect(text).toContain(`Cannot reach NATS at ${dead.url}`);
    expect(text).toContain('NATS_URL');
  });
});
