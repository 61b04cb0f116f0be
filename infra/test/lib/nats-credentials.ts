import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './manifests';
import type { SecretValues } from './pod-env';

/** `npm run nats-credentials`: makes the bus's Secrets (nats-seeds, nats-users) into a folder. */
export const CREDENTIALS_SCRIPT = path.join(ROOT, 'scripts', 'nats-credentials.mjs');

/** Runs the credentials script with `args`, as a child process. */
export function runCredentialsScript(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const { status, stdout, stderr } = spawnSync(process.execPath, [CREDENTIALS_SCRIPT, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status, stdout, stderr };
}

/** A Secret manifest the script wrote, its data decoded. */
export interface SecretFile {
  file: string;
  object: { apiVersion: string; kind: string; metadata: { name: string }; type?: string; data: Record<string, string> };
  values: Record<string, string>;
}

/** The Secret manifests in `dir`, with their values decoded. */
export function readSecretFiles(dir: string): SecretFile[] {
  return readdirSync(dir)
    .sort()
    .map((file) => {
      const object = parse(readFileSync(path.join(dir, file), 'utf8')) as SecretFile['object'];
      const values = Object.fromEntries(
        Object.entries(object.data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]),
      );
      return { file, object, values };
    });
}

/** A fresh set of the bus's Secrets, as `npm run nats-credentials` makes them: name → key → value. */
export function generatedSecrets(): SecretValues {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nats-credentials-'));
  try {
    const run = runCredentialsScript(['--out', path.join(dir, 'secrets')]);
    if (run.status !== 0) throw new Error(`scripts/nats-credentials.mjs failed: ${run.stderr}`);
    return Object.fromEntries(
      readSecretFiles(path.join(dir, 'secrets')).map((s) => [s.object.metadata.name, s.values]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
