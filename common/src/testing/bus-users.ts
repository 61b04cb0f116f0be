import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createUser } from '@nats-io/nkeys';
import { busConsumers, onBus, type BusAccounts } from '../../lib/bus-permissions.cjs';
import type { DurableConsumer } from '../nats/stream';

/** The services as services.json lists them, with what each publishes and consumes. */
export function busServices(): { name: string; publishes?: string[]; consumes?: string[] }[] {
  // common/src/testing and common/dist/testing are both three levels below the repository.
  const file = path.join(__dirname, '..', '..', '..', 'services.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { services: { name: string }[] }).services;
}

/**
 * The test's own user on every test server: it may do anything (forge any event, read and
 * change the stream) in the stream's own account. One fixed name and password, so code that
 * takes credentials from the environment (the STAN-compatible client) can be given them;
 * test servers listen on loopback only and nothing deployed knows this user.
 */
export const TEST_ADMIN = Object.freeze({ user: 'test', pass: 'test-only-never-deployed' });

/** The users of a test server: one per service (each in its own account), the demo user, the setup user, the test's own. */
export interface TestBusUsers {
  admin: { user: string; pass: string };
  /** The nkey seed of each service's user (by service name), of `demo`, and of `setup` (may do anything). */
  seeds: Map<string, string>;
  /** The server's accounts, for `serverConfig`. */
  accounts: BusAccounts;
  /** The consumers the setup user makes: every service's and the demo scripts'. */
  consumers: DurableConsumer[];
}

/** New users for a test server on `stream`: fresh keys each time, as the local runner makes. */
export function makeTestBusUsers(stream = 'ticketing'): TestBusUsers {
  const seeds = new Map<string, string>();
  const key = (name: string) => {
    const user = createUser();
    seeds.set(name, new TextDecoder().decode(user.getSeed()));
    return user.getPublicKey();
  };
  const services = busServices()
    .filter(onBus)
    .map((service) => ({ ...service, nkey: key(service.name) }));
  const accounts: BusAccounts = {
    stream,
    services,
    privileged: [
      // As the local runner's or the Kubernetes setup Job's key.
      { nkey: key('setup'), comment: 'setup' },
      { user: TEST_ADMIN.user, password: TEST_ADMIN.pass, comment: 'the test itself' },
    ],
    demo: { nkey: key('demo') },
  };
  return { admin: TEST_ADMIN, seeds, accounts, consumers: busConsumers(services) };
}
