import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { ServerResponse } from 'node:http';

// Next gives a page no way to set its status other than 404 (notFound) and redirects, yet an
// outage must answer 503. Node announces each request on the `http.server.request.start`
// channel before Next sees it; the response is kept in an async context that follows the
// request into the page. Shared through globalThis: Next bundles the instrumentation hook and
// the pages apart, each with its own copy of this module.
const KEY = Symbol.for('ticketing.client.response');
const shared = globalThis as { [KEY]?: AsyncLocalStorage<ServerResponse> };

/** Starts following each request's response (once per process; from instrumentation.ts). */
export function followResponses(): void {
  if (shared[KEY]) return;
  const responses = new AsyncLocalStorage<ServerResponse>();
  shared[KEY] = responses;
  subscribe('http.server.request.start', (message) => {
    responses.enterWith((message as { response: ServerResponse }).response);
  });
}

/**
 * Sets the status of the response being rendered, if nothing has been sent yet. Only for
 * pages without a loading boundary above them: a streamed page has sent 200 already.
 */
export function setResponseStatus(status: number): void {
  const response = shared[KEY]?.getStore();
  if (response && !response.headersSent) response.statusCode = status;
}
