import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { Manifest } from './manifests';

/**
 * What Prometheus would scrape, worked out without Prometheus: its Kubernetes discovery of
 * pods (role pod) over the manifests' pods, then each scrape config's relabel rules, with
 * Prometheus's semantics (discovery/kubernetes/pod.go, model/relabel/relabel.go,
 * scrape/target.go). Only what the config here uses is modelled; anything else throws, so a
 * config these checks cannot follow does not go unchecked.
 */

/** One rule of `relabel_configs`. */
export interface RelabelRule {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: string;
}

/** One entry of `kubernetes_sd_configs`. */
export interface KubernetesSdConfig {
  role: string;
  namespaces?: { own_namespace?: boolean; names?: string[] };
  [key: string]: unknown;
}

/** One entry of `scrape_configs`. */
export interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  scheme?: string;
  kubernetes_sd_configs?: KubernetesSdConfig[];
  relabel_configs?: RelabelRule[];
  [key: string]: unknown;
}

/** prometheus.yml, as far as these checks read it. */
export interface PrometheusConfig {
  global?: Record<string, unknown>;
  scrape_configs?: ScrapeConfig[];
  [key: string]: unknown;
}

export type Labels = Record<string, string>;

/** A pod as discovered: its workload, the labels of each target it yields. */
export interface DiscoveredPod {
  workload: string;
  targets: Labels[];
}

/** What is scraped: the pod's workload and app name, the port, the path, the target's final labels. */
export interface ScrapeTarget {
  workload: string;
  app: string;
  port: number | undefined;
  path: string;
  labels: Labels;
}

/** Prometheus's label name for a Kubernetes label: every character other than [a-zA-Z0-9_] becomes `_`. */
export function sanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/**
 * The targets role `pod` discovers among the workloads (Deployments, StatefulSets, Jobs) of
 * `manifests`: one pod each, `<workload>-0`, running and ready at a made-up address. Each
 * declared port of each container is a target (`__address__` = pod IP:port, with the port's
 * name, number and protocol); a container without ports is one target at the bare pod IP.
 */
export function discoverPods(manifests: Manifest[], namespace: string): DiscoveredPod[] {
  return manifests
    .filter((m) => ['Deployment', 'StatefulSet', 'Job'].includes(m.object.kind))
    .map((m, i) => {
      const template = (m.object.spec as { template: IPodTemplateSpec }).template;
      const ip = `10.244.0.${i + 10}`;
      const podLabels: Labels = {
        __meta_kubernetes_namespace: namespace,
        __meta_kubernetes_pod_name: `${m.object.metadata.name}-0`,
        __meta_kubernetes_pod_ip: ip,
        __meta_kubernetes_pod_phase: 'Running',
        __meta_kubernetes_pod_ready: 'true',
        __meta_kubernetes_pod_controller_kind: m.object.kind === 'Deployment' ? 'ReplicaSet' : m.object.kind,
      };
      for (const [key, value] of Object.entries(template.metadata?.labels ?? {})) {
        podLabels[`__meta_kubernetes_pod_label_${sanitize(key)}`] = value;
        podLabels[`__meta_kubernetes_pod_labelpresent_${sanitize(key)}`] = 'true';
      }
      const targets = (template.spec?.containers ?? []).flatMap((container) => {
        const base = {
          ...podLabels,
          __meta_kubernetes_pod_container_name: container.name,
          __meta_kubernetes_pod_container_image: container.image ?? '',
          __meta_kubernetes_pod_container_init: 'false',
        };
        if (!container.ports?.length) return [{ ...base, __address__: ip }];
        return container.ports.map((port) => ({
          ...base,
          __address__: `${ip}:${port.containerPort}`,
          ...(port.name ? { __meta_kubernetes_pod_container_port_name: port.name } : {}),
          __meta_kubernetes_pod_container_port_number: String(port.containerPort),
          __meta_kubernetes_pod_container_port_protocol: port.protocol ?? 'TCP',
        }));
      });
      return { workload: m.object.metadata.name, targets };
    });
}

