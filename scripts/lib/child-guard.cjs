// Runs a program that is not Node (nats-server) as the runner's child, so that it too ends
// with the runner however the runner ends:
//
//   node child-guard.cjs [--lock DIR --owner NAME] [--user UID:GID[:CAP…]] [--stop-signal SIG] -- PROGRAM ARGS…
//
// The guard is a Node child with the runner's IPC channel (see child-preload.cjs): when the
// channel closes it stops the program (SIGTERM, then SIGKILL). Should the guard itself be
// killed outright, Linux's parent-death signal (`setpriv --pdeathsig`, util-linux) kills the
// program with it. With --lock it holds DIR's lock for exactly as long as the program runs,
// since nats-server does not lock its own store. With --user it runs as that user (the
// PostgreSQL server refuses to run as root); --stop-signal is what stopping it sends
// (SIGTERM by default; SIGINT is PostgreSQL's fast shutdown). The program's files are private
// (umask 077).
'use strict';
const { spawn } = require('node:child_process');
const { lockDirectory } = require('@ticketing/common/dir-lock');
const { which } = require('@ticketing/common/system');

const KILL_AFTER_MS = 3_000;

function parseArgs(argv) {
  const options = { lock: undefined, owner: undefined, user: undefined, stopSignal: 'SIGTERM', command: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') {
      options.command = argv.slice(i + 1);
      break;
    }
    if (argv[i] === '--lock') options.lock = argv[++i];
    else if (argv[i] === '--owner') options.owner = argv[++i];
    else if (argv[i] === '--user') options.user = argv[++i];
    else if (argv[i] === '--stop-signal') options.stopSignal = argv[++i];
    else throw new Error(`child-guard: unknown option ${argv[i]}`);
  }
  if (options.command.length === 0) throw new Error('child-guard: no program given after --');
  return options;
}

async function main() {
  const { lock, owner, user, stopSignal, command } = parseArgs(process.argv.slice(2));
  process.umask(0o077);
  if (lock) {
    try {
      await lockDirectory(lock, { owner: owner ?? command[0] });
    } catch (error) {
      console.error(error.message);
      process.exit(1);
    }
  }
  const setpriv = process.platform === 'linux' ? which('setpriv') : undefined;
  if (user && !setpriv) {
    console.error('child-guard: --user needs setpriv (util-linux)');
    process.exit(1);
  }
  const [uid, gid, ...caps] = (user ?? '').split(':');
  // Capabilities it keeps, as the PostgreSQL server keeps one to reach its folder (postgres.mjs).
  const kept = caps.map((cap) => `+${cap}`).join(',');
  const keep = caps.length ? [`--inh-caps=${kept}`, `--ambient-caps=${kept}`] : [];
  const switchUser = user ? [`--reuid=${uid}`, `--regid=${gid}`, '--init-groups', ...keep] : [];
  // setpriv applies the parent-death signal after switching user, so it survives the switch.
  const [program, ...args] = setpriv ? [setpriv, ...switchUser, '--pdeathsig', 'KILL', '--', ...command] : command;
  const child = spawn(program, args, { stdio: ['ignore', 'inherit', 'inherit'] });

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    child.kill(signal);
    setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS).unref();
  };
  process.on('SIGTERM', () => stop(stopSignal));
  process.on('SIGINT', () => stop(stopSignal));
  process.on('disconnect', () => stop(stopSignal));
  child.once('error', (error) => {
    console.error(`cannot start ${command[0]}: ${error.message}`);
    process.exit(127);
  });
  child.once('exit', (code, signal) => {
    process.exit(code ?? (signal === 'SIGTERM' || signal === 'SIGINT' ? 0 : 1));
  });
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
