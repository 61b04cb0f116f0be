// Who may do what on the bus: each service's user on nats-server publishes only the
// subjects it owns and reaches only its own durable consumers (services.json says which),
// and nobody but the privileged setup user creates, changes, purges or deletes the stream.
// Plain CommonJS with no dependencies: the local runner, the test harness and the manifests'
// checks all make the server's configuration from it.
'use strict';

/** The prefix of a service's reply subjects: it may subscribe to those and nothing else. */
function inboxPrefix(name) {
  return `_INBOX_${name}`;
}

/** The queue group of a service's listeners, whose durable consumers are `<group>-<subject>`. */
function queueGroup(name) {
  return `${name}-service`;
}

/** What a user needs to read through the durable consumer `consumer` on `stream`. */
function consumerSubjects(stream, consumer) {
  return [
    // 2.9's create API names the consumer, then its filter subject.
    `$JS.API.CONSUMER.CREATE.${stream}.${consumer}`,
    `$JS.API.CONSUMER.CREATE.${stream}.${consumer}.>`,
    `$JS.API.CONSUMER.INFO.${stream}.${consumer}`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
    // Acknowledgements are publishes: without this every message would come back.
    `$JS.ACK.${stream}.${consumer}.>`,
  ];
}

/** What any client of the stream may ask of JetStream: whether it is there, and about the stream. */
function streamReadSubjects(stream) {
  return ['$JS.API.INFO', `$JS.API.STREAM.INFO.${stream}`, '$JS.API.STREAM.NAMES'];
}

/**
 * The permissions of a service's user: publish its own subjects (`publishes`), ask about the
 * stream, create, read and acknowledge its own durable consumers (one per subject it
 * `consumes`); subscribe only to its own inbox. Everything else — another service's subjects,
 * creating, updating, purging or deleting the stream, another service's consumers — is refused.
 * @param {{ name: string, publishes?: string[], consumes?: string[] }} service
 * @param {string} stream
 */
function servicePermissions(service, stream) {
  const { name, publishes = [], consumes = [] } = service;
  return {
    publish: {
      allow: [
        ...publishes,
        ...streamReadSubjects(stream),
        ...consumes.flatMap((subject) => consumerSubjects(stream, `${queueGroup(name)}-${subject}`)),
      ],
    },
    subscribe: { allow: [`${inboxPrefix(name)}.>`] },
  };
}

/** The subjects the course's demo scripts publish and listen to (nats-test, the STAN-compatible client). */
const DEMO_SUBJECTS = ['ticket:created', 'ticket:updated'];

/** The durable consumers the demo scripts read through (nats-test's listener, the STAN listener). */
const DEMO_CONSUMERS = [
  'payments-service-ticket:created',
  'payments-service-ticket:updated',
  'orders-service-queue-group-accounting-service-ticket:created',
];

/**
 * The permissions of the local demo user (`npm run publish`/`listen` and their STAN forms):
 * publish and listen on the demo subjects through the demo consumers only, and the STAN
 * client's presence subjects. Made by the local runner only; no manifest carries it.
 * @param {string} stream
 */
function demoPermissions(stream) {
  return {
    publish: {
      allow: [
        ...DEMO_SUBJECTS,
        ...streamReadSubjects(stream),
        ...DEMO_CONSUMERS.flatMap((consumer) => consumerSubjects(stream, consumer)),
        `_STAN_COMPAT.${stream}.>`,
      ],
    },
    subscribe: { allow: ['_INBOX.>', `_STAN_COMPAT.${stream}.>`] },
  };
}

/** A value in nats-server's configuration: a `$VARIABLE` as it is (read from the environment), anything else quoted. */
function confValue(value) {
  return typeof value === 'string' && /^\$[A-Z_][A-Z0-9_]*$/.test(value) ? value : JSON.stringify(value);
}

function confList(values, indent) {
  if (values.length === 0) return '[]';
  return `[\n${values.map((value) => `${indent}  ${confValue(value)}`).join('\n')}\n${indent}]`;
}

/**
 * One user entry: `nkey` a public key (`U…`) or a `$VARIABLE` naming one, or `user`/`password`;
 * `permissions` absent for a user who may do everything (the privileged setup user).
 * @param {{ nkey?: string, user?: string, password?: string, permissions?: ReturnType<typeof servicePermissions>, comment?: string }} entry
 */
function userEntry(entry, indent = '    ') {
  const lines = [];
  if (entry.comment) lines.push(`${indent}# ${entry.comment}`);
  const who = entry.nkey
    ? `nkey: ${confValue(entry.nkey)}`
    : `user: ${confValue(entry.user)}, password: ${confValue(entry.password)}`;
  if (!entry.permissions) {
    lines.push(`${indent}{ ${who} }`);
    return lines.join('\n');
  }
  const { publish, subscribe } = entry.permissions;
  const inner = `${indent}    `;
  lines.push(
    `${indent}{`,
    `${indent}  ${who}`,
    `${indent}  permissions: {`,
    `${inner}publish: { allow: ${confList(publish.allow, inner)} }`,
    `${inner}subscribe: { allow: ${confList(subscribe.allow, inner)} }`,
    `${indent}  }`,
    `${indent}}`,
  );
  return lines.join('\n');
}

/**
 * A whole nats-server configuration with JetStream and authorization on.
 * @param {{
 *   listen?: string, storeDir: string, serverName?: string, monitor?: string,
 *   users: Parameters<typeof userEntry>[0][],
 *   cluster?: { name: string, listen: string, routes: string[], user: string, password: string },
 * }} options
 */
function serverConfig(options) {
  const lines = [
    '# Made from common/lib/bus-permissions.cjs: each user may publish only what it owns.',
    ...(options.serverName ? [`server_name: ${confValue(options.serverName)}`] : []),
    ...(options.listen ? [`listen: ${confValue(options.listen)}`] : []),
    ...(options.monitor ? [`http: ${confValue(options.monitor)}`] : []),
    `jetstream { store_dir: ${confValue(options.storeDir)} }`,
  ];
  if (options.cluster) {
    const { name, listen, routes, user, password } = options.cluster;
    lines.push(
      'cluster {',
      `  name: ${confValue(name)}`,
      `  listen: ${confValue(listen)}`,
      `  authorization { user: ${confValue(user)}, password: ${confValue(password)} }`,
      `  routes: ${confList(routes, '  ')}`,
      '}',
    );
  }
  lines.push('authorization {', '  users: [', ...options.users.map((user) => userEntry(user)), '  ]', '}', '');
  return lines.join('\n');
}

module.exports = {
  inboxPrefix,
  queueGroup,
  servicePermissions,
  demoPermissions,
  userEntry,
  serverConfig,
  DEMO_SUBJECTS,
  DEMO_CONSUMERS,
};
