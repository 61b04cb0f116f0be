import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { edited, REMOVE } from './lib/edit';
import {
  GATEWAY_DIR,
  K8S_DIR,
  type KubeObject,
  loadManifests,
  type Manifest,
  manifestFiles,
  OBSERVABILITY_DIR,
  PRODUCTION_DIR,
} from './lib/manifests';
import { allowed, type Endpoint, type Policy, podsOf, policiesOf, reachability, selects } from './lib/network-policy';

/** The namespace everything is deployed to; the manifests name none. */
const NAMESPACE = 'ticketing';

// What each skaffold run deploys (skaffold.test.ts pins the same files).
const k8s = manifestFiles(K8S_DIR);
const FILES = {
  ingress: k8s,
  gateway: [...k8s.filter((f) => !/\/(ingress-srv|client-config)\.yaml$/.test(f)), ...manifestFiles(GATEWAY_DIR)],
  production: [...k8s.filter((f) => !f.endsWith('/nats-depl.yaml')), ...manifestFiles(PRODUCTION_DIR)],
};
// The observability profile adds its folder to any of them.
const observability = manifestFiles(OBSERVABILITY_DIR);
const RUNS = {
  ingress: loadManifests(FILES.ingress),
  gateway: loadManifests(FILES.gateway),
  production: loadManifests(FILES.production),
  observability: loadManifests([...observability, ...FILES.ingress]),
  gatewayObservability: loadManifests([...observability, ...FILES.gateway]),
  productionObservability: loadManifests([...observability, ...FILES.production]),
};

// What the manifests' pods meet besides each other.
const tcp = (port: number, name?: string) => ({ name, port, protocol: 'TCP' as const });
const OUTSIDE: Endpoint[] = [
  {
    name: 'ingress-nginx',
    namespace: 'ingress-nginx',
    labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
    ip: '10.244.1.2',
    ports: [tcp(80, 'http'), tcp(443, 'https')],
  },
  {
    name: 'kube-dns',
    namespace: 'kube-system',
    labels: { 'k8s-app': 'kube-dns' },
    ip: '10.244.1.3',
    ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, tcp(53, 'dns-tcp')],
  },
  // A pod of another namespace that carries one of our labels: labels alone let it in nowhere.
  {
    name: 'stranger',
    namespace: 'elsewhere',
    labels: { 'app.kubernetes.io/name': 'orders' },
    ip: '10.244.2.2',
    ports: [tcp(3000, 'http')],
  },
  { name: 'internet', ip: '93.184.215.14', ports: [tcp(443), tcp(80)] },
  // A node, the API server (443, 6443 or 8443, by cluster), any address of the cluster's own networks.
  { name: 'private-address', ip: '10.0.0.10', ports: [tcp(443), tcp(6443), tcp(8443), tcp(10250)] },
];
// NGINX Gateway Fabric's nginx, in our namespace, and its control plane.
const GATEWAY_PODS: Endpoint[] = [
  {
    name: 'gateway',
    namespace: NAMESPACE,
    labels: {
      'app.kubernetes.io/name': 'ticketing-gateway-nginx',
      'gateway.networking.k8s.io/gateway-name': 'ticketing-gateway',
    },
    ip: '10.244.0.200',
    ports: [tcp(80, 'port-80'), tcp(443, 'port-443')],
  },
  {
    name: 'nginx-gateway',
    namespace: 'nginx-gateway',
    labels: { 'app.kubernetes.io/name': 'nginx-gateway-fabric' },
    ip: '10.244.3.2',
    ports: [tcp(8443, 'agent-grpc'), tcp(8081, 'health'), tcp(9113, 'metrics')],
  },
];

function endpointsOf(manifests: Manifest[], extra: Endpoint[] = []): Endpoint[] {
  return [...podsOf(manifests, NAMESPACE), ...extra, ...OUTSIDE];
}

