import type { Logger, Worker } from '@ticketing/common/service';
import type { PaymentService } from './payment-service';

/**
 * The sweep: every `intervalMs` (and at once when kicked) it finishes what no request is
 * finishing — attempts left pending by an instance that died or lost the provider's
 * answer (sent again with the same idempotency key, so the provider answers instead of
 * charging again) and refunds of charges whose order was cancelled. Rows are leased, so
 * replicas sweeping together never work on the same one.
 */
export class PaymentSweeper implements Worker {
  readonly name = 'payment sweep';
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly service: PaymentService,
    private readonly logger: Logger,
    private readonly intervalMs = 1_000,
  ) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.intervalMs);
  }

  /** Sweeps now (or right after the pass under way). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'payment sweep failed; will try again'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  async report(): Promise<Record<string, unknown>> {
    const [pending, refunding] = await Promise.all([
      this.service.ledger.countUnsettled('pending'),
      this.service.ledger.countUnsettled('refunding'),
    ]);
    return { paymentsPending: pending, refundsPending: refunding };
  }

  private async pass(): Promise<void> {
    for (const payment of await this.service.ledger.claimDue('pending')) {
      if (this.stopped) return;
      this.logger.info({ orderId: payment.orderId, attempt: payment.attempt }, 'finishing an abandoned payment');
      await this.service.attempt(payment).catch(() => {
        // Logged by attempt(); the row is released and comes back on a later pass.
      });
    }
    for (const payment of await this.service.ledger.claimDue('refunding')) {
      if (this.stopped) return;
      await this.service.refund(payment).catch((error: unknown) => {
        this.logger.warn({ err: error, orderId: payment.orderId }, 'refund failed; will try again');
      });
    }
  }
}
