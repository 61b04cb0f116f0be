import { ConfigError } from './config-error';

/**
 * API_URL, the base URL for server-side API calls: the local edge, or in Kubernetes the
 * ingress controller's service. Read per request, never at build time, so one build runs in
 * every environment. Throws a ConfigError naming the variable when it is unusable.
 */
export function readApiUrl(env: Record<string, string | undefined> = process.env): string {
  const value = env.API_URL?.trim();
  if (!value) {
    throw new ConfigError(
      'API_URL is not set: the client calls the API through it when rendering pages (e.g. API_URL=http://localhost:3000, the edge)',
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`API_URL is not a URL: "${value}" (expected e.g. http://localhost:3000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`API_URL must be an http(s) URL, got "${value}"`);
  }
  return value.replace(/\/+$/, '');
}
