import axios, { type AxiosInstance, type CreateAxiosDefaults } from 'axios';

/** Where the code runs: in Node answering a request, or in the visitor's browser. */
export type Runtime = 'server' | 'browser';

/** What a server-side call needs from the request being answered. */
export interface RequestContext {
  /** The ingress (or local edge) base URL, from API_URL. */
  apiUrl: string;
  /** The incoming request's headers, as `headers()` from next/headers returns them. */
  requestHeaders: { get(name: string): string | null };
}

// The cookie carries the visitor's session; Host lets the ingress pick the rule for
// `ticketing.dev` (the local edge ignores it).
const FORWARDED_HEADERS = ['cookie', 'host'] as const;

// Slow enough for a cold service, short enough that a hung one does not hang the page.
const SERVER_TIMEOUT_MS = 10_000;

export const currentRuntime = (): Runtime => (typeof window === 'undefined' ? 'server' : 'browser');

/** The axios defaults for a runtime: same-origin relative URLs in the browser, the ingress with the visitor's headers on the server. */
export function clientConfig(runtime: Runtime, context?: RequestContext): CreateAxiosDefaults {
  if (runtime === 'browser') return { baseURL: '/' };
  if (!context) throw new Error('A server-side API client needs the request context (use serverClient())');
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = context.requestHeaders.get(name);
    if (value) headers[name] = value;
  }
  return { baseURL: context.apiUrl, headers, timeout: SERVER_TIMEOUT_MS };
}

/** An axios instance for the API, aimed at the base that works where this code runs. */
export function buildClient(context?: RequestContext, runtime: Runtime = currentRuntime()): AxiosInstance {
  return axios.create(clientConfig(runtime, context));
}
