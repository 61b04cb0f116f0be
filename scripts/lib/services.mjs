// The one list of services (services.json): the runner, the test tiers, the jest projects,
// the log colours and the infra checks all read it, so a new service is a folder plus an entry.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * @typedef {{ name: string, summary: string, api?: boolean }} ServiceEntry
 * `api: false` marks a service without an HTTP API: it answers health checks only, and has
 * no Kubernetes Service or route.
 */

/** The services, in start order. @returns {ServiceEntry[]} */
export function loadServices(root) {
  return JSON.parse(readFileSync(path.join(root, 'services.json'), 'utf8')).services;
}

/** The Kubernetes Service (and local port map key) of a service: `<name>-srv`. */
export function serviceHost(name) {
  return `${name}-srv`;
}

/** The variable that points one service at a PostgreSQL server under `npm start`: `<NAME>_DATABASE_URL`. */
export function databaseUrlVariable(name) {
  return `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_DATABASE_URL`;
}
