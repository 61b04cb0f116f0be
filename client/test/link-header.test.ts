import { nextPagePath, parseNextLink } from '../lib/api/link-header';

describe('parseNextLink', () => {
  it('returns the target of rel="next"', () => {
    expect(parseNextLink('</api/tickets?limit=24&cursor=abc>; rel="next"')).toBe('/api/tickets?limit=24&cursor=abc');
  });

  it('finds next among several links and accepts an unquoted rel', () => {
    const header = '</api/tickets?limit=2>; rel="first", </api/tickets?limit=2&cursor=x>; rel=next';
    expect(parseNextLink(header)).toBe('/api/tickets?limit=2&cursor=x');
  });

  it('accepts next inside a list of relations, in any case', () => {
    expect(parseNextLink('</p2>; title="Page 2"; rel="Next last"')).toBe('/p2');
  });

  it('returns null when there is no header or no next link', () => {
    expect(parseNextLink(undefined)).toBeNull();
    expect(parseNextLink('')).toBeNull();
    expect(parseNextLink('</api/tickets?limit=2>; rel="prev"')).toBeNull();
  });
});

describe('nextPagePath', () => {
  it('keeps a relative target as it is', () => {
    expect(nextPagePath('</api/tickets?limit=24&cursor=abc>; rel="next"')).toBe('/api/tickets?limit=24&cursor=abc');
  });

  it('drops the origin of an absolute target, so the browser asks its own origin', () => {
    const header = '<http://tickets-srv:3000/api/tickets?limit=24&cursor=a%2Fb>; rel="next"';
    expect(nextPagePath(header)).toBe('/api/tickets?limit=24&cursor=a%2Fb');
  });

  it('returns null on the last page', () => {
    expect(nextPagePath(null)).toBeNull();
  });
});
