import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { CustomError } from '../errors/custom-error';
import { DatabaseConnectionError } from '../errors/database-connection-error';
import { MalformedJsonError } from '../errors/malformed-json-error';
import { NotFoundError } from '../errors/not-found-error';
import { PayloadTooLargeError } from '../errors/payload-too-large-error';
import { MalformedBodyError } from '../errors/malformed-body-error';
import { TooManyRequestsError } from '../errors/too-many-requests-error';
import { UnsupportedMediaTypeError } from '../errors/unsupported-media-type-error';
import { isDatabaseConnectionError } from '../db/database-errors';

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
  message?: string;
  limit?: number;
  code?: unknown;
  charset?: string;
  encoding?: string;
}

function formatBytes(bytes: number | undefined): string {
  if (!bytes) return 'the size limit';
  return bytes % 1024 === 0 ? `${bytes / 1024} kB` : `${bytes} bytes`;
}

/** Turns what Express and its body parser throw into one of our client-facing errors, if it is one. */
function toCustomError(error: unknown): CustomError | undefined {
  if (error instanceof CustomError) return error;
  // A path Express cannot percent-decode names no resource.
  if (error instanceof URIError) return new NotFoundError({ cause: error });
  const parserError = error as BodyParserError;
  if (parserError?.type === 'entity.parse.failed') return new MalformedJsonError({ cause: error });
  if (parserError?.type === 'entity.too.large') {
    return new PayloadTooLargeError(formatBytes(parserError.limit), { cause: error });
  }
  if (parserError?.type === 'charset.unsupported') {
    return new UnsupportedMediaTypeError(
      `Request body must be JSON in UTF-8 (charset ${parserError.charset ?? 'given'} is not supported)`,
      { cause: error },
    );
  }
  if (parserError?.type === 'encoding.unsupported') {
    return new UnsupportedMediaTypeError(
      `Content-Encoding ${parserError.encoding ?? 'given'} is not supported (use gzip, deflate, br or none)`,
      { cause: error },
    );
  }
  if (parserError?.type === 'request.size.invalid' || parserError?.type === 'request.aborted') {
    return new MalformedBodyError('Request body is shorter or longer than its Content-Length', undefined, {
      cause: error,
    });
  }
  // zlib's and brotli's own errors ("incorrect header check") say nothing a client can use.
  if (parserError?.status === 400 && parserError.type === undefined && typeof parserError.code === 'string') {
    return new MalformedBodyError('Request body could not be decompressed as its Content-Encoding says', undefined, {
      cause: error,
    });
  }
  if (isDatabaseConnectionError(error)) return new DatabaseConnectionError({ cause: error });
  return undefined;
}

/**
 * The last middleware of every app: answers in the contract's `{ errors: [...] }` format.
 * Known errors keep their status; other client errors from Express keep theirs with their
 * public message; anything else is logged with its cause and answered 500 with a generic
 * message, so no stack or internal detail leaves the process.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);

    const known = toCustomError(error);
    if (known) {
      if (known.statusCode >= 500) logger.warn({ err: error, method: req.method, path: req.path }, known.message);
      if (known instanceof TooManyRequestsError) res.set('Retry-After', String(known.retryAfterSeconds));
      res.status(known.statusCode).send({ errors: known.serializeErrors() });
      return;
    }

    const parserError = error as BodyParserError;
    const status = parserError?.status;
    if (typeof status === 'number' && status >= 400 && status < 500 && parserError.expose) {
      res.status(status).send({ errors: [{ message: parserError.message ?? 'Bad request' }] });
      return;
    }

    logger.error({ err: error, method: req.method, path: req.path }, 'unhandled error while serving a request');
    res.status(500).send({ errors: [{ message: 'Something went wrong' }] });
  };
}
