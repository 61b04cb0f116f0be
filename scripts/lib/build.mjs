// Builds what the stack runs: the TypeScript services, and the client when its sources changed.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

function run(command, args, cwd, env = process.env) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env });
  if (result.status !== 0) throw new Error(`${[command, ...args].join(' ')} failed`);
}

/**
 * The TypeScript workspaces `tsc -b` builds: every top-level folder with a package.json and
 * a tsconfig.json, except the client (Next.js compiles it). A new service is found here too.
 */
export function typescriptProjects(root) {
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'client' && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .filter((name) => ['package.json', 'tsconfig.json'].every((file) => existsSync(path.join(root, name, file))))
    .sort();
}

/** Compiles common and every service (`tsc -b` is incremental: quick when nothing changed). */
export function buildServices(root, log = console.log) {
  log('compiling TypeScript (tsc -b)');
  run(
    process.execPath,
    [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', ...typescriptProjects(root)],
    root,
  );
}

const CLIENT_INPUTS = [
  'app',
  'components',
  'lib',
  'public',
  'next.config.ts',
  'proxy.ts',
  'instrumentation.ts',
  'package.json',
  'tsconfig.json',
];

function hashTree(hash, file) {
  if (!existsSync(file)) return;
  if (statSync(file).isDirectory()) {
    for (const name of readdirSync(file).sort()) hashTree(hash, path.join(file, name));
  } else {
    hash.update(file).update(readFileSync(file));
  }
}

/** True when the client has sources (a Next.js app) to build. */
export function hasClient(root) {
  const dir = path.join(root, 'client');
  return existsSync(path.join(dir, 'next.config.ts'));
}

/** Runs `next build` unless the last build was made from the same sources. */
export function buildClient(root, log = console.log) {
  const dir = path.join(root, 'client');
  const hash = createHash('sha256');
  for (const input of CLIENT_INPUTS) hashTree(hash, path.join(dir, input));
  const digest = hash.digest('hex');
  const standalone = path.join(dir, '.next', 'standalone', 'client');
  // Written last, beside the server: a build that stopped halfway, or one made by
  // `next build` alone (which wipes .next), has no stamp and is redone.
  const stamp = path.join(standalone, 'SOURCE_HASH');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return;
  log('building the web client (next build)');
  run(process.execPath, [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], dir, {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: '1',
  });
  // The standalone server serves static files and public/ only from beside it (as in the image).
  rmSync(path.join(standalone, '.next', 'static'), { recursive: true, force: true });
  cpSync(path.join(dir, '.next', 'static'), path.join(standalone, '.next', 'static'), { recursive: true });
  if (existsSync(path.join(dir, 'public')))
    cpSync(path.join(dir, 'public'), path.join(standalone, 'public'), { recursive: true });
  writeFileSync(stamp, digest);
}

/** The production server `next build` leaves in the standalone output. */
export function clientServer(root) {
  return path.join(root, 'client', '.next', 'standalone', 'client', 'server.js');
}
