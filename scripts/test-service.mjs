#!/usr/bin/env node
// `npm test` inside a service's folder (or `npm test -w <service>` from the root): that
// service's jest suite against a real database and nats-server, installing and building
// what it needs first, as the root `npm test` does. `npm run test:watch` there re-runs on
// change. Extra arguments go to jest, e.g. `npm test -- -t "PUT"`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSystemPackages } from './lib/system-deps.mjs';
import { ensureNodeModules } from './lib/node-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [project, ...rest] = process.argv.slice(2);
const say = (text) => console.log(`=== ${text}`);

try {
  if (!project) throw new Error('usage: node scripts/test-service.mjs <workspace> [--watch] [jest arguments]');
  ensureSystemPackages(['nats-server'], say);
  ensureNodeModules(root, say);
  const { buildServices } = await import('./lib/build.mjs');
  buildServices(root, say);
  const { status } = spawnSync(
    process.execPath,
    [
      '--experimental-vm-modules',
      '--no-warnings=ExperimentalWarning',
      path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
      '--config',
      path.join(root, 'jest.config.js'),
      '--selectProjects',
      project,
      ...rest,
    ],
    { cwd: root, stdio: 'inherit' },
  );
  process.exitCode = status ?? 1;
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
