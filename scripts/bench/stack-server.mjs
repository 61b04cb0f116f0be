// The system as `npm start` runs it (nginx at the edge, log formatting in this runner process,
// each service its own process), without the web client, for `npm run bench`. Logs are
// formatted as npm start formats them, then dropped. Prints `READY <json>` once up.
//   node scripts/bench/stack-server.mjs <dataDir>   (BENCH_TRACES=1: traces kept, as npm start keeps them)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack } from '../lib/stack.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const stack = await startStack({
  root,
  port: 0,
  dataDir: process.argv[2],
  natsPort: 0,
  natsMonitorPort: null,
  logLevel: 'info',
  client: false,
  jwtKey: process.env.JWT_KEY,
  traces: process.env.BENCH_TRACES === '1' ? 'local' : undefined,
  print: () => {},
});
const pids = Object.fromEntries(stack.processes.map((p) => [p.name, p.child?.pid]));
console.log(`READY ${JSON.stringify({ url: stack.url, natsUrl: stack.natsUrl, ports: stack.ports, pids })}`);
const stop = () => stack.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
