import dockerignore from '@balena/dockerignore';
import { validate } from 'dockerfile-utils';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  copiesOf,
  type Dockerfile,
  instructionsOf,
  parseDockerfile,
  readDockerfile,
  stageNamed,
} from './lib/dockerfile';
import { ROOT } from './lib/manifests';

const WORKSPACES = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] })
  .workspaces;
const IMAGES = ['auth', 'tickets', 'client'] as const;
type Image = (typeof IMAGES)[number];

const PINNED_IMAGE = /^[a-z0-9./-]+:(?!latest$)[\w.-]+$/;

/** What the runtime stage of each image must run, and from where. */
const ENTRY: Record<Image, { workdir: string; cmd: string[] }> = {
  auth: { workdir: '/app/auth', cmd: ['node', 'dist/index.js'] },
  tickets: { workdir: '/app/tickets', cmd: ['node', 'dist/index.js'] },
  client: { workdir: '/app/client', cmd: ['node', 'server.js'] },
};

/** What the runtime stage must take from the build stage: source in build → place in the image. */
const BUILT: Record<Image, [string, string][]> = {
  auth: [
    ['/app/common/dist', '/app/common/dist'],
    ['/app/auth/dist', '/app/auth/dist'],
    ['/app/auth/drizzle', '/app/auth/drizzle'],
  ],
  tickets: [
    ['/app/common/dist', '/app/common/dist'],
    ['/app/tickets/dist', '/app/tickets/dist'],
    ['/app/tickets/drizzle', '/app/tickets/drizzle'],
  ],
  client: [
    ['/app/client/.next/standalone', '/app'],
    ['/app/client/.next/static', '/app/client/.next/static'],
    ['/app/client/public', '/app/client/public'],
  ],
};

/** The ways a Dockerfile breaks this project's rules for its images; empty when it keeps them all. */
function problemsOf(dockerfile: Dockerfile, image: Image): string[] {
  const problems: string[] = [];
  const { stages } = dockerfile;
  stages.forEach((stage, i) => {
    const fromEarlierStage = stages.slice(0, i).some((s) => s.name === stage.from);
    if (!fromEarlierStage && !PINNED_IMAGE.test(stage.from)) {
      problems.push(`stage ${stage.name ?? i} starts from ${stage.from}, neither an earlier stage nor a pinned image`);
    }
  });
  if (!stages.some((s) => s.name === 'dev')) problems.push('no dev stage for the skaffold dev loop');
  const runtime = stages.at(-1)!;
  if (runtime.name !== 'runtime' || stages.length < 2) problems.push('the last stage is not a separate runtime stage');

  for (const stage of stages) {
    const chain = instructionsOf(dockerfile, stage);
    const install = chain.findIndex((i) => i.keyword === 'RUN' && i.args.slice(0, 2).join(' ') === 'npm ci');
    if (install === -1) continue;
    const copied = copiesOf(chain.slice(0, install))
      .filter((c) => c.from === null)
      .flatMap((c) => c.sources);
    const needed = ['package.json', 'package-lock.json', '.npmrc', ...WORKSPACES.map((w) => `${w}/package.json`)];
    const missing = needed.filter((file) => !copied.includes(file));
    if (missing.length > 0) problems.push(`stage ${stage.name} runs npm ci without ${missing.join(', ')}`);
  }

  const chain = instructionsOf(dockerfile, runtime);
  const user = chain.filter((i) => i.keyword === 'USER').at(-1)?.args[0];
  if (!user || /^(root|0)(:|$)/.test(user)) problems.push('the runtime stage runs as root');
  if (chain.some((i) => i.keyword === 'ENTRYPOINT')) problems.push('the runtime stage replaces the entrypoint');
  const cmd = chain.filter((i) => i.keyword === 'CMD').at(-1);
  if (JSON.stringify(cmd?.exec) !== JSON.stringify(ENTRY[image].cmd) || cmd?.workdir !== ENTRY[image].workdir) {
    problems.push(`the runtime stage does not run ${JSON.stringify(ENTRY[image].cmd)} in ${ENTRY[image].workdir}`);
  }

  const installs = chain.filter((i) => i.keyword === 'RUN' && i.args.slice(0, 2).join(' ') === 'npm ci');
  const expectedWorkspaces = image === 'client' ? null : [`@ticketing/${image}`, '@ticketing/common'];
  if (expectedWorkspaces === null && installs.length > 0) {
    problems.push('the runtime stage installs packages besides the standalone output');
  }
  if (expectedWorkspaces !== null) {
    const args = installs.map((i) => i.args.join(' '));
    const workspaces = args.flatMap((a) => [...a.matchAll(/--workspace[= ](\S+)/g)].map((m) => m[1]));
    if (args.length !== 1 || !args[0]!.includes('--omit=dev')) {
      problems.push('the runtime stage does not install production dependencies only, once');
    } else if (JSON.stringify(workspaces.sort()) !== JSON.stringify([...expectedWorkspaces].sort())) {
      problems.push(`the runtime stage installs ${workspaces.join(', ')}, not ${expectedWorkspaces.join(', ')}`);
    }
  }

  const fromBuild = copiesOf(chain).filter((c) => c.from !== null);
  for (const [source, destination] of BUILT[image]) {
    if (!fromBuild.some((c) => c.sources.includes(source) && c.destination === destination)) {
      problems.push(`the runtime stage does not copy ${source} to ${destination}`);
    }
  }
  return problems;
}

