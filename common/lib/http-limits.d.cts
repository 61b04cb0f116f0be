import type { Server } from 'node:http';

/** The limits an HTTP server applies: timeouts and a per-client connection cap. */
export interface HttpLimits {
  /** The whole header block must arrive within this time. */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this time (else 408). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this time. */
  keepAliveTimeoutMs: number;
  /** Connections one address may hold open at once; more are closed as they open. */
  maxConnectionsPerClient: number;
}
/** What every server here applies unless told otherwise. */
export declare const DEFAULT_LIMITS: Readonly<HttpLimits>;
/** Options for `http.createServer` so that the timeouts are checked in time. */
export declare function serverOptions(limits?: Partial<HttpLimits>): { connectionsCheckingInterval: number };
/** Applies the limits to a server; `onRefused` hears of each connection the cap refused. */
export declare function applyLimits<S extends Server>(
  server: S,
  limits?: Partial<HttpLimits> & { onRefused?: (address: string) => void },
): S;
