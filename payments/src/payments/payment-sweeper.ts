import { periodicWorker, type Logger, type PeriodicWorker } from '@ticketing/common/service';
import type { PaymentService } from './payment-service';

/**
 * The sweep: every `intervalMs` (and at once when kicked) it finishes what no request is
 * finishing — attempts left pending by an instance that died or lost the provider's
 * answer (sent again with the same idempotency key, so the provider answers instead of
 * charging again) and refunds of charges whose order was cancelled. Rows are leased, so
 * replicas sweeping together never work on the same one.
 */
export function paymentSweeper(service: PaymentService, logger: Logger, intervalMs = 1_000): PeriodicWorker {
  return periodicWorker({
    name: 'payment sweep',
    intervalMs,
    logger,
    // A request coming back for its own attempt finishes it; the sweep takes what is still
    // left an interval later.
    passAtStart: false,
    async pass(stopping) {
      for (const payment of await service.ledger.claimDue('pending')) {
        if (stopping.aborted) return;
        logger.info({ orderId: payment.orderId, attempt: payment.attempt }, 'finishing an abandoned payment');
        await service.attempt(payment).catch(() => {
          // Logged by attempt(); the row is released and comes back on a later pass.
        });
      }
      for (const payment of await service.ledger.claimDue('refunding')) {
        if (stopping.aborted) return;
        await service.refund(payment).catch((error: unknown) => {
          logger.warn({ err: error, orderId: payment.orderId }, 'refund failed; will try again');
        });
      }
    },
    onError: (error) => logger.warn({ err: error }, 'payment sweep failed; will try again'),
    async report() {
      const [pending, refunding] = await Promise.all([
        service.ledger.countUnsettled('pending'),
        service.ledger.countUnsettled('refunding'),
      ]);
      return { paymentsPending: pending, refundsPending: refunding };
    },
  });
}
