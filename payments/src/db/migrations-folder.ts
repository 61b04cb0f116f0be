import path from 'node:path';

/** Generated SQL migrations, shipped beside `dist/` (and read from `src/` by the tests). */
export const migrationsFolder = path.join(__dirname, '..', '..', 'drizzle');
