import type { IGateway } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway';
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IService } from 'kubernetes-models/v1/Service';
import path from 'node:path';
import type { KubeObject, Manifest } from './lib/manifests';
import { generatedSecrets } from './lib/nats-credentials';
import { readmeSecrets, resolveEnv } from './lib/pod-env';
import { deployedManifests, loadSkaffold } from './lib/skaffold';
import { loadServices } from './lib/services';

const skaffold = loadSkaffold();
// The README's secrets, and the bus's credentials as `npm run nats-credentials` makes them.
const secrets = { ...readmeSecrets(), ...generatedSecrets() };
const serviceList = loadServices();

/** A Deployment or StatefulSet, the parts of it these checks read. */
interface Workload extends KubeObject {
  spec: {
    replicas?: number;
    serviceName?: string;
    selector: { matchLabels?: Record<string, string> };
    template: IPodTemplateSpec;
    volumeClaimTemplates?: { metadata?: { name?: string } }[];
  };
}

const UNITS: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };

function quantity(value: string | number): number {
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(value));
  if (!match || UNITS[match[2]!] === undefined) throw new Error(`unsupported quantity ${value}`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([key, value]) => labels?.[key] === value);
}

function of<T>(manifests: Manifest[], kind: string): T[] {
  return manifests.filter((m) => m.object.kind === kind).map((m) => m.object as T);
}

