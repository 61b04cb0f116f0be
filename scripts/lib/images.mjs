// Builds the deployables' images without Docker: buildah from the same Dockerfiles skaffold
// uses, on the local Node base (node-base.mjs), into the local storage podman runs from.
// Plain Node with no npm dependencies: `npm run images` needs no node_modules.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadServices } from './services.mjs';
import { ensureNodeBase } from './node-base.mjs';

/** Debian's OCI runtime: crun fails on this kind of host's hybrid cgroups and on rlimits. */
export const OCI_RUNTIME = '/usr/sbin/runc';
/** podman's global flags for that runtime, with cgroups managed without systemd. */
export const PODMAN_FLAGS = ['--runtime', OCI_RUNTIME, '--cgroup-manager=cgroupfs'];
/** `podman run` flags: explicit limits, since the runtime cannot raise the defaults here. */
export const RUN_LIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

/** What building the images needs on the machine (names of system-deps.mjs). */
export const IMAGE_BUILD_NEEDS = ['buildah', 'podman', 'runc', 'debootstrap', 'strip'];

/** The size goals, in MB (10^6 bytes, as podman prints them). */
export const SIZE_GOAL_MB = { service: 200, client: 250 };

/**
 * @typedef {{ name: string, kind: 'service' | 'client', image: string, dockerfile: string,
 *   buildArgs: Record<string, string> }} Deployable
 */

/**
 * Every image skaffold builds, named as skaffold names it: a service of services.json from
 * the one service Dockerfile, and the client.
 * @returns {Deployable[]}
 */
export function deployables(root) {
  /** @type {Deployable[]} */
  const images = loadServices(root).map(({ name }) => ({
    name,
    kind: 'service',
    image: `ticketing/${name}`,
    dockerfile: 'infra/docker/service.Dockerfile',
    buildArgs: { SERVICE: name },
  }));
  if (existsSync(path.join(root, 'client', 'Dockerfile'))) {
    images.push({
      name: 'client',
      kind: 'client',
      image: 'ticketing/client',
      dockerfile: 'client/Dockerfile',
      buildArgs: {},
    });
  }
  return images;
}

/** How podman lists an image that buildah tagged `ticketing/<name>`. */
export function localName(image) {
  return `localhost/${image}:latest`;
}

/** Runs podman with the runtime flags; returns spawnSync's result (stdout as text). */
export function podman(args, options = {}) {
  return spawnSync('podman', [...PODMAN_FLAGS, ...args], { encoding: 'utf8', ...options });
}

/** An image's size in bytes, as podman reports it. */
export function imageSize(image) {
  const result = podman(['image', 'inspect', '--format', '{{.Size}}', image]);
  if (result.status !== 0) throw new Error(`podman image inspect ${image} failed: ${result.stderr}`);
  return Number(result.stdout.trim());
}

/**
 * What npm inside a build is given, through npm's global config folder (/usr/local/etc)
 * mounted into every RUN: the machine's CA bundle (where a proxy re-signs TLS, npm fails
 * with SELF_SIGNED_CERT_IN_CHAIN without it), and the machine's npm cache, so that the
 * installs of every image take what the host's `npm ci` already fetched instead of
 * downloading it again. A mount is never part of a layer, so no image keeps either.
 * @returns {{ flags: string[], cleanup: () => void }} buildah's volume flags, and what removes the folder
 */
