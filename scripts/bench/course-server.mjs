// The design a user would otherwise run, for `npm run bench`: the course's tickets service and
// orders' ticket listener, written the course's way on the same parts (Node, Express, this
// database kind, nats-server JetStream). Per create: cookie-session, a `currentUser`
// middleware verifying the JWT, `requireAuth`, express-validator on title and price, save the
// row, an awaited publish, 201. Orders' listener saves its copy of the ticket and acks. No
// outbox (an event is lost when the process dies between the save and the publish), no inbox
// (a redelivery is applied again), no version order. Two processes, as the course runs them.
//   node scripts/bench/course-server.mjs tickets <pglite:<dir>|postgres:<url>> <natsUrl>
//   node scripts/bench/course-server.mjs orders  <pglite:<dir>|postgres:<url>> <natsUrl>
// Prints `READY <port>` (tickets) or `READY 0` (orders) once it serves.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBenchDatabase } from './database.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(root, 'package.json'));
const [role, target, natsUrl] = process.argv.slice(2);
const STREAM = 'course';

const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager, AckPolicy } = require('@nats-io/jetstream');

const db = await openBenchDatabase(target);
const nc = await connect({ servers: natsUrl });
const jsm = await jetstreamManager(nc);
await jsm.streams.add({ name: STREAM, subjects: ['ticket:created'] }).catch(async (error) => {
  // Made by the other process already.
  if (!(await jsm.streams.info(STREAM).catch(() => null))) throw error;
});
const js = jetstream(nc);
let stop;

if (role === 'tickets') {
  const express = require('express');
  const cookieSession = require('cookie-session');
  const jwt = require('jsonwebtoken');
  const { body, validationResult } = require('express-validator');
  await db.query(`create table if not exists course_tickets (
    id uuid primary key, title text not null, price double precision not null, user_id text not null,
    version integer not null default 0)`);

  const currentUser = (req, _res, next) => {
    if (req.session?.jwt) {
      try {
        req.currentUser = jwt.verify(req.session.jwt, process.env.JWT_KEY);
      } catch {
        // not signed in
      }
    }
    next();
  };
  const requireAuth = (req, res, next) => {
    if (!req.currentUser) return res.status(401).send({ errors: [{ message: 'Not authorized' }] });
    next();
  };
  const validateRequest = (req, res, next) => {
    const errors = validationResult(req);
    if (!errors.isEmpty()) return res.status(400).send({ errors: errors.array() });
    next();
  };

  const app = express();
  app.set('trust proxy', true);
  app.use(express.json());
  app.use(cookieSession({ signed: false, secure: false }));
  app.use(currentUser);
  app.post(
    '/api/tickets',
    requireAuth,
    [
      body('title').not().isEmpty().withMessage('Title is required'),
      body('price').isFloat({ gt: 0 }).withMessage('Price must be greater than 0'),
    ],
    validateRequest,
    async (req, res, next) => {
      try {
        const {
          rows: [ticket],
        } = await db.query(
          'insert into course_tickets (id, title, price, user_id) values ($1, $2, $3, $4) returning *',
          [randomUUID(), req.body.title, req.body.price, req.currentUser.id],
        );
        await js.publish(
          'ticket:created',
          JSON.stringify({ id: ticket.id, title: ticket.title, price: ticket.price, version: ticket.version }),
        );
        res.status(201).send(ticket);
      } catch (error) {
        next(error);
      }
    },
  );
  const server = app.listen(0, '127.0.0.1', () => console.log(`READY ${server.address().port}`));
  stop = () =>
    new Promise((resolve) => {
      server.close(resolve);
      server.closeIdleConnections();
    });
} else {
  await db.query(`create table if not exists course_ticket_copies (
    id uuid primary key, title text not null, price double precision not null, version integer not null)`);
  const durable = 'course-orders-ticket-created';
  await jsm.consumers.add(STREAM, { durable_name: durable, ack_policy: AckPolicy.Explicit, ack_wait: 5_000_000_000 });
  const messages = await (await js.consumers.get(STREAM, durable)).consume();
  // The course's Listener calls onMessage for each message as it arrives, without waiting
  // for the one before: handlers run side by side.
  const onMessage = async (message) => {
    const data = message.json();
    await db.query('insert into course_ticket_copies (id, title, price, version) values ($1, $2, $3, $4)', [
      data.id,
      data.title,
      data.price,
      data.version,
    ]);
    message.ack();
  };
  const loop = (async () => {
    for await (const message of messages) onMessage(message).catch(() => message.nak());
  })();
  console.log('READY 0');
  stop = async () => {
    await messages.close();
    await loop;
  };
}

const end = async () => {
  await stop();
  await nc.drain();
  await db.close();
  process.exit(0);
};
process.once('SIGTERM', end);
process.once('SIGINT', end);
