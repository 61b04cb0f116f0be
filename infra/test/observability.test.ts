import { tracingOffReason } from '@ticketing/common/telemetry';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IService } from 'kubernetes-models/v1/Service';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { edited, REMOVE } from './lib/edit';
import { findObject, type KubeObject, type Manifest, ROOT } from './lib/manifests';
import { allowed, podsOf, policiesOf } from './lib/network-policy';
import { readmeSecrets, resolveEnv } from './lib/pod-env';
import { discoverPods, type PrometheusConfig, scrapeTargets } from './lib/prometheus';
import { loadServices } from './lib/services';
import { deployedManifests, loadSkaffold, SKAFFOLD_RUNS } from './lib/skaffold';

/**
 * The observability profile (infra/k8s-observability): every service's traces reach the
 * collector, the collector's reach Jaeger, Prometheus scrapes every service and NATS (through
 * the exporter), each step a name and a port that exist, that the configurations name, and
 * that the NetworkPolicies let through.
 */

const skaffold = loadSkaffold();
const secrets = readmeSecrets();
const services = loadServices();
/** The namespace everything is deployed to; the manifests name none. */
const NAMESPACE = 'ticketing';

const OBSERVABILITY_RUNS = SKAFFOLD_RUNS.filter((run) => run.profiles.includes('observability'));
const manifests = deployedManifests(skaffold, ['observability']);

interface Workload extends KubeObject {
  spec: { selector: { matchLabels?: Record<string, string> }; template: IPodTemplateSpec };
}

function workloadsOf(list: Manifest[]): Workload[] {
  return list.filter((m) => ['Deployment', 'StatefulSet'].includes(m.object.kind)).map((m) => m.object as Workload);
}

function containerOf(list: Manifest[], workload: string): IContainer {
  const found = workloadsOf(list).find((w) => w.metadata.name === workload);
  if (!found) throw new Error(`no Deployment or StatefulSet ${workload}`);
  return found.spec.template.spec!.containers[0]!;
}

function podOf(list: Manifest[], workload: string) {
  return workloadsOf(list).find((w) => w.metadata.name === workload)!.spec.template.spec!;
}

/** `host:port` of an endpoint setting, or of a URL. */
function hostPort(address: string): { host: string; port: number } {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  return { host: url.hostname, port: Number(url.port) };
}

/**
 * Where a connection to Service `host` on `port` lands, as kube-proxy sends it: the one
 * workload the Service selects and the container port its targetPort names there.
 */
function backendOf(list: Manifest[], host: string, port: number): { workload: string; port: number; name?: string } {
  const service = findObject<IService & KubeObject>(list, 'Service', host);
  const servicePort = service.spec?.ports?.find((p) => p.port === port);
  if (!servicePort) throw new Error(`Service ${host} has no port ${port}`);
  const selected = workloadsOf(list).filter((w) =>
    Object.entries(service.spec?.selector ?? {}).every(([k, v]) => w.spec.template.metadata?.labels?.[k] === v),
  );
  if (selected.length !== 1) throw new Error(`Service ${host} selects ${selected.length} workloads`);
  const target = servicePort.targetPort ?? port;
  const containerPort = selected[0]!.spec.template
    .spec!.containers.flatMap((c) => c.ports ?? [])
    .find((p) => (typeof target === 'string' ? p.name === target : p.containerPort === target));
  if (!containerPort) throw new Error(`${selected[0]!.metadata.name} has no port ${target}`);
  return { workload: selected[0]!.metadata.name, port: containerPort.containerPort, name: containerPort.name };
}

/**
 * The text of a file a container is told to read (`--flag=<file>` in its args): the key of
 * the ConfigMap whose volume is mounted at the file's folder.
 */
function configFileOf(list: Manifest[], workload: string, flag: string): string {
  const container = containerOf(list, workload);
  const file = (container.args ?? []).find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  if (!file) throw new Error(`${workload} is given no ${flag}`);
  const mount = container.volumeMounts?.find((m) => m.mountPath === path.posix.dirname(file));
  const volume = podOf(list, workload).volumes?.find((v) => v.name === mount?.name);
  const map = findObject<KubeObject & { data?: Record<string, string> }>(
    list,
    'ConfigMap',
    volume?.configMap?.name ?? '',
  );
  const text = map.data?.[path.posix.basename(file)];
  if (text === undefined) throw new Error(`ConfigMap ${map.metadata.name} has no key ${path.posix.basename(file)}`);
  return text;
}

