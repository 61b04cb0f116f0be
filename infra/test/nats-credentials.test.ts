import { fromSeed } from '@nats-io/nkeys';
import { natsEnvShape, parseConfig } from '@ticketing/common/service';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { accountOf, BUS_ACCOUNT, servicePermissions, userEntry } from '@ticketing/common/bus-permissions';
import {
  busServices,
  clusterConfig,
  consumersVariable,
  nkeyVariable,
  SETUP_USER,
  singleServerConfig,
  STREAM,
} from '../nats-config.cjs';
import { formatProblems, validateObjects } from './lib/kube-schema';
import {
  GATEWAY_DIR,
  K8S_DIR,
  type KubeObject,
  loadManifests,
  type Manifest,
  manifestFiles,
  OBSERVABILITY_DIR,
  PRODUCTION_DIR,
  ROOT,
} from './lib/manifests';
import { readSecretFiles, runCredentialsScript } from './lib/nats-credentials';
import { readmeSecrets, resolveEnv, type SecretValues } from './lib/pod-env';

const files = [
  ...manifestFiles(K8S_DIR),
  ...manifestFiles(GATEWAY_DIR),
  ...manifestFiles(PRODUCTION_DIR),
  ...manifestFiles(OBSERVABILITY_DIR),
];
const manifests = loadManifests(files);
const bus = busServices();

/** A Deployment, StatefulSet or Job: its name and its pod. */
function workloads(list: Manifest[] = manifests): { name: string; pod: IPodSpec }[] {
  return list
    .filter((m) => ['Deployment', 'StatefulSet', 'Job'].includes(m.object.kind))
    .map((m) => ({
      name: m.object.metadata.name,
      pod: (m.object.spec as { template: { spec: IPodSpec } }).template.spec,
    }));
}

function configMapText(file: string): string {
  const map = loadManifests([file]).find(
    (m) => m.object.kind === 'ConfigMap' && m.object.metadata.name === 'nats-config',
  );
  return (map?.object.data as Record<string, string> | undefined)?.['nats.conf'] ?? '';
}

function natsContainer(file: string): { container: IContainer; list: Manifest[] } {
  const list = loadManifests([file]);
  return { container: workloads(list)[0]!.pod.containers[0]!, list };
}

/** Makes the bus's credentials into a new temporary folder; the caller removes it. */
function makeCredentials(): { dir: string; out: string; secrets: SecretValues } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nats-credentials-test-'));
  const out = path.join(dir, 'secrets');
  const run = runCredentialsScript(['--out', out]);
  if (run.status !== 0) throw new Error(run.stderr);
  const secrets = Object.fromEntries(readSecretFiles(out).map((s) => [s.object.metadata.name, s.values]));
  return { dir, out, secrets };
}

// One set of credentials for the whole file, in a folder removed afterwards.
let credentials: ReturnType<typeof makeCredentials>;
beforeAll(() => {
  credentials = makeCredentials();
});
afterAll(() => rmSync(credentials.dir, { recursive: true, force: true }));

const NATS_MANIFESTS = [
  { file: 'infra/k8s/nats-depl.yaml', config: singleServerConfig },
  { file: 'infra/k8s-production/nats-cluster.yaml', config: clusterConfig },
];

