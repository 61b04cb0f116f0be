import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';

/** `service:port`, or null when nothing matches (the controller answers 404). */
export type Backend = string | null;

function pathOf(requestTarget: string): string {
  return requestTarget.replace(/[?#].*$/, '');
}

/**
 * Where ingress-nginx sends a request under `nginx.ingress.kubernetes.io/use-regex`: every
 * path of the host's rules becomes `location ~* "^<path>"` (a case-insensitive regex
 * anchored only at the start), the locations are ordered longest path first, and the
 * first that matches wins.
 */
export function routeByIngress(ingress: IIngress, host: string, requestTarget: string): Backend {
  if (ingress.metadata?.annotations?.['nginx.ingress.kubernetes.io/use-regex'] !== 'true') {
    throw new Error('only the use-regex semantics of ingress-nginx are modelled');
  }
  const paths = (ingress.spec?.rules ?? [])
    .filter((rule) => rule.host === undefined || rule.host === host)
    .flatMap((rule) => rule.http?.paths ?? [])
    .sort((a, b) => (b.path ?? '').length - (a.path ?? '').length);
  const path = pathOf(requestTarget);
  const match = paths.find((p) => new RegExp(`^${p.path ?? '/'}`, 'i').test(path));
  const service = match?.backend.service;
  return service ? `${service.name}:${service.port?.number}` : null;
}

/**
 * Where a conformant Gateway API controller sends a request, for the Core match types
 * (RegularExpression is implementation-specific and throws here). PathPrefix matches
 * whole, case-sensitive path segments (`/abc` matches `/abc`, `/abc/` and `/abc/def`,
 * not `/abcd`; a trailing `/` in the prefix is ignored). Across matches an Exact path
 * wins, then the longest prefix, then the earlier rule.
 */
export function routeByHttpRoute(route: IHTTPRoute, host: string, requestTarget: string): Backend {
  const hostnames = route.spec.hostnames ?? [];
  if (hostnames.length > 0 && !hostnames.includes(host)) return null;
  const path = pathOf(requestTarget);
  const candidates = (route.spec.rules ?? []).flatMap((rule, order) =>
    (rule.matches ?? [{}]).map((match) => ({
      rule,
      order,
      type: match.path?.type ?? 'PathPrefix',
      value: match.path?.value ?? '/',
    })),
  );
  const matching = candidates.filter(({ type, value }) => {
    if (type === 'Exact') return path === value;
    if (type !== 'PathPrefix') throw new Error(`${type} matching is implementation-specific and not modelled`);
    const prefix = value.replace(/\/+$/, '');
    return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
  });
  matching.sort(
    (a, b) =>
      Number(b.type === 'Exact') - Number(a.type === 'Exact') || b.value.length - a.value.length || a.order - b.order,
  );
  const backend = matching[0]?.rule.backendRefs?.[0];
  return backend ? `${backend.name}:${backend.port}` : null;
}
