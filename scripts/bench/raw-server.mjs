// The raw-work baseline of `npm run bench`: a bare node:http server that does, per request,
// only what the service's write path must (one insert in the same kind of database, on
// disk for PGlite, and one awaited JetStream publish), with no framework, no validation,
// no session. Started as its own process; prints `READY <port>` when it listens.
//   node scripts/bench/raw-server.mjs <create|order> <pglite:<dir>|postgres:<url>> <natsUrl> <nkey seed file>
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBenchDatabase } from './database.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(root, 'package.json'));
const [mode, target, natsUrl, seedFile] = process.argv.slice(2);

const { connect, nkeyAuthenticator } = require('@nats-io/transport-node');
const { jetstream } = require('@nats-io/jetstream');

const db = await openBenchDatabase(target);
await db.query(`create table if not exists raw_tickets (
  id uuid primary key, title text not null, price_cents integer not null, user_id text not null,
  version integer not null default 0, created_at timestamptz(3) not null default now(), order_id uuid)`);
await db.query(`create table if not exists raw_orders (
  id uuid primary key, ticket_id uuid not null, user_id text not null, status text not null, expires_at timestamptz(3) not null)`);
const nc = await connect({
  servers: natsUrl,
  authenticator: nkeyAuthenticator(new TextEncoder().encode(readFileSync(seedFile, 'utf8').trim())),
});
const js = jetstream(nc);

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
  });
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((error) => {
    res.writeHead(500).end(String(error));
  });
});

async function handle(req, res) {
  const body = JSON.parse((await readBody(req)) || '{}');
  const id = randomUUID();
  let row;
  if (mode === 'create') {
    ({
      rows: [row],
    } = await db.query(
      'insert into raw_tickets (id, title, price_cents, user_id) values ($1, $2, $3, $4) returning *',
      [id, body.title, Math.round(body.price * 100), 'bench'],
    ));
    await js.publish('ticket:created', JSON.stringify(row), { msgID: id });
  } else {
    const {
      rows: [ticket],
    } = await db.query('select * from raw_tickets where id = $1', [body.ticketId]);
    ({
      rows: [row],
    } = await db.query(
      "insert into raw_orders (id, ticket_id, user_id, status, expires_at) values ($1, $2, 'bench', 'created', now() + interval '15 minutes') returning *",
      [id, ticket?.id ?? body.ticketId],
    ));
    await js.publish('order:created', JSON.stringify(row), { msgID: id });
  }
  const text = JSON.stringify(row);
  res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

server.listen(0, '127.0.0.1', () => console.log(`READY ${server.address().port}`));
const stop = async () => {
  await new Promise((resolve) => {
    server.close(resolve);
    server.closeIdleConnections();
  });
  await nc.close();
  await db.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