/** The files under a directory of the repository, skipping installed packages and build output. */
function filesUnder(dir: string): string[] {
  const absolute = path.join(ROOT, dir);
  if (!statSync(absolute, { throwIfNoEntry: false })?.isDirectory()) return [dir];
  return readdirSync(absolute).flatMap((name) =>
    ['node_modules', 'dist', '.next'].includes(name) ? [] : filesUnder(path.posix.join(dir, name)),
  );
}

const ignore = dockerignore().add(readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n'));

/** The files a Dockerfile copies from the build context that the ignore rules keep out of it. */
function excludedCopies(dockerfile: Dockerfile, rules: ReturnType<typeof dockerignore>): string[] {
  const sources = dockerfile.stages
    .flatMap((stage) => copiesOf(stage.instructions))
    .filter((c) => c.from === null)
    .flatMap((c) => c.sources.map((s) => s.replace(/\/$/, '')));
  return sources.flatMap(filesUnder).filter((f) => rules.ignores(f));
}

describe.each(IMAGES)('%s/Dockerfile', (image) => {
  const file = `${image}/Dockerfile`;
  const dockerfile = readDockerfile(file);

  test('has nothing dockerfile-utils reports', () => {
    expect(validate(dockerfile.text).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  test('builds in pinned stages and runs node as PID 1 as a non-root user, with production dependencies only', () => {
    expect(problemsOf(dockerfile, image)).toEqual([]);
  });

  test('copies nothing that .dockerignore keeps out of the build context', () => {
    expect(excludedCopies(dockerfile, ignore)).toEqual([]);
  });

  test('has a dev stage that runs the sources under a watcher as the node user', () => {
    const dev = instructionsOf(dockerfile, stageNamed(dockerfile, 'dev'));
    const cmd = dev.filter((i) => i.keyword === 'CMD').at(-1)?.exec ?? [];

    expect(dev.filter((i) => i.keyword === 'USER').at(-1)?.args).toEqual(['node']);
    expect(cmd.join(' ')).toMatch(
      image === 'client' ? /^npm run dev$/ : new RegExp(`tsx watch ${image}/src/index.ts$`),
    );
  });
});

describe('.dockerignore', () => {
  test.each([
    'node_modules/zod/package.json',
    'auth/node_modules/.bin/tsc',
    'common/dist/index.js',
    'auth/dist/index.js',
    'common/dist/.tsbuildinfo',
    'tickets/tsconfig.tsbuildinfo',
    'client/.next/cache/images/x',
    '.git/HEAD',
    '.data/auth/base/1',
    'auth/.env',
  ])('keeps %s out of the build context', (file) => {
    expect(ignore.ignores(file)).toBe(true);
  });
});

describe('a broken Dockerfile', () => {
  const auth = readDockerfile('auth/Dockerfile').text;

  test.each([
    ['a misspelled instruction', auth.replace('COPY auth/ auth/', 'COPPY auth/ auth/'), 'Unknown instruction: COPPY'],
    ['two CMDs in the runtime stage', `${auth}CMD ["npm", "start"]\n`, 'There can only be one CMD instruction'],
  ])('with %s is reported by dockerfile-utils', (_situation, text, expected) => {
    expect(validate(text).map((d) => d.message)).toContainEqual(expect.stringContaining(expected));
  });

  test.each([
    [
      'an unpinned base image',
      auth.replace('FROM node:24-alpine AS base', 'FROM node AS base'),
      'neither an earlier stage nor a pinned image',
    ],
    [
      'npm as PID 1',
      auth.replace('CMD ["node", "dist/index.js"]', 'CMD npm start'),
      'does not run ["node","dist/index.js"]',
    ],
    ['no USER in the runtime stage', auth.replace(/USER node\nEXPOSE/, 'EXPOSE'), 'the runtime stage runs as root'],
    ['dev dependencies in the runtime stage', auth.replace('--omit=dev ', ''), 'production dependencies only'],
    [
      'no migrations beside dist',
      auth.replace(/COPY --from=build \/app\/auth\/drizzle auth\/drizzle\n/, ''),
      'does not copy /app/auth/drizzle',
    ],
    [
      'a workspace manifest missing before npm ci',
      auth.replace('COPY nats-test/package.json nats-test/\n', ''),
      'runs npm ci without nats-test/package.json',
    ],
    [
      'a workspace manifest copied twice instead of two',
      auth.replace('COPY auth/package.json auth/', 'COPY tickets/package.json tickets/'),
      'without auth/package.json',
    ],
  ])('with %s breaks the image rules', (_situation, text, expected) => {
    expect(text).not.toBe(auth);
    expect(problemsOf(parseDockerfile(text, 'auth/Dockerfile'), 'auth')).toContainEqual(
      expect.stringContaining(expected),
    );
  });

  test('that copies what .dockerignore keeps out of the context is caught, naming the files', () => {
    const tooStrict = dockerignore().add(['**/node_modules', '**/package.json', 'auth/src']);

    const excluded = excludedCopies(readDockerfile('auth/Dockerfile'), tooStrict);

    expect(excluded).toEqual(expect.arrayContaining(['package.json', 'auth/package.json', 'common/package.json']));
    expect(excluded.some((f) => f.startsWith('auth/src/'))).toBe(true);
  });
});
