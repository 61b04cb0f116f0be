#!/usr/bin/env node
// `npm run build`: compiles common and every TypeScript workspace with `tsc -b`;
// `node scripts/build.mjs --client` builds the web client instead, when its sources changed.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildClient, buildServices } from './lib/build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
try {
  if (process.argv.includes('--client')) buildClient(root);
  else buildServices(root);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
