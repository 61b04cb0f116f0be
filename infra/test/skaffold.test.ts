import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { copiesOf, instructionsOf, readDockerfile, stageNamed } from './lib/dockerfile';
import { edited, REMOVE } from './lib/edit';
import { ROOT } from './lib/manifests';
import {
  applyPatch,
  applyProfiles,
  deployedManifests,
  loadSkaffold,
  resolveRawYaml,
  SKAFFOLD_RUNS,
  type SkaffoldArtifact,
  validateSkaffold,
} from './lib/skaffold';

const skaffold = loadSkaffold();

function artifactsOf(profiles: string[]): SkaffoldArtifact[] {
  return applyProfiles(skaffold, profiles).build?.artifacts ?? [];
}

/** The part of a glob before its first wildcard: `auth/src/**\/*.ts` → `auth/src/`. */
function staticPrefix(glob: string): string {
  const wildcard = glob.search(/[*?[{]/);
  const head = wildcard === -1 ? glob : glob.slice(0, wildcard);
  return head.slice(0, head.lastIndexOf('/') + 1);
}

describe('skaffold.yaml', () => {
  test('validates against the skaffold/v4beta13 schema of the fields it uses', () => {
    expect(validateSkaffold(skaffold)).toEqual([]);
  });

  test.each([
    [
      'a misspelled section',
      edited(skaffold, [['build.artifacs', skaffold.build?.artifacts]]),
      '/build must NOT have additional properties (artifacs)',
    ],
    [
      'a sync rule without its dest',
      edited(skaffold, [['profiles.0.build.artifacts.0.sync.manual.0.dest', REMOVE]]),
      "must have required property 'dest'",
    ],
    ['push as a string', edited(skaffold, [['build.local.push', 'false']]), '/build/local/push must be boolean'],
    [
      'another schema version',
      edited(skaffold, [['apiVersion', 'skaffold/v2beta29']]),
      '/apiVersion must be equal to constant',
    ],
    [
      'a profile patch without its path',
      edited(skaffold, [['profiles.0.patches', [{ op: 'add', value: 'infra/k8s-observability/*.yaml' }]]]),
      "must have required property 'path'",
    ],
  ])('with %s fails validation, naming it', (_situation, broken, expected) => {
    expect(validateSkaffold(broken).join('\n')).toContain(expected);
  });

  test('skaffold dev turns the dev-loop profile on by itself', () => {
    const devLoop = skaffold.profiles?.find((p) => p.name === 'dev-loop');

    expect(devLoop?.activation).toEqual([{ command: 'dev' }]);
  });

  test('the default run deploys every manifest of infra/k8s, and only those', () => {
    const all = readdirSync(path.join(ROOT, 'infra', 'k8s'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => `infra/k8s/${f}`);

    expect(resolveRawYaml(applyProfiles(skaffold, []).manifests?.rawYaml ?? []).sort()).toEqual(all.sort());
  });

  test('the gateway-api profile deploys infra/k8s without the Ingress and its client config, plus infra/k8s-gateway', () => {
    const k8s = readdirSync(path.join(ROOT, 'infra', 'k8s'))
      .filter((f) => f.endsWith('.yaml') && f !== 'ingress-srv.yaml' && f !== 'client-config.yaml')
      .map((f) => `infra/k8s/${f}`);
    const gateway = readdirSync(path.join(ROOT, 'infra', 'k8s-gateway')).map((f) => `infra/k8s-gateway/${f}`);

    expect(resolveRawYaml(applyProfiles(skaffold, ['gateway-api']).manifests?.rawYaml ?? []).sort()).toEqual(
      [...k8s, ...gateway].sort(),
    );
  });
});

describe('the observability profile', () => {
  const observability = readdirSync(path.join(ROOT, 'infra', 'k8s-observability'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `infra/k8s-observability/${f}`)
    .sort();
  const files = (profiles: string[]) => resolveRawYaml(applyProfiles(skaffold, profiles).manifests?.rawYaml ?? []);

  test.each([[[]], [['dev-loop']], [['gateway-api']], [['production']]])(
    'named after %j, adds infra/k8s-observability in front of what those deploy, and changes nothing else',
    (before) => {
      expect(files([...before, 'observability'])).toEqual([...observability, ...files(before)]);
      expect(applyProfiles(skaffold, [...before, 'observability']).build).toEqual(
        applyProfiles(skaffold, before).build,
      );
    },
  );

  test('named before a profile that lists its own manifests, is lost: the README names it last', () => {
    expect(files(['observability', 'gateway-api'])).toEqual(files(['gateway-api']));
  });

  test('a patch whose path leads nowhere fails, as skaffold does ("invalid path")', () => {
    const sections = applyProfiles(skaffold, []);

    expect(() => applyPatch(sections, { op: 'add', path: '/manifests/kustomize/paths/0', value: 'x' })).toThrow(
      /invalid path/,
    );
    expect(() => applyPatch(sections, { op: 'add', path: '/manifests/rawYaml/5', value: 'x' })).toThrow(/invalid path/);
    expect(() => applyPatch(sections, { path: '/deploy/kubectl/defaultNamespace', value: 'x' })).toThrow(
      /invalid path/,
    );
    expect(applyPatch(sections, { op: 'add', path: '/manifests/rawYaml/-', value: 'x' }).manifests?.rawYaml).toEqual([
      ...(sections.manifests?.rawYaml ?? []),
      'x',
    ]);
  });
});

test('the production profile deploys infra/k8s with the NATS cluster of infra/k8s-production in place of its single server', () => {
  const k8s = readdirSync(path.join(ROOT, 'infra', 'k8s'))
    .filter((f) => f.endsWith('.yaml') && f !== 'nats-depl.yaml')
    .map((f) => `infra/k8s/${f}`);
  const production = readdirSync(path.join(ROOT, 'infra', 'k8s-production')).map((f) => `infra/k8s-production/${f}`);

  expect(resolveRawYaml(applyProfiles(skaffold, ['production']).manifests?.rawYaml ?? []).sort()).toEqual(
    [...k8s, ...production].sort(),
  );
});

describe.each(SKAFFOLD_RUNS)('$name', ({ profiles }) => {
  const sections = applyProfiles(skaffold, profiles);
  const artifacts = artifactsOf(profiles);

  test('keeps images local and deploys with kubectl', () => {
    expect(sections.build?.local?.push).toBe(false);
    expect(sections.deploy?.kubectl).toBeDefined();
  });

  test('builds exactly the images its manifests run, besides pinned third-party ones', () => {
    const images = deployedManifests(skaffold, profiles).flatMap((m) => {
      const pod = (m.object.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined)
        ?.template?.spec;
      return (pod?.containers ?? []).map((c) => c.image ?? '');
    });
    const built = images.filter((image) => !image.includes(':'));

    expect([...new Set(built)].sort()).toEqual(artifacts.map((a) => a.image).sort());
  });

  test.each(artifacts.map((a) => [a.image, a] as const))(
    '%s builds from the repository root with a Dockerfile that has the stage it targets',
    (_image, artifact) => {
      const file = path.posix.join(artifact.context ?? '.', artifact.docker?.dockerfile ?? 'Dockerfile');
      expect(artifact.context).toBe('.');
      expect(existsSync(path.join(ROOT, file))).toBe(true);

      const dockerfile = readDockerfile(file, artifact.docker?.buildArgs);
      const target = artifact.docker?.target ?? dockerfile.stages.at(-1)!.name!;
      expect(() => stageNamed(dockerfile, target)).not.toThrow();
    },
  );

  const devLoop = profiles.includes('dev-loop');

  test(
    devLoop
      ? "builds every image's dev stage, with file sync"
      : 'builds the runtime stage of every image, without file sync',
    () => {
      for (const artifact of artifacts) {
        expect({ image: artifact.image, target: artifact.docker?.target, sync: artifact.sync !== undefined }).toEqual(
          devLoop
            ? { image: artifact.image, target: 'dev', sync: true }
            : { image: artifact.image, target: undefined, sync: false },
        );
      }
    },
  );
});

describe.each(SKAFFOLD_RUNS.filter((run) => run.profiles.includes('dev-loop')))('$name', ({ profiles }) => {
  test.each(artifactsOf(profiles).map((a) => [a.image, a] as const))(
    '%s syncs edited files onto the sources its dev stage copied, into directories its user owns',
    (_image, artifact) => {
      const dockerfile = readDockerfile(artifact.docker!.dockerfile!, artifact.docker!.buildArgs);
      const chain = instructionsOf(dockerfile, stageNamed(dockerfile, artifact.docker!.target!));
      const copied = copiesOf(chain).filter((c) => c.from === null);
      const chowned = chain
        .filter((i) => i.keyword === 'RUN' && i.args[0] === 'chown')
        .map((i) => path.posix.resolve(i.workdir, i.args.at(-1)!));
      const user = chain.filter((i) => i.keyword === 'USER').at(-1)?.args[0];

      expect(user).toBe('node');
      for (const rule of artifact.sync!.manual ?? []) {
        const sample = `${staticPrefix(rule.src)}example`;
        const synced = path.posix.join(rule.dest, sample.slice((rule.strip ?? '').length));
        const copy = copied.findLast((c) => c.sources.some((source) => sample.startsWith(withSlash(source))));
        const source = copy?.sources.find((s) => sample.startsWith(withSlash(s))) ?? '';
        const inImage = copy ? path.posix.join(copy.destination, sample.slice(withSlash(source).length)) : null;

        expect({ rule: rule.src, synced }).toEqual({ rule: rule.src, synced: inImage });
        expect({ rule: rule.src, owned: chowned.some((dir) => synced.startsWith(withSlash(dir))) }).toEqual({
          rule: rule.src,
          owned: true,
        });
      }
    },
  );
});

function withSlash(p: string): string {
  return p.endsWith('/') ? p : `${p}/`;
}
