/**
 * One jest run for every workspace (a project each), every service in services.json
 * included. TypeScript is stripped by @swc/jest; types are checked separately by `tsc -b`.
 * @type {import('jest').Config}
 */
const { services } = require('./services.json');

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', tsx: true },
      target: 'es2022',
      transform: { react: { runtime: 'automatic' } },
    },
    module: { type: 'commonjs' },
  },
];

// Resolves @ticketing/stan-compat and @ticketing/common to their TypeScript sources (their
// `exports` condition), so these tests run what is in src/ without a build.
const fromSource = { testEnvironmentOptions: { customExportConditions: ['node', 'node-addons', 'ticketing-source'] } };

// What is the embedded database's own (`*.pglite-test.ts`: opening it, its driver, a whole
// purchase on it) runs in the PGlite tier of `npm test`, which sets TEST_PGLITE.
const pgliteTests = process.env.TEST_PGLITE ? ['<rootDir>/test/**/*.pglite-test.ts'] : [];

const project = (name, extra = {}) => ({
  displayName: name,
  rootDir: `<rootDir>/${name}`,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': swc, '^.+\\.mjs$': swc },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json'],
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts', ...pgliteTests],
  ...extra,
});

module.exports = {
  projects: [
    project('common'),
    ...services.map(({ name }) =>
      project(name, {
        // Hooks start whole services (databases migrated, consumers bound), often several at once.
        testTimeout: 60_000,
        // Tests of two replicas sharing a database need two sessions: only the PostgreSQL-server tier has them.
        testMatch: [
          '<rootDir>/test/**/*.test.ts',
          ...(process.env.TEST_DATABASE_URL ? ['<rootDir>/test/**/*.pg-test.ts'] : []),
          ...pgliteTests,
        ],
      }),
    ),
    project('stan-compat', { ...fromSource, setupFiles: ['<rootDir>/test/setup-env.ts'] }),
    project('nats-test', fromSource),
    project('client', {
      testMatch: ['<rootDir>/test/**/*.test.ts?(x)'],
      // The standalone build repeats the package name; jest must not see it twice.
      modulePathIgnorePatterns: ['<rootDir>/.next/'],
    }),
    project('infra', {
      // The image tier runs only under `npm run test:images`, which builds the images first.
      testMatch: [
        '<rootDir>/test/**/*.test.ts',
        ...(process.env.TEST_IMAGES ? ['<rootDir>/test/**/*.image-test.ts'] : []),
      ],
    }),
    project('docs'),
    project('e2e', { testTimeout: 120_000 }),
    project('scripts', {
      testMatch: [
        '<rootDir>/test/**/*.test.ts',
        '<rootDir>/test/**/*.test.mjs',
        ...pgliteTests,
        // The cluster tier runs only with TEST_CLUSTER set (npm test sets it for its last tier).
        ...(process.env.TEST_CLUSTER ? ['<rootDir>/test/**/*.cluster-test.ts'] : []),
      ],
    }),
  ],
  testTimeout: 30_000,
  testSequencer: '<rootDir>/jest.sequencer.cjs',
};
