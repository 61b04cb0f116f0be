import { NextResponse, type NextRequest } from 'next/server';

/**
 * The pages' Content-Security-Policy, with a fresh nonce per request: Next puts it on the
 * inline scripts it writes (it reads the nonce from the request's CSP header), so scripts run
 * only if Next wrote them, and `strict-dynamic` lets them load the app's chunks. Every page
 * renders per request anyway (they read the session), so the nonce costs nothing. No page may
 * be framed (`frame-ancestors 'none'`): the edit form must not be clickjacked.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    // React sets style attributes; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function proxy(request: NextRequest) {
  const nonce = btoa(crypto.randomUUID());
  const policy = contentSecurityPolicy(nonce);
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', policy);
  return response;
}

export const config = {
  // Pages only: not the built assets, nor the JSON answers of the API catch-all.
  matcher: ['/((?!_next/static|_next/image|api/|healthz|icon.svg|favicon.ico).*)'],
};
