/** Test helpers shared by every workspace: real nats-server and PostgreSQL harnesses, polling. */
export { startNatsServer, type TestNatsServer } from './nats-server';
export { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from './test-database';
export { startPostgresServer, withPostgresServer, type TestPostgresServer } from './postgres-server';
export { findExecutable } from './find-executable';
export { waitFor } from './wait-for';
