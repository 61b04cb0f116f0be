import type { Express, RequestHandler } from 'express';

interface Layer {
  name?: string;
  route?: { methods: Record<string, boolean>; path: string | string[] };
  handle?: { stack?: Layer[] };
  match(path: string): boolean;
}

/** The catch-all route every app ends with (404 for any method and path): not a route it serves. */
export const CATCH_ALL = '/{*splat}';

/** Every route layer of an Express app, routers included, in the order Express tries them. */
function routeLayers(stack: Layer[] = []): Layer[] {
  return stack.flatMap((layer) => {
    if (layer.route) return layer.route.path === CATCH_ALL ? [] : [layer];
    // Routers here are mounted at the root, so their routes' paths are whole paths.
    if (layer.name === 'router' && layer.handle?.stack) return routeLayers(layer.handle.stack);
    return [];
  });
}

/** The routes an app serves: method (upper case) and Express path, e.g. `GET /api/tickets/:id`. */
export function listRoutes(app: Express): { method: string; path: string }[] {
  const router = (app as unknown as { router: { stack: Layer[] } }).router;
  return routeLayers(router.stack).flatMap((layer) => {
    const paths = Array.isArray(layer.route!.path) ? layer.route!.path : [layer.route!.path];
    return Object.keys(layer.route!.methods)
      .filter((method) => method !== '_all')
      .flatMap((method) => paths.map((path) => ({ method: method.toUpperCase(), path })));
  });
}

/** The methods the app answers on `path`, HEAD included wherever GET is. */
function methodsFor(app: Express, path: string): string[] {
  const router = (app as unknown as { router: { stack: Layer[] } }).router;
  const methods = new Set<string>();
  for (const layer of routeLayers(router.stack)) {
    if (!layer.match(path)) continue;
    for (const method of Object.keys(layer.route!.methods)) if (method !== '_all') methods.add(method.toUpperCase());
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

/**
 * Answers `OPTIONS <path>` with 204 and an `Allow` header naming every method the app serves
 * there (Express would name only those of the first router that has the path), or 404.
 */
export function allowedMethods(app: Express): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'OPTIONS') return next();
    const methods = methodsFor(app, req.path);
    if (methods.length === 0) return next();
    res
      .set('Allow', [...methods, 'OPTIONS'].join(', '))
      .status(204)
      .end();
  };
}
