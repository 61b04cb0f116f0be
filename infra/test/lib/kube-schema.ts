import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './manifests';
import { findUnknownFields } from './unknown-fields';

/** One way an object breaks its schema; `path` is a JSON pointer or a dotted field path. */
export interface SchemaProblem {
  path: string;
  message: string;
}

const WORKER = path.join(__dirname, 'kube-schema-worker.mjs');

/**
 * Checks objects against the Kubernetes v1.36 OpenAPI schemas shipped in kubernetes-models
 * (and the Gateway API v1 schemas in @kubernetes-models/gateway-api): kind, types, enums,
 * formats and required fields, plus fields that no schema declares. Returns the problems
 * of each object, in order; an empty list means valid.
 */
export function validateObjects(objects: readonly unknown[]): SchemaProblem[][] {
  const output = execFileSync(process.execPath, [WORKER], {
    cwd: ROOT,
    input: JSON.stringify(objects),
    maxBuffer: 64 * 1024 * 1024,
  });
  const schema = JSON.parse(output.toString('utf8')) as { errors: SchemaProblem[] }[];
  const unknown = findUnknownFields(objects);
  return objects.map((_, i) => [...schema[i]!.errors, ...unknown[i]!]);
}

/** `path message` lines, for a readable assertion failure. */
export function formatProblems(problems: SchemaProblem[]): string[] {
  return problems.map((p) => `${p.path || '(root)'} ${p.message}`);
}
