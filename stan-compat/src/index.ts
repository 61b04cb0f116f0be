import { readFileSync } from 'node:fs';
import path from 'node:path';
import { connect } from './stan';
import { NewSubscriptionOptions, StartPosition } from './subscription-options';

/** This package's version. */
export const version: string = (
  JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;

export { connect, Stan, type AckHandlerCallback } from './stan';
export { Subscription } from './subscription';
export { Message } from './message';
export { SubscriptionOptions, StartPosition, NewSubscriptionOptions } from './subscription-options';
export type { StanOptions, ClientOpts } from './options';

/** The module object of node-nats-streaming, for `import nats from '…'; nats.connect(…)`. */
export default { connect, StartPosition, NewSubscriptionOptions, version };
