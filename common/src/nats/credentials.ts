import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/parse-config';
import type { NatsCredentials } from './nats-wrapper';

const SEED = /^SU[A-Z2-7]{56}$/;

/**
 * A service's credential on the bus from its environment: `NATS_NKEY_SEED`, or the file
 * `NATS_NKEY_SEED_FILE` names (a mounted Secret, or what the local runner made). Neither:
 * undefined, and the service connects without one, as to a server with no authorization.
 */
export function natsCredentialsFrom(settings: {
  NATS_NKEY_SEED?: string;
  NATS_NKEY_SEED_FILE?: string;
}): NatsCredentials | undefined {
  if (settings.NATS_NKEY_SEED) return { seed: settings.NATS_NKEY_SEED };
  const file = settings.NATS_NKEY_SEED_FILE;
  if (!file) return undefined;
  let seed: string;
  try {
    seed = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ConfigError([`NATS_NKEY_SEED_FILE cannot be read (${(error as Error).message})`]);
  }
  if (!SEED.test(seed)) throw new ConfigError([`NATS_NKEY_SEED_FILE ${file} does not hold a user nkey seed (SU…)`]);
  return { seed };
}
