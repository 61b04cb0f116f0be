// Makes the bus's credentials for Kubernetes, as two Secret manifests in infra/secrets/
// (git-ignored, readable by their owner only); nothing secret is ever in git.
//   nats-seeds  `<service>.nk` and `setup.nk`: nkey seeds (SU…), each mounted by its own pods only
//   nats-users  `<SERVICE>_NKEY` and `SETUP_NKEY`: the public keys nats-server lets in, and
//               ROUTE_PASSWORD, which the production cluster's nodes authenticate their routes with
// A user per service on the bus (services.json entries that publish or consume) and the `setup`
// user of the nats-stream-setup Job, the only one that may create or change the stream.
//
//   npm run nats-credentials [-- --force] [-- --out DIR]
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createUser } from '@nats-io/nkeys';

const root = path.resolve(import.meta.dirname, '..');
const { values: options } = parseArgs({
  options: {
    out: { type: 'string', default: path.join(root, 'infra', 'secrets') },
    force: { type: 'boolean', default: false },
  },
});

const { services } = JSON.parse(readFileSync(path.join(root, 'services.json'), 'utf8'));
const users = [
  ...services.filter((s) => (s.publishes ?? []).length + (s.consumes ?? []).length > 0).map((s) => s.name),
  'setup',
];

const seeds = {};
const publicKeys = {};
for (const name of users) {
  const user = createUser();
  seeds[`${name}.nk`] = new TextDecoder().decode(user.getSeed());
  publicKeys[`${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_NKEY`] = user.getPublicKey();
}
// Hex after a letter: safe inside a route URL, and read by nats-server as a string, never a number.
publicKeys.ROUTE_PASSWORD = `r${randomBytes(24).toString('hex')}`;

function secret(name, data) {
  return [
    '# Made by scripts/nats-credentials.mjs. Never commit it.',
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${name}`,
    '  labels:',
    '    app.kubernetes.io/part-of: ticketing',
    'type: Opaque',
    'data:',
    ...Object.entries(data).map(([key, value]) => `  ${key}: ${Buffer.from(value).toString('base64')}`),
    '',
  ].join('\n');
}

const files = {
  'nats-seeds.yaml': secret('nats-seeds', seeds),
  'nats-users.yaml': secret('nats-users', publicKeys),
};
const existing = Object.keys(files).filter((file) => existsSync(path.join(options.out, file)));
if (existing.length > 0 && !options.force) {
  console.error(
    `${existing.map((file) => path.join(options.out, file)).join(' and ')} already exist; kept as they are.\n` +
      'With --force new credentials replace them: apply them, then restart NATS and every service on the bus.',
  );
  process.exit(1);
}

mkdirSync(options.out, { recursive: true, mode: 0o700 });
for (const [file, text] of Object.entries(files)) {
  const target = path.join(options.out, file);
  writeFileSync(target, text, { mode: 0o600 });
  chmodSync(target, 0o600); // the mode above applies only to a file that did not exist
}

const relative = path.relative(process.cwd(), options.out);
const shown = relative.startsWith('..') ? options.out : relative || '.';
console.log(`Wrote the bus's credentials for ${users.join(', ')} into ${shown}/ (owner-only, never commit them).`);
console.log(`Next, in the namespace you deploy to: kubectl apply --server-side -f ${shown}/`);
