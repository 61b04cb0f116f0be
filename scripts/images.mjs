#!/usr/bin/env node
// `npm run images [name…]`: builds every deployable's image (or the named ones) without
// Docker, with buildah, on a local Node base made once, and prints their sizes. Installs
// buildah, podman, runc and debootstrap when missing (as root on Debian). Plain Node with
// no npm dependencies: it runs before node_modules exists.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSystemPackages } from './lib/system-deps.mjs';
import { buildImages, deployables, IMAGE_BUILD_NEEDS, sizeTable } from './lib/images.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (text) => console.log(`images  | ${text}`);

function main() {
  const only = process.argv.slice(2);
  const known = deployables(root).map((d) => d.name);
  const unknown = only.filter((name) => !known.includes(name));
  if (unknown.length) throw new Error(`no deployable named ${unknown.join(', ')}; there are ${known.join(', ')}`);
  if (process.getuid?.() !== 0) {
    throw new Error('making the base image needs root (debootstrap, chroot): run it as root');
  }
  ensureSystemPackages(IMAGE_BUILD_NEEDS, say);
  const started = Date.now();
  const built = buildImages(root, { log: say, only: only.length ? only : undefined });
  console.log(`\n${sizeTable(built)}\n`);
  say(`done in ${Math.round((Date.now() - started) / 1000)} s (running them: infra/README.md)`);
}

try {
  main();
} catch (error) {
  console.error(`\nnpm run images failed: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
}
