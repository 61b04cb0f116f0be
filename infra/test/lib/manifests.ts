import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
/** The manifests `skaffold dev` deploys: the services, their stores, NATS and the Ingress. */
export const K8S_DIR = path.join(ROOT, 'infra', 'k8s');
/** The Gateway API variant: a Gateway, its HTTPRoute and the client's matching config. */
export const GATEWAY_DIR = path.join(ROOT, 'infra', 'k8s-gateway');
/** The production variant: the 3-node NATS cluster in place of infra/k8s/nats-depl.yaml. */
export const PRODUCTION_DIR = path.join(ROOT, 'infra', 'k8s-production');
/** Traces and metrics: the OpenTelemetry Collector, Jaeger, Prometheus, the NATS exporter, their policies. */
export const OBSERVABILITY_DIR = path.join(ROOT, 'infra', 'k8s-observability');

/** A Kubernetes object as read from YAML, before any validation. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** One object of a manifest file, with where it came from. */
export interface Manifest {
  file: string;
  index: number;
  object: KubeObject;
}

/**
 * Parses every document of a YAML stream as kubectl does (YAML 1.1: `yes` is a boolean
 * there, so a value that kubectl would mistype is mistyped here too). Empty documents
 * are skipped; a YAML syntax error throws, naming the file.
 */
export function parseManifests(text: string, file: string): Manifest[] {
  const manifests: Manifest[] = [];
  parseAllDocuments(text, { version: '1.1' }).forEach((document, index) => {
    if ('errors' in document && document.errors.length > 0) {
      throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
    }
    const object = document.toJS() as KubeObject | null;
    if (object !== null) manifests.push({ file, index, object });
  });
  return manifests;
}

/** The YAML files of a directory, sorted, relative to the repository root. */
export function manifestFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.relative(ROOT, path.join(dir, name)));
}

/** Every object in the given files (relative to the repository root). */
export function loadManifests(files: string[]): Manifest[] {
  return files.flatMap((file) => parseManifests(readFileSync(path.join(ROOT, file), 'utf8'), file));
}

/** The one object of a kind and name; throws when there is none or several. */
export function findObject<T = KubeObject>(manifests: Manifest[], kind: string, name: string): T {
  const found = manifests.filter((m) => m.object.kind === kind && m.object.metadata?.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0]!.object as T;
}

/** `Kind/name (file#index)`, for messages. */
export function nameOf(manifest: Manifest): string {
  return `${manifest.object.kind}/${manifest.object.metadata?.name} (${manifest.file}#${manifest.index})`;
}
