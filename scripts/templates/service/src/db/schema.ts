import { inbox, outbox } from '@ticketing/common/db';

// The outbox (events it publishes) and the inbox (events it has handled); add its own tables here.
export { inbox, outbox };
export const schema = { inbox, outbox };
export type Schema = typeof schema;