describe('the nats-server configuration of the manifests', () => {
  test.each(NATS_MANIFESTS)(
    '$file: nats.conf is what common/lib/bus-permissions.cjs and services.json make (node infra/nats-config.cjs --write)',
    ({ file, config }) => {
      expect(configMapText(file)).toBe(config());
    },
  );

  test.each(NATS_MANIFESTS)(
    '$file: a user per service on the bus with its own permissions, the setup user, and no other',
    ({ file }) => {
      const text = configMapText(file);

      for (const service of bus) {
        const entry = userEntry(
          {
            nkey: `$${nkeyVariable(service.name)}`,
            permissions: servicePermissions(service, STREAM),
            comment: service.name,
          },
          '      ',
        );
        // In an account of its own, which borrows from the stream's account what it may use.
        expect(text).toContain(`  ${accountOf(service.name)}: {\n    users: [\n${entry}\n    ]\n    imports: [`);
      }
      // The stream's account: JetStream, and the setup user alone in it.
      expect(text).toMatch(
        new RegExp(
          `  ${BUS_ACCOUNT}: \\{\\n    jetstream: enabled\\n    users: \\[\\n.*\\n      \\{ nkey: \\$${nkeyVariable(SETUP_USER)} \\}\\n    \\]`,
        ),
      );
      expect(text.match(/\bnkey: /g)).toHaveLength(bus.length + 1);
      // The local demo user's subjects and consumers (common/lib/bus-permissions.cjs) are nowhere.
      expect(text).not.toMatch(/_STAN_COMPAT|"_INBOX\.>"|queue-group-accounting|demo/);
      expect(text).not.toMatch(/\buser: (?!"route")|\bpassword: (?!\$ROUTE_PASSWORD\b)/);
    },
  );

  test.each(NATS_MANIFESTS)(
    '$file: every variable nats.conf reads is set in the container, the keys from nats-users',
    ({ file }) => {
      const { secrets } = credentials;
      const { container, list } = natsContainer(file);
      const env = resolveEnv(container, { secrets, manifests: list, podName: 'nats-0', namespace: 'default' });
      const variables = [...new Set(configMapText(file).match(/(?<=[\s[])\$[A-Z_][A-Z0-9_]*/g) ?? [])].map((v) =>
        v.slice(1),
      );

      expect(variables.filter((v) => env[v] === undefined)).toEqual([]);
      for (const service of [...bus.map((s) => s.name), SETUP_USER]) {
        expect(env[nkeyVariable(service)]).toBe(secrets['nats-users']![nkeyVariable(service)]);
      }
      for (const route of variables.filter((v) => /^ROUTE_\d+$/.test(v))) {
        const url = new URL(env[route]!);
        expect({ user: url.username, password: url.password }).toEqual({
          user: 'route',
          password: secrets['nats-users']!.ROUTE_PASSWORD,
        });
      }
    },
  );

  // npm test installs nats-server before any test runs: it is always here to ask.
  test.each(NATS_MANIFESTS)(
    '$file: nats-server accepts nats.conf with the environment the pod gets (nats-server -t)',
    ({ file }) => {
      const { dir, secrets } = credentials;
      const { container, list } = natsContainer(file);
      const env = resolveEnv(container, { secrets, manifests: list, podName: 'nats-0', namespace: 'default' });
      const conf = path.join(dir, 'nats.conf');
      writeFileSync(conf, configMapText(file).replace('"/data"', JSON.stringify(path.join(dir, 'data'))));

      const check = spawnSync('nats-server', ['-c', conf, '-t'], { env: { PATH: process.env.PATH, ...env } });

      expect({ status: check.status, stderr: check.stderr.toString() }).toEqual({
        status: 0,
        stderr: expect.stringContaining('is valid'),
      });
    },
  );
});

describe('no credential in the manifests', () => {
  test.each(files)('%s holds no nkey seed, public key, password or Secret', (file) => {
    const text = readFileSync(path.join(ROOT, file), 'utf8');

    expect(text).not.toMatch(/\bSU[A-Z2-7]{56}\b/);
    expect(text).not.toMatch(/\bU[A-Z2-7]{55}\b/);
    expect(loadManifests([file]).filter((m) => m.object.kind === 'Secret')).toEqual([]);
    for (const { name, pod } of workloads(loadManifests([file]))) {
      for (const variable of pod.containers.flatMap((c) => c.env ?? [])) {
        // A secret comes from a Secret; a URL with a password gets it by $(VARIABLE) expansion.
        if (/PASSWORD|NKEY$|SEED$|SECRET|_KEY$/.test(variable.name)) {
          expect({ name, variable: variable.name, literal: variable.value }).toEqual({
            name,
            variable: variable.name,
            literal: undefined,
          });
        }
        const password = /:\/\/[^/:@]+:([^@]*)@/.exec(variable.value ?? '')?.[1];
        if (password !== undefined) expect(password).toMatch(/^\$\([A-Z_][A-Z0-9_]*\)$/);
      }
    }
  });
});

describe('the bus credential of each workload', () => {
  const SEED_FILE = '/var/run/secrets/nats/seed';
  const expected = Object.fromEntries([
    ...bus.map((s) => [`${s.name}-depl`, `${s.name}.nk`]),
    ['nats-stream-setup', `${SETUP_USER}.nk`],
  ]);

  test('only the services on the bus and the setup Job mount a seed, each its own', () => {
    const mounted = Object.fromEntries(
      workloads().flatMap(({ name, pod }) =>
        (pod.volumes ?? [])
          .filter((v) => v.secret?.secretName === 'nats-seeds')
          .map((v) => [name, (v.secret?.items ?? []).map((item) => item.key).join(',') || 'every key']),
      ),
    );

    expect(mounted).toEqual(expected);
  });

  test.each(Object.entries(expected))(
    "%s reads %s from NATS_NKEY_SEED_FILE, mounted read-only, readable by its user through the pod's fsGroup",
    (name, key) => {
      const { pod } = workloads().find((w) => w.name === name)!;
      const [container] = pod.containers;
      const volume = pod.volumes!.find((v) => v.secret?.secretName === 'nats-seeds')!;
      const mount = container!.volumeMounts!.find((m) => m.name === volume.name)!;
      const env = container!.env!.find((v) => v.name === 'NATS_NKEY_SEED_FILE');

      expect(volume.secret).toEqual({ secretName: 'nats-seeds', items: [{ key, path: 'seed' }], defaultMode: 0o440 });
      expect({ mountPath: mount.mountPath, readOnly: mount.readOnly }).toEqual({
        mountPath: path.posix.dirname(SEED_FILE),
        readOnly: true,
      });
      expect(env?.value).toBe(SEED_FILE);
      expect(pod.securityContext?.fsGroup).toBe(pod.securityContext?.runAsGroup);
    },
  );

  test('no pod gets a seed as an environment variable', () => {
    const refs = workloads().flatMap(({ name, pod }) =>
      pod.containers.flatMap((c) => [
        ...(c.env ?? [])
          .filter((v) => v.valueFrom?.secretKeyRef?.name === 'nats-seeds')
          .map((v) => `${name}/${v.name}`),
        ...(c.envFrom ?? []).filter((e) => e.secretRef?.name?.startsWith('nats-')).map(() => `${name}/envFrom`),
      ]),
    );

    expect(refs).toEqual([]);
  });
});

describe('the nats-stream-setup Job', () => {
  test('makes every durable consumer services.json asks for (NATS_CONSUMERS)', () => {
    const job = manifests.find((m) => m.object.kind === 'Job' && m.object.metadata.name === 'nats-stream-setup')!
      .object as KubeObject & IJob;
    const env = job.spec!.template.spec!.containers[0]!.env!.find((v) => v.name === 'NATS_CONSUMERS');

    expect(env?.value).toBe(consumersVariable());
    expect(consumersVariable()).toContain('orders-service-payment:created=payment:created');
  });

  const job = manifests.find((m) => m.object.kind === 'Job' && m.object.metadata.name === 'nats-stream-setup')!
    .object as KubeObject & IJob;
  const pod = job.spec!.template.spec!;
  const [container] = pod.containers;

  test('runs the setup program common builds into every service image, from an image skaffold builds', () => {
    const program = container!.command!.at(-1)!;
    const source = /^\/app\/(\w+)\/dist\/(.+)\.js$/.exec(program);

    expect(container!.command).toEqual(['node', program]);
    expect(container!.image).toMatch(/^ticketing\/\w+$/);
    expect(source && existsSync(path.join(ROOT, source[1]!, 'src', `${source[2]}.ts`))).toBe(true);
  });

  test.each([
    { run: 'the single server', file: 'infra/k8s/nats-depl.yaml', replicas: 1 },
    { run: 'the production cluster', file: 'infra/k8s-production/nats-cluster.yaml', replicas: 3 },
  ])(
    'with $run, reaches nats-srv on its client port as the setup user, with $replicas replicas',
    ({ file, replicas }) => {
      const list = [
        ...loadManifests([file]),
        ...manifests.filter((m) => m.file === 'infra/k8s/nats-stream-setup.yaml'),
      ];
      const env = resolveEnv(container!, { secrets: readmeSecrets(), manifests: list, podName: 'x', namespace: 'd' });
      const config = parseConfig(z.object({ ...natsEnvShape, NATS_CLIENT_ID: z.string().default('setup') }), env);
      const url = new URL(config.NATS_URL);
      const service = list.find((m) => m.object.kind === 'Service' && m.object.metadata.name === url.hostname);
      const ports = (service?.object.spec as { ports: { name: string; port: number }[] } | undefined)?.ports ?? [];

      expect(ports.find((p) => p.port === Number(url.port))?.name).toBe('client');
      expect(config.NATS_STREAM).toBe(STREAM);
      expect(config.NATS_STREAM_REPLICAS).toBe(replicas);
      expect(config.NATS_NKEY_SEED_FILE).toBe('/var/run/secrets/nats/seed');
    },
  );

  test('is retried a few times, runs as a non-root user without privileges, within limits', () => {
    expect(job.spec?.backoffLimit).toBeGreaterThan(0);
    expect(['Never', 'OnFailure']).toContain(pod.restartPolicy);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container!.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(container!.resources?.limits).toEqual({ cpu: expect.anything(), memory: expect.anything() });
    expect(container!.resources?.requests).toEqual({ cpu: expect.anything(), memory: expect.anything() });
  });
});

describe('scripts/nats-credentials.mjs', () => {
  const referenced = (secret: string) =>
    [
      ...new Set(
        workloads().flatMap(({ pod }) => [
          ...pod.containers.flatMap((c) =>
            (c.env ?? [])
              .filter((v) => v.valueFrom?.secretKeyRef?.name === secret)
              .map((v) => v.valueFrom!.secretKeyRef!.key),
          ),
          ...(pod.volumes ?? [])
            .filter((v) => v.secret?.secretName === secret)
            .flatMap((v) => (v.secret?.items ?? []).map((item) => item.key)),
        ]),
      ),
    ].sort();

  test('writes the Secrets nats-seeds and nats-users, owner-only, valid manifests', () => {
    const { out } = credentials;
    const written = readSecretFiles(out);

    expect(written.map((s) => [s.file, s.object.metadata.name])).toEqual([
      ['nats-seeds.yaml', 'nats-seeds'],
      ['nats-users.yaml', 'nats-users'],
    ]);
    expect(statSync(out).mode & 0o777).toBe(0o700);
    for (const { file } of written) expect(statSync(path.join(out, file)).mode & 0o777).toBe(0o600);
    expect(validateObjects(written.map((s) => s.object)).map(formatProblems)).toEqual([[], []]);
  });

  test.each(['nats-seeds', 'nats-users'])('%s holds exactly the keys the manifests refer to', (secret) => {
    const { secrets } = credentials;

    expect(Object.keys(secrets[secret]!).sort()).toEqual(referenced(secret));
  });

  test('each public key is the one of its seed, every user its own, and the route password is URL-safe', () => {
    const { secrets } = credentials;
    const seeds = secrets['nats-seeds']!;
    const users = secrets['nats-users']!;

    for (const name of [...bus.map((s) => s.name), SETUP_USER]) {
      const seed = seeds[`${name}.nk`]!;
      expect(seed).toMatch(/^SU[A-Z2-7]{56}$/);
      expect(fromSeed(new TextEncoder().encode(seed)).getPublicKey()).toBe(users[nkeyVariable(name)]);
    }
    expect(new Set(Object.values(seeds)).size).toBe(Object.keys(seeds).length);
    expect(users.ROUTE_PASSWORD).toMatch(/^[a-z][a-z0-9]{40,}$/);
  });

  test('refuses to replace existing credentials without --force, and makes new ones with it', () => {
    const { dir } = credentials;
    const out = path.join(dir, 'again');
    expect(runCredentialsScript(['--out', out]).status).toBe(0);
    const before = readSecretFiles(out).map((s) => s.values);

    const refused = runCredentialsScript(['--out', out]);
    expect({ status: refused.status, mentionsForce: refused.stderr.includes('--force') }).toEqual({
      status: 1,
      mentionsForce: true,
    });
    expect(readSecretFiles(out).map((s) => s.values)).toEqual(before);

    const forced = runCredentialsScript(['--out', out, '--force']);
    expect(forced.status).toBe(0);
    expect(forced.stdout).toContain(`kubectl apply --server-side -f ${out}/`);
    expect(readSecretFiles(out)[0]!.values['tickets.nk']).not.toBe(before[0]!['tickets.nk']);
  });

  test('writes by default into infra/secrets/, which git ignores', () => {
    const ignored = readFileSync(path.join(ROOT, '.gitignore'), 'utf8').split('\n');

    expect(readFileSync(path.join(ROOT, 'scripts', 'nats-credentials.mjs'), 'utf8')).toContain(
      "path.join(root, 'infra', 'secrets')",
    );
    expect(ignored).toContain('infra/secrets/');
  });
});