function portNamed(list: Manifest[], workload: string, name: string): number | undefined {
  return containerOf(list, workload).ports?.find((p) => p.name === name)?.containerPort;
}

describe.each(SKAFFOLD_RUNS)('with $name', ({ profiles }) => {
  const run = deployedManifests(skaffold, profiles);
  const observability = profiles.includes('observability');

  test.each(services.map((s) => s.name))(
    observability
      ? '%s sends its traces to the OTLP/HTTP receiver of the collector this run deploys, which the policies let through'
      : '%s has no collector to send traces to, and traces nothing',
    (name) => {
      const env = resolveEnv(containerOf(run, `${name}-depl`), {
        secrets,
        manifests: run,
        podName: `${name}-depl-0`,
        namespace: NAMESPACE,
      });

      if (!observability) {
        expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
        expect(tracingOffReason(env)).toBeDefined();
        return;
      }
      expect(tracingOffReason(env)).toBeUndefined();
      const endpoint = new URL(env.OTEL_EXPORTER_OTLP_ENDPOINT!);
      // http/protobuf, the services' protocol: plain http, the SDK adds /v1/traces.
      expect({ protocol: endpoint.protocol, pathname: endpoint.pathname }).toEqual({
        protocol: 'http:',
        pathname: '/',
      });
      const backend = backendOf(run, endpoint.hostname, Number(endpoint.port));
      const collector = parse(configFileOf(run, backend.workload, '--config')) as CollectorConfig;
      const http = collector.receivers?.otlp?.protocols?.http?.endpoint;

      const pods = podsOf(run, NAMESPACE);
      const pod = (app: string) => pods.find((p) => p.name === app)!;

      expect(backend.workload).toBe('otel-collector');
      expect(http && hostPort(http)).toEqual({ host: '0.0.0.0', port: backend.port });
      expect(
        allowed(policiesOf(run, NAMESPACE), pod(name), pod('otel-collector'), { port: backend.port, protocol: 'TCP' }),
      ).toBe(true);
    },
  );
});

describe.each(OBSERVABILITY_RUNS)('with $name', ({ profiles }) => {
  const run = deployedManifests(skaffold, profiles);

  test('telemetry-config is applied before every Deployment that reads it, so their first pods find it', () => {
    const order = run.map((m) => `${m.object.kind}/${m.object.metadata.name}`);
    const readers = workloadsOf(run)
      .filter((w) =>
        w.spec.template.spec!.containers.some((c) =>
          (c.env ?? []).some((v) => v.valueFrom?.configMapKeyRef?.name === 'telemetry-config'),
        ),
      )
      .map((w) => `${w.kind}/${w.metadata.name}`);

    expect(readers.sort()).toEqual(services.map((s) => `Deployment/${s.name}-depl`).sort());
    for (const reader of readers) {
      expect(order.indexOf('ConfigMap/telemetry-config')).toBeLessThan(order.indexOf(reader));
    }
  });

  test('Prometheus scrapes /metrics on the http port of every service of services.json, and the NATS exporter, nothing else', () => {
    expect(scrapedBy(run)).toEqual(expectedScrapes(run));
  });

  test('the NetworkPolicies let every scrape through, and the exporter to NATS', () => {
    const pods = podsOf(run, NAMESPACE);
    const pod = (name: string) => pods.find((p) => p.name === name)!;
    const policies = policiesOf(run, NAMESPACE);
    const config = parse(configFileOf(run, 'prometheus', '--config.file')) as PrometheusConfig;
    const targets = (config.scrape_configs ?? []).flatMap((c) => scrapeTargets(c, discoverPods(run, NAMESPACE)));
    const exporter = hostPort(containerOf(run, 'nats-exporter').args!.at(-1)!);
    const nats = backendOf(run, exporter.host, exporter.port);

    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) {
      const reach = allowed(policies, pod('prometheus'), pod(target.app), { port: target.port!, protocol: 'TCP' });
      expect({ target: `${target.app}:${target.port}`, reach }).toEqual({
        target: `${target.app}:${target.port}`,
        reach: true,
      });
    }
    expect(allowed(policies, pod('nats-exporter'), pod('nats'), { port: nats.port, protocol: 'TCP' })).toBe(true);
  });
});

