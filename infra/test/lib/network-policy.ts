import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { Manifest } from './manifests';

/**
 * Kubernetes NetworkPolicy semantics, small enough to read: who may open a connection to whom,
 * on which port. Not modelled: the kubelet's probes (not subject to policies on the common
 * plugins), traffic of a pod to itself, SCTP, IPv6, and what a plugin may add on top.
 */

/** One port an endpoint listens on. */
export interface Port {
  name?: string;
  port: number;
  protocol: 'TCP' | 'UDP';
}

/**
 * Something that sends or receives: a pod (with a namespace and labels; one per workload, its
 * replicas being alike) or an address outside the cluster's pods (no namespace).
 */
export interface Endpoint {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  ip: string;
  ports: Port[];
}

/** A policy, with the namespace it is applied in. */
export interface Policy {
  namespace: string;
  spec: NonNullable<INetworkPolicy['spec']>;
}

type LabelSelector = NonNullable<INetworkPolicy['spec']>['podSelector'];
type Peer = NonNullable<NonNullable<NonNullable<INetworkPolicy['spec']>['ingress']>[number]['from']>[number];
type PolicyPort = NonNullable<NonNullable<NonNullable<INetworkPolicy['spec']>['ingress']>[number]['ports']>[number];

/** Whether a label selector selects these labels; an empty selector selects everything. */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  const byLabels = Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector?.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In':
        return key in labels && values.includes(labels[key]!);
      case 'NotIn':
        return !(key in labels) || !values.includes(labels[key]!);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        throw new Error(`unknown selector operator ${operator}`);
    }
  });
  return byLabels && byExpressions;
}

function ipToNumber(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return parts.reduce((n, p) => n * 256 + p, 0);
}

/** Whether an IPv4 address lies in a CIDR block. */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipToNumber(ip) / size) === Math.floor(ipToNumber(base!) / size);
}

/** The policy types of a policy: as written, or Ingress plus Egress when it has egress rules. */
export function policyTypes(spec: Policy['spec']): string[] {
  return spec.policyTypes ?? ['Ingress', ...(spec.egress ? ['Egress'] : [])];
}

function isSelectedBy(policy: Policy, endpoint: Endpoint): boolean {
  return endpoint.namespace === policy.namespace && selects(policy.spec.podSelector, endpoint.labels);
}

/**
 * Whether a peer of a rule of `policy` stands for `endpoint`. podSelector alone: pods of the
 * policy's namespace; namespaceSelector (and podSelector): pods of the namespaces it selects
 * (and of those, the pods it selects); ipBlock: addresses in the block but none of its exceptions.
 */
function peerMatches(peer: Peer, policy: Policy, endpoint: Endpoint): boolean {
  if (peer.ipBlock) {
    const { cidr, except = [] } = peer.ipBlock;
    return inCidr(endpoint.ip, cidr) && !except.some((block) => inCidr(endpoint.ip, block));
  }
  if (endpoint.namespace === undefined) return false;
  const namespaceMatches = peer.namespaceSelector
    ? selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': endpoint.namespace })
    : endpoint.namespace === policy.namespace;
  return namespaceMatches && selects(peer.podSelector, endpoint.labels);
}

/** Whether a rule's port entry covers `port` of the receiving endpoint; a named port is looked up there. */
function portMatches(entry: PolicyPort, port: Port, receiver: Endpoint): boolean {
  if ((entry.protocol ?? 'TCP') !== port.protocol) return false;
  if (entry.port === undefined) return true;
  if (typeof entry.port === 'string') {
    return receiver.ports.some((p) => p.name === entry.port && p.protocol === port.protocol && p.port === port.port);
  }
  return port.port >= entry.port && port.port <= (entry.endPort ?? entry.port);
}

function ruleAllows(
  rule: { peers?: Peer[]; ports?: PolicyPort[] },
  policy: Policy,
  peer: Endpoint,
  port: Port,
  receiver: Endpoint,
): boolean {
  const peerOk = !rule.peers || rule.peers.length === 0 || rule.peers.some((p) => peerMatches(p, policy, peer));
  const portOk = !rule.ports || rule.ports.length === 0 || rule.ports.some((p) => portMatches(p, port, receiver));
  return peerOk && portOk;
}

/**
 * Whether `source` may open a connection to `port` of `destination`: the source's egress
 * allows it (no policy selecting the source has type Egress, or an egress rule of one that
 * does lets it out to there) and the destination's ingress allows it (likewise).
 */
export function allowed(policies: Policy[], source: Endpoint, destination: Endpoint, port: Port): boolean {
  const egress = policies.filter((p) => isSelectedBy(p, source) && policyTypes(p.spec).includes('Egress'));
  const ingress = policies.filter((p) => isSelectedBy(p, destination) && policyTypes(p.spec).includes('Ingress'));
  const out =
    egress.length === 0 ||
    egress.some((policy) =>
      (policy.spec.egress ?? []).some((rule) =>
        ruleAllows({ peers: rule.to, ports: rule.ports }, policy, destination, port, destination),
      ),
    );
  const into =
    ingress.length === 0 ||
    ingress.some((policy) =>
      (policy.spec.ingress ?? []).some((rule) =>
        ruleAllows({ peers: rule.from, ports: rule.ports }, policy, source, port, destination),
      ),
    );
  return out && into;
}

/** `source -> destination:port/PROTOCOL`, one line of a matrix. */
export function connection(source: Endpoint, destination: Endpoint, port: Port): string {
  return `${source.name} -> ${destination.name}:${port.port}/${port.protocol}`;
}

/**
 * Every connection the policies allow between the endpoints, on every port the receiver listens
 * on, where at least one side is a pod of `namespace` (the rest is not these policies' business).
 */
export function reachability(policies: Policy[], endpoints: Endpoint[], namespace: string): string[] {
  const lines: string[] = [];
  for (const source of endpoints) {
    for (const destination of endpoints) {
      if (source.namespace !== namespace && destination.namespace !== namespace) continue;
      for (const port of destination.ports) {
        if (allowed(policies, source, destination, port)) lines.push(connection(source, destination, port));
      }
    }
  }
  return lines.sort();
}

/** The pods of the workloads (Deployments, StatefulSets, Jobs) of `manifests`, one per workload, in `namespace`. */
export function podsOf(manifests: Manifest[], namespace: string): Endpoint[] {
  const templates = manifests
    .filter((m) => ['Deployment', 'StatefulSet', 'Job'].includes(m.object.kind))
    .map((m) => (m.object.spec as { template: IPodTemplateSpec }).template);
  return templates.map((template, i) => {
    const labels = template.metadata?.labels ?? {};
    return {
      name: labels['app.kubernetes.io/name'] ?? `unnamed-${i}`,
      namespace,
      labels,
      ip: `10.244.0.${i + 10}`,
      ports: (template.spec?.containers ?? []).flatMap((c) =>
        (c.ports ?? []).map((p) => ({ name: p.name, port: p.containerPort, protocol: (p.protocol ?? 'TCP') as 'TCP' })),
      ),
    };
  });
}

/** The NetworkPolicies of `manifests`, applied in `namespace`. */
export function policiesOf(manifests: Manifest[], namespace: string): Policy[] {
  return manifests
    .filter((m) => m.object.kind === 'NetworkPolicy')
    .map((m) => ({ namespace, spec: (m.object as unknown as INetworkPolicy).spec! }));
}