/** `$1`, `${1}`, `$name`, `${name}` of a replacement, from a match (Go's Regexp.Expand). */
function expand(template: string, match: RegExpExecArray): string {
  return template.replace(/\$\$|\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    if (whole === '$$') return '$';
    const name = (braced ?? bare)!;
    return (/^\d+$/.test(name) ? match[Number(name)] : match.groups?.[name]) ?? '';
  });
}

/**
 * The labels after the rules, or undefined when a rule drops the target. Regexes are anchored
 * at both ends; a missing source label reads as the empty string.
 */
export function relabel(labels: Labels, rules: readonly RelabelRule[]): Labels | undefined {
  let current: Labels = { ...labels };
  for (const rule of rules) {
    const action = rule.action ?? 'replace';
    const regex = new RegExp(`^(?:${rule.regex ?? '(.*)'})$`);
    const value = (rule.source_labels ?? []).map((name) => current[name] ?? '').join(rule.separator ?? ';');
    switch (action) {
      case 'keep':
        if (!regex.test(value)) return undefined;
        break;
      case 'drop':
        if (regex.test(value)) return undefined;
        break;
      case 'replace': {
        if (rule.target_label === undefined) throw new Error('relabel: replace without target_label');
        const match = regex.exec(value);
        if (!match) break;
        const target = expand(rule.target_label, match);
        const result = expand(rule.replacement ?? '$1', match);
        if (result === '') delete current[target];
        else current[target] = result;
        break;
      }
      case 'labelmap': {
        const mapped: Labels = {};
        for (const [name, v] of Object.entries(current)) {
          const match = regex.exec(name);
          if (match) mapped[expand(rule.replacement ?? '$1', match)] = v;
        }
        current = { ...current, ...mapped };
        break;
      }
      case 'labeldrop':
        current = Object.fromEntries(Object.entries(current).filter(([name]) => !regex.test(name)));
        break;
      case 'labelkeep':
        current = Object.fromEntries(Object.entries(current).filter(([name]) => regex.test(name)));
        break;
      default:
        throw new Error(`relabel: action ${action} is not modelled`);
    }
  }
  return current;
}

/**
 * What one scrape config scrapes among the pods: its discovered targets, given the job, scheme
 * and path Prometheus sets before relabelling, then relabelled; `instance` defaults to the
 * address, and the labels starting with `__` are gone from what is stored.
 */
export function scrapeTargets(config: ScrapeConfig, pods: DiscoveredPod[]): ScrapeTarget[] {
  const sd = config.kubernetes_sd_configs ?? [];
  const unmodelled = Object.keys(config).filter(
    (key) => !['job_name', 'metrics_path', 'scheme', 'kubernetes_sd_configs', 'relabel_configs'].includes(key),
  );
  if (unmodelled.length > 0 || sd.some((c) => c.role !== 'pod')) {
    throw new Error(`scrape config ${config.job_name}: only kubernetes_sd_configs of role pod are modelled`);
  }
  if (sd.length === 0) return [];
  return pods.flatMap((pod) =>
    pod.targets.flatMap((discovered) => {
      const labels = relabel(
        {
          job: config.job_name,
          __scheme__: config.scheme ?? 'http',
          __metrics_path__: config.metrics_path ?? '/metrics',
          ...discovered,
        },
        config.relabel_configs ?? [],
      );
      if (labels === undefined || !labels.__address__) return [];
      const kept = Object.fromEntries(
        Object.entries({ instance: labels.__address__, ...labels }).filter(([k]) => !k.startsWith('__')),
      );
      const port = /:(\d+)$/.exec(labels.__address__)?.[1];
      return [
        {
          workload: pod.workload,
          app: discovered.__meta_kubernetes_pod_label_app_kubernetes_io_name ?? '',
          port: port === undefined ? undefined : Number(port),
          path: labels.__metrics_path__ ?? '/metrics',
          labels: kept,
        },
      ];
    }),
  );
}
