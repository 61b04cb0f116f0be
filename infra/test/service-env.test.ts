import { ConfigError, parseConfig } from '@ticketing/common/service';
import { tracingOffReason } from '@ticketing/common/telemetry';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IService } from 'kubernetes-models/v1/Service';
import type { z } from 'zod';
import { configSchema as authConfigSchema } from '../../auth/src/config';
import { findObject, type Manifest } from './lib/manifests';
import { readmeSecrets, references, resolveEnv } from './lib/pod-env';
import { deployedManifests, loadSkaffold, SKAFFOLD_RUNS } from './lib/skaffold';
import { loadServices } from './lib/services';

const skaffold = loadSkaffold();
const secrets = readmeSecrets();

/**
 * What a service reads besides its config schema: the OpenTelemetry exporter's address, which
 * common/src/telemetry takes from the environment to turn tracing on (the observability
 * profile's telemetry-config sets it; infra/test/observability.test.ts follows it).
 */
const TELEMETRY_ENV = ['OTEL_EXPORTER_OTLP_ENDPOINT'];

/** Every service of services.json: its Deployment, its own config schema, its PostgreSQL. */
const SERVICES: { name: string; deployment: string; schema: z.ZodObject; database: string }[] = loadServices().map(
  ({ name }) => ({
    name,
    deployment: `${name}-depl`,
    // Each service's src/service.ts exports its definition, config schema included.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    schema: (require(`../../${name}/src/service`) as { default: { config: z.ZodObject } }).default.config,
    database: `${name}-postgres`,
  }),
);

function containerOf(deployment: IDeployment) {
  const [container] = deployment.spec!.template.spec!.containers;
  return container!;
}

function envOf(
  manifests: Manifest[],
  deployment: IDeployment,
  podName = `${deployment.metadata!.name}-7d9f8c6b5-x2x7q`,
) {
  return resolveEnv(containerOf(deployment), { secrets, manifests, podName, namespace: 'default' });
}

