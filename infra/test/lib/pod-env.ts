import type { IContainer } from 'kubernetes-models/v1/Container';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Manifest, ROOT } from './manifests';

/** Secret name → key → a value of the shape the README's command creates. */
export type SecretValues = Record<string, Record<string, string>>;

/**
 * The secrets infra/README.md tells the reader to create, from its
 * `kubectl create secret generic NAME --from-literal=KEY=VALUE` commands (a value
 * `"$(openssl rand -hex N)"` becomes 2N hex digits, as openssl would print) and its
 * `kubectl create secret tls NAME` commands (keys tls.crt and tls.key).
 */
export function readmeSecrets(readme = readFileSync(path.join(ROOT, 'infra', 'README.md'), 'utf8')): SecretValues {
  const secrets: SecretValues = {};
  const joined = readme.replace(/\\\n\s*/g, ' ');
  for (const [, name] of joined.matchAll(/kubectl create secret tls (\S+)/g)) {
    secrets[name!] = { 'tls.crt': 'certificate', 'tls.key': 'key' };
  }
  const commands = joined.match(/kubectl create secret generic [^\n]+/g) ?? [];
  for (const command of commands) {
    const name = /generic\s+(\S+)/.exec(command)![1]!;
    for (const [, key, raw] of command.matchAll(/--from-literal=([A-Za-z0-9_.-]+)=("[^"]*"|\S+)/g)) {
      const value = raw!.replace(/^"|"$/g, '');
      const random = /^\$\(openssl rand -hex (\d+)\)$/.exec(value);
      (secrets[name] ??= {})[key!] = random ? 'a1'.repeat(Number(random[1])) : value;
    }
  }
  return secrets;
}

/** What a pod's environment can draw on besides literals. */
export interface EnvSources {
  secrets: SecretValues;
  manifests: Manifest[];
  podName: string;
  namespace: string;
}

/**
 * The environment a container starts with, resolved as the kubelet does: literal values,
 * secret and ConfigMap keys, the pod's own fields, and `$(NAME)` references to variables
 * defined earlier in the list (`$$` escapes, an unknown reference stays as written). A
 * missing secret, ConfigMap or key throws, as the kubelet refuses to start the container,
 * unless the reference is `optional`: then the variable is left unset.
 */
export function resolveEnv(container: IContainer, sources: EnvSources): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    let value: string;
    if (from?.secretKeyRef) {
      const { name, key, optional } = from.secretKeyRef;
      const found = sources.secrets[name ?? '']?.[key];
      if (found === undefined && optional) continue;
      if (found === undefined) throw new Error(`${variable.name}: no secret ${name} with key ${key}`);
      value = found;
    } else if (from?.configMapKeyRef) {
      const { name, key, optional } = from.configMapKeyRef;
      const map = sources.manifests.find((m) => m.object.kind === 'ConfigMap' && m.object.metadata.name === name);
      const found = (map?.object.data as Record<string, string> | undefined)?.[key];
      if (found === undefined && optional) continue;
      if (found === undefined) throw new Error(`${variable.name}: no ConfigMap ${name} with key ${key}`);
      value = found;
    } else if (from?.fieldRef) {
      const fields: Record<string, string> = {
        'metadata.name': sources.podName,
        'metadata.namespace': sources.namespace,
      };
      const found = fields[from.fieldRef.fieldPath];
      if (found === undefined) throw new Error(`${variable.name}: field ${from.fieldRef.fieldPath} is not modelled`);
      value = found;
    } else if (from) {
      throw new Error(`${variable.name}: valueFrom ${Object.keys(from).join(', ')} is not modelled`);
    } else {
      value = expand(variable.value ?? '', env);
    }
    env[variable.name] = value;
  }
  return env;
}

function expand(value: string, defined: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name: string | undefined) =>
    name === undefined ? '$' : (defined[name] ?? match),
  );
}

/** The names a value refers to with `$(NAME)`. */
export function references(value: string): string[] {
  return [...value.replace(/\$\$/g, '').matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => m[1]!);
}