/** What Prometheus scrapes among a run's pods: `job instance app:port/path`, one a line. */
function scrapedBy(
  run: Manifest[],
  config = parse(configFileOf(run, 'prometheus', '--config.file')) as PrometheusConfig,
) {
  const pods = discoverPods(run, NAMESPACE);
  return (config.scrape_configs ?? [])
    .flatMap((c) => scrapeTargets(c, pods))
    .map((t) => `${t.labels.job} ${t.labels.instance} ${t.app}:${t.port}${t.path}`)
    .sort();
}

/** Every replica of every service on its port named http (its pod name stands for them all), and the exporter. */
function expectedScrapes(run: Manifest[]): string[] {
  return [
    ...services.map((s) => `${s.name} ${s.name}-depl-0 ${s.name}:${portNamed(run, `${s.name}-depl`, 'http')}/metrics`),
    `nats nats-exporter-0 nats-exporter:${portNamed(run, 'nats-exporter', 'metrics')}/metrics`,
  ].sort();
}

/** The collector's configuration, as far as these checks read it. */
interface CollectorConfig {
  extensions?: Record<string, { endpoint?: string } | null>;
  receivers?: Record<string, { protocols?: Record<string, { endpoint?: string } | null> } | null>;
  processors?: Record<string, unknown>;
  exporters?: Record<string, { endpoint?: string; tls?: { insecure?: boolean } } | null>;
  connectors?: Record<string, unknown>;
  service?: {
    extensions?: string[];
    pipelines?: Record<string, { receivers?: string[]; processors?: string[]; exporters?: string[] }>;
  };
}

/**
 * What the collector would refuse to start with, or would carry for nothing: a pipeline of no
 * known signal, naming a component the configuration does not define; a component defined and
 * never used; an extension enabled but not defined.
 */
function pipelineProblems(config: CollectorConfig): string[] {
  const problems: string[] = [];
  const pipelines = config.service?.pipelines ?? {};
  const used = new Set<string>();
  if (Object.keys(pipelines).length === 0) problems.push('no pipeline');
  for (const [id, pipeline] of Object.entries(pipelines)) {
    if (!['traces', 'metrics', 'logs'].includes(id.split('/')[0]!)) problems.push(`pipeline ${id}: no such signal`);
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      const names = pipeline[kind] ?? [];
      if (kind !== 'processors' && names.length === 0) problems.push(`pipeline ${id}: no ${kind}`);
      for (const name of names) {
        used.add(`${kind}/${name}`);
        if (!(name in (config[kind] ?? {})) && !(name in (config.connectors ?? {}))) {
          problems.push(`pipeline ${id}: ${kind} ${name} is not defined`);
        }
      }
    }
  }
  for (const kind of ['receivers', 'processors', 'exporters'] as const) {
    for (const name of Object.keys(config[kind] ?? {})) {
      if (!used.has(`${kind}/${name}`)) problems.push(`${kind} ${name} is defined but in no pipeline`);
    }
  }
  for (const name of config.service?.extensions ?? []) {
    if (!(name in (config.extensions ?? {}))) problems.push(`extension ${name} is not defined`);
  }
  for (const name of Object.keys(config.extensions ?? {})) {
    if (!(config.service?.extensions ?? []).includes(name))
      problems.push(`extension ${name} is defined but not enabled`);
  }
  return problems;
}

