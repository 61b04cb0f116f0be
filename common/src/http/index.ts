/** `@ticketing/common/http`: errors, middlewares, the session and the Express app every service shares. */
export { CustomError, type SerializedError } from '../errors/custom-error';
export { BadRequestError } from '../errors/bad-request-error';
export { NotFoundError } from '../errors/not-found-error';
export { NotAuthorizedError } from '../errors/not-authorized-error';
export { RequestValidationError } from '../errors/request-validation-error';
export { DatabaseConnectionError } from '../errors/database-connection-error';
export { PayloadTooLargeError } from '../errors/payload-too-large-error';
export { MalformedJsonError } from '../errors/malformed-json-error';
export { currentUser } from '../middlewares/current-user';
export { requireAuth } from '../middlewares/require-auth';
export { validateRequest } from '../middlewares/validate-request';
export { errorHandler } from '../middlewares/error-handler';
export { notFound } from '../middlewares/not-found';
export { sessionCookie, type SessionCookieOptions } from '../session/session-cookie';
export { signSessionToken, verifySessionToken, type UserPayload, type CurrentUser } from '../session/session-token';
export { buildServiceApp, BODY_LIMIT, type ServiceAppOptions } from './build-service-app';
export { healthRoutes, type HealthChecks } from './health-routes';