// The expected matrices: every connection allowed, one a line. Everything else is denied.
const PODS = [
  'auth',
  'auth-postgres',
  'client',
  'expiration',
  'expiration-postgres',
  'nats',
  'nats-stream-setup',
  'orders',
  'orders-postgres',
  'payments',
  'payments-postgres',
  'tickets',
  'tickets-postgres',
];
const dns = (pods: string[]) => pods.flatMap((pod) => [`${pod} -> kube-dns:53/TCP`, `${pod} -> kube-dns:53/UDP`]);
const INGRESS_NGINX = [
  'ingress-nginx -> auth:3000/TCP',
  'ingress-nginx -> client:3000/TCP',
  'ingress-nginx -> orders:3000/TCP',
  'ingress-nginx -> payments:3000/TCP',
  'ingress-nginx -> tickets:3000/TCP',
  'client -> ingress-nginx:80/TCP',
];
const STORES_AND_BUS = [
  'auth -> auth-postgres:5432/TCP',
  'expiration -> expiration-postgres:5432/TCP',
  'orders -> orders-postgres:5432/TCP',
  'payments -> payments-postgres:5432/TCP',
  'tickets -> tickets-postgres:5432/TCP',
  'expiration -> nats:4222/TCP',
  'nats-stream-setup -> nats:4222/TCP',
  'orders -> nats:4222/TCP',
  'payments -> nats:4222/TCP',
  'tickets -> nats:4222/TCP',
  'payments -> internet:443/TCP',
];
const GATEWAY = [
  'gateway -> auth:3000/TCP',
  'gateway -> client:3000/TCP',
  'gateway -> orders:3000/TCP',
  'gateway -> payments:3000/TCP',
  'gateway -> tickets:3000/TCP',
  'gateway -> nginx-gateway:8443/TCP',
  'client -> gateway:80/TCP',
  // The listeners are open to every address, in the cluster or not.
  ...['internet', 'private-address', 'ingress-nginx', 'kube-dns', 'nginx-gateway', 'stranger'].flatMap((from) => [
    `${from} -> gateway:80/TCP`,
    `${from} -> gateway:443/TCP`,
  ]),
];
// The observability profile: traces from the services to the collector, on to Jaeger;
// Prometheus to every service's http port and the NATS exporter, the exporter to NATS's
// monitoring port.
const OBSERVABILITY_PODS = ['jaeger', 'nats-exporter', 'otel-collector', 'prometheus'];
const SERVICES = ['auth', 'expiration', 'orders', 'payments', 'tickets'];
const OBSERVABILITY = [
  ...SERVICES.map((service) => `${service} -> otel-collector:4318/TCP`),
  'otel-collector -> jaeger:4317/TCP',
  ...SERVICES.map((service) => `prometheus -> ${service}:3000/TCP`),
  'prometheus -> nats-exporter:7777/TCP',
  'nats-exporter -> nats:8222/TCP',
  // The API server, for Prometheus's discovery: its ports, at any address, as nothing says
  // which address is the API server's. Whatever listens there and lets Prometheus in is reached.
  'prometheus -> internet:443/TCP',
  'prometheus -> ingress-nginx:443/TCP',
  'prometheus -> private-address:443/TCP',
  'prometheus -> private-address:6443/TCP',
  'prometheus -> private-address:8443/TCP',
];
const EXPECTED = {
  ingress: [...dns(PODS), ...INGRESS_NGINX, ...STORES_AND_BUS],
  production: [...dns(PODS), ...INGRESS_NGINX, ...STORES_AND_BUS, 'nats -> nats:6222/TCP'],
  gateway: [...dns([...PODS, 'gateway']), ...INGRESS_NGINX, ...STORES_AND_BUS, ...GATEWAY],
  observability: [...dns([...PODS, ...OBSERVABILITY_PODS]), ...INGRESS_NGINX, ...STORES_AND_BUS, ...OBSERVABILITY],
  gatewayObservability: [
    ...dns([...PODS, ...OBSERVABILITY_PODS, 'gateway']),
    ...INGRESS_NGINX,
    ...STORES_AND_BUS,
    ...GATEWAY,
    ...OBSERVABILITY,
    'prometheus -> gateway:443/TCP',
    'prometheus -> nginx-gateway:8443/TCP',
  ],
  productionObservability: [
    ...dns([...PODS, ...OBSERVABILITY_PODS]),
    ...INGRESS_NGINX,
    ...STORES_AND_BUS,
    'nats -> nats:6222/TCP',
    ...OBSERVABILITY,
  ],
};

