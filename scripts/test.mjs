#!/usr/bin/env node
// `npm test`: installs what is missing, then runs every tier; exits non-zero on any failure.
// Plain Node on purpose: it runs before node_modules exists.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSystemPackages } from './lib/system-deps.mjs';
import { ensureNodeModules } from './lib/node-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (pkg, file) => path.join(root, 'node_modules', pkg, file);
const say = (text) => console.log(`\n=== ${text}`);
const results = [];

function step(name, command, args, env = process.env) {
  say(name);
  const started = Date.now();
  const { status } = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  results.push({ name, ok: status === 0, seconds: (Date.now() - started) / 1000 });
  return status === 0;
}

/**
 * Starts a command with its output kept, and resolves with its result once it ends, having
 * printed that output whole under its name: what runs beside other work stays readable.
 */
function background({ name, command, args, env = process.env }) {
  const started = Date.now();
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env });
  const output = [];
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  return new Promise((resolve) => {
    child.on('error', (error) => output.push(Buffer.from(`${error.message}\n`)));
    child.on('close', (status) => {
      say(name);
      process.stdout.write(Buffer.concat(output));
      resolve({ name, ok: status === 0, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** Runs independent checks side by side (each one mostly waits on one core), recorded in the order given. */
async function steps(list) {
  results.push(...(await Promise.all(list.map(background))));
}

/** A jest run's command line, writing its JSON report where `countTests` reads it. */
function jestCommand(args, report) {
  return [
    '--experimental-vm-modules',
    '--no-warnings=ExperimentalWarning',
    bin('jest', 'bin/jest.js'),
    '--json',
    `--outputFile=${report}`,
    ...args,
  ];
}

/** Adds a jest run's counts to its result; a run that ran no test at all has failed. */
function countTests(result, report) {
  if (!existsSync(report)) return result;
  const { numPassedTests, numFailedTests } = JSON.parse(readFileSync(report, 'utf8'));
  Object.assign(result, { passed: numPassedTests, failed: numFailedTests });
  if (numPassedTests === 0 && numFailedTests === 0) result.ok = false;
  return result;
}

let reportCount = 0;
const nextReport = () => path.join(reports, `${reportCount++}.json`);

/** A jest run with its output streamed as it goes. */
function jest(name, args, env = process.env) {
  const report = nextReport();
  const ok = step(name, process.execPath, jestCommand(args, report), env);
  countTests(results.at(-1), report);
  return ok;
}

/** Jest runs side by side, each printed whole as it ends, recorded in the order given. */
async function jestSideBySide(runs) {
  const done = await Promise.all(
    runs.map(({ name, args, env }) => {
      const report = nextReport();
      return background({ name, command: process.execPath, args: jestCommand(args, report), env }).then((result) =>
        countTests(result, report),
      );
    }),
  );
  results.push(...done);
}

const reports = mkdtempSync(path.join(tmpdir(), 'ticketing-test-'));

async function main() {
  ensureSystemPackages(['nats-server', 'postgresql', 'nginx', 'chromium', 'prometheus'], (line) => say(line));
  ensureNodeModules(root, (line) => say(line));
  const { hasClient, typescriptProjects } = await import('./lib/build.mjs');
  const client = hasClient(root);
  const ci = process.env.CI ? ['--ci'] : [];

  const tsc = (...args) => [bin('typescript', 'bin/tsc'), ...args];
  // The web client depends on no other workspace: it builds beside the checks. Its types are
  // checked by their own step below, so `next build` does not check them a second time.
  const clientBuild = client
    ? background({
        name: 'build the web client',
        command: process.execPath,
        args: [path.join(root, 'scripts', 'build.mjs'), '--client'],
        env: { ...process.env, TICKETING_CLIENT_TYPES_CHECKED: '1' },
      })
    : undefined;
  // Lint and format read the sources only: they run beside the build, which keeps one core busy.
  const sourceChecks = Promise.all(
    [
      {
        name: 'lint (eslint)',
        command: process.execPath,
        args: [bin('eslint', 'bin/eslint.js'), '--max-warnings', '0', '.'],
      },
      {
        name: 'format (prettier --check)',
        command: process.execPath,
        args: [bin('prettier', 'bin/prettier.cjs'), '--check', '--log-level', 'warn', '.'],
      },
    ].map(background),
  );
  const typed = await background({
    name: 'type check and build (tsc -b)',
    command: process.execPath,
    args: tsc('-b', ...typescriptProjects(root)),
  });
  results.push(typed);
  // The tests' types are read against what the build declared; the client's, which needs no
  // build, are checked beside them once the build has freed its core.
  await steps([
    { name: 'type check the tests', command: process.execPath, args: tsc('-p', 'tsconfig.tests.json') },
    ...(client
      ? [
          {
            name: 'type check the client',
            command: process.execPath,
            args: tsc('-p', 'client/tsconfig.json', '--noEmit'),
          },
        ]
      : []),
  ]);
  results.push(...(await sourceChecks));
  // Awaited either way, so that nothing npm test started outlives its summary.
  const built = await clientBuild;
  if (built) results.push(built);
  if (!typed.ok) throw new Error('the TypeScript build failed; the tests run against it');
  if (built && !built.ok) throw new Error('the web client did not build; the end-to-end tests run it');

  // The database npm start gives the services by default: one PostgreSQL server for the run,
  // a database per test file copied from a migrated template.
  // One worker more than there are cores: a file also waits (on the bus, on timers, on a stack
  // coming up), and the extra worker fills those waits. The main tier alone on two cores: 293 s
  // with two workers; 240 s with three, the machine busy 94 % of it.
  const mainWorkers = Math.min(availableParallelism() + 1, 8);
  say('start a PostgreSQL server for the run');
  const { startPostgresServer } = await import('@ticketing/common/testing');
  const server = await startPostgresServer();
  try {
    jest('unit, route, bus, infra and end-to-end tests (PostgreSQL server)', [...ci, `--maxWorkers=${mainWorkers}`], {
      ...process.env,
      TEST_DATABASE_URL: server.url,
    });
  } finally {
    await server.stop();
  }

  // Two tiers side by side: the cluster's mostly waits (elections, a server stopped for 10 s,
  // timeouts), and fills what the PGlite tier leaves of the two cores.
  say('the embedded database (PGlite) and the cluster tier, side by side (each printed as it ends)');
  await jestSideBySide([
    {
      // What is the embedded fallback's own (*.pglite-test.ts): opening it, its driver, a whole
      // purchase on it, the outbox's and the inbox's cases where PGlite differs (one connection,
      // no autovacuum), and search.
      name: 'the embedded database (PGlite)',
      args: [
        ...ci,
        '--maxWorkers=2',
        '--testPathPatterns',
        '\\.pglite-test\\.ts$',
        // Search is PostgreSQL's own full-text search: the same SQL must find the same on both.
        'tickets/test/search\\.test\\.ts$',
      ],
      env: { ...process.env, TEST_PGLITE: '1' },
    },
    {
      // It starts its own three nats-servers and PostgreSQL server (scripts/lib/cluster.mjs).
      name: 'cluster tier (3-node JetStream, PostgreSQL server, two instances of every service, faults)',
      args: [...ci, '--selectProjects', 'scripts', '--testPathPatterns', 'cluster-test'],
      env: { ...process.env, TEST_CLUSTER: '1' },
    },
  ]);
}

main()
  .catch((error) => {
    console.error(`\n${error instanceof Error ? error.message : error}`);
    results.push({ name: 'setup', ok: false, seconds: 0 });
  })
  .finally(() => {
    rmSync(reports, { recursive: true, force: true });
    say('summary');
    for (const r of results) {
      const counts = r.passed !== undefined ? ` (${r.passed} passed, ${r.failed} failed)` : '';
      console.log(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.name}${counts}  ${r.seconds.toFixed(1)} s`);
    }
    const passed = results.reduce((n, r) => n + (r.passed ?? 0), 0);
    const failed =
      results.reduce((n, r) => n + (r.failed ?? 0), 0) + results.filter((r) => !r.ok && r.failed === undefined).length;
    console.log(`\n${passed} passed, ${failed} failed`);
    process.exitCode = results.every((r) => r.ok) ? 0 : 1;
  });
