import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './manifests';

/** One entry of services.json. */
export interface ServiceEntry {
  name: string;
  summary: string;
  /** False for a service without an HTTP API (it answers health checks only): no Service, no route. */
  api?: boolean;
}

/** The services, as the runner, the test tiers and these checks read them. */
export function loadServices(root = ROOT): ServiceEntry[] {
  return (JSON.parse(readFileSync(path.join(root, 'services.json'), 'utf8')) as { services: ServiceEntry[] }).services;
}

/** The one Dockerfile every Node service's image is built from, with `--build-arg SERVICE=<name>`. */
export const SERVICE_DOCKERFILE = 'infra/docker/service.Dockerfile';

/** What the infra of a service must have: its files, its objects in the deployed manifests, its image. */
export function deploymentGaps(
  service: ServiceEntry,
  deployed: { kind: string; name: string }[],
  artifacts: { image: string; docker?: { dockerfile?: string; buildArgs?: Record<string, string> } }[],
  root = ROOT,
): string[] {
  const { name } = service;
  const gaps: string[] = [];
  for (const file of [
    'package.json',
    'tsconfig.json',
    'src/index.ts',
    'src/service.ts',
    'drizzle/meta/_journal.json',
  ]) {
    if (!existsSync(path.join(root, name, file))) gaps.push(`no ${name}/${file}`);
  }
  const has = (kind: string, object: string) => deployed.some((d) => d.kind === kind && d.name === object);
  if (!has('Deployment', `${name}-depl`)) gaps.push(`no Deployment ${name}-depl`);
  if (service.api !== false && !has('Service', `${name}-srv`)) gaps.push(`no Service ${name}-srv`);
  if (!has('StatefulSet', `${name}-postgres`) || !has('Service', `${name}-postgres`)) {
    gaps.push(`no PostgreSQL ${name}-postgres (StatefulSet and Service)`);
  }
  const artifact = artifacts.find((a) => a.image === `ticketing/${name}`);
  if (!artifact) gaps.push(`no skaffold artifact ticketing/${name}`);
  else if (artifact.docker?.dockerfile !== SERVICE_DOCKERFILE || artifact.docker?.buildArgs?.SERVICE !== name) {
    gaps.push(`ticketing/${name} is not built from ${SERVICE_DOCKERFILE} with SERVICE=${name}`);
  }
  return gaps;
}
