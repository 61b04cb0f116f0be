/** Test helpers shared by every workspace: real nats-server and PostgreSQL harnesses, services, events, sessions. */
export { startNatsServer, type TestNatsServer } from './nats-server';
export { TEST_ADMIN, makeTestBusUsers, busServices, type TestBusUsers } from './bus-users';
export { startNatsCluster, type TestNatsCluster, type ClusterNode } from './nats-cluster';
export { createTestDatabase, lastVacuum, type TestDatabase, type TestDatabaseOptions } from './test-database';
export { startPostgresServer, type TestPostgresServer } from './postgres-server';
export { startTestService, TEST_JWT_KEY, type TestService } from './service';
export { storedEvents, waitForEvents, recordOutcomes, nextOutcome, type StoredEvent } from './events';
export { sessionCookie } from './session';
export { waitFor } from './wait-for';
export { waitForConsumers, handledUpTo } from './consumers';
export { startTcpProxy, type TcpProxy } from './tcp-proxy';
export { findExecutable, freePort } from '../../lib/system.cjs';
export { startOnTestBus, composeTestService, signin, publish, type ServiceOnTestBus } from './kit';
export { recordSpans, type SpanRecorder } from './spans';
