// Preloaded (`node --require`) into every Node program the runner starts. The runner holds an
// IPC channel to each child; the kernel closes it the moment the runner ends, however it ends
// (Ctrl-C, a crash, `kill -9`), so the child sees 'disconnect' and stops as if sent SIGTERM.
// This works the same on a laptop and in a container, unlike polling the parent pid (which a
// subreaper or PID 1 makes meaningless). Files it creates are the user's alone (umask 077).
'use strict';

// A stop that is itself stuck must not keep an orphan alive.
const FORCE_EXIT_MS = 5_000;

process.umask(0o077);

if (process.channel) {
  process.once('disconnect', () => {
    setTimeout(() => process.exit(1), FORCE_EXIT_MS).unref();
    process.kill(process.pid, 'SIGTERM');
  });
  // Listening for 'disconnect' refs the channel; the child must still end when its work does.
  process.channel.unref();
}
