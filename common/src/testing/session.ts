import { randomUUID } from 'node:crypto';
import { signSessionToken } from '../session/session-token';

/**
 * The `Cookie` header of a signed-in user, as auth sets it (the reference design's
 * `signin()`): a session cookie holding a JWT signed with `jwtKey`.
 */
export function sessionCookie(
  jwtKey: string,
  user: { id?: string; email?: string } = {},
  expiresInSeconds = 3_600,
): string[] {
  const token = signSessionToken(
    { id: user.id ?? randomUUID(), email: user.email ?? 'test@test.com' },
    jwtKey,
    expiresInSeconds,
  );
  return [`session=${Buffer.from(JSON.stringify({ jwt: token })).toString('base64')}`];
}
