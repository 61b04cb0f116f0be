import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { startNatsServer, waitFor, waitForConsumers, type TestNatsServer } from '@ticketing/common/testing';

const workspace = path.join(__dirname, '..');
const root = path.join(workspace, '..');
const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const scripts = (
  JSON.parse(readFileSync(path.join(workspace, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;

const EVENT = '{"id":"123","title":"concert","price":20}';

let server: TestNatsServer;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  server = await startNatsServer();
});

// Every script runs in a process group of its own (tsx starts node under it, npm a shell):
// a test that fails half-way leaves none of them behind.
afterEach(() => {
  for (const child of children) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
});

afterAll(async () => {
  await server.destroy();
});

interface Running {
  child: ChildProcess;
  output: { text: string };
  exited: Promise<number | null>;
}

function track(child: ChildProcess): Running {
  children.add(child);
  const output = { text: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}

/** Runs an npm script's `tsx …` command as `npm run` would, against the test server (NATS_URL). */
function run(script: 'publish:stan' | 'listen:stan'): Running {
  const [command, ...args] = scripts[script]!.split(' ');
  expect(command).toBe('tsx');
  return track(
    spawn(process.execPath, [tsx, ...args], {
      cwd: workspace,
      env: { ...process.env, NATS_URL: server.url, NATS_NKEY_SEED: server.seedOf('demo') },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    }),
  );
}

async function listening(): Promise<Running> {
  const listener = run('listen:stan');
  await waitFor(() => listener.output.text.includes('Listener connected to NATS'), {
    timeoutMs: 20_000,
    message: `the listener to connect; it printed: ${listener.output.text}`,
  });
  return listener;
}

/** Runs the publisher until it has published (it stays connected, as the reference design's did), then stops it. */
async function publishOnce(): Promise<void> {
  const publisher = run('publish:stan');
  await waitFor(() => publisher.output.text.includes('Event published'), {
    timeoutMs: 20_000,
    message: `the publisher; it printed: ${publisher.output.text}`,
  });
  expect(publisher.output.text).toContain('Publisher connected to NATS');
  publisher.child.kill('SIGTERM');
  await publisher.exited;
}

describe('npm run publish:stan / listen:stan: the reference design’s NATS Streaming code on JetStream', () => {
  it('the listener prints what the publisher sent with its sequence, and on SIGINT closes and exits 0', async () => {
    const listener = await listening();

    await publishOnce();

    await waitFor(() => listener.output.text.includes(`Received event #1, with data: ${EVENT}`), {
      message: `the event; the listener printed: ${listener.output.text}`,
    });
    listener.child.kill('SIGINT');
    expect(await listener.exited).toBe(0);
    expect(listener.output.text).toContain('NATS connection closed!');
  });

  it('a restarted listener resumes its durable queue group with only what it missed, and exits 0 on SIGTERM', async () => {
    await publishOnce();

    const restarted = await listening();

    await waitFor(() => /Received event #2,/.test(restarted.output.text), {
      message: `the missed event; the listener printed: ${restarted.output.text}`,
    });
    // Everything acked, so nothing comes again; a later event shows nothing else came meanwhile.
    const nc = await server.connect();
    try {
      await waitForConsumers(nc, { durables: ['orders-service-queue-group-accounting-service-ticket:created'] });
      const { seq } = await jetstream(nc).publish('ticket:created', EVENT);
      await waitFor(() => restarted.output.text.includes(`Received event #${seq},`), {
        message: `the later event; the listener printed: ${restarted.output.text}`,
      });
    } finally {
      await nc.close();
    }
    expect(restarted.output.text).not.toMatch(/Received event #1,/);
    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toBe(0);
    expect(restarted.output.text).toContain('NATS connection closed!');
  });

  it('runs on a fresh checkout after npm ci alone: no build of stan-compat is needed', async () => {
    // A copy of the two workspaces' sources (no dist/), with the installed packages beside them.
    const copy = mkdtempSync(path.join(tmpdir(), 'ticketing-fresh-'));
    try {
      for (const dir of ['stan-compat', 'nats-test']) {
        mkdirSync(path.join(copy, dir));
        for (const entry of ['package.json', 'tsconfig.json', 'src']) {
          cpSync(path.join(root, dir, entry), path.join(copy, dir, entry), { recursive: true });
        }
      }
      cpSync(path.join(root, 'tsconfig.base.json'), path.join(copy, 'tsconfig.base.json'));
      mkdirSync(path.join(copy, 'node_modules', '@ticketing'), { recursive: true });
      for (const entry of readdirSync(path.join(root, 'node_modules'))) {
        if (entry !== '@ticketing')
          symlinkSync(path.join(root, 'node_modules', entry), path.join(copy, 'node_modules', entry));
      }
      symlinkSync('../../stan-compat', path.join(copy, 'node_modules', '@ticketing', 'stan-compat'));

      const publisher = track(
        spawn('npm', ['run', 'publish:stan'], {
          cwd: path.join(copy, 'nats-test'),
          env: { ...process.env, NATS_URL: server.url, NATS_NKEY_SEED: server.seedOf('demo') },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        }),
      );
      try {
        await waitFor(() => publisher.output.text.includes('Event published'), {
          timeoutMs: 30_000,
          message: `npm run publish:stan in the copy; it printed: ${publisher.output.text}`,
        });
      } finally {
        process.kill(-publisher.child.pid!, 'SIGTERM');
        await publisher.exited;
      }

      const nc = await server.connect();
      try {
        const stored = await (
          await jetstreamManager(nc)
        ).streams.getMessage('ticketing', { last_by_subj: 'ticket:created' });
        expect(stored?.string()).toBe(EVENT);
      } finally {
        await nc.close();
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
