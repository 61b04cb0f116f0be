import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deploymentGaps, loadServices } from '../../infra/test/lib/services';
import { buildServices } from '../lib/build.mjs';
import { startStack } from '../lib/stack.mjs';
import { createService } from '../new-service.mjs';

const root = path.join(__dirname, '..', '..');

/**
 * A copy of the repository as a developer would have it, sharing the installed packages and
 * the built services; the new service is created in it by `npm run new-service`'s code.
 */
async function scratchRepository(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ticketing-new-service-'));
  const copied = ['package.json', 'services.json', 'jest.config.js'];
  for (const file of copied) cpSync(path.join(root, file), path.join(dir, file));
  for (const entry of readdirSync(root)) {
    if (copied.includes(entry) || entry.startsWith('.')) continue;
    symlinkSync(path.join(root, entry), path.join(dir, entry));
  }
  return dir;
}

describe('a new service: a folder plus one entry in services.json', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await scratchRepository();
    createService(scratch, 'hello');
    buildServices(scratch, () => {});
  }, 120_000);

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('is in the list, with its own folder', () => {
    expect(loadServices(scratch).map((s) => s.name)).toEqual([...loadServices(root).map((s) => s.name), 'hello']);
    expect(JSON.parse(readFileSync(path.join(scratch, 'hello', 'package.json'), 'utf8')).name).toBe('@ticketing/hello');
  });

  it('runs under npm start beside the others, healthy and ready', async () => {
    const dataDir = path.join(scratch, '.data');
    const stack = await startStack({
      // A throwaway DATA_DIR: its PostgreSQL server need not sync to survive a power cut.
      durable: false,
      root: scratch,
      port: 0,
      dataDir,
      natsPort: 0,
      natsMonitorPort: null,
      logLevel: 'warn',
      print: () => {},
    });
    try {
      expect(stack.processes.map((p: { name: string }) => p.name)).toContain('hello');
      const port = stack.ports['hello-srv'];
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/api/hello`)).status).toBe(200);
    } finally {
      await stack.stop();
    }
  }, 120_000);

  it('gets its own jest project in npm test, whose first suite passes', () => {
    // The root jest config, as `npm test` loads it, reading services.json beside it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const config = require(path.join(scratch, 'jest.config.js')) as { projects: { displayName: string }[] };
    expect(config.projects.map((p) => p.displayName)).toContain('hello');

    const run = spawnSync(
      process.execPath,
      [
        '--experimental-vm-modules',
        '--no-warnings=ExperimentalWarning',
        path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
        '--ci',
        '--selectProjects',
        'hello',
      ],
      { cwd: scratch, encoding: 'utf8' },
    );

    expect(run.stderr).toMatch(/Tests:\s+2 passed, 2 total/);
    expect(run.status).toBe(0);
  }, 60_000);

  it('is checked by the infra checks, which name what its deployment still lacks', () => {
    const [hello] = loadServices(scratch).filter((s) => s.name === 'hello');

    expect(deploymentGaps(hello!, [], [], scratch)).toEqual([
      'no Deployment hello-depl',
      'no Service hello-srv',
      'no PostgreSQL hello-postgres (StatefulSet and Service)',
      'no skaffold artifact ticketing/hello',
    ]);
  });
});
