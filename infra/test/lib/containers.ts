import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PODMAN_FLAGS, RUN_LIMITS } from '../../../scripts/lib/images.mjs';

const run = promisify(execFile);

/** Runs podman with this machine's runtime flags; resolves with its output, rejects on a non-zero exit. */
export async function podman(args: string[]): Promise<string> {
  const { stdout } = await run('podman', [...PODMAN_FLAGS, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** What a container is started with: its image, its name and label, its environment. */
export interface ContainerSpec {
  image: string;
  name: string;
  /** `key=value`, marks every container of one run of the tier, so that run removes them all. */
  label: string;
  env: Record<string, string>;
}

/**
 * Starts a container in the background on the host's network (the harness's nats-server
 * and PostgreSQL listen on loopback), as the image says: its user, its command. Returns its id.
 */
export async function startContainer({ image, name, label, env }: ContainerSpec): Promise<string> {
  const envFlags = Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
  const id = await podman([
    'run',
    '--detach',
    '--name',
    name,
    '--label',
    label,
    '--network',
    'host',
    ...RUN_LIMITS,
    ...envFlags,
    image,
  ]);
  return id.trim();
}

/** The last lines a container printed, for a failure's message. */
export async function logsOf(id: string, lines = 60): Promise<string> {
  const { stdout, stderr } = await run('podman', [...PODMAN_FLAGS, 'logs', '--tail', String(lines), id]).catch(
    (error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
  );
  return `${stdout}${stderr}`.trimEnd();
}

/** A container's state: running or not, and its exit code once it has exited. */
export async function stateOf(id: string): Promise<{ status: string; exitCode: number }> {
  const [status, exitCode] = (await podman(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', id]))
    .trim()
    .split(' ');
  return { status: status!, exitCode: Number(exitCode) };
}

/**
 * `podman stop`: SIGTERM to PID 1, SIGKILL after `timeoutSeconds`. Resolves with how long
 * the container took to exit and its exit code.
 */
export async function stopContainer(
  id: string,
  timeoutSeconds: number,
): Promise<{ seconds: number; exitCode: number }> {
  const started = Date.now();
  await podman(['stop', '--time', String(timeoutSeconds), id]);
  const seconds = (Date.now() - started) / 1000;
  return { seconds, exitCode: (await stateOf(id)).exitCode };
}

/** Removes every container carrying the label, running or not. */
export async function removeContainers(label: string): Promise<void> {
  const ids = (await podman(['ps', '--all', '--quiet', '--filter', `label=${label}`])).split('\n').filter(Boolean);
  if (ids.length > 0) await podman(['rm', '--force', '--time', '0', ...ids]);
}

/** Runs `node -e script` inside a running container (as its user) and parses what it prints as JSON. */
export async function nodeIn<T>(id: string, script: string): Promise<T> {
  return JSON.parse(await podman(['exec', id, 'node', '-e', script])) as T;
}
