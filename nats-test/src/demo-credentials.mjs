// Loaded before each demo script (see package.json): when no credential is given, the local
// demo user's, which `npm start` makes in DATA_DIR (default .data/ at the repository root).
// The scripts themselves, the reference design's included, take credentials from the
// environment: NATS_NKEY_SEED, NATS_NKEY_SEED_FILE (or NATS_USER and NATS_PASSWORD).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const given = ['NATS_NKEY_SEED', 'NATS_NKEY_SEED_FILE', 'NATS_USER'].some((name) => process.env[name]);
if (!given) {
  const dataDir = path.resolve(root, process.env.DATA_DIR || '.data');
  const file = path.join(dataDir, 'credentials', 'demo.nk');
  if (existsSync(file)) process.env.NATS_NKEY_SEED_FILE = file;
}
