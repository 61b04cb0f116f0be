import { isAxiosError } from 'axios';
import type { ApiError } from './types';

export const UNAVAILABLE_MESSAGE = 'Ticketing is having trouble right now. Please try again in a moment.';
export const UNREACHABLE_MESSAGE = "We couldn't reach Ticketing. Check your connection and try again.";
export const UNEXPECTED_MESSAGE = 'Something went wrong. Please try again.';

const unavailableStatuses = new Set([502, 503, 504]);

/** True when the request failed because a service or the network is down, not because of the input. */
export function isUnavailable(error: unknown): boolean {
  if (!isAxiosError(error)) return false;
  return !error.response || unavailableStatuses.has(error.response.status);
}

function contractErrors(body: unknown): ApiError[] | null {
  if (typeof body !== 'object' || body === null || !('errors' in body) || !Array.isArray(body.errors)) return null;
  const errors = body.errors.filter(
    (e): e is ApiError => typeof e === 'object' && e !== null && typeof e.message === 'string',
  );
  return errors.length > 0
    ? errors.map(({ message, field }) => (typeof field === 'string' ? { message, field } : { message }))
    : null;
}

/**
 * What to tell the visitor about a failed API call, in the contract's shape. Input errors
 * pass through as the API worded them; an outage or a network failure becomes one friendly
 * message, since the edge's wording is meant for operators.
 */
export function apiErrorsFrom(error: unknown): ApiError[] {
  if (!isAxiosError(error)) return [{ message: UNEXPECTED_MESSAGE }];
  if (!error.response) return [{ message: UNREACHABLE_MESSAGE }];
  if (unavailableStatuses.has(error.response.status)) return [{ message: UNAVAILABLE_MESSAGE }];
  return contractErrors(error.response.data) ?? [{ message: UNEXPECTED_MESSAGE }];
}
