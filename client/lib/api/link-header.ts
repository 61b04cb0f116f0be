/**
 * The `rel="next"` target of an RFC 8288 Link header, or null when there is none.
 * Handles several links in one header and `rel` lists such as `rel="next last"`.
 */
export function parseNextLink(header: string | null | undefined): string | null {
  if (!header) return null;
  for (const match of header.matchAll(/<([^>]*)>([^<]*)/g)) {
    const [, target, params = ''] = match;
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (target && relations.includes('next')) return target;
  }
  return null;
}

/**
 * The next page as a same-origin path (`/api/tickets?limit=…&cursor=…`). The API may send
 * an absolute URL naming a host only reachable inside the cluster; the browser must ask its
 * own origin instead, which routes `/api/tickets` to the same service.
 */
export function nextPagePath(header: string | null | undefined): string | null {
  const target = parseNextLink(header);
  if (!target) return null;
  const url = new URL(target, 'http://origin.invalid');
  return `${url.pathname}${url.search}`;
}