describe.each([
  { name: 'infra/k8s (the Ingress)', profiles: [] },
  { name: 'the gateway-api profile', profiles: ['gateway-api'] },
  { name: 'the production profile', profiles: ['production'] },
  { name: 'the observability profile', profiles: ['observability'] },
  { name: 'the gateway-api and observability profiles', profiles: ['gateway-api', 'observability'] },
  { name: 'the production and observability profiles', profiles: ['production', 'observability'] },
])('in $name', ({ profiles }) => {
  const manifests = deployedManifests(skaffold, profiles);
  const workloads = [...of<Workload>(manifests, 'Deployment'), ...of<Workload>(manifests, 'StatefulSet')];
  const services = of<IService>(manifests, 'Service');
  const containers = workloads.flatMap((w) =>
    w.spec.template.spec!.containers.map((container) => ({ workload: w, container })),
  );
  const workloadNames = workloads.map((w) => w.metadata.name);
  const containerNames = containers.map(({ workload, container }) => `${workload.metadata.name}/${container.name}`);

  function servicePorts(name: string | undefined): number[] {
    const service = services.find((s) => s.metadata?.name === name);
    return service?.spec?.ports?.map((p) => p.port) ?? [];
  }

  test('no two objects share a kind and a name: a later one would replace the earlier', () => {
    const keys = manifests.map((m) => `${m.object.kind}/${m.object.metadata.name}`);

    expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
  });

  test.each(workloadNames)('%s selects the pods of its own template', (name) => {
    const workload = workloads.find((w) => w.metadata.name === name)!;

    expect(matches(workload.spec.selector.matchLabels, workload.spec.template.metadata?.labels)).toBe(true);
  });

  test.each(services.map((s) => s.metadata!.name!))(
    'Service %s selects one workload and a named port of it',
    (name) => {
      const service = services.find((s) => s.metadata?.name === name)!;
      const selected = workloads.filter((w) => matches(service.spec?.selector, w.spec.template.metadata?.labels));

      expect(selected.map((w) => w.metadata.name)).toHaveLength(1);
      const ports = selected[0]!.spec.template.spec!.containers.flatMap((c) => c.ports ?? []);
      for (const port of service.spec?.ports ?? []) {
        expect(ports.map((p) => p.name)).toContain(port.targetPort);
      }
    },
  );

  test('every backend of the Ingress and the HTTPRoute is a port of an existing Service', () => {
    const backends = [
      ...of<IIngress>(manifests, 'Ingress').flatMap((i) =>
        (i.spec?.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => p.backend.service!)),
      ),
      ...of<IHTTPRoute>(manifests, 'HTTPRoute').flatMap((r) =>
        (r.spec.rules ?? []).flatMap((rule) =>
          (rule.backendRefs ?? []).map((b) => ({ name: b.name, port: { number: b.port } })),
        ),
      ),
    ];

    expect(backends.length).toBeGreaterThan(0);
    for (const backend of backends) {
      expect({ backend: backend.name, ports: servicePorts(backend.name) }).toEqual({
        backend: backend.name,
        ports: expect.arrayContaining([backend.port?.number]),
      });
    }
  });

  test('each HTTPRoute is attached to a Gateway deployed with it, whose certificates the README creates', () => {
    const gateways = of<IGateway>(manifests, 'Gateway');
    for (const route of of<IHTTPRoute>(manifests, 'HTTPRoute')) {
      for (const parent of route.spec.parentRefs ?? []) {
        expect(gateways.map((g) => g.metadata?.name)).toContain(parent.name);
      }
    }
    const certificates = gateways.flatMap((g) => g.spec.listeners.flatMap((l) => l.tls?.certificateRefs ?? []));
    for (const certificate of certificates) expect(Object.keys(secrets)).toContain(certificate.name);
  });

  test.each(workloadNames)('%s mounts only volumes it declares, and claims that exist', (name) => {
    const workload = workloads.find((w) => w.metadata.name === name)!;
    const pod = workload.spec.template.spec!;
    const declared = [
      ...(pod.volumes ?? []).map((v) => v.name),
      ...(workload.spec.volumeClaimTemplates ?? []).map((t) => t.metadata?.name),
    ];
    const claims = of<KubeObject>(manifests, 'PersistentVolumeClaim').map((c) => c.metadata.name);

    for (const mount of pod.containers.flatMap((c) => c.volumeMounts ?? [])) expect(declared).toContain(mount.name);
    for (const volume of pod.volumes ?? []) {
      if (volume.persistentVolumeClaim) expect(claims).toContain(volume.persistentVolumeClaim.claimName);
    }
  });

  test.each(of<Workload>(manifests, 'StatefulSet').map((s) => s.metadata.name))(
    'StatefulSet %s is governed by a headless Service that selects it',
    (name) => {
      const set = workloads.find((w) => w.metadata.name === name)!;
      const service = services.find((s) => s.metadata?.name === set.spec.serviceName);

      expect(service?.spec?.clusterIP).toBe('None');
      expect(matches(service?.spec?.selector, set.spec.template.metadata?.labels)).toBe(true);
    },
  );

  test.each(containerNames)('%s starts: every secret, ConfigMap and field its env refers to exists', (name) => {
    const { workload, container } = containers[containerNames.indexOf(name)]!;

    expect(() =>
      resolveEnv(container, { secrets, manifests, podName: `${workload.metadata.name}-0`, namespace: 'default' }),
    ).not.toThrow();
  });

  test.each(containerNames)('%s has cpu and memory requests within its limits', (name) => {
    const { resources } = containers[containerNames.indexOf(name)]!.container;
    for (const resource of ['cpu', 'memory']) {
      const request = resources?.requests?.[resource];
      const limit = resources?.limits?.[resource];
      expect({ resource, request, limit }).toEqual({ resource, request: expect.anything(), limit: expect.anything() });
      expect(quantity(request!)).toBeLessThanOrEqual(quantity(limit!));
    }
  });

  test.each(containerNames)('%s has readiness and liveness probes on ports it declares', (name) => {
    const container: IContainer = containers[containerNames.indexOf(name)]!.container;
    const ports = (container.ports ?? []).flatMap((p) => [p.name, p.containerPort]);
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
      const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
      if (port !== undefined) expect(ports).toContain(port);
    }
    expect(container.readinessProbe).toBeDefined();
    expect(container.livenessProbe).toBeDefined();
  });

  test.each(containerNames)('%s runs as a non-root user without privilege escalation or capabilities', (name) => {
    const { workload, container } = containers[containerNames.indexOf(name)]!;
    const pod = workload.spec.template.spec!;
    // A token for the API server only where the pod's own ServiceAccount is bound to a Role
    // (Prometheus's discovery); every other pod goes without.
    const bound = of<IRoleBinding>(manifests, 'RoleBinding').some(
      (b) =>
        b.roleRef.kind === 'Role' &&
        (b.subjects ?? []).some((s) => s.kind === 'ServiceAccount' && s.name === pod.serviceAccountName),
    );

    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
    expect({ serviceAccount: pod.serviceAccountName, token: pod.automountServiceAccountToken }).toEqual({
      serviceAccount: pod.serviceAccountName,
      token: bound,
    });
    expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
    expect(container.securityContext?.capabilities?.drop).toEqual(['ALL']);
  });

  test.each(containerNames)('%s runs an image skaffold builds or a pinned third-party one', (name) => {
    const image = containers[containerNames.indexOf(name)]!.container.image!;

    if (!image.startsWith('ticketing/')) expect(image).toMatch(/^[a-z0-9./-]+:(?!latest$)[\w.-]+$/);
  });

  test.each([...serviceList.map((service) => `${service.name}-depl`), 'client-depl'])(
    '%s runs two replicas, probes /readyz and /healthz, and keeps one up through a disruption',
    (name) => {
      const workload = workloads.find((w) => w.metadata.name === name)!;
      const [container] = workload.spec.template.spec!.containers;
      const budgets = of<IPodDisruptionBudget>(manifests, 'PodDisruptionBudget').filter((b) =>
        matches(b.spec?.selector?.matchLabels, workload.spec.template.metadata?.labels),
      );

      expect(workload.spec.replicas).toBe(2);
      if (name !== 'client-depl') {
        expect(container!.readinessProbe?.httpGet?.path).toBe('/readyz');
        expect(container!.livenessProbe?.httpGet?.path).toBe('/healthz');
      }
      expect(budgets.map((b) => b.spec?.minAvailable)).toEqual([1]);
    },
  );

  test('every Deployment and StatefulSet of the system has a PodDisruptionBudget', () => {
    const budgets = of<IPodDisruptionBudget>(manifests, 'PodDisruptionBudget');
    const unbudgeted = workloads
      .filter((w) => !w.metadata.name.endsWith('-postgres'))
      .filter((w) => !budgets.some((b) => matches(b.spec?.selector?.matchLabels, w.spec.template.metadata?.labels)))
      .map((w) => w.metadata.name);

    expect(unbudgeted).toEqual([]);
  });

  const production = profiles.includes('production');
  test(
    production
      ? 'NATS is a 3-node JetStream cluster, each node with its own claim, behind nats-srv, and the stream gets 3 replicas'
      : 'NATS runs JetStream with its file store on a claimed volume, monitoring on 8222, behind nats-srv',
    () => {
      const nats = workloads.find((w) => w.metadata.name === (production ? 'nats' : 'nats-depl'))!;
      const pod = nats.spec.template.spec!;
      const [container] = pod.containers;
      // nats-server -c <file>, the file a key of the ConfigMap mounted at its folder.
      const args = container!.args ?? [];
      const configFile = args[args.indexOf('-c') + 1] ?? '';
      const configMount = container!.volumeMounts?.find((m) => path.posix.dirname(configFile) === m.mountPath);
      const configMap = pod.volumes?.find((v) => v.name === configMount?.name)?.configMap?.name;
      const configMaps = of<KubeObject & { data: Record<string, string> }>(manifests, 'ConfigMap');
      const config = configMaps.find((m) => m.metadata.name === configMap)?.data[path.posix.basename(configFile)] ?? '';
      const storeDir = /^jetstream \{ store_dir: "([^"]+)" \}$/m.exec(config)?.[1];
      const mount = container!.volumeMounts?.find((m) => m.mountPath === storeDir);
      const volume = pod.volumes?.find((v) => v.name === mount?.name);
      const claimed = nats.spec.volumeClaimTemplates?.some((t) => t.metadata?.name === mount?.name);
      const busConfig = configMaps.find((m) => m.metadata.name === 'bus-config');

      expect(container!.command).toEqual(['nats-server']);
      expect(storeDir).toBeDefined();
      expect(Boolean(volume?.persistentVolumeClaim?.claimName) || claimed).toBe(true);
      expect(/^http: "0\.0\.0\.0:(\d+)"$/m.exec(config)?.[1]).toBe('8222');
      expect(servicePorts('nats-srv').sort()).toEqual([4222, 8222]);
      if (production) {
        const env = resolveEnv(container!, { secrets, manifests, podName: 'nats-1', namespace: 'default' });
        const routes = (/^ {2}routes: \[([^\]]*)\]/m.exec(config)?.[1] ?? '').match(/\$\w+/g) ?? [];
        const serverName = /^server_name: \$(\w+)$/m.exec(config)?.[1] ?? '';
        expect(nats.kind).toBe('StatefulSet');
        expect(nats.spec.replicas).toBe(3);
        expect(claimed).toBe(true);
        expect(routes.map((route) => new URL(env[route.slice(1)] ?? 'missing:').host)).toEqual(
          [0, 1, 2].map((i) => `nats-${i}.${nats.spec.serviceName}:6222`),
        );
        expect(env[serverName]).toBe('nats-1');
        expect(busConfig?.data.NATS_STREAM_REPLICAS).toBe('3');
      } else {
        expect(busConfig?.data.NATS_STREAM_REPLICAS).toBe('1');
      }
    },
  );

  test.each(serviceList.map((service) => `${service.name}-postgres`))(
    '%s keeps its data on its own claim and takes its password from a secret',
    (name) => {
      const set = workloads.find((w) => w.metadata.name === name && w.kind === 'StatefulSet')!;
      const [container] = set.spec.template.spec!.containers;
      const password = container!.env?.find((v) => v.name === 'POSTGRES_PASSWORD');

      expect(set.spec.volumeClaimTemplates?.map((t) => t.metadata?.name)).toEqual(
        container!.volumeMounts?.map((m) => m.name),
      );
      expect(password?.valueFrom?.secretKeyRef?.name).toBe(`${name}-secret`);
    },
  );
});
