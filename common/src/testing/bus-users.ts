import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createUser } from '@nats-io/nkeys';
import { demoPermissions, servicePermissions, type BusUser } from '../../lib/bus-permissions.cjs';

/** The services as services.json lists them, with what each publishes and consumes. */
export function busServices(): { name: string; publishes?: string[]; consumes?: string[] }[] {
  // common/src/testing and common/dist/testing are both three levels below the repository.
  const file = path.join(__dirname, '..', '..', '..', 'services.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { services: { name: string }[] }).services;
}

/**
 * The test's own user on every test server: it may do anything (forge any event, read and
 * change the stream). One fixed name and password, so code that takes credentials from the
 * environment (the STAN-compatible client) can be given them; test servers listen on
 * loopback only and nothing deployed knows this user.
 */
export const TEST_ADMIN = Object.freeze({ user: 'test', pass: 'test-only-never-deployed' });

/** The users of a test server: one per service, the demo user, and the test's own. */
export interface TestBusUsers {
  /** The test's own user, who may do anything: forge any event, read and change the stream. */
  admin: { user: string; pass: string };
  /** The nkey seed of each service's user (by service name), of `demo`, and of `setup` (may do anything). */
  seeds: Map<string, string>;
  /** The entries of the server's configuration. */
  entries: BusUser[];
}

/** New users for a test server on `stream`: fresh keys each time, as the local runner makes. */
export function makeTestBusUsers(stream = 'ticketing'): TestBusUsers {
  const seeds = new Map<string, string>();
  const entries: BusUser[] = [];
  const add = (name: string, permissions: BusUser['permissions']) => {
    const user = createUser();
    seeds.set(name, new TextDecoder().decode(user.getSeed()));
    entries.push({ nkey: user.getPublicKey(), permissions, comment: name });
  };
  for (const service of busServices()) add(service.name, servicePermissions(service, stream));
  add('demo', demoPermissions(stream));
  // The privileged key, as the local runner's or the Kubernetes setup Job's: no permissions block.
  add('setup', undefined);
  entries.push({ user: TEST_ADMIN.user, password: TEST_ADMIN.pass, comment: 'the test itself: may do anything' });
  return { admin: TEST_ADMIN, seeds, entries };
}