export function buildMounts() {
  const dir = mkdtempSync(path.join(tmpdir(), 'ticketing-build-npm-'));
  const npmrc = [];
  const bundles = [...new Set(['/etc/ssl/certs/ca-certificates.crt', process.env.NODE_EXTRA_CA_CERTS])].filter(
    (file) => file && existsSync(file),
  );
  if (bundles.length > 0) {
    writeFileSync(path.join(dir, 'ca.crt'), bundles.map((file) => readFileSync(file, 'utf8')).join('\n'));
    npmrc.push('cafile=/usr/local/etc/ca.crt');
  }
  const flags = ['--volume', `${dir}:/usr/local/etc:ro`];
  const cache = hostNpmCache();
  if (cache) {
    // Mounted on a folder of the mounted folder, so that nothing is created in the image.
    mkdirSync(path.join(dir, 'npm-cache'));
    npmrc.push('cache=/usr/local/etc/npm-cache');
    flags.push('--volume', `${cache}:/usr/local/etc/npm-cache`);
  }
  writeFileSync(path.join(dir, 'npmrc'), `${npmrc.join('\n')}\n`);
  return { flags, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The host's npm cache folder (`npm config get cache`), created if missing; undefined if npm cannot say. */
function hostNpmCache() {
  const result = spawnSync('npm', ['config', 'get', 'cache'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const cache = result.status === 0 ? result.stdout.trim() : '';
  if (!cache || !path.isAbsolute(cache)) return undefined;
  mkdirSync(cache, { recursive: true });
  return cache;
}

/**
 * Builds one image with buildah from the repository root. Layers are cached, so an
 * unchanged step (the npm installs, mostly) is not run again.
 * @param {string} root
 * @param {Deployable} deployable
 * @param {{ base: string, dockerfile?: string, target?: string, tag?: string, mounts?: string[] }} options
 *   `dockerfile` and `tag` replace the deployable's; `mounts`: the flags of buildMounts.
 * @returns {{ ok: boolean, seconds: number, output: string, id?: string }} `id`: the image built
 */
export function buildImage(root, deployable, options) {
  const scratch = mkdtempSync(path.join(tmpdir(), 'ticketing-build-'));
  const iidfile = path.join(scratch, 'iid');
  const args = [
    'bud',
    '--runtime',
    OCI_RUNTIME,
    '--pull=never',
    '--layers',
    '--force-rm',
    '--network',
    'host',
    '--iidfile',
    iidfile,
    ...(options.mounts ?? []),
    '--build-arg',
    `NODE_IMAGE=${options.base}`,
    ...Object.entries(deployable.buildArgs).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]),
    ...(options.target ? ['--target', options.target] : []),
    '--file',
    options.dockerfile ?? deployable.dockerfile,
    '--tag',
    options.tag ?? deployable.image,
    '.',
  ];
  const started = Date.now();
  try {
    const result = spawnSync('buildah', args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    return {
      ok: result.status === 0,
      seconds: (Date.now() - started) / 1000,
      output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`,
      // What was built, whatever the tag names by the time it is run (another build may retag it).
      id: result.status === 0 && existsSync(iidfile) ? readFileSync(iidfile, 'utf8').trim() : undefined,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const mb = (bytes) => bytes / 1e6;

/**
 * Makes sure the base exists, then builds every deployable's image in turn, printing each
 * one's time and size against the goal. Throws, with the end of buildah's output, on the
 * first image that fails.
 * @param {string} root
 * @param {{ log?: (line: string) => void, only?: string[] }} options  `only`: names of deployables
 * @returns {{ base: string, baseSize: number, images: { name: string, image: string, id: string, kind: string, seconds: number, size: number }[] }}
 */
export function buildImages(root, { log = console.log, only } = {}) {
  const base = ensureNodeBase(log);
  const baseSize = imageSize(base);
  const mounts = buildMounts();
  const images = [];
  try {
    for (const deployable of deployables(root)) {
      if (only && !only.includes(deployable.name)) continue;
      log(`building ${deployable.image} (${deployable.dockerfile})`);
      const built = buildImage(root, deployable, { base, mounts: mounts.flags });
      if (!built.ok) {
        const tail = built.output.trimEnd().split('\n').slice(-40).join('\n');
        throw new Error(`building ${deployable.image} failed after ${built.seconds.toFixed(0)} s:\n${tail}`);
      }
      const id = built.id ?? localName(deployable.image);
      const size = imageSize(id);
      images.push({
        name: deployable.name,
        image: deployable.image,
        id,
        kind: deployable.kind,
        seconds: built.seconds,
        size,
      });
      log(
        `built ${deployable.image} in ${built.seconds.toFixed(0)} s: ${describeSize(size, baseSize, deployable.kind)}`,
      );
    }
  } finally {
    mounts.cleanup();
  }
  return { base, baseSize, images };
}

/** "231 MB (base 206 + 25 of its own; goal ≤ 200 MB: over)" */
export function describeSize(size, baseSize, kind) {
  const goal = SIZE_GOAL_MB[kind];
  const verdict = mb(size) <= goal ? 'met' : 'over';
  return `${mb(size).toFixed(0)} MB (base ${mb(baseSize).toFixed(0)} + ${mb(size - baseSize).toFixed(0)} of its own; goal ≤ ${goal} MB: ${verdict})`;
}

/** The sizes as a table, one image a line. */
export function sizeTable({ base, baseSize, images }) {
  const width = Math.max(...images.map((i) => i.image.length), base.length);
  return [
    `${base.padEnd(width)}  ${mb(baseSize).toFixed(0).padStart(4)} MB`,
    ...images.map((i) => `${i.image.padEnd(width)}  ${describeSize(i.size, baseSize, i.kind)}`),
  ].join('\n');
}
