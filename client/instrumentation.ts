/** Runs once when the server starts: lets pages set their response's status (503 in an outage). */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { followResponses } = await import('./lib/server/response-status');
    followResponses();
  }
}
