// Finds the system programs the stack needs and, as root on Debian, installs the missing ones.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
// By path, not through @ticketing/common: this runs before `npm ci` has linked the workspaces.
import { which } from '../../common/lib/system.cjs';

export { which };

/** What each need is called on PATH and in Debian. */
export const SYSTEM_PACKAGES = {
  'nats-server': { bin: 'nats-server', apt: 'nats-server' },
  chromium: { bin: 'chromium', apt: 'chromium' },
  // The local edge; Debian's package does not start a system nginx where policy-rc.d says no.
  nginx: { bin: 'nginx', apt: 'nginx' },
  postgresql: { bin: 'initdb', apt: 'postgresql' },
  // PROMETHEUS=1 npm start; policy-rc.d keeps Debian's own from starting.
  prometheus: { bin: 'prometheus', apt: 'prometheus' },
  // Building and running the images without Docker (`npm run images`, `npm run test:images`).
  buildah: { bin: 'buildah', apt: 'buildah' },
  podman: { bin: 'podman', apt: 'podman' },
  runc: { bin: 'runc', apt: 'runc' },
  debootstrap: { bin: 'debootstrap', apt: 'debootstrap' },
  strip: { bin: 'strip', apt: 'binutils' },
};

/** True where missing packages can be installed here: as root, with apt-get. */
export function canInstallSystemPackages() {
  return process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
}

/** The needs not found on PATH. @param {(keyof typeof SYSTEM_PACKAGES)[]} needs */
export function missingSystemPackages(needs) {
  return needs.filter((need) => !which(SYSTEM_PACKAGES[need].bin));
}

/**
 * Makes sure the named system packages are present. As root with apt-get they are
 * installed; otherwise the error names the command to run.
 * @param {(keyof typeof SYSTEM_PACKAGES)[]} needs
 * @param {(line: string) => void} log
 */
export function ensureSystemPackages(needs, log = console.log) {
  const missing = needs.filter((need) => !which(SYSTEM_PACKAGES[need].bin));
  if (missing.length === 0) return;
  const packages = missing.map((need) => SYSTEM_PACKAGES[need].apt);
  const command = `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    throw new Error(
      `Missing system packages: ${packages.join(', ')}.\nInstall them first, e.g. on Debian/Ubuntu:\n  sudo apt-get update && sudo ${command}`,
    );
  }
  log(`installing system packages: ${packages.join(', ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (update.status !== 0) throw new Error('apt-get update failed');
  // The stack runs its own nginx and PostgreSQL server: Debian's packages would also start
  // the system's (on ports 80 and 5432) unless policy-rc.d says no, as it does in images.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy)
    writeFileSync(policy, '#!/bin/sh\n# written by ticketing while it installs packages\nexit 101\n', { mode: 0o755 });
  let install;
  try {
    install = spawnSync('apt-get', command.split(' ').slice(1), { stdio: 'inherit', env });
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
  if (install.status !== 0) throw new Error(`apt-get install failed: ${command}`);
  const still = missing.filter((need) => !which(SYSTEM_PACKAGES[need].bin));
  if (still.length) throw new Error(`still missing after apt-get: ${still.join(', ')}`);
}
