import { cache } from 'react';
import type { CurrentUser } from '../api/types';
import { describeError, log } from './log';
import { serverClient } from './server-client';

/**
 * The visitor's user, or null when signed out. Memoized per request: the header and the page
 * both ask. When auth cannot answer, the visitor is shown as signed out rather than the page
 * failing; a missing API_URL (ConfigError) still throws.
 */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const client = await serverClient();
  try {
    const { data } = await client.get<{ currentUser: CurrentUser | null }>('/api/users/currentuser');
    return data.currentUser ?? null;
  } catch (error) {
    log.warn(describeError(error), 'current user unavailable; rendering as signed out');
    return null;
  }
});
