/** Test helpers shared by every workspace: real nats-server and PostgreSQL harnesses, polling. */
export { startNatsServer, type TestNatsServer } from './nats-server';
export { findExecutable } from './find-executable';
export { waitFor } from './wait-for';
