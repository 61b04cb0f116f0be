// Validates Kubernetes objects with the OpenAPI validators that kubernetes-models and
// @kubernetes-models/gateway-api ship. Those packages are ESM-only and jest runs the tests
// as CommonJS, so the tests run this file in a child process: JSON array of objects on
// stdin, one `{ errors: [{ path, message }] }` per object on stdout.
import { readFileSync } from 'node:fs';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

function modelModule(apiVersion) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === GATEWAY_GROUP) return `@kubernetes-models/gateway-api/${GATEWAY_GROUP}/${version}`;
  return group === '' ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
}

async function validate(object) {
  if (typeof object?.apiVersion !== 'string' || typeof object?.kind !== 'string') {
    return [{ path: '', message: 'apiVersion and kind must be strings' }];
  }
  let Model;
  try {
    Model = (await import(modelModule(object.apiVersion)))[object.kind];
  } catch {
    Model = undefined;
  }
  if (typeof Model !== 'function') {
    return [{ path: '', message: `unknown kind ${object.apiVersion}/${object.kind}` }];
  }
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    if (!Array.isArray(error.errors)) throw error;
    return error.errors.map((e) => ({ path: e.instancePath, message: e.message }));
  }
}

const objects = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const object of objects) results.push({ errors: await validate(object) });
process.stdout.write(JSON.stringify(results));
