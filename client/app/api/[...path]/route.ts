// An /api/… path that no service serves reaches the web app through the ingress's catch-all
// route: answer it as the API would, a 404 in the contract's error format, not an HTML page.
function notFound() {
  return Response.json(
    { errors: [{ message: 'Not Found' }] },
    { status: 404, headers: { 'cache-control': 'no-store' } },
  );
}

export const GET = notFound;
export const HEAD = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
export const OPTIONS = notFound;

export const dynamic = 'force-dynamic';
