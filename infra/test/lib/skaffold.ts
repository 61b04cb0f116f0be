import Ajv from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadManifests, type Manifest, ROOT } from './manifests';

/** One image skaffold builds. */
export interface SkaffoldArtifact {
  image: string;
  context?: string;
  docker?: { dockerfile?: string; target?: string; buildArgs?: Record<string, string> };
  sync?: { manual?: { src: string; dest: string; strip?: string }[] };
}

/** The sections of skaffold.yaml that a profile can override. */
export interface SkaffoldSections {
  build?: { artifacts?: SkaffoldArtifact[]; local?: { push?: boolean } };
  manifests?: { rawYaml?: string[] };
  deploy?: { kubectl?: Record<string, unknown> };
}

/** One JSON Patch operation of a profile (RFC 6902; skaffold's `op` defaults to replace). */
export interface SkaffoldPatch {
  op?: string;
  path: string;
  from?: string;
  value?: unknown;
}

/** skaffold.yaml as far as these tests read it. */
export interface SkaffoldConfig extends SkaffoldSections {
  apiVersion: string;
  kind: string;
  profiles?: (SkaffoldSections & {
    name: string;
    activation?: { command?: string }[];
    patches?: SkaffoldPatch[];
  })[];
}

export const SKAFFOLD_FILE = path.join(ROOT, 'skaffold.yaml');

/** skaffold.yaml, parsed. */
export function loadSkaffold(text = readFileSync(SKAFFOLD_FILE, 'utf8')): SkaffoldConfig {
  return parse(text) as SkaffoldConfig;
}

const schema = JSON.parse(
  readFileSync(path.join(__dirname, '..', 'schemas', 'skaffold-v4beta13-subset.schema.json'), 'utf8'),
);
const validateSchema = new Ajv({ allErrors: true }).compile(schema);

/** Problems of a skaffold config against the v4beta13 subset schema, as `path message` lines. */
export function validateSkaffold(config: unknown): string[] {
  if (validateSchema(config)) return [];
  return (validateSchema.errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : '';
    return `${e.instancePath || '(root)'} ${e.message}${extra}`;
  });
}

/**
 * The config with the named profiles applied in order, the way skaffold applies them
 * (pkg/skaffold/schema/profiles.go): first the profile's sections overlay the config, objects
 * merging field by field while lists and scalars replace the config's; then its patches
 * apply, in order, to the result.
 */
export function applyProfiles(config: SkaffoldConfig, names: readonly string[]): SkaffoldSections {
  let sections: SkaffoldSections = { build: config.build, manifests: config.manifests, deploy: config.deploy };
  for (const name of names) {
    const profile = config.profiles?.find((p) => p.name === name);
    if (!profile) throw new Error(`skaffold.yaml has no profile ${name}`);
    sections = overlay(sections, { build: profile.build, manifests: profile.manifests, deploy: profile.deploy });
    for (const patch of profile.patches ?? []) sections = applyPatch(sections, patch, name);
  }
  return sections;
}

/**
 * One JSON Patch operation (add, remove or replace; skaffold's default op is replace) on a
 * copy of the sections. A path that leads nowhere throws, as skaffold fails with
 * "invalid path"; so does an operation or a section these tests do not model.
 */
export function applyPatch(sections: SkaffoldSections, patch: SkaffoldPatch, profile = '(patch)'): SkaffoldSections {
  const op = patch.op ?? 'replace';
  const fail = (why: string) => new Error(`profile ${profile}: ${op} ${patch.path}: ${why}`);
  if (!['add', 'remove', 'replace'].includes(op)) throw fail('operation not modelled');
  const keys = patch.path
    .split('/')
    .slice(1)
    .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (!patch.path.startsWith('/') || !['build', 'manifests', 'deploy'].includes(keys[0] ?? '')) {
    throw fail('only paths into build, manifests and deploy are modelled');
  }
  const copy = structuredClone(sections) as Record<string, unknown>;
  const last = keys.pop()!;
  let parent: unknown = copy;
  for (const key of keys) {
    parent = isPlainObject(parent) || Array.isArray(parent) ? (parent as Record<string, unknown>)[key] : undefined;
    if (parent === undefined) throw fail('invalid path');
  }
  if (Array.isArray(parent)) {
    const index = last === '-' && op === 'add' ? parent.length : Number(last);
    const bound = op === 'add' ? parent.length : parent.length - 1;
    if (!/^(0|[1-9]\d*|-)$/.test(last) || !(index >= 0 && index <= bound)) throw fail('invalid path');
    parent.splice(index, op === 'add' ? 0 : 1, ...(op === 'remove' ? [] : [structuredClone(patch.value)]));
  } else if (isPlainObject(parent)) {
    if (op !== 'add' && !(last in parent)) throw fail('invalid path');
    if (op === 'remove') delete parent[last];
    else parent[last] = structuredClone(patch.value);
  } else {
    throw fail('invalid path');
  }
  return copy as SkaffoldSections;
}

function overlay<T>(base: T, over: T): T {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = overlay(merged[key], value);
  return merged as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The files a list of rawYaml patterns names, relative to the repository root. Only plain
 * paths and a `*` within the file name are supported; anything else throws, so a pattern
 * these tests cannot follow does not go unchecked.
 */
export function resolveRawYaml(patterns: readonly string[]): string[] {
  const files = patterns.flatMap((pattern) => {
    const dir = path.posix.dirname(pattern);
    const base = path.posix.basename(pattern);
    if (/[*?[{]/.test(dir) || /[?[{]/.test(base)) throw new Error(`unsupported rawYaml pattern ${pattern}`);
    if (!base.includes('*')) return [pattern];
    const matcher = new RegExp(`^${base.split('*').map(escapeRegExp).join('[^/]*')}$`);
    const matched = readdirSync(path.join(ROOT, dir))
      .filter((name) => matcher.test(name))
      .map((name) => path.posix.join(dir, name));
    if (matched.length === 0) throw new Error(`rawYaml pattern ${pattern} matches no file`);
    return matched.sort();
  });
  return [...new Set(files)];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One way of running skaffold: the profiles it activates. */
export interface SkaffoldRun {
  name: string;
  profiles: string[];
}

/**
 * Every combination the README documents: `skaffold run` and `skaffold dev` (which
 * activates dev-loop), each with the Ingress or with the Gateway API, the production shape,
 * and traces and metrics with them (observability, named last: skaffold applies profiles in
 * the order they are named, after the ones it activates by itself).
 */
export const SKAFFOLD_RUNS: SkaffoldRun[] = [
  { name: 'skaffold run', profiles: [] },
  { name: 'skaffold dev', profiles: ['dev-loop'] },
  { name: 'skaffold run -p gateway-api', profiles: ['gateway-api'] },
  { name: 'skaffold dev -p gateway-api', profiles: ['dev-loop', 'gateway-api'] },
  { name: 'skaffold run -p production', profiles: ['production'] },
  { name: 'skaffold run -p observability', profiles: ['observability'] },
  { name: 'skaffold dev -p observability', profiles: ['dev-loop', 'observability'] },
  { name: 'skaffold run -p gateway-api,observability', profiles: ['gateway-api', 'observability'] },
  { name: 'skaffold run -p production,observability', profiles: ['production', 'observability'] },
];

/** The objects a run deploys. */
export function deployedManifests(config: SkaffoldConfig, profiles: readonly string[]): Manifest[] {
  return loadManifests(resolveRawYaml(applyProfiles(config, profiles).manifests?.rawYaml ?? []));
}