describe('the OpenTelemetry Collector', () => {
  const config = parse(configFileOf(manifests, 'otel-collector', '--config')) as CollectorConfig;

  test('runs the configuration of its ConfigMap, whose pipelines name only components it defines, and use them all', () => {
    expect(pipelineProblems(config)).toEqual([]);
  });

  test('takes traces from OTLP and limits its memory before it batches them', () => {
    const traces = config.service?.pipelines?.traces;

    expect(traces?.receivers).toEqual(['otlp']);
    // The collector's own advice: memory_limiter first, batch last of the processors.
    expect(traces?.processors?.[0]).toBe('memory_limiter');
    expect(traces?.processors?.at(-1)).toBe('batch');
  });

  test('receives OTLP/gRPC and OTLP/HTTP on every interface, on the ports its container and Service otel-collector declare', () => {
    const protocols = config.receivers?.otlp?.protocols ?? {};
    const listening = Object.entries(protocols).map(([protocol, settings]) => ({
      protocol,
      ...hostPort(settings?.endpoint ?? ''),
    }));

    expect(listening).toEqual([
      { protocol: 'grpc', host: '0.0.0.0', port: portNamed(manifests, 'otel-collector', 'otlp-grpc') },
      { protocol: 'http', host: '0.0.0.0', port: portNamed(manifests, 'otel-collector', 'otlp-http') },
    ]);
    for (const { port } of listening) {
      expect(backendOf(manifests, 'otel-collector', port)).toMatchObject({ workload: 'otel-collector', port });
    }
  });

  test('answers its probes from the health_check extension, on every interface', () => {
    const container = containerOf(manifests, 'otel-collector');
    const health = hostPort(config.extensions?.health_check?.endpoint ?? '');

    expect(health.host).toBe('0.0.0.0');
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      expect(portNamed(manifests, 'otel-collector', String(probe?.httpGet?.port))).toBe(health.port);
    }
  });

  test("exports every trace to Jaeger's OTLP/gRPC receiver, in plaintext, which Jaeger has on and the policies let through", () => {
    const exporters = config.service?.pipelines?.traces?.exporters ?? [];

    expect(exporters).toHaveLength(1);
    const exporter = config.exporters?.[exporters[0]!];
    const { host, port } = hostPort(exporter?.endpoint ?? '');
    const jaeger = backendOf(manifests, host, port);
    const env = resolveEnv(containerOf(manifests, 'jaeger'), {
      secrets,
      manifests,
      podName: 'jaeger-0',
      namespace: NAMESPACE,
    });

    const pods = podsOf(manifests, NAMESPACE);
    const pod = (app: string) => pods.find((p) => p.name === app)!;

    expect(exporters[0]!.split('/')[0]).toBe('otlp');
    expect(exporter?.tls?.insecure).toBe(true);
    expect(jaeger).toEqual({ workload: 'jaeger', port: 4317, name: 'otlp-grpc' });
    expect(env.COLLECTOR_OTLP_ENABLED).toBe('true');
    expect(
      allowed(policiesOf(manifests, NAMESPACE), pod('otel-collector'), pod('jaeger'), {
        port: jaeger.port,
        protocol: 'TCP',
      }),
    ).toBe(true);
  });

  test.each([
    [
      'an exporter no pipeline names',
      edited(config, [['exporters.debug', {}]]),
      ['exporters debug is defined but in no pipeline'],
    ],
    [
      'a pipeline naming an exporter it does not define',
      edited(config, [['service.pipelines.traces.exporters', ['otlp/tempo']]]),
      ['pipeline traces: exporters otlp/tempo is not defined', 'exporters otlp/jaeger is defined but in no pipeline'],
    ],
    [
      'the health_check extension defined but not enabled',
      edited(config, [['service.extensions', REMOVE]]),
      ['extension health_check is defined but not enabled'],
    ],
  ])('with %s fails the pipeline check, naming it', (_situation, broken, expected) => {
    expect(pipelineProblems(broken)).toEqual(expected);
  });
});

describe('Jaeger', () => {
  const container = containerOf(manifests, 'jaeger');
  const env = resolveEnv(container, { secrets, manifests, podName: 'jaeger-0', namespace: NAMESPACE });

  test('keeps traces in memory, a bounded number of them', () => {
    expect(env.SPAN_STORAGE_TYPE).toBe('memory');
    expect(Number(env.MEMORY_MAX_TRACES)).toBeGreaterThan(0);
    expect(Number.isInteger(Number(env.MEMORY_MAX_TRACES))).toBe(true);
  });

  test('is probed on its admin port (14269), and shows its UI through Service jaeger on 16686', () => {
    expect(portNamed(manifests, 'jaeger', String(container.readinessProbe?.httpGet?.port))).toBe(14269);
    expect(portNamed(manifests, 'jaeger', String(container.livenessProbe?.httpGet?.port))).toBe(14269);
    expect(backendOf(manifests, 'jaeger', 16686)).toEqual({ workload: 'jaeger', port: 16686, name: 'ui' });
  });
});

