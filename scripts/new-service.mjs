#!/usr/bin/env node
// `npm run new-service -- <name>`: a new service as a folder plus one entry in services.json.
// Copies scripts/templates/service into <name>/, generates its first migration, adds the
// entry, and says what a deployment still needs. `npm start`, `npm test` and the infra
// checks pick the service up from the list.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

function render(dir, replacements) {
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) {
      render(file, replacements);
      continue;
    }
    let text = readFileSync(file, 'utf8');
    for (const [from, to] of Object.entries(replacements)) text = text.replaceAll(from, to);
    writeFileSync(file, text);
  }
}

/**
 * Creates service `name` under `root`; returns the lines to tell the developer.
 * @param {string} root
 * @param {string} name
 */
export function createService(root, name) {
  if (!NAME.test(name)) throw new Error(`"${name}" is not a service name: lower-case letters, digits and dashes`);
  const folder = path.join(root, name);
  if (existsSync(folder)) throw new Error(`${name}/ already exists`);
  const listFile = path.join(root, 'services.json');
  const list = JSON.parse(readFileSync(listFile, 'utf8'));
  if (list.services.some((service) => service.name === name)) throw new Error(`services.json already lists ${name}`);

  const template = path.join(path.dirname(fileURLToPath(import.meta.url)), 'templates', 'service');
  cpSync(template, folder, { recursive: true });
  const camel = name.replace(/-([a-z0-9])/g, (_m, c) => c.toUpperCase());
  render(folder, { __NAME__: name, __CAMEL__: camel });

  const drizzleKit = path.join(root, 'node_modules', 'drizzle-kit', 'bin.cjs');
  const generated = spawnSync(process.execPath, [drizzleKit, 'generate', '--name', 'init'], {
    cwd: folder,
    encoding: 'utf8',
  });
  if (generated.status !== 0) throw new Error(`drizzle-kit generate failed:\n${generated.stdout}${generated.stderr}`);

  list.services.push({ name, summary: `${name} (describe what it does)` });
  writeFileSync(listFile, `${JSON.stringify(list, null, 2)}\n`);
  return [
    `created ${name}/ and added it to services.json`,
    'next:',
    '  npm install                       # links the new workspace and records it in package-lock.json',
    `  npm test -w ${name}                # its own suite; npm start runs it beside the others`,
    `  route /api/${name} in infra/k8s/ingress-srv.yaml (and infra/k8s-gateway/http-route.yaml) to ${name}-srv`,
    `  add infra/k8s/${name}-depl.yaml and ${name}-postgres.yaml, and its artifact in skaffold.yaml;`,
    '  npm test (infra) names anything still missing',
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
    const name = process.argv[2];
    if (!name) throw new Error('usage: npm run new-service -- <name>');
    for (const line of createService(root, name)) console.log(line);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
