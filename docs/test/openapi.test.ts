import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { listRoutes } from '@ticketing/common/http';
import { loadApiSpec, renderApiDocs } from '../../scripts/lib/api-docs.mjs';
import { scenarios } from './scenarios';
import { startServiceApps, type ServiceApps } from './services';

const root = path.join(__dirname, '..', '..');
const spec = loadApiSpec(root);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

type Response = {
  description: string;
  headers?: Record<string, { required?: boolean; $ref?: string }>;
  content?: Record<string, { schema: object }>;
};

function resolve<T>(node: T): T {
  const ref = (node as { $ref?: string }).$ref;
  if (!ref) return node;
  const target: unknown = ref
    .split('/')
    .slice(1)
    .reduce((at: Record<string, unknown>, key) => at[key] as Record<string, unknown>, spec);
  return resolve(target as T);
}

/** Every documented answer: `'<METHOD> <path> <status>'` and its response object. */
const documented: [string, Response][] = Object.entries(
  spec.paths as Record<string, Record<string, { responses: Record<string, Response> }>>,
).flatMap(([route, item]) =>
  METHODS.filter((method) => item[method]).flatMap((method) =>
    Object.entries(item[method]!.responses).map(([status, response]): [string, Response] => [
      `${method.toUpperCase()} ${route} ${status}`,
      resolve(response),
    ]),
  ),
);

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)) && /^\d{4}-\d\d-\d\dT/.test(value));
ajv.addFormat('email', /^[^\s@]+@[^\s@]+$/);
ajv.addSchema({ ...spec, $id: 'openapi' });

let apps: ServiceApps;

// Eight databases (four services, and each one gone), each migrated first on a machine that has no template yet.
beforeAll(async () => {
  apps = await startServiceApps();
}, 120_000);

afterAll(async () => {
  await apps?.close();
});

describe('docs/openapi.yaml', () => {
  it('documents every route the services serve, and no route they do not', () => {
    const served = new Set([
      ...apps.own.flatMap((app) =>
        listRoutes(app).map(({ method, path: route }) => `${method} ${route.replace(/:(\w+)/g, '{$1}')}`),
      ),
      // Answered in front of every service's app (ServiceMetrics.instrument).
      'GET /metrics',
    ]);
    const routes = new Set(documented.map(([key]) => key.split(' ').slice(0, 2).join(' ')));

    expect([...routes].sort()).toEqual([...served].sort());
  });

  it('shows every documented answer in a test, and tests no answer it does not document', () => {
    expect(Object.keys(scenarios).sort()).toEqual(documented.map(([key]) => key).sort());
  });

  it.each(documented)('%s: the service answers as documented', async (key, response) => {
    const status = Number(key.split(' ')[2]);
    const scenario = scenarios[key];
    expect(scenario).toBeDefined();

    const answer = await scenario!(apps);

    expect({ key, status: answer.status }).toEqual({ key, status });
    const schema = response.content?.['application/json']?.schema;
    if (schema) {
      const validate = ajv.compile(resolveRefs(schema));
      const valid = validate(answer.body);
      expect({ key, body: answer.body, errors: valid ? [] : validate.errors }).toEqual({
        key,
        body: answer.body,
        errors: [],
      });
    }
    for (const [header, definition] of Object.entries(response.headers ?? {})) {
      if (resolve(definition).required || header === 'Set-Cookie')
        expect({ key, [header]: answer.get(header) }).toEqual({ key, [header]: expect.anything() });
    }
  });

  it('is rendered for people in docs/API.md, up to date (npm run docs)', () => {
    expect(readFileSync(path.join(root, 'docs', 'API.md'), 'utf8')).toBe(renderApiDocs(spec));
  });
});

/** The schema with its `#/components/...` references made to point into the registered document. */
function resolveRefs(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"openapi#/'));
}
