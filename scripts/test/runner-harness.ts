import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '@ticketing/common/testing';

const FIXTURE = path.join(__dirname, 'fixtures', 'run-stack.mjs');

/** A runner (`npm start`'s code) in a process of its own, with its output collected. */
export interface RunnerProcess {
  child: ChildProcess;
  pid: number;
  lines: string[];
  /** The edge's URL once it printed UP. */
  url(): string;
  /** Resolves with the exit code (null when killed). */
  exited: Promise<number | null>;
}

/** Starts the stack in its own process on `dataDir`; `umask` runs it under that umask. */
export function spawnRunner(dataDir: string, { logLevel = 'warn', umask }: { logLevel?: string; umask?: string } = {}) {
  const command = umask
    ? spawn('/bin/sh', ['-c', `umask ${umask} && exec "$0" "$@"`, process.execPath, FIXTURE, dataDir, logLevel], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(process.execPath, [FIXTURE, dataDir, logLevel], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  const collect = (chunk: Buffer) => {
    partial += chunk.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  };
  command.stdout!.on('data', collect);
  command.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => command.once('exit', (code) => resolve(code)));
  const runner: RunnerProcess = {
    child: command,
    pid: command.pid!,
    lines,
    url: () => lines.find((line) => line.startsWith('UP '))!.slice(3),
    exited,
  };
  return runner;
}

/** Waits for the runner's UP (or FAILED) line; throws with its output on failure. */
export async function waitUntilUp(runner: RunnerProcess, timeoutMs = 120_000): Promise<string> {
  await waitFor(() => runner.lines.some((line) => /^(UP|FAILED) /.test(line)), {
    timeoutMs,
    intervalMs: 100,
    message: 'the stack to start',
  });
  if (!runner.lines.some((line) => line.startsWith('UP '))) {
    throw new Error(`the stack did not start:\n${runner.lines.join('\n')}`);
  }
  return runner.url();
}

/** The parent pid of each live process. */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name may hold spaces and parentheses: the fields after the last ')' are fixed.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      map.set(Number(name), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  return map;
}

/** Every live descendant of `pid` (children, their children, …). */
export function descendants(pid: number): number[] {
  const byParent = parents();
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const [child, ppid] of byParent) {
      if (ppid === parent && !found.includes(child)) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}

/** True while `pid` runs (a zombie waiting to be reaped counts as ended). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Kills what is left of a test's processes, so that a failed test leaves nothing behind. */
export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
