import type { KubeObject } from './lib/manifests';
import { deploymentGaps, loadServices } from './lib/services';
import { applyProfiles, deployedManifests, loadSkaffold, SKAFFOLD_RUNS } from './lib/skaffold';

const skaffold = loadSkaffold();
const services = loadServices();

describe.each(SKAFFOLD_RUNS)('$name deploys every service of services.json', ({ profiles }) => {
  const deployed = deployedManifests(skaffold, profiles).map((m) => ({
    kind: m.object.kind,
    name: (m.object as KubeObject).metadata.name,
  }));
  const artifacts = applyProfiles(skaffold, profiles).build?.artifacts ?? [];

  test.each(services)(
    '$name: its folder, a Deployment, its Service, its PostgreSQL, an image from the service Dockerfile',
    (service) => {
      expect(deploymentGaps(service, deployed, artifacts)).toEqual([]);
    },
  );

  test('a service missing from the manifests is named with everything it lacks', () => {
    const gaps = deploymentGaps({ name: 'auth', summary: '' }, [], []);

    expect(gaps).toEqual([
      'no Deployment auth-depl',
      'no Service auth-srv',
      'no PostgreSQL auth-postgres (StatefulSet and Service)',
      'no skaffold artifact ticketing/auth',
    ]);
  });
});
