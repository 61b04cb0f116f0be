import { AxiosError, AxiosHeaders, type AxiosResponse } from 'axios';
import {
  apiErrorsFrom,
  isUnavailable,
  UNAVAILABLE_MESSAGE,
  UNEXPECTED_MESSAGE,
  UNREACHABLE_MESSAGE,
} from '../lib/api/api-errors';

function failedWith(status: number, data: unknown): AxiosError {
  const config = { headers: new AxiosHeaders() };
  const response: AxiosResponse = { status, statusText: '', data, headers: {}, config };
  return new AxiosError(`Request failed with status code ${status}`, 'ERR_BAD_REQUEST', config, {}, response);
}

describe('apiErrorsFrom', () => {
  it('passes the contract errors through, fields included', () => {
    const error = failedWith(400, {
      errors: [{ message: 'Email must be valid', field: 'email' }, { message: 'Email in use' }],
    });
    expect(apiErrorsFrom(error)).toEqual([
      { message: 'Email must be valid', field: 'email' },
      { message: 'Email in use' },
    ]);
  });

  it('turns a 503 from the edge into one friendly message', () => {
    const error = failedWith(503, { errors: [{ message: 'auth is unavailable' }] });
    expect(apiErrorsFrom(error)).toEqual([{ message: UNAVAILABLE_MESSAGE }]);
  });

  it('explains a request that got no answer at all', () => {
    const error = new AxiosError('Network Error', 'ERR_NETWORK');
    expect(apiErrorsFrom(error)).toEqual([{ message: UNREACHABLE_MESSAGE }]);
  });

  it('falls back to a generic message for a body outside the contract', () => {
    expect(apiErrorsFrom(failedWith(500, '<html>oops</html>'))).toEqual([{ message: UNEXPECTED_MESSAGE }]);
    expect(apiErrorsFrom(failedWith(400, { errors: [] }))).toEqual([{ message: UNEXPECTED_MESSAGE }]);
    expect(apiErrorsFrom(failedWith(400, { errors: [{ field: 'email' }] }))).toEqual([{ message: UNEXPECTED_MESSAGE }]);
  });

  it('drops a field that is not a string', () => {
    expect(apiErrorsFrom(failedWith(400, { errors: [{ message: 'Bad', field: 3 }] }))).toEqual([{ message: 'Bad' }]);
  });

  it('gives the generic message for an error that is not from axios', () => {
    expect(apiErrorsFrom(new TypeError('x is undefined'))).toEqual([{ message: UNEXPECTED_MESSAGE }]);
  });
});

describe('isUnavailable', () => {
  it('is true for edge outages and network failures', () => {
    expect(isUnavailable(failedWith(503, {}))).toBe(true);
    expect(isUnavailable(failedWith(502, {}))).toBe(true);
    expect(isUnavailable(new AxiosError('Network Error', 'ERR_NETWORK'))).toBe(true);
  });

  it('is false for input errors, server bugs and non-axios errors', () => {
    expect(isUnavailable(failedWith(400, {}))).toBe(false);
    expect(isUnavailable(failedWith(500, {}))).toBe(false);
    expect(isUnavailable(new Error('boom'))).toBe(false);
  });
});
