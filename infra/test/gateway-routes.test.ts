import type { IGateway } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway';
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { findObject, GATEWAY_DIR, K8S_DIR, loadManifests, manifestFiles } from './lib/manifests';
import { routeByHttpRoute, routeByIngress } from './lib/routing';

const manifests = loadManifests([...manifestFiles(K8S_DIR), ...manifestFiles(GATEWAY_DIR)]);
const ingress = findObject<IIngress>(manifests, 'Ingress', 'ingress-service');
const route = findObject<IHTTPRoute>(manifests, 'HTTPRoute', 'ticketing-route');
const gateway = findObject<IGateway>(manifests, 'Gateway', 'ticketing-gateway');
const HOST = 'ticketing.dev';

const AUTH = 'auth-srv:3000';
const TICKETS = 'tickets-srv:3000';
const ORDERS = 'orders-srv:3000';
const PAYMENTS = 'payments-srv:3000';
const CLIENT = 'client-srv:3000';

describe('the Gateway API variant routes like the Ingress', () => {
  test('the HTTPRoute serves the Ingress rule hosts and is attached to the Gateway', () => {
    expect(route.spec.hostnames).toEqual(ingress.spec?.rules?.map((rule) => rule.host));
    expect(route.spec.parentRefs).toEqual([{ name: gateway.metadata?.name }]);
  });

  test('the HTTPRoute and the Ingress send traffic to the same backends', () => {
    const ingressBackends = ingress.spec?.rules?.flatMap((rule) =>
      (rule.http?.paths ?? []).map((p) => `${p.backend.service?.name}:${p.backend.service?.port?.number}`),
    );
    const routeBackends = route.spec.rules?.flatMap((rule) =>
      (rule.backendRefs ?? []).map((b) => `${b.name}:${b.port}`),
    );

    expect(new Set(routeBackends)).toEqual(new Set(ingressBackends));
  });

  // Every route of the contract, every page of the client, and the neighbours of the
  // prefixes that must not be mistaken for them.
  const sameEitherWay: [path: string, backend: string][] = [
    ['/api/users/signup', AUTH],
    ['/api/users/signin', AUTH],
    ['/api/users/signout', AUTH],
    ['/api/users/currentuser', AUTH],
    ['/api/users', AUTH],
    ['/api/users/', AUTH],
    ['/api/tickets', TICKETS],
    ['/api/tickets/', TICKETS],
    ['/api/tickets?limit=5&cursor=abc', TICKETS],
    ['/api/tickets/123', TICKETS],
    ['/api/tickets/0b8e1b6e-4a7b-4a5e-9a43-6d1f0e2a7c11', TICKETS],
    ['/', CLIENT],
    ['/?page=2', CLIENT],
    ['/tickets/new', CLIENT],
    ['/tickets/0b8e1b6e-4a7b-4a5e-9a43-6d1f0e2a7c11', CLIENT],
    ['/auth/signup', CLIENT],
    ['/auth/signin', CLIENT],
    ['/auth/signout', CLIENT],
    ['/_next/static/chunks/main.js', CLIENT],
    ['/favicon.ico', CLIENT],
    ['/api', CLIENT],
    ['/api/', CLIENT],
    ['/api/orders', ORDERS],
    ['/api/orders/', ORDERS],
    ['/api/orders/0b8e1b6e-4a7b-4a5e-9a43-6d1f0e2a7c11', ORDERS],
    ['/orders', CLIENT],
    ['/orders/0b8e1b6e-4a7b-4a5e-9a43-6d1f0e2a7c11', CLIENT],
    ['/api/payments', PAYMENTS],
    ['/api/payments/', PAYMENTS],
    ['/api/payments?orderId=0b8e1b6e-4a7b-4a5e-9a43-6d1f0e2a7c11', PAYMENTS],
    ['/apiusers', CLIENT],
    ['/users/api/users', CLIENT],
  ];

  test.each(sameEitherWay)('%s goes to %s through the Ingress and through the HTTPRoute', (path, backend) => {
    expect(routeByIngress(ingress, HOST, path)).toBe(backend);
    expect(routeByHttpRoute(route, HOST, path)).toBe(backend);
  });

  // PathPrefix is the one match type every conformant controller supports; where its
  // semantics differ from the Ingress's regexes, the difference is pinned here. None of
  // these paths is a route of the contract (its paths are lowercase, one segment each).
  const different: [path: string, byIngress: string, byHttpRoute: string, because: string][] = [
    ['/api/userss', AUTH, CLIENT, 'the Ingress regex ends in /?(.*), so it does not stop at a segment boundary'],
    ['/api/ticketsfoo', TICKETS, CLIENT, 'the Ingress regex ends in /?(.*), so it does not stop at a segment boundary'],
    [
      '/API/Tickets',
      TICKETS,
      CLIENT,
      'ingress-nginx matches regex paths case-insensitively; PathPrefix is case-sensitive',
    ],
    [
      '/Api/Users/signin',
      AUTH,
      CLIENT,
      'ingress-nginx matches regex paths case-insensitively; PathPrefix is case-sensitive',
    ],
  ];

  test.each(different)(
    '%s goes to %s through the Ingress but to %s through the HTTPRoute: %s',
    (path, byIngress, byRoute) => {
      expect(routeByIngress(ingress, HOST, path)).toBe(byIngress);
      expect(routeByHttpRoute(route, HOST, path)).toBe(byRoute);
    },
  );

  test('a request for another host matches neither', () => {
    expect(routeByHttpRoute(route, 'example.com', '/api/users/signin')).toBeNull();
    expect(routeByIngress(ingress, 'example.com', '/')).toBeNull();
  });
});

describe('the routing models', () => {
  test('when the HTTPRoute lists the catch-all first, the longer prefix still wins', () => {
    const reordered: IHTTPRoute = { ...route, spec: { ...route.spec, rules: [...(route.spec.rules ?? [])].reverse() } };

    expect(routeByHttpRoute(reordered, HOST, '/api/users/signin')).toBe(AUTH);
  });

  test('when the HTTPRoute lacks the tickets rule, tickets paths fall through to the client', () => {
    const withoutTickets: IHTTPRoute = {
      ...route,
      spec: { ...route.spec, rules: route.spec.rules?.filter((rule) => rule.backendRefs?.[0]?.name !== 'tickets-srv') },
    };

    expect(routeByHttpRoute(withoutTickets, HOST, '/api/tickets/123')).toBe(CLIENT);
  });

  test('a RegularExpression match is refused rather than guessed at', () => {
    const regex: IHTTPRoute = {
      ...route,
      spec: { ...route.spec, rules: [{ matches: [{ path: { type: 'RegularExpression', value: '/api/.*' } }] }] },
    };

    expect(() => routeByHttpRoute(regex, HOST, '/api/x')).toThrow(/implementation-specific/);
  });
});
