/** Marks a field for removal in `edited`. */
export const REMOVE = Symbol('remove');

/**
 * A deep copy of `object` with each dotted path (`spec.template.spec.containers.0.name`)
 * set to its value, or removed when the value is `REMOVE`. For building broken variants
 * of valid manifests, including fields no type declares.
 */
export function edited<T>(object: T, changes: [path: string, value: unknown][]): T {
  const copy = structuredClone(object);
  for (const [path, value] of changes) {
    const keys = path.split('.');
    const last = keys.pop()!;
    let parent = copy as Record<string, unknown>;
    for (const key of keys) {
      if (typeof parent[key] !== 'object' || parent[key] === null) throw new Error(`no ${key} on the way to ${path}`);
      parent = parent[key] as Record<string, unknown>;
    }
    if (value === REMOVE) delete parent[last];
    else parent[last] = value;
  }
  return copy;
}
