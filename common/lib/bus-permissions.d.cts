/** Allow lists of one user on nats-server. */
export interface BusPermissions {
  publish: { allow: string[] };
  subscribe: { allow: string[] };
}

/** A user entry of the server's configuration. */
export interface BusUser {
  /** A public nkey (`U…`), or a `$VARIABLE` the server reads from its environment. */
  nkey?: string;
  user?: string;
  password?: string;
  /** Absent: the user may do everything its account holds. */
  permissions?: BusPermissions;
  comment?: string;
}

/** A service as services.json lists it, with its user's public key (or a `$VARIABLE`). */
export interface BusService {
  name: string;
  publishes?: string[];
  consumes?: string[];
  nkey: string;
}

/** What the `accounts` block holds. */
export interface BusAccounts {
  stream: string;
  services: BusService[];
  /** The users of the stream's own account: the setup user, a test's own. */
  privileged: BusUser[];
  /** The local demo user, when there is one. */
  demo?: { nkey: string };
}

export declare const BUS_ACCOUNT: string;
export declare const ACK_WAIT_MS: number;
export declare function inboxPrefix(name: string): string;
export declare function queueGroup(name: string): string;
export declare function onBus(service: { publishes?: string[]; consumes?: string[] }): boolean;
export declare function accountOf(name: string): string;
export declare function busConsumers(
  services: { name: string; consumes?: string[] }[],
): { service: string; durable: string; subject: string; ackWaitMs: number }[];
export declare function servicePermissions(
  service: { name: string; publishes?: string[]; consumes?: string[] },
  stream: string,
): BusPermissions;
export declare function demoPermissions(stream: string): BusPermissions;
export declare function userEntry(entry: BusUser, indent?: string): string;
export declare function accountsBlock(options: BusAccounts): string;
export declare function serverConfig(options: {
  listen?: string;
  storeDir: string;
  serverName?: string;
  monitor?: string;
  bus: BusAccounts;
  cluster?: { name: string; listen: string; routes: string[]; user: string; password: string };
}): string;
export declare const DEMO_SUBJECTS: string[];
export declare const DEMO_CONSUMERS: { durable: string; subject: string }[];
