// Who may do what on the bus. The stream lives in an account of its own, BUS, where only the
// privileged setup user (the local runner's, the Kubernetes Job's, a test's own) connects.
// Each service has an account of its own, without JetStream, into which BUS lends exactly
// what the service needs (services.json says which): publishing its own subjects, and
// reading and acknowledging through its own durable consumers, which the setup user makes.
// Nothing a service sends can reach the stream's API otherwise: not a forged subject, not a
// request to delete or purge, not a JetStream reply aimed at the API (a reply lands in the
// sender's own account). The users' own permissions repeat the allow list, so a refusal says
// so. Plain CommonJS with no dependencies: the local runner, the test harness and the
// manifests' checks all make the server's configuration from it.
'use strict';

/** The account that holds the stream and its consumers. */
const BUS_ACCOUNT = 'BUS';

/** The prefix of a service's reply subjects: it may subscribe to those and nothing else. */
function inboxPrefix(name) {
  return `_INBOX_${name}`;
}

/** The queue group of a service's listeners, whose durable consumers are `<group>-<subject>`. */
function queueGroup(name) {
  return `${name}-service`;
}

/** True for a service that publishes or consumes events. */
function onBus(service) {
  return Boolean(service.publishes?.length || service.consumes?.length);
}

/** A service's account on the server: its name in capitals. */
function accountOf(name) {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Milliseconds a consumer's message may stay unacknowledged: the `Listener` default. */
const ACK_WAIT_MS = 5_000;

/**
 * The durable consumers the setup user makes, one per service and subject it consumes,
 * as the services' listeners expect them (`Listener`: explicit ack, deliver all, 5 s).
 * @param {{ name: string, consumes?: string[] }[]} services
 * @returns {{ service: string, durable: string, subject: string, ackWaitMs: number }[]}
 */
function busConsumers(services) {
  return services.flatMap(({ name, consumes = [] }) =>
    consumes.map((subject) => ({
      service: name,
      durable: `${queueGroup(name)}-${subject}`,
      subject,
      ackWaitMs: ACK_WAIT_MS,
    })),
  );
}

/** What any client of the stream may ask of its API: whether JetStream is there, about the stream. */
function streamReadSubjects(stream) {
  return ['$JS.API.INFO', `$JS.API.STREAM.INFO.${stream}`, '$JS.API.STREAM.NAMES'];
}

/** What reading through the durable consumer `consumer` takes: asking about it, pulling, acknowledging. */
function consumerReadSubjects(stream, consumer) {
  return [
    `$JS.API.CONSUMER.INFO.${stream}.${consumer}`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
    // Acknowledgements are publishes: without this every message would come back.
    `$JS.ACK.${stream}.${consumer}.>`,
  ];
}

/** What making (or updating) the consumer `consumer` takes: 2.9's create API names it, then its filter. */
function consumerCreateSubjects(stream, consumer) {
  return [`$JS.API.CONSUMER.CREATE.${stream}.${consumer}`, `$JS.API.CONSUMER.CREATE.${stream}.${consumer}.>`];
}

/** The subjects BUS lends a service: what it publishes, and its consumers' API. */
function lentSubjects(service, stream) {
  const { name, publishes = [], consumes = [] } = service;
  return [
    ...publishes,
    ...streamReadSubjects(stream),
    ...consumes.flatMap((subject) => consumerReadSubjects(stream, `${queueGroup(name)}-${subject}`)),
  ];
}

/**
 * The permissions of a service's user inside its account: the subjects BUS lends it, and its
 * own inbox. The account alone already keeps it from the rest; these make a refusal explicit.
 * @param {{ name: string, publishes?: string[], consumes?: string[] }} service
 * @param {string} stream
 */
function servicePermissions(service, stream) {
  return {
    publish: { allow: lentSubjects(service, stream) },
    subscribe: { allow: [`${inboxPrefix(service.name)}.>`] },
  };
}

/** The subject the course's demo publisher sends (nats-test, the STAN-compatible client). */
const DEMO_SUBJECTS = ['ticket:created'];

/** The durable consumers the demo listeners read through (nats-test's listener, the STAN listener). */
const DEMO_CONSUMERS = [
  { durable: 'payments-service-ticket:created', subject: 'ticket:created' },
  { durable: 'payments-service-ticket:updated', subject: 'ticket:updated' },
  { durable: 'orders-service-queue-group-accounting-service-ticket:created', subject: 'ticket:created' },
];

/** The subjects BUS lends the demo account. */
function demoLentSubjects(stream) {
  return [
    ...DEMO_SUBJECTS,
    ...streamReadSubjects(stream),
    ...DEMO_CONSUMERS.flatMap(({ durable }) => [
      ...consumerReadSubjects(stream, durable),
      // The STAN-compatible client makes its consumer as node-nats-streaming's options say.
      ...consumerCreateSubjects(stream, durable),
    ]),
  ];
}

/**
 * The permissions of the local demo user (`npm run publish`/`listen` and their STAN forms):
 * publish `ticket:created` and read the demo consumers; inside its own account, answer and
 * ask the STAN client's presence requests. Made by the local runner only; no manifest has it.
 * @param {string} stream
 */
function demoPermissions(stream) {
  return {
    publish: { allow: [...demoLentSubjects(stream), `_STAN_COMPAT.${stream}.>`, '_INBOX.>'] },
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
 * `permissions` absent for a user who may do everything its account holds.
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

/** An account's export of `subject` to `accounts`, or its import of it from BUS. */
function exportEntry(subject, accounts, indent) {
  // Pulling answers with a stream of messages, not one reply.
  const stream = subject.startsWith('$JS.API.CONSUMER.MSG.NEXT.') ? ', response_type: stream' : '';
  return `${indent}{ service: ${confValue(subject)}${stream}, accounts: [${accounts.join(', ')}] }`;
}

function importEntry(subject, indent) {
  return `${indent}{ service: { account: ${BUS_ACCOUNT}, subject: ${confValue(subject)} } }`;
}

/**
 * The `accounts` block: BUS with the stream and the privileged users, an account per bus
 * service with its user, and the demo account when given.
 * @param {{
 *   stream: string,
 *   services: { name: string, publishes?: string[], consumes?: string[], nkey: string }[],
 *   privileged: Parameters<typeof userEntry>[0][],
 *   demo?: { nkey: string },
 * }} options
 */
function accountsBlock({ stream, services, privileged, demo }) {
  const members = services.filter(onBus);
  /** @type {Map<string, string[]>} a subject BUS lends → the accounts it lends it to */
  const lent = new Map();
  const lend = (subject, account) => lent.set(subject, [...(lent.get(subject) ?? []), account]);
  for (const service of members)
    for (const subject of lentSubjects(service, stream)) lend(subject, accountOf(service.name));
  if (demo) for (const subject of demoLentSubjects(stream)) lend(subject, 'DEMO');

  const lines = ['accounts {', `  ${BUS_ACCOUNT}: {`, '    jetstream: enabled', '    users: ['];
  lines.push(...privileged.map((user) => userEntry(user, '      ')), '    ]', '    exports: [');
  for (const [subject, accounts] of lent) lines.push(exportEntry(subject, accounts, '      '));
  lines.push('    ]', '  }');
  const account = (name, user, subjects) => {
    lines.push(`  ${name}: {`, '    users: [', userEntry(user, '      '), '    ]', '    imports: [');
    lines.push(...subjects.map((subject) => importEntry(subject, '      ')), '    ]', '  }');
  };
  for (const service of members) {
    account(
      accountOf(service.name),
      { nkey: service.nkey, permissions: servicePermissions(service, stream), comment: service.name },
      lentSubjects(service, stream),
    );
  }
  if (demo) {
    account(
      'DEMO',
      { nkey: demo.nkey, permissions: demoPermissions(stream), comment: 'the demo scripts' },
      demoLentSubjects(stream),
    );
  }
  lines.push('}');
  return lines.join('\n');
}

/**
 * A whole nats-server configuration with JetStream and the accounts on.
 * @param {{
 *   listen?: string, storeDir: string, serverName?: string, monitor?: string,
 *   bus: Parameters<typeof accountsBlock>[0],
 *   cluster?: { name: string, listen: string, routes: string[], user: string, password: string },
 * }} options
 */
function serverConfig(options) {
  const lines = [
    '# Made from common/lib/bus-permissions.cjs: each service may publish only what it owns.',
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
  lines.push(accountsBlock(options.bus), '');
  return lines.join('\n');
}

module.exports = {
  BUS_ACCOUNT,
  ACK_WAIT_MS,
  inboxPrefix,
  queueGroup,
  onBus,
  accountOf,
  busConsumers,
  servicePermissions,
  demoPermissions,
  userEntry,
  accountsBlock,
  serverConfig,
  DEMO_SUBJECTS,
  DEMO_CONSUMERS,
};
