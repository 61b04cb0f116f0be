import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chooseDatabase, findServerPrograms } from '../lib/postgres.mjs';

const services = [{ name: 'tickets' }, { name: 'orders' }];

describe('which database npm start gives the services', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ticketing-choice-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('finds the PostgreSQL server npm test installed', () => {
    expect(findServerPrograms()).toMatchObject({ initdb: expect.stringMatching(/initdb$/) });
  });

  it('is the PostgreSQL server by default', () => {
    expect(chooseDatabase({ dataDir, services })).toEqual({ kind: 'postgres', reason: 'the default' });
  });

  it('is PGlite when DATABASE=pglite says so', () => {
    expect(chooseDatabase({ dataDir, services, requested: 'pglite' })).toEqual({
      kind: 'pglite',
      reason: 'DATABASE=pglite',
    });
  });

  it('keeps a DATA_DIR made by an earlier version on its embedded databases, and says where to read how to move them', async () => {
    await mkdir(path.join(dataDir, 'orders'));
    await writeFile(path.join(dataDir, 'orders', 'PG_VERSION'), '17\n');

    const choice = chooseDatabase({ dataDir, services });

    expect(choice.kind).toBe('pglite');
    expect(choice.reason).toMatch(/made with the embedded databases.*docs\/operations.md/);
  });

  it('takes the server for such a DATA_DIR when DATABASE=postgres asks, and once it has one', async () => {
    await mkdir(path.join(dataDir, 'orders'));
    await writeFile(path.join(dataDir, 'orders', 'PG_VERSION'), '17\n');
    expect(chooseDatabase({ dataDir, services, requested: 'postgres' }).kind).toBe('postgres');

    await mkdir(path.join(dataDir, 'postgres'));
    expect(chooseDatabase({ dataDir, services }).kind).toBe('postgres');
  });

  it('is PGlite, saying how to get the server, where no server programs can be found', () => {
    // As on a machine without the package.
    const none = () => undefined;

    expect(chooseDatabase({ dataDir, services, serverPrograms: none })).toEqual({
      kind: 'pglite',
      reason: expect.stringMatching(/apt-get install postgresql/),
    });
    expect(() => chooseDatabase({ dataDir, services, requested: 'postgres', serverPrograms: none })).toThrow(
      /DATABASE=postgres.*apt-get install postgresql/,
    );
  });
});
