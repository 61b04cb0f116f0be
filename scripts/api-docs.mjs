#!/usr/bin/env node
// `npm run docs`: writes docs/API.md from docs/openapi.yaml (npm test checks it is up to date).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadApiSpec, renderApiDocs } from './lib/api-docs.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
writeFileSync(path.join(root, 'docs', 'API.md'), renderApiDocs(loadApiSpec(root)));
console.log('wrote docs/API.md');
