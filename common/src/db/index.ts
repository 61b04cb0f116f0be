/** `@ticketing/common/db`: opening a service's database, the outbox, the inbox and version-ordered copies. */
export { openDatabase, type Database, type Db, type OpenDatabaseOptions } from './open-database';
export { descNullsLast } from './order-by';
export { isDatabaseConnectionError, isUniqueViolation, databaseErrorCode } from './database-errors';
export { outbox, OUTBOX_CHANNEL } from '../outbox/outbox-table';
export { enqueueEvent, changeWithEvent } from '../outbox/enqueue-event';
export { OutboxRelay, type OutboxRelayOptions, type OutboxCounts, type PublishFn } from '../outbox/outbox-relay';
export { publishThrough } from '../outbox/publish-through';
export { isRowAtFault, UnpublishableEventError } from '../outbox/publish-errors';
export { inbox } from '../inbox/inbox-table';
export { handleOnce, pruneInbox } from '../inbox/handle-once';
export { InboxListener, type AfterCommit } from '../inbox/inbox-listener';
export {
  applyInVersionOrder,
  versionedCopy,
  versionStep,
  type CopyTable,
  type VersionedChange,
  type VersionedCopy,
} from '../inbox/version-order';
