// The database a bench server writes to, named on its command line: `pglite:<dir>` (on disk)
// or `postgres:<url>` (a pool of 10). Both answer `query(text, params)` with `{ rows }`.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(root, 'package.json'));

export async function openBenchDatabase(target) {
  if (target.startsWith('pglite:')) {
    const { PGlite } = require('@electric-sql/pglite');
    const db = await PGlite.create(target.slice('pglite:'.length));
    return { query: (text, params) => db.query(text, params), close: () => db.close() };
  }
  const pg = require('pg');
  const pool = new pg.Pool({ connectionString: target.slice('postgres:'.length), max: 10 });
  return { query: (text, params) => pool.query(text, params), close: () => pool.end() };
}
