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
import { loadServices, SERVICE_DOCKERFILE } from './lib/services';

/** Every workspace npm ci needs the package.json of: each top-level folder that has one. */
const WORKSPACES = readdirSync(ROOT, { withFileTypes: true })
  .filter(
    (entry) => entry.isDirectory() && statSync(path.join(ROOT, entry.name, 'package.json'), { throwIfNoEntry: false }),
  )
  .map((entry) => entry.name);
const SERVICES = loadServices().map((service) => service.name);
const IMAGES = [...SERVICES, 'client'];

const PINNED_IMAGE = /^[a-z0-9./-]+:(?!latest$)[\w.-]+$/;

/** Where an image's Dockerfile is, and the build arguments it is built with. */
function recipeOf(image: string): { file: string; buildArgs: Record<string, string> } {
  return image === 'client'
    ? { file: 'client/Dockerfile', buildArgs: {} }
    : { file: SERVICE_DOCKERFILE, buildArgs: { SERVICE: image } };
}

/** What the runtime stage of an image must run, and from where. */
function entryOf(image: string): { workdir: string; cmd: string[] } {
  return image === 'client'
    ? { workdir: '/app/client', cmd: ['node', 'server.js'] }
    : { workdir: `/app/${image}`, cmd: ['node', 'dist/index.js'] };
}

/** What the runtime stage must take from the build stage: source in build → place in the image. */
function builtOf(image: string): [string, string][] {
  if (image === 'client') {
    return [
      ['/app/client/.next/standalone', '/app'],
      ['/app/client/.next/static', '/app/client/.next/static'],
      ['/app/client/public', '/app/client/public'],
    ];
  }
  return [
    ['/app/common/dist', '/app/common/dist'],
    [`/app/${image}/dist`, `/app/${image}/dist`],
    [`/app/${image}/drizzle`, `/app/${image}/drizzle`],
  ];
}

/** True when a stage of the chain copied the whole build context (and so every package.json in it). */
function copiedWholeContext(dockerfile: Dockerfile, stageName: string): boolean {
  const stage = dockerfile.stages.find((s) => s.name === stageName);
  if (!stage) return false;
  return copiesOf(instructionsOf(dockerfile, stage)).some(
    (c) => c.from === null && c.sources.some((source) => source === '.' || source === './'),
  );
}

/** The ways a Dockerfile breaks this project's rules for its images; empty when it keeps them all. */
function problemsOf(dockerfile: Dockerfile, image: string): string[] {
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
    const copies = copiesOf(chain.slice(0, install));
    const copied = copies.filter((c) => c.from === null).flatMap((c) => c.sources);
    // A stage that copied the whole context (and picked the manifests out of it) provides them all.
    const fromManifests = copies.some((c) => c.from !== null && copiedWholeContext(dockerfile, c.from));
    const needed = ['package.json', 'package-lock.json', '.npmrc', ...WORKSPACES.map((w) => `${w}/package.json`)];
    const missing = fromManifests ? [] : needed.filter((file) => !copied.includes(file));
    if (missing.length > 0) problems.push(`stage ${stage.name} runs npm ci without ${missing.join(', ')}`);
  }

  const chain = instructionsOf(dockerfile, runtime);
  const user = chain.filter((i) => i.keyword === 'USER').at(-1)?.args[0];
  if (!user || /^(root|0)(:|$)/.test(user)) problems.push('the runtime stage runs as root');
  if (chain.some((i) => i.keyword === 'ENTRYPOINT')) problems.push('the runtime stage replaces the entrypoint');
  const cmd = chain.filter((i) => i.keyword === 'CMD').at(-1);
  const entry = entryOf(image);
  if (JSON.stringify(cmd?.exec) !== JSON.stringify(entry.cmd) || cmd?.workdir !== entry.workdir) {
    problems.push(`the runtime stage does not run ${JSON.stringify(entry.cmd)} in ${entry.workdir}`);
  }

  // Its packages: installed in its own chain, or in a stage whose /app or node_modules it copies.
  const packagesFrom = copiesOf(chain)
    .filter((c) => c.from !== null && c.sources.some((s) => /^\/app\/?$/.test(s) || s.includes('node_modules')))
    .map((c) => instructionsOf(dockerfile, stageNamed(dockerfile, c.from!)));
  const installs = [chain, ...packagesFrom]
    .flat()
    .filter((i) => i.keyword === 'RUN' && i.args.slice(0, 2).join(' ') === 'npm ci');
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
  for (const [source, destination] of builtOf(image)) {
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
  // A copy of the whole context takes what the context holds: the ignore rules shape it.
  const sources = dockerfile.stages
    .flatMap((stage) => copiesOf(stage.instructions))
    .filter((c) => c.from === null)
    .flatMap((c) => c.sources.map((s) => s.replace(/\/$/, '')))
    .filter((source) => source !== '.' && source !== '');
  return sources.flatMap(filesUnder).filter((f) => rules.ignores(f));
}

