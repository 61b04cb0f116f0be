#!/usr/bin/env node
// `npm run build`: compiles common and every TypeScript workspace with `tsc -b`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServices } from './lib/build.mjs';

try {
  buildServices(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