/** What the policies allow beyond the expected matrix, and what they deny of it. */
function differences(actual: string[], expected: string[]) {
  return {
    unexpected: actual.filter((line) => !expected.includes(line)),
    missing: expected.filter((line) => !actual.includes(line)),
  };
}

describe.each([
  { run: 'infra/k8s (the Ingress)', manifests: RUNS.ingress, extra: [], pods: PODS, expected: EXPECTED.ingress },
  {
    run: 'the gateway-api profile',
    manifests: RUNS.gateway,
    extra: GATEWAY_PODS,
    pods: PODS,
    expected: EXPECTED.gateway,
  },
  {
    run: 'the production profile',
    manifests: RUNS.production,
    extra: [],
    pods: PODS,
    expected: EXPECTED.production,
  },
  {
    run: 'the observability profile',
    manifests: RUNS.observability,
    extra: [],
    pods: [...PODS, ...OBSERVABILITY_PODS].sort(),
    expected: EXPECTED.observability,
  },
  {
    run: 'the gateway-api and observability profiles',
    manifests: RUNS.gatewayObservability,
    extra: GATEWAY_PODS,
    pods: [...PODS, ...OBSERVABILITY_PODS].sort(),
    expected: EXPECTED.gatewayObservability,
  },
  {
    run: 'the production and observability profiles',
    manifests: RUNS.productionObservability,
    extra: [],
    pods: [...PODS, ...OBSERVABILITY_PODS].sort(),
    expected: EXPECTED.productionObservability,
  },
])('the NetworkPolicies of $run', ({ manifests, extra, pods, expected }) => {
  const endpoints = endpointsOf(manifests, extra);
  const policies = policiesOf(manifests, NAMESPACE);

  test('the pods are the expected ones', () => {
    expect(
      podsOf(manifests, NAMESPACE)
        .map((p) => p.name)
        .sort(),
    ).toEqual(pods);
  });

  test('allow exactly the expected matrix: every other connection is denied', () => {
    expect(differences(reachability(policies, endpoints, NAMESPACE), expected)).toEqual({
      unexpected: [],
      missing: [],
    });
  });

  test('select pods by their real labels: no selector of a pod of this namespace selects nothing', () => {
    const pods = endpoints.filter((e) => e.namespace === NAMESPACE);
    const selectors = manifests
      .filter((m) => m.object.kind === 'NetworkPolicy')
      .flatMap((m) => {
        const spec = (m.object as unknown as INetworkPolicy).spec!;
        const peers = [
          ...(spec.ingress ?? []).flatMap((r) => r.from ?? []),
          ...(spec.egress ?? []).flatMap((r) => r.to ?? []),
        ];
        return [
          spec.podSelector,
          ...peers.filter((p) => p.podSelector && !p.namespaceSelector).map((p) => p.podSelector!),
        ]
          .filter((s) => s !== undefined)
          .filter((s) => Object.keys(s.matchLabels ?? {}).length + (s.matchExpressions ?? []).length > 0)
          .map((selector) => ({ policy: m.object.metadata.name, selector }));
      });
    // Each value of an `In` alone, so that one misspelled name among several is caught too.
    const single = selectors.flatMap(({ policy, selector }) => [
      { policy, selector: { matchLabels: selector.matchLabels } },
      ...(selector.matchExpressions ?? []).flatMap((e) =>
        e.operator === 'In' ? (e.values ?? []).map((v) => ({ policy, selector: { matchLabels: { [e.key]: v } } })) : [],
      ),
    ]);

    const dead = single.filter(({ selector }) => !pods.some((pod) => selects(selector, pod.labels)));
    expect(dead).toEqual([]);
  });
});

