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
  /** Absent: the user may do everything (the privileged setup user). */
  permissions?: BusPermissions;
  comment?: string;
}

export declare function inboxPrefix(name: string): string;
export declare function queueGroup(name: string): string;
export declare function servicePermissions(
  service: { name: string; publishes?: string[]; consumes?: string[] },
  stream: string,
): BusPermissions;
export declare function demoPermissions(stream: string): BusPermissions;
export declare function userEntry(entry: BusUser, indent?: string): string;
export declare function serverConfig(options: {
  listen?: string;
  storeDir: string;
  serverName?: string;
  monitor?: string;
  users: BusUser[];
  cluster?: { name: string; listen: string; routes: string[]; user: string; password: string };
}): string;
export declare const DEMO_SUBJECTS: string[];
export declare const DEMO_CONSUMERS: string[];
