import type { AxiosInstance } from 'axios';
import { headers } from 'next/headers';
import { buildClient } from '../api/build-client';
import { readApiUrl } from './api-url';

/**
 * The API client for Server Components: calls go through the ingress with the visitor's
 * cookie. Awaiting the request's headers first makes the caller request-time, so API_URL is
 * read when a visitor asks, not during `next build`.
 */
export async function serverClient(): Promise<AxiosInstance> {
  const requestHeaders = await headers();
  return buildClient({ apiUrl: readApiUrl(), requestHeaders }, 'server');
}
