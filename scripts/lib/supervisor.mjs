// Runs one child process, prefixes its output, restarts it with backoff when it crashes.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { formatLine } from './log-format.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Preloaded into Node children: they end with the runner (see child-preload.cjs). */
export const CHILD_PRELOAD = path.join(here, 'child-preload.cjs');
/** Wraps programs that are not Node so they end with the runner too (see child-guard.cjs). */
export const CHILD_GUARD = path.join(here, 'child-guard.cjs');

const MAX_BACKOFF_MS = 30_000;
const STABLE_AFTER_MS = 30_000;
const DEFAULT_GRACE_MS = 3_000;

function signalGroup(pid, signal) {
  try {
    // Children lead their own process group: this reaches whatever they started too.
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export class SupervisedProcess {
  /**
   * A child the runner supervises. Node programs run with the child preload; anything else
   * runs under the child guard (which may also hold a directory lock for it). Either way the
   * child has an IPC channel to the runner, which the kernel closes when the runner ends.
   * @param {{ name: string, command: string, args: string[], cwd?: string, env: NodeJS.ProcessEnv,
   *   print: (line: string) => void, color?: boolean, node?: boolean, lock?: string,
   *   user?: { uid: number, gid: number, capabilities?: string[] }, stopSignal?: string }} options
   *   `node`: the command is Node (default true when it is process.execPath);
   *   `lock`: a directory the guard locks for a program that is not Node;
   *   `user`: `{ uid, gid }` the guard runs it as; `stopSignal`: what stopping it sends (SIGTERM).
   */
  constructor(options) {
    this.options = options;
    this.stopping = false;
    this.backoffMs = 1_000;
    /** @type {import('node:child_process').ChildProcess | undefined} */
    this.child = undefined;
    this.restartTimer = undefined;
    this.lineWatchers = new Set();
  }

  get name() {
    return this.options.name;
  }

  /** The command line actually run: the preload for Node, the guard for anything else. */
  commandLine() {
    const { command, args, name, lock, user, stopSignal } = this.options;
    const node = this.options.node ?? command === process.execPath;
    if (node) return [process.execPath, ['--require', CHILD_PRELOAD, ...args]];
    const guardOptions = [
      ...(lock ? ['--lock', lock, '--owner', name] : []),
      ...(user ? ['--user', [user.uid, user.gid, ...(user.capabilities ?? [])].join(':')] : []),
      ...(stopSignal ? ['--stop-signal', stopSignal] : []),
    ];
    return [process.execPath, [CHILD_GUARD, ...guardOptions, '--', command, ...args]];
  }

  start() {
    const { name, cwd, env, print, color } = this.options;
    const startedAt = Date.now();
    const [command, args] = this.commandLine();
    // Its own process group: Ctrl-C reaches the runner only, which stops children in order.
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
    this.child = child;
    // The channel only signals the runner's end; the runner must not wait on it.
    child.channel?.unref();
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        print(formatLine(name, line, color));
        for (const watcher of this.lineWatchers) watcher(line);
      });
    }
    let ended = false;
    // A process that could not be spawned emits 'error' and never 'exit': restart it alike.
    const onEnd = (reason) => {
      if (ended) return;
      ended = true;
      if (this.child === child) this.child = undefined;
      // Whatever it started goes with it.
      if (child.pid) signalGroup(child.pid, 'SIGKILL');
      if (this.stopping) return;
      if (Date.now() - startedAt > STABLE_AFTER_MS) this.backoffMs = 1_000;
      const delay = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
      print(formatLine('runner', `${name} ${reason}; restarting in ${delay / 1000} s`, color));
      this.restartTimer = setTimeout(() => this.start(), delay);
    };
    child.once('error', (error) => onEnd(`could not start (${error.message})`));
    child.once('exit', (code, signal) => onEnd(`exited (${signal ?? `code ${code}`})`));
  }

  /** Calls `then` for every line of its output, in any run of it, that `test` accepts. */
  onLine(test, then) {
    this.lineWatchers.add((line) => {
      if (test(line)) then(line);
    });
  }

  /** Resolves with the first line of its output that `test` accepts. */
  waitForLine(test) {
    return new Promise((resolve) => {
      const watcher = (line) => {
        if (!test(line)) return;
        this.lineWatchers.delete(watcher);
        resolve(line);
      };
      this.lineWatchers.add(watcher);
    });
  }

  /**
   * Sends SIGTERM and waits for the exit; after `graceMs` kills its whole process group.
   * Resolves with how it ended: 'exited', 'killed', or 'not running'.
   */
  async stop(graceMs = DEFAULT_GRACE_MS) {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return 'not running';
    return new Promise((resolve) => {
      let killed = false;
      const force = setTimeout(() => {
        killed = true;
        signalGroup(child.pid, 'SIGKILL');
      }, graceMs);
      child.once('exit', () => {
        clearTimeout(force);
        resolve(killed ? 'killed' : 'exited');
      });
      child.kill('SIGTERM');
    });
  }

  /** When the runner itself is exiting and cannot wait: signals the whole group, SIGTERM by default. */
  killNow(signal = 'SIGTERM') {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    if (this.child?.pid) signalGroup(this.child.pid, signal);
  }
}