describe.each(SKAFFOLD_RUNS)('with $name', ({ profiles }) => {
  const manifests = deployedManifests(skaffold, profiles);

  describe.each(SERVICES)('$deployment', ({ deployment: name, schema, database }) => {
    const deployment = findObject<IDeployment>(manifests, 'Deployment', name);

    test('starts: its environment, with the secrets the README creates, satisfies its config schema', () => {
      expect(() => parseConfig(schema, envOf(manifests, deployment))).not.toThrow();
    });

    test('sets no variable its config schema ignores, except to compose one it reads, or for its telemetry', () => {
      const env = containerOf(deployment).env ?? [];
      const read = new Set([...Object.keys(schema.shape), ...TELEMETRY_ENV]);
      const composing = new Set(env.filter((v) => read.has(v.name)).flatMap((v) => references(v.value ?? '')));

      expect(env.map((v) => v.name).filter((n) => !read.has(n) && !composing.has(n))).toEqual([]);
    });

    test('reaches its own PostgreSQL with the user, database and password that server is given', () => {
      const config = parseConfig(schema, envOf(manifests, deployment));
      const url = new URL(String(config.DATABASE_URL));
      const statefulSet = findObject<IStatefulSet>(manifests, 'StatefulSet', database);
      const service = findObject<IService>(manifests, 'Service', database);
      const server = resolveEnv(statefulSet.spec!.template.spec!.containers[0]!, {
        secrets,
        manifests,
        podName: `${database}-0`,
        namespace: 'default',
      });

      expect(url.hostname).toBe(service.metadata!.name);
      expect(service.spec?.ports?.map((p) => String(p.port))).toContain(url.port);
      expect(statefulSet.spec?.serviceName).toBe(service.metadata!.name);
      expect(decodeURIComponent(url.username)).toBe(server.POSTGRES_USER);
      expect(decodeURIComponent(url.password)).toBe(server.POSTGRES_PASSWORD);
      expect(url.pathname).toBe(`/${server.POSTGRES_DB}`);
    });
  });

  test.each(SERVICES.filter(({ schema }) => 'NATS_URL' in schema.shape))(
    '$name names its NATS connection after its pod and reaches nats-srv on the client port',
    ({ deployment: name, schema }) => {
      const deployment = findObject<IDeployment>(manifests, 'Deployment', name);
      const podName = `${name}-7d9f8c6b5-x2x7q`;
      const config = parseConfig(schema, envOf(manifests, deployment, podName)) as {
        NATS_URL: string;
        NATS_CLIENT_ID: string;
        NATS_STREAM: string;
      };
      const urls = config.NATS_URL.split(',').map((url) => new URL(url));

      expect(config.NATS_CLIENT_ID).toBe(podName);
      expect(config.NATS_STREAM).toBe('ticketing');
      for (const nats of urls) {
        const service = findObject<IService>(manifests, 'Service', nats.hostname);
        expect(service.spec?.ports?.map((p) => p.port)).toContain(Number(nats.port));
      }
    },
  );

  test('COOKIE_SECURE is true only where TLS is configured in front', () => {
    const tls =
      manifests.some((m) => m.object.kind === 'Ingress' && (m.object.spec as { tls?: unknown[] }).tls?.length) ||
      manifests.some(
        (m) =>
          m.object.kind === 'Gateway' &&
          (m.object.spec as { listeners: { protocol: string }[] }).listeners.some((l) => l.protocol === 'HTTPS'),
      );

    for (const { deployment, schema } of SERVICES.filter(({ schema }) => 'COOKIE_SECURE' in schema.shape)) {
      const config = parseConfig(
        schema,
        envOf(manifests, findObject<IDeployment>(manifests, 'Deployment', deployment)),
      );
      expect({ deployment, secureWithoutTls: config.COOKIE_SECURE && !tls }).toEqual({
        deployment,
        secureWithoutTls: false,
      });
    }
  });

  test("the client's server-side calls go to the entry this run deploys, with its in-cluster Service", () => {
    const client = findObject<IDeployment>(manifests, 'Deployment', 'client-depl');
    const apiUrl = new URL(envOf(manifests, client).API_URL!);
    const gateway = manifests.find((m) => m.object.kind === 'Gateway')?.object;
    const expectedHost = gateway
      ? `${gateway.metadata.name}-${(gateway.spec as { gatewayClassName: string }).gatewayClassName}`
      : 'ingress-nginx-controller.ingress-nginx.svc.cluster.local';

    expect(apiUrl.protocol).toBe('http:');
    expect(apiUrl.hostname).toBe(expectedHost);
  });
});

test.each(TELEMETRY_ENV)('%s is what turns the services’ tracing on (common/src/telemetry)', (name) => {
  expect(tracingOffReason({})).toContain(name);
  expect(tracingOffReason({ [name]: 'http://otel-collector:4318' })).toBeUndefined();
});

