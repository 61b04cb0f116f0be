import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { edited, REMOVE } from './lib/edit';
import { formatProblems, validateObjects } from './lib/kube-schema';
import {
  findObject,
  GATEWAY_DIR,
  K8S_DIR,
  type KubeObject,
  loadManifests,
  manifestFiles,
  nameOf,
  OBSERVABILITY_DIR,
  parseManifests,
  PRODUCTION_DIR,
} from './lib/manifests';

const manifests = loadManifests([
  ...manifestFiles(K8S_DIR),
  ...manifestFiles(GATEWAY_DIR),
  ...manifestFiles(PRODUCTION_DIR),
  ...manifestFiles(OBSERVABILITY_DIR),
]);

describe('every manifest against the pinned schemas', () => {
  const results = validateObjects(manifests.map((m) => m.object));

  test.each(manifests.map((m, i) => [nameOf(m), i] as const))(
    '%s validates against its Kubernetes v1.36 / Gateway API v1 schema with no unknown fields',
    (_name, i) => {
      expect(formatProblems(results[i]!)).toEqual([]);
    },
  );

  test('no two objects of one folder share a kind and a name', () => {
    for (const dir of ['infra/k8s/', 'infra/k8s-gateway/', 'infra/k8s-production/', 'infra/k8s-observability/']) {
      const keys = manifests
        .filter((m) => m.file.startsWith(dir))
        .map((m) => `${m.object.kind}/${m.object.metadata.name}`);
      expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
    }
  });
});

describe('a broken manifest', () => {
  const deployment = findObject(manifests, 'Deployment', 'auth-depl');
  const route = findObject<IHTTPRoute & KubeObject>(manifests, 'HTTPRoute', 'ticketing-route');

  const container = 'spec.template.spec.containers.0';
  const backends = route.spec.rules?.[0]?.backendRefs;
  const cases: [situation: string, object: KubeObject, expected: string][] = [
    [
      'a misspelled container field',
      edited(deployment, [[`${container}.imagePullPolicyy`, 'Always']]),
      'spec.template.spec.containers[0].imagePullPolicyy unknown field "imagePullPolicyy"',
    ],
    [
      'a misspelled spec field',
      edited(deployment, [
        ['spec.replica', 2],
        ['spec.replicas', REMOVE],
      ]),
      'spec.replica unknown field "replica"',
    ],
    [
      'a field at the wrong level',
      edited(deployment, [['spec.template.spec.ports', [{ containerPort: 3000 }]]]),
      'spec.template.spec.ports unknown field "ports"',
    ],
    [
      'a number where the schema wants an integer',
      edited(deployment, [['spec.replicas', 'two']]),
      '/spec/replicas must be integer',
    ],
    [
      'an env value that is not a string',
      edited(deployment, [[`${container}.env.0.value`, 3000]]),
      '/spec/template/spec/containers/0/env/0/value must be string',
    ],
    [
      'a value outside an enum',
      edited(deployment, [[`${container}.imagePullPolicy`, 'Sometimes']]),
      '/spec/template/spec/containers/0/imagePullPolicy must be equal to one of the allowed values',
    ],
    [
      'a container without its required name',
      edited(deployment, [[`${container}.name`, REMOVE]]),
      '/spec/template/spec/containers/0 must have required property name',
    ],
    [
      'a Deployment without its required selector',
      edited(deployment, [['spec.selector', REMOVE]]),
      '/spec must have required property selector',
    ],
    ['a misspelled kind', edited(deployment, [['kind', 'Deploymnet']]), '(root) unknown kind apps/v1/Deploymnet'],
    [
      'an HTTPRoute with a misspelled backendRefs',
      edited(route, [
        ['spec.rules.0.backendRef', backends],
        ['spec.rules.0.backendRefs', REMOVE],
      ]),
      'spec.rules[0].backendRef unknown field "backendRef"',
    ],
    [
      'an HTTPRoute match type that does not exist',
      edited(route, [['spec.rules.0.matches.0.path.type', 'Prefix']]),
      '/spec/rules/0/matches/0/path/type must be equal to one of the allowed values',
    ],
  ];

  const results = validateObjects(cases.map(([, object]) => object));

  test.each(cases.map(([situation, , expected], i) => [situation, expected, i] as const))(
    'with %s fails validation, naming it',
    (_situation, expected, i) => {
      expect(formatProblems(results[i]!)).toContain(expected);
    },
  );

  test('whose YAML 1.1 reading turns an unquoted yes into a boolean fails validation, as kubectl would', () => {
    const [manifest] = parseManifests(
      ['apiVersion: v1', 'kind: ConfigMap', 'metadata: { name: flags }', 'data:', '  COOKIE_SECURE: yes'].join('\n'),
      'inline.yaml',
    );

    const [problems] = validateObjects([manifest!.object]);

    expect(formatProblems(problems!)).toContain('/data/COOKIE_SECURE must be string');
  });

  test('that is not valid YAML fails to load, naming the file', () => {
    expect(() => parseManifests('kind: Service\nmetadata:\n  name: [unclosed\n', 'bad.yaml')).toThrow(/bad\.yaml/);
  });
});
