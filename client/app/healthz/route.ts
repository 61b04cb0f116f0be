/**
 * `GET /healthz`: 200 once the server can answer requests. The runner waits for it before it
 * says the app is up, and Kubernetes probes it.
 */
export function GET() {
  return Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
}

export const dynamic = 'force-dynamic';
