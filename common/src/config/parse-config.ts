import { z } from 'zod';

/** Thrown at start-up when the environment does not satisfy a service's schema; lists every bad key. */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Older names still accepted for a variable, when the variable itself is not set: the
 * stream was named by `NATS_CLUSTER_ID` (NATS Streaming's cluster id), which manifests
 * written for the reference design still set.
 */
export const ENV_ALIASES: Readonly<Record<string, string>> = { NATS_STREAM: 'NATS_CLUSTER_ID' };

/**
 * Parses an environment (default `process.env`) with a zod object schema, treating empty
 * strings as missing, and returns a frozen typed object or throws a `ConfigError` naming
 * every missing or invalid variable at once.
 */
export function parseConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Readonly<z.output<S>> {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const alias = ENV_ALIASES[key];
    const value = env[key]?.trim() || (alias ? env[alias]?.trim() : undefined);
    if (value) cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(root)';
      const problem = cleaned[key] === undefined ? 'is required' : issue.message;
      return `${key} ${problem}`;
    });
    throw new ConfigError(issues);
  }
  return Object.freeze(result.data);
}

/** A port number from an environment string. */
export const portSchema = z.coerce.number().int().min(0).max(65535);

/** A boolean from an environment string: true/false, 1/0, yes/no. */
export const booleanSchema = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const DURATION_UNITS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** A duration such as `3600`, `90s`, `30m`, `12h` or `1d`, parsed to whole seconds (> 0). */
export const durationSecondsSchema = z
  .string()
  .regex(/^\d+\s*[smhd]?$/, { message: 'must be a duration such as 3600, 30m, 12h or 1d' })
  .transform((value) => {
    const match = /^(\d+)\s*([smhd]?)$/.exec(value)!;
    const unit = (match[2] || 's') as keyof typeof DURATION_UNITS;
    return Number(match[1]) * DURATION_UNITS[unit];
  })
  .refine((seconds) => seconds > 0, { message: 'must be longer than 0 seconds' });

/** A log level pino understands. */
export const logLevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** A PostgreSQL connection URL. */
export const databaseUrlSchema = z
  .string()
  .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL (leave it unset for the embedded database)' });

/** An address to listen on, e.g. `127.0.0.1`; unset means every interface. */
export const hostSchema = z.string().regex(/^[\w.:[\]-]+$/, { message: 'must be a host name or an IP address' });

/**
 * One NATS server URL, or several separated by commas (as the nats CLI takes them), each
 * `nats://` or `tls://`.
 */
export const natsUrlSchema = z
  .string()
  .transform((value) => value.split(',').map((url) => url.trim()))
  .refine((urls) => urls.every((url) => /^(nats|tls):\/\/[^\s/]+$/.test(url)), {
    message: 'must be nats://host:port, or several separated by commas',
  })
  .transform((urls) => urls.join(','));

/**
 * How many proxies stand in front of a service and append to X-Forwarded-For: the client's
 * address is the entry that many places from the right (1: the ingress controller or the
 * local edge; 0: clients connect directly).
 */
export const trustProxyHopsSchema = z.coerce.number().int().min(0).max(10);

/** The variables every service reads: where it listens, whom it trusts, its database, its logs. */
export const baseEnvShape = {
  PORT: portSchema.default(3000),
  HOST: hostSchema.optional(),
  TRUST_PROXY_HOPS: trustProxyHopsSchema.default(1),
  DATABASE_URL: databaseUrlSchema.optional(),
  DATA_DIR: z.string().optional(),
  LOG_LEVEL: logLevelSchema.default('info'),
};

/**
 * The variables a service that reads the session needs. `JWT_KEY` must be at least 16
 * characters: a short key makes tokens guessable.
 */
export const sessionEnvShape = {
  JWT_KEY: z.string().min(16, { message: 'must be at least 16 characters (e.g. `openssl rand -hex 32`)' }),
  COOKIE_SECURE: booleanSchema.default(false),
};

/** The variables every HTTP service with a session reads; spread into a service's own schema. */
export const serviceEnvShape = { ...baseEnvShape, ...sessionEnvShape };

/** The variables a service on the bus reads: the servers, the stream (`NATS_CLUSTER_ID` still accepted), its connection name. */
export const natsEnvShape = {
  NATS_URL: natsUrlSchema,
  NATS_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, { message: 'must be a stream name (letters, digits, - and _)' })
    .default('ticketing'),
  NATS_CLIENT_ID: z.string(),
  /**
   * The service's own credential on the bus: an nkey seed (`SU…`), or the file holding one
   * (a mounted Secret, or what the local runner made). Neither: it connects without one.
   */
  NATS_NKEY_SEED: z
    .string()
    .regex(/^SU[A-Z2-7]{56}$/, { message: 'must be a user nkey seed (SU… as nsc or the runner makes them)' })
    .optional(),
  NATS_NKEY_SEED_FILE: z.string().optional(),
  /** Copies of the stream when this service is the one to create it: 3 on a JetStream cluster. */
  NATS_STREAM_REPLICAS: z.coerce
    .number({ message: 'must be 1, 3 or 5' })
    .int({ message: 'must be 1, 3 or 5' })
    .refine((n) => [1, 3, 5].includes(n), { message: 'must be 1, 3 or 5' })
    .default(1),
};
