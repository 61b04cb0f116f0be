#!/usr/bin/env node
// `npm run test:images`: the image tier. Builds every image as `npm run images` does, starts
// a nats-server and a PostgreSQL server, and runs infra/test/images.image-test.ts, which
// runs each image under podman against them and the whole system from images behind the
// local edge. Skipped, saying why, where buildah and podman cannot be installed. Leaves
// no container, nats-server or PostgreSQL behind, also when it fails or is interrupted.
// Plain Node on purpose: it runs before node_modules exists.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  canInstallSystemPackages,
  ensureSystemPackages,
  missingSystemPackages,
  SYSTEM_PACKAGES,
} from './lib/system-deps.mjs';
import { ensureNodeModules } from './lib/node-deps.mjs';
import { buildImages, IMAGE_BUILD_NEEDS, podman, sizeTable } from './lib/images.mjs';
import { loadServices } from './lib/services.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (text) => console.log(`\n=== ${text}`);
const NEEDS = [...IMAGE_BUILD_NEEDS, 'nats-server', 'postgresql', 'nginx'];
// Marks this run's containers: other runs on the machine (other clones) keep theirs.
const RUN = `ticketing-images-${process.pid}-${Date.now().toString(36)}`;
const LABEL = `ticketing.image-tier=${RUN}`;

/** Why the tier cannot run here, or undefined when it can. */
function reasonToSkip() {
  const missing = missingSystemPackages(NEEDS);
  const packages = [...new Set(missing.map((need) => SYSTEM_PACKAGES[need].apt))];
  if (process.getuid?.() !== 0) {
    return 'it runs as root only (debootstrap makes the base image; buildah and podman use the system storage)';
  }
  if (missing.length > 0 && !canInstallSystemPackages()) {
    return `${packages.join(', ')} missing, and apt-get is not here to install them`;
  }
  return undefined;
}

/** What undoes each thing started so far, run last first. */
const cleanups = [];
async function cleanUp() {
  for (let undo = cleanups.pop(); undo; undo = cleanups.pop()) {
    await undo().catch((error) => console.error(`cleanup: ${error.message}`));
  }
}

/** Removes this run's containers, whatever state they are in. */
async function removeContainers() {
  const listed = podman(['ps', '--all', '--quiet', '--filter', `label=${LABEL}`]);
  const ids = (listed.stdout ?? '').split('\n').filter(Boolean);
  if (ids.length) podman(['rm', '--force', '--time', '0', ...ids], { stdio: 'ignore' });
}

/** Runs jest on the image tier; resolves with its counts (from its JSON report) and exit status. */
function runJest(env) {
  const reports = mkdtempSync(path.join(tmpdir(), 'ticketing-images-report-'));
  const report = path.join(reports, 'report.json');
  const child = spawn(
    process.execPath,
    [
      '--experimental-vm-modules',
      '--no-warnings=ExperimentalWarning',
      path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
      ...(process.env.CI ? ['--ci'] : []),
      '--selectProjects',
      'infra',
      '--testPathPatterns',
      '\\.image-test\\.ts$',
      '--json',
      `--outputFile=${report}`,
    ],
    { cwd: root, stdio: 'inherit', env },
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      const counts = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : {};
      rmSync(reports, { recursive: true, force: true });
      resolve({ ok: code === 0, passed: counts.numPassedTests ?? 0, failed: counts.numFailedTests ?? 0 });
    });
  });
}

async function main() {
  const skip = reasonToSkip();
  if (skip) {
    say(`image tier SKIPPED: ${skip}.`);
    console.log('It builds and runs the images with buildah and podman; on Debian as root it installs them itself:');
    console.log(
      `  apt-get install --no-install-recommends ${NEEDS.map((need) => SYSTEM_PACKAGES[need].apt).join(' ')}`,
    );
    return { skipped: true };
  }
  const started = Date.now();
  ensureSystemPackages(NEEDS, say);
  ensureNodeModules(root, say);
  // The harnesses below are common's compiled testing entry point.
  const { buildServices } = await import('./lib/build.mjs');
  buildServices(root, say);

  say('build the images');
  const built = buildImages(root, { log: (line) => console.log(line) });
  console.log(`\n${sizeTable(built)}`);
  const buildSeconds = (Date.now() - started) / 1000;

  say('start nats-server and PostgreSQL, then run every image');
  cleanups.push(removeContainers);
  const { startNatsServer, startPostgresServer } = await import('@ticketing/common/testing');
  const nats = await startNatsServer();
  cleanups.push(() => nats.destroy());
  const postgres = await startPostgresServer();
  cleanups.push(() => postgres.stop());

  const result = await runJest({
    ...process.env,
    TEST_IMAGES: JSON.stringify(Object.fromEntries(built.images.map((image) => [image.name, image.id]))),
    TEST_IMAGES_BASE: built.base,
    TEST_IMAGES_LABEL: LABEL,
    TEST_NATS_URL: nats.url,
    // Authorization is on: each service's container connects with its own user's seed.
    TEST_NATS_SEEDS: JSON.stringify(
      Object.fromEntries(
        loadServices(root)
          .map(({ name }) => [name, nats.seedOf(name)])
          .filter(([, seed]) => seed),
      ),
    ),
    TEST_DATABASE_URL: postgres.url,
  });
  return { ...result, buildSeconds, seconds: (Date.now() - started) / 1000 };
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`\n${signal}: removing this run's containers and servers`);
    void cleanUp().then(() => process.exit(130));
  });
}

main()
  .catch((error) => {
    console.error(`\nthe image tier failed: ${error instanceof Error ? error.message : error}`);
    return { ok: false, passed: 0, failed: 1 };
  })
  .then(async (result) => {
    await cleanUp();
    if (result.skipped) return;
    say('summary');
    if (result.seconds) {
      console.log(`images built in ${result.buildSeconds.toFixed(0)} s; the tier took ${result.seconds.toFixed(0)} s`);
    }
    console.log(`\n${result.passed} passed, ${result.failed + (result.ok || result.failed ? 0 : 1)} failed`);
    process.exitCode = result.ok ? 0 : 1;
  });