describe.each(IMAGES)('the %s image', (image) => {
  const { file, buildArgs } = recipeOf(image);
  const dockerfile = readDockerfile(file, buildArgs);

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
    const cmd = dev.filter((i) => i.keyword === 'CMD').at(-1);

    expect(dev.filter((i) => i.keyword === 'USER').at(-1)?.args).toEqual(['node']);
    expect(cmd?.workdir).toBe(`/app/${image}`);
    expect(cmd?.exec?.join(' ')).toMatch(image === 'client' ? /^npm run dev$/ : /tsx watch src\/index.ts$/);
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
  const template = readFileSync(path.join(ROOT, SERVICE_DOCKERFILE), 'utf8');
  const auth = { SERVICE: 'auth' };

  test.each([
    [
      'a misspelled instruction',
      template.replace('COPY ${SERVICE}/ ${SERVICE}/', 'COPPY ${SERVICE}/ ${SERVICE}/'),
      'Unknown instruction: COPPY',
    ],
    ['two CMDs in the runtime stage', `${template}CMD ["npm", "start"]\n`, 'There can only be one CMD instruction'],
  ])('with %s is reported by dockerfile-utils', (_situation, text, expected) => {
    expect(validate(text).map((d) => d.message)).toContainEqual(expect.stringContaining(expected));
  });

  test.each([
    [
      'an unpinned base image',
      template.replace('ARG NODE_IMAGE=node:24-alpine', 'ARG NODE_IMAGE=node'),
      'neither an earlier stage nor a pinned image',
    ],
    [
      'npm as PID 1',
      template.replace('CMD ["node", "dist/index.js"]', 'CMD npm start'),
      'does not run ["node","dist/index.js"]',
    ],
    ['no USER in the runtime stage', template.replace(/USER node\nEXPOSE/, 'EXPOSE'), 'the runtime stage runs as root'],
    ['dev dependencies in the runtime stage', template.replace('--omit=dev ', ''), 'production dependencies only'],
    [
      'the packages of the build stage copied',
      template.replace('COPY --from=deps /app ./', 'COPY --from=build /app ./'),
      'production dependencies only',
    ],
    [
      'another workspace installed',
      template.replace('--omit=dev --workspace @ticketing/${SERVICE}', '--omit=dev --workspace @ticketing/tickets'),
      'the runtime stage installs',
    ],
    [
      'no migrations beside dist',
      template.replace(/COPY --from=build \/app\/\$\{SERVICE\}\/drizzle \$\{SERVICE\}\/drizzle\n/, ''),
      'does not copy /app/auth/drizzle',
    ],
    [
      'the workspace manifests missing before npm ci',
      template.replace('COPY --from=manifests /manifests/ ./\n', ''),
      'runs npm ci without package.json',
    ],
    [
      'manifests taken from a stage that never saw the whole context',
      template.replace('COPY . .\n', 'COPY package.json ./\n'),
      'runs npm ci without package.json, package-lock.json',
    ],
  ])('with %s breaks the image rules', (_situation, text, expected) => {
    expect(text).not.toBe(template);
    expect(problemsOf(parseDockerfile(text, SERVICE_DOCKERFILE, auth), 'auth')).toContainEqual(
      expect.stringContaining(expected),
    );
  });

  test('that copies what .dockerignore keeps out of the context is caught, naming the files', () => {
    const tooStrict = dockerignore().add(['**/node_modules', 'common/package.json', 'auth/src']);

    const excluded = excludedCopies(readDockerfile(SERVICE_DOCKERFILE, auth), tooStrict);

    expect(excluded).toEqual(expect.arrayContaining(['common/package.json']));
    expect(excluded.some((f) => f.startsWith('auth/src/'))).toBe(true);
  });
});
