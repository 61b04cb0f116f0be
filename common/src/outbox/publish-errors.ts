import { JetStreamApiError } from '@nats-io/jetstream';
import { errors } from '@nats-io/transport-node';
import { ContractViolationError } from '../events/event-contracts';

/** Raised by a relay's publish for a row this service has no business publishing. */
export class UnpublishableEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnpublishableEventError';
  }
}

/**
 * True when a row itself is at fault, so trying again is unlikely to help: it breaks its
 * contract, this service does not publish its subject, or the server refused it (e.g. too
 * large, or the stream's limits). Anything else — timeouts, a lost connection, no stream
 * yet — is the bus being away, and the row simply waits.
 */
export function isRowAtFault(error: unknown): boolean {
  return (
    error instanceof ContractViolationError ||
    error instanceof UnpublishableEventError ||
    error instanceof errors.InvalidArgumentError ||
    error instanceof errors.InvalidSubjectError ||
    error instanceof errors.PermissionViolationError ||
    error instanceof JetStreamApiError
  );
}
