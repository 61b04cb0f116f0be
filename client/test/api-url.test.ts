import { readApiUrl } from '../lib/server/api-url';
import { ConfigError } from '../lib/server/config-error';

describe('readApiUrl', () => {
  it('returns API_URL without a trailing slash', () => {
    expect(readApiUrl({ API_URL: 'http://localhost:3000/' })).toBe('http://localhost:3000');
    expect(readApiUrl({ API_URL: ' http://ingress-nginx-controller.ingress-nginx.svc.cluster.local ' })).toBe(
      'http://ingress-nginx-controller.ingress-nginx.svc.cluster.local',
    );
  });

  it('names API_URL when it is missing or empty', () => {
    expect(() => readApiUrl({})).toThrow(ConfigError);
    expect(() => readApiUrl({})).toThrow(/API_URL is not set/);
    expect(() => readApiUrl({ API_URL: '  ' })).toThrow(/API_URL is not set/);
  });

  it('names API_URL when it is not an http(s) URL', () => {
    expect(() => readApiUrl({ API_URL: 'localhost:3000' })).toThrow(/API_URL must be an http\(s\) URL/);
    expect(() => readApiUrl({ API_URL: 'not a url' })).toThrow(/API_URL is not a URL/);
  });
});
