/**
 * `@ticketing/common`: everything the services share, in one import (as the reference
 * design's common package). Leaner entry points load less: `./events` (no HTTP, no
 * database), `./http`, `./db`, `./service`; `./testing` holds the test harnesses.
 */
export * from './events';
export * from './http';
export * from './db';
export * from './service';
export type { JsMsg } from '@nats-io/jetstream';
