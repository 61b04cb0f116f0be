// Runs one child process, prefixes its output, restarts it with backoff when it crashes.
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { formatLine } from './log-format.mjs';

const MAX_BACKOFF_MS = 30_000;
const STABLE_AFTER_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export class SupervisedProcess {
  /**
   * @param {{ name: string, command: string, args: string[], cwd?: string, env: NodeJS.ProcessEnv,
   *   print: (line: string) => void, color?: boolean }} options
   */
  constructor(options) {
    this.options = options;
    this.stopping = false;
    this.backoffMs = 1_000;
    this.child = undefined;
    this.restartTimer = undefined;
  }

  get name() {
    return this.options.name;
  }

  start() {
    const { name, command, args, cwd, env, print, color } = this.options;
    const startedAt = Date.now();
    // Its own process group: Ctrl-C reaches the runner only, which stops children in order.
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => print(formatLine(name, line, color)));
    }
    let ended = false;
    // A process that could not be spawned emits 'error' and never 'exit': restart it alike.
    const onEnd = (reason) => {
      if (ended) return;
      ended = true;
      if (this.child === child) this.child = undefined;
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

  /** Sends SIGTERM and waits for the exit; SIGKILL if it takes longer than 10 s. */
  async stop() {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /** Last resort when the runner itself is exiting: no waiting possible. */
  killNow() {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    if (this.child?.pid) {
      try {
        process.kill(this.child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
}
