// The local gateway of `npm start` as its own process, for `npm run bench`.
//   node scripts/bench/gateway-server.mjs '{"tickets-srv":1234,...}'
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGateway, loadIngressRoutes } from '../lib/gateway.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const gateway = createGateway({
  routes: loadIngressRoutes(path.join(root, 'infra', 'k8s', 'ingress-srv.yaml')),
  ports: JSON.parse(process.argv[2]),
});
gateway.listen(0, '127.0.0.1', () => console.log(`READY ${gateway.address().port}`));
process.once('SIGTERM', () => gateway.close(() => process.exit(0)));
