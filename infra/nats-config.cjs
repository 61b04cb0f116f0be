// The nats-server configurations of the manifests (the ConfigMap `nats-config` in
// infra/k8s/nats-depl.yaml and infra/k8s-production/nats-cluster.yaml), made from
// common/lib/bus-permissions.cjs and services.json, so the users and their permissions in the
// cluster are the ones the local runner and the tests use. The keys are not in them: each user's
// `nkey: $<NAME>_NKEY` is read by nats-server from its environment, which the pod fills from
// the Secret `nats-users` (scripts/nats-credentials.mjs makes it).
//
//   node infra/nats-config.cjs          prints both configurations
//   node infra/nats-config.cjs --write  writes them into the two manifests
//
// infra/test/nats-credentials.test.ts fails when a manifest differs from what this makes.
'use strict';

const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { busConsumers, serverConfig } = require('@ticketing/common/bus-permissions');

const ROOT = path.resolve(__dirname, '..');
/** The stream (NATS_STREAM in the manifests) the permissions are for. */
const STREAM = 'ticketing';
/** The privileged user of the nats-stream-setup Job: the only one that may create or change the stream. */
const SETUP_USER = 'setup';
/** The production cluster: StatefulSet `nats` of this many nodes behind the headless Service `nats-cluster`. */
const CLUSTER_NODES = 3;

/** The manifests holding a configuration, and which one each holds. */
const MANIFESTS = {
  'infra/k8s/nats-depl.yaml': 'single',
  'infra/k8s-production/nats-cluster.yaml': 'cluster',
};

/** The services of services.json that are on the bus: those that publish or consume. */
function busServices(root = ROOT) {
  const { services } = JSON.parse(readFileSync(path.join(root, 'services.json'), 'utf8'));
  return services.filter((service) => (service.publishes ?? []).length + (service.consumes ?? []).length > 0);
}

/** The environment variable holding a user's public key: tickets → TICKETS_NKEY. */
function nkeyVariable(name) {
  return `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_NKEY`;
}

/**
 * The accounts of the bus in Kubernetes: the stream's, with the setup user alone in it, and one
 * per bus service with its user. No demo user.
 */
function accounts(services) {
  return {
    stream: STREAM,
    services: services.map((service) => ({ ...service, nkey: `$${nkeyVariable(service.name)}` })),
    privileged: [
      {
        nkey: `$${nkeyVariable(SETUP_USER)}`,
        comment: 'the nats-stream-setup Job: makes the stream and the consumers',
      },
    ],
  };
}

/** The consumers the setup Job makes, as its NATS_CONSUMERS variable lists them: `durable=subject …`. */
function consumersVariable(services = busServices()) {
  return busConsumers(services)
    .map(({ durable, subject }) => `${durable}=${subject}`)
    .join(' ');
}

const common = { listen: '0.0.0.0:4222', monitor: '0.0.0.0:8222', storeDir: '/data' };

/** The single server of infra/k8s/nats-depl.yaml. */
function singleServerConfig(services = busServices()) {
  return serverConfig({ ...common, bus: accounts(services) });
}

/**
 * A node of the production cluster. A configuration cannot put a variable inside a string, so
 * each route (with the route password in it) is a variable of its own, ROUTE_0…, which the
 * StatefulSet composes from ROUTE_PASSWORD; the server's name is its pod's (POD_NAME).
 */
function clusterConfig(services = busServices()) {
  return serverConfig({
    serverName: '$POD_NAME',
    ...common,
    cluster: {
      name: STREAM,
      listen: '0.0.0.0:6222',
      user: 'route',
      password: '$ROUTE_PASSWORD',
      routes: Array.from({ length: CLUSTER_NODES }, (_, i) => `$ROUTE_${i}`),
    },
    bus: accounts(services),
  });
}

/** The text of a manifest with its `nats.conf: |` block replaced by `config`. */
function withConfig(manifest, config) {
  const lines = manifest.split('\n');
  const start = lines.findIndex((line) => /^\s*nats\.conf: \|\s*$/.test(line));
  if (start === -1) throw new Error('no `nats.conf: |` block');
  const indent = `${/^\s*/.exec(lines[start])[0]}  `;
  let end = start + 1;
  while (end < lines.length && (lines[end].startsWith(indent) || lines[end].trim() === '')) end++;
  // Blank lines after the block belong to what follows it.
  while (end > start + 1 && lines[end - 1].trim() === '') end--;
  const block = config
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => (line ? `${indent}${line}` : ''));
  return [...lines.slice(0, start + 1), ...block, ...lines.slice(end)].join('\n');
}

module.exports = {
  STREAM,
  SETUP_USER,
  CLUSTER_NODES,
  MANIFESTS,
  busServices,
  nkeyVariable,
  singleServerConfig,
  clusterConfig,
  consumersVariable,
  withConfig,
};

if (require.main === module) {
  const configs = { single: singleServerConfig(), cluster: clusterConfig() };
  if (process.argv.includes('--write')) {
    for (const [file, which] of Object.entries(MANIFESTS)) {
      const full = path.join(ROOT, file);
      writeFileSync(full, withConfig(readFileSync(full, 'utf8'), configs[which]));
      console.log(`wrote the ${which === 'single' ? 'single server' : 'cluster'}'s nats.conf into ${file}`);
    }
  } else {
    for (const [file, which] of Object.entries(MANIFESTS)) console.log(`# ${file}\n${configs[which]}`);
  }
}