describe('Prometheus', () => {
  const config = parse(configFileOf(manifests, 'prometheus', '--config.file')) as PrometheusConfig;
  const pod = podOf(manifests, 'prometheus');

  test('discovers pods in its own namespace only, which its Role lets it read, and nothing more', () => {
    const sd = (config.scrape_configs ?? []).flatMap((c) => c.kubernetes_sd_configs ?? []);
    const binding = findObject<IRoleBinding & KubeObject>(manifests, 'RoleBinding', 'prometheus');
    const role = findObject<IRole & KubeObject>(manifests, 'Role', binding.roleRef.name);

    expect(sd.length).toBeGreaterThan(0);
    expect(sd).toEqual(sd.map(() => ({ role: 'pod', namespaces: { own_namespace: true } })));
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
    expect(binding.roleRef.kind).toBe('Role');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: pod.serviceAccountName }]);
    expect(() => findObject(manifests, 'ServiceAccount', pod.serviceAccountName!)).not.toThrow();
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(manifests.filter((m) => /^Cluster/.test(m.object.kind))).toEqual([]);
  });

  test('keeps its data on a volume of its own, and less of it than the volume holds', () => {
    const container = containerOf(manifests, 'prometheus');
    const flag = (name: string) => container.args?.find((a) => a.startsWith(`${name}=`))?.split('=')[1];
    const mount = container.volumeMounts?.find((m) => m.mountPath === flag('--storage.tsdb.path'));
    const volume = pod.volumes?.find((v) => v.name === mount?.name);
    // Prometheus's sizes are powers of 1024 (MB = MiB); Kubernetes's Gi is too.
    const retention = /^(\d+)MB$/.exec(flag('--storage.tsdb.retention.size') ?? '');
    const limit = /^(\d+)Gi$/.exec(String(volume?.emptyDir?.sizeLimit ?? ''));

    expect(retention && limit).toBeTruthy();
    expect(Number(retention![1]) * 2 ** 20).toBeLessThan(Number(limit![1]) * 2 ** 30);
  });

  const scraped = scrapedBy(manifests);
  test.each([
    [
      'the services keep without payments',
      [['scrape_configs.0.relabel_configs.1.regex', 'auth|tickets|orders|expiration']],
      { unexpected: [], missing: scraped.filter((line) => line.startsWith('payments ')) },
    ],
    [
      'a misspelled label',
      [['scrape_configs.0.relabel_configs.1.source_labels', ['__meta_kubernetes_pod_label_app_kubernetes_io_nam']]],
      { unexpected: [], missing: scraped.filter((line) => !line.startsWith('nats ')) },
    ],
    [
      'no keep by name',
      [['scrape_configs.0.relabel_configs.1', { source_labels: ['__address__'], target_label: '__address__' }]],
      { unexpected: ['client client-depl-0 client:3000/metrics'], missing: [] },
    ],
  ] as const)('with %s, the scrape check fails, naming the difference', (_situation, changes, expected) => {
    const broken = edited(config, changes as unknown as [string, unknown][]);
    const actual = scrapedBy(manifests, broken);
    const wanted = expectedScrapes(manifests);

    expect({
      unexpected: actual.filter((line) => !wanted.includes(line)),
      missing: wanted.filter((line) => !actual.includes(line)),
    }).toEqual(expected);
  });
});

describe('the NATS exporter', () => {
  const container = containerOf(manifests, 'nats-exporter');

  test.each([
    ['the single server', ['observability']],
    ['the production cluster', ['production', 'observability']],
  ])('reads the monitoring port of %s through nats-srv, and serves on the port it declares', (_nats, profiles) => {
    const run = deployedManifests(skaffold, profiles);
    const { host, port } = hostPort(container.args!.at(-1)!);
    const nats = backendOf(run, host, port);

    expect(nats).toMatchObject({ name: 'monitor', port: 8222 });
    expect(containerOf(run, nats.workload).command).toEqual(['nats-server']);
    expect(container.args).toEqual(expect.arrayContaining(['-varz', '-jsz=all']));
    expect(container.args).toContain(`-port=${portNamed(run, 'nats-exporter', 'metrics')}`);
  });
});

test('each `kubectl port-forward svc/…` of infra/README.md names a Service and a port the profiles deploy', () => {
  const readme = readFileSync(path.join(ROOT, 'infra', 'README.md'), 'utf8');
  const forwards = [...readme.matchAll(/kubectl port-forward svc\/([a-z0-9-]+) (\d+)/g)].map(([, name, port]) => ({
    name: name!,
    port: Number(port),
  }));

  expect(forwards.map((f) => f.name)).toEqual(expect.arrayContaining(['jaeger', 'prometheus']));
  for (const { name, port } of forwards) {
    expect(() => backendOf(manifests, name, port)).not.toThrow();
  }
});