describe('a service whose manifest is broken', () => {
  const manifests = deployedManifests(skaffold, []);
  const auth = findObject<IDeployment>(manifests, 'Deployment', 'auth-depl');

  function withEnv(edit: (env: NonNullable<ReturnType<typeof containerOf>['env']>) => void): IDeployment {
    const copy = structuredClone(auth);
    edit(containerOf(copy).env!);
    return copy;
  }

  function startupError(deployment: IDeployment): string {
    try {
      parseConfig(authConfigSchema, envOf(manifests, deployment));
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    return 'started';
  }

  test('when its env lacks JWT_KEY, refuses to start naming JWT_KEY', () => {
    const broken = withEnv((env) =>
      env.splice(
        env.findIndex((v) => v.name === 'JWT_KEY'),
        1,
      ),
    );

    expect(startupError(broken)).toMatch(/JWT_KEY is required/);
  });

  test('when DATABASE_URL is not a postgres:// URL, refuses to start naming DATABASE_URL', () => {
    const broken = withEnv((env) => (env.find((v) => v.name === 'DATABASE_URL')!.value = 'mysql://auth@db/auth'));

    expect(startupError(broken)).toMatch(/DATABASE_URL must be a postgres:\/\/ URL/);
  });

  test('when DATABASE_URL refers to a variable defined after it, the password stays unexpanded and no longer matches', () => {
    const broken = withEnv((env) =>
      env.push(
        env.splice(
          env.findIndex((v) => v.name === 'DATABASE_PASSWORD'),
          1,
        )[0]!,
      ),
    );

    const url = new URL(envOf(manifests, broken).DATABASE_URL!);

    expect(decodeURIComponent(url.password)).toBe('$(DATABASE_PASSWORD)');
    expect(decodeURIComponent(url.password)).not.toBe(secrets['auth-postgres-secret']?.POSTGRES_PASSWORD);
  });

  test('when JWT_KEY comes from a secret the README does not create, the pod cannot start', () => {
    const broken = withEnv(
      (env) => (env.find((v) => v.name === 'JWT_KEY')!.valueFrom!.secretKeyRef!.name = 'jwt-secrets'),
    );

    expect(() => envOf(manifests, broken)).toThrow(/no secret jwt-secrets with key JWT_KEY/);
  });

  test('when the README creates a JWT_KEY shorter than 16 characters, refuses to start naming JWT_KEY', () => {
    const shortKey = readmeSecrets(
      'kubectl create secret generic jwt-secret --from-literal=JWT_KEY="$(openssl rand -hex 4)"',
    );
    const env = resolveEnv(containerOf(auth), {
      secrets: { ...secrets, ...shortKey },
      manifests,
      podName: 'auth',
      namespace: 'default',
    });

    expect(() => parseConfig(authConfigSchema, env)).toThrow(/JWT_KEY must be at least 16 characters/);
  });
});

describe('payments and the optional stripe-secret', () => {
  const manifests = deployedManifests(skaffold, []);
  const payments = findObject<IDeployment>(manifests, 'Deployment', 'payments-depl');
  const schema = SERVICES.find((service) => service.name === 'payments')!.schema;

  test('reads STRIPE_SECRET_KEY from stripe-secret, marked optional', () => {
    const variable = containerOf(payments).env?.find((v) => v.name === 'STRIPE_SECRET_KEY');

    expect(variable?.valueFrom?.secretKeyRef).toEqual({
      name: 'stripe-secret',
      key: 'STRIPE_SECRET_KEY',
      optional: true,
    });
  });

  test('starts with the README’s stripe-secret, and charges through Stripe', () => {
    const config = parseConfig(schema, envOf(manifests, payments)) as { STRIPE_SECRET_KEY?: string };

    expect(config.STRIPE_SECRET_KEY).toMatch(/^sk_test_/);
  });

  test('starts without any stripe-secret, on the built-in test provider', () => {
    const { 'stripe-secret': _stripe, ...withoutStripe } = secrets;
    const env = resolveEnv(containerOf(payments), {
      secrets: withoutStripe,
      manifests,
      podName: 'payments',
      namespace: 'default',
    });

    expect(env).not.toHaveProperty('STRIPE_SECRET_KEY');
    expect((parseConfig(schema, env) as { STRIPE_SECRET_KEY?: string }).STRIPE_SECRET_KEY).toBeUndefined();
  });

  test('a required secret that is missing still stops the pod', () => {
    const required = structuredClone(payments);
    containerOf(required).env!.find((v) => v.name === 'STRIPE_SECRET_KEY')!.valueFrom!.secretKeyRef!.optional = false;
    const { 'stripe-secret': _stripe, ...withoutStripe } = secrets;

    expect(() =>
      resolveEnv(containerOf(required), {
        secrets: withoutStripe,
        manifests,
        podName: 'payments',
        namespace: 'default',
      }),
    ).toThrow(/no secret stripe-secret with key STRIPE_SECRET_KEY/);
  });
});
