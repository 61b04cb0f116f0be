/**
 * Error messages, worded as node-nats-streaming and the NATS Streaming server word them,
 * so code that matches on `err.message` keeps working.
 */
export const BAD_SUBJECT = 'stan: subject must be supplied';
export const BAD_CLUSTER_ID = 'stan: cluster ID must be supplied';
export const BAD_CLIENT_ID = 'stan: client ID must be supplied';
export const INVALID_CLIENT_ID = 'stan: invalid client ID: only alphanumeric and `-` or `_` characters allowed';
export const INVALID_SUBJECT = 'stan: invalid subject';
export const CLIENT_ID_TAKEN = 'stan: clientID already registered';
export const DUPLICATE_DURABLE = 'stan: duplicate durable registration';
export const MAX_FLIGHT_LIMIT_REACHED = 'stan: max in flight reached.';
export const CONN_CLOSED = 'stan: Connection closed';
export const BAD_SUBSCRIPTION = 'stan: invalid subscription';
export const ACK_TIMEOUT = 'stan: publish ack timeout';