describe('the matrix check, given broken policies', () => {
  const endpoints = endpointsOf(RUNS.ingress);
  const policies = policiesOf(RUNS.ingress, NAMESPACE);
  const named = (name: string) =>
    RUNS.ingress.find((m) => m.object.kind === 'NetworkPolicy' && m.object.metadata.name === name)!.object;
  const policy = (object: KubeObject): Policy => ({ namespace: NAMESPACE, spec: (object as INetworkPolicy).spec! });
  const others = (...names: string[]) =>
    policiesOf(
      RUNS.ingress.filter((m) => !(m.object.kind === 'NetworkPolicy' && names.includes(m.object.metadata.name))),
      NAMESPACE,
    );
  const check = (broken: Policy[]) => differences(reachability(broken, endpoints, NAMESPACE), EXPECTED.ingress);

  const ordersToPaymentsStore: Policy[] = [
    {
      namespace: NAMESPACE,
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'orders' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'payments-postgres' } } }] }],
      },
    },
    {
      namespace: NAMESPACE,
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'payments-postgres' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'orders' } } }] }],
      },
    },
  ];

  test('fails when a policy lets orders reach payments-postgres', () => {
    expect(check([...policies, ...ordersToPaymentsStore])).toEqual({
      unexpected: ['orders -> payments-postgres:5432/TCP'],
      missing: [],
    });
  });

  test("opening payments-postgres's side alone changes nothing: orders' egress still stops it", () => {
    expect(check([...policies, ordersToPaymentsStore[1]!])).toEqual({ unexpected: [], missing: [] });
  });

  test('fails without the default deny: expiration, which no other policy isolates for ingress, is open to all', () => {
    const { unexpected } = check(others('default-deny'));

    expect(unexpected).toEqual(
      expect.arrayContaining([
        'internet -> expiration:3000/TCP',
        'ingress-nginx -> expiration:3000/TCP',
        'stranger -> expiration:3000/TCP',
      ]),
    );
  });

  test("fails when a selector misspells a pod's name: tickets loses the bus", () => {
    const nats = edited(named('nats'), [['spec.ingress.0.from.0.podSelector.matchExpressions.0.values.0', 'ticket']]);

    expect(check([...others('nats'), policy(nats)])).toEqual({
      unexpected: [],
      missing: ['tickets -> nats:4222/TCP'],
    });
  });

  test('fails when the internet rule of payments lacks its exceptions', () => {
    const payments = edited(named('payments'), [['spec.egress.2.to.0.ipBlock.except', []]]);

    expect(check([...others('payments'), policy(payments)])).toEqual({
      unexpected: ['payments -> ingress-nginx:443/TCP', 'payments -> private-address:443/TCP'],
      missing: [],
    });
  });

  test("fails when the ingress controller's namespace is left out (a podSelector alone means this namespace)", () => {
    const web = edited(named('web-from-ingress-nginx'), [
      ['spec.ingress.0.from', [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }]],
    ]);

    expect(check([...others('web-from-ingress-nginx'), policy(web)]).missing).toEqual(
      INGRESS_NGINX.filter((line) => line.startsWith('ingress-nginx ->')).sort(),
    );
  });

  test("fails when a store accepts every namespace: a stranger's look-alike pod gets in", () => {
    const store = edited(named('orders-postgres'), [['spec.ingress.0.from.0.namespaceSelector', {}]]);

    expect(check([...others('orders-postgres'), policy(store)])).toEqual({
      unexpected: ['stranger -> orders-postgres:5432/TCP'],
      missing: [],
    });
  });
});

describe('the matrix check of the observability profile, given broken policies', () => {
  const endpoints = endpointsOf(RUNS.observability);
  const named = (name: string) =>
    RUNS.observability.find((m) => m.object.kind === 'NetworkPolicy' && m.object.metadata.name === name)!.object;
  const policy = (object: KubeObject): Policy => ({ namespace: NAMESPACE, spec: (object as INetworkPolicy).spec! });
  const others = (...names: string[]) =>
    policiesOf(
      RUNS.observability.filter((m) => !(m.object.kind === 'NetworkPolicy' && names.includes(m.object.metadata.name))),
      NAMESPACE,
    );
  const check = (broken: Policy[]) => differences(reachability(broken, endpoints, NAMESPACE), EXPECTED.observability);

  test("fails without the services' side of the scrapes: Prometheus's egress alone does not get in", () => {
    expect(check(others('metrics-from-prometheus'))).toEqual({
      unexpected: [],
      missing: SERVICES.map((service) => `prometheus -> ${service}:3000/TCP`),
    });
  });

  test('fails when the services send their traces to the gRPC port, which the collector does not open to them', () => {
    const traces = edited(named('traces-to-otel-collector'), [['spec.egress.0.ports.0.port', 'otlp-grpc']]);

    expect(check([...others('traces-to-otel-collector'), policy(traces)])).toEqual({
      unexpected: [],
      missing: SERVICES.map((service) => `${service} -> otel-collector:4318/TCP`),
    });
  });

  test("fails when Prometheus's API-server rule loses its ports: it reaches any address on any port", () => {
    const prometheus = edited(named('prometheus'), [['spec.egress.2.ports', REMOVE]]);

    expect(check([...others('prometheus'), policy(prometheus)])).toEqual({
      unexpected: [
        'prometheus -> ingress-nginx:80/TCP',
        'prometheus -> internet:80/TCP',
        'prometheus -> private-address:10250/TCP',
        'prometheus -> stranger:3000/TCP',
      ],
      missing: [],
    });
  });

  test("fails when NATS's monitoring port accepts every namespace, not the exporter alone", () => {
    const monitor = edited(named('nats-monitor-from-exporter'), [['spec.ingress.0.from', [{ namespaceSelector: {} }]]]);

    expect(check([...others('nats-monitor-from-exporter'), policy(monitor)])).toEqual({
      unexpected: ['ingress-nginx -> nats:8222/TCP', 'kube-dns -> nats:8222/TCP', 'stranger -> nats:8222/TCP'],
      missing: [],
    });
  });
});

describe('the evaluator', () => {
  const pod = (name: string, namespace: string, ports = [tcp(3000, 'http')]): Endpoint => ({
    name,
    namespace,
    labels: { app: name },
    ip: '10.244.9.9',
    ports,
  });
  const a = pod('a', 'ns');
  const b = pod('b', 'ns');
  const c = pod('c', 'other');

  test('a pod no policy selects is open both ways; one with a policy of a type is closed that way only', () => {
    const ingressOnly: Policy = { namespace: 'ns', spec: { podSelector: { matchLabels: { app: 'b' } }, ingress: [] } };

    expect(allowed([], a, b, tcp(3000))).toBe(true);
    expect(allowed([ingressOnly], a, b, tcp(3000))).toBe(false);
    expect(allowed([ingressOnly], b, a, tcp(3000))).toBe(true);
  });

  test('namespaceSelector and podSelector in one peer both apply; in two peers either does', () => {
    const both = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } },
      podSelector: { matchLabels: { app: 'a' } },
    };
    const onePeer: Policy = {
      namespace: 'ns',
      spec: { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [both] }] },
    };
    const twoPeers: Policy = {
      namespace: 'ns',
      spec: {
        podSelector: { matchLabels: { app: 'b' } },
        ingress: [{ from: [{ namespaceSelector: both.namespaceSelector }, { podSelector: both.podSelector }] }],
      },
    };

    expect([allowed([onePeer], c, b, tcp(3000)), allowed([onePeer], a, b, tcp(3000))]).toEqual([false, false]);
    expect([allowed([twoPeers], c, b, tcp(3000)), allowed([twoPeers], a, b, tcp(3000))]).toEqual([true, true]);
  });

  test("a named port is the receiver's port of that name, and the protocol defaults to TCP", () => {
    const named: Policy = {
      namespace: 'ns',
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 'http' }] }] },
    };
    const other = pod('d', 'ns', [tcp(8080, 'http'), tcp(3000, 'admin')]);

    expect(allowed([named], a, b, tcp(3000))).toBe(true);
    expect(allowed([named], a, other, tcp(3000))).toBe(false);
    expect(allowed([named], a, other, tcp(8080))).toBe(true);
    expect(allowed([named], a, b, { port: 3000, protocol: 'UDP' })).toBe(false);
  });

  test('an ipBlock takes its block but not its exceptions', () => {
    const out: Policy = {
      namespace: 'ns',
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }],
      },
    };
    const address = (ip: string): Endpoint => ({ name: ip, ip, ports: [tcp(443)] });

    expect(allowed([out], a, address('93.184.215.14'), tcp(443))).toBe(true);
    expect(allowed([out], a, address('10.1.2.3'), tcp(443))).toBe(false);
  });
});
