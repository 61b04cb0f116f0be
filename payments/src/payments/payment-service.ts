import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '@ticketing/common/db';
import { BadRequestError, NotAuthorizedError, NotFoundError } from '@ticketing/common/http';
import type { Logger } from '@ticketing/common/service';
import { OrderCopies } from '../db/order-copy';
import type { PaymentsSchema } from '../db/schema';
import type { PaymentProvider } from '../providers/payment-provider';
import { PaymentDeclinedError, PaymentInProgressError, ProviderUnavailableError } from './payment-errors';
import { chargeKey, PaymentLedger, refundKey, type PaymentRow } from '../db/payment-ledger';
import { toPayment, type Payment } from './payment-view';

/** How an attempt ended, once recorded. */
type AttemptOutcome =
  | { kind: 'charged'; payment: PaymentRow }
  | { kind: 'declined' }
  | { kind: 'invalid-token' }
  | { kind: 'refused'; reason: string };

/** Timing of the payment flow. */
export interface PaymentTimings {
  /** How long an instance working on a payment is trusted before another takes over. */
  leaseMs: number;
  /** How long a request waits for another request's attempt on the same order before answering 409. */
  waitMs?: number;
  /** How often a waiting request looks again. */
  pollMs?: number;
  /** After a provider failure, how long before the sweep asks again. */
  retryMs?: number;
}

/** What the service is told from outside. */
export interface PaymentHooks {
  /** Called when a charge is found to need a refund, so the sweep can make it at once. */
  onRefundDue?: () => void;
  /**
   * Resolves once payments' copy of the orders has taken in what the bus holds (an order
   * just placed, a cancellation just made), or it gave up waiting: a payment reads the
   * order after it, so it does not charge an order its buyer cancelled a moment before.
   */
  catchUp?: () => Promise<unknown>;
  /** The time now (tests move it). */
  now?: () => number;
}

const ALREADY_PAID = 'Order is already paid';
const CANCELLED = 'Cannot pay for a cancelled order';
const EXPIRED = 'Order has expired';

/**
 * Paying for an order exactly once. A pending row (one per order) is written before the
 * provider is called, and every call for that attempt carries the same idempotency key;
 * only after the provider's answer is the outcome recorded, with payment:created in the
 * same transaction. Whatever happens between the two — a crash, a lost answer — is found
 * out by sending the same request again (by the next request for the order, or the sweep),
 * which the provider answers with its first answer instead of charging again.
 */
export class PaymentService {
  readonly ledger: PaymentLedger;
  private readonly waitMs: number;
  private readonly pollMs: number;
  private readonly retryMs: number;
  private readonly onRefundDue: () => void;
  private readonly catchUp: () => Promise<unknown>;
  private readonly now: () => number;

  constructor(
    private readonly db: Db<PaymentsSchema>,
    private readonly provider: PaymentProvider,
    private readonly logger: Logger,
    timings: PaymentTimings,
    hooks: PaymentHooks = {},
  ) {
    this.ledger = new PaymentLedger(db, timings.leaseMs);
    this.waitMs = timings.waitMs ?? 10_000;
    this.pollMs = timings.pollMs ?? 50;
    this.retryMs = timings.retryMs ?? 2_000;
    this.onRefundDue = hooks.onRefundDue ?? (() => {});
    this.catchUp = hooks.catchUp ?? (async () => undefined);
    this.now = hooks.now ?? Date.now;
  }

  /**
   * The buyer pays for their order with `token`. One request at a time makes an attempt;
   * the others wait for its outcome: paid → 400 "Order is already paid"; declined → the
   * next of them makes its own attempt with its own card.
   */
  async pay(userId: string, orderId: string, token: string): Promise<Payment> {
    const deadline = Date.now() + this.waitMs;
    // What the copy says of an order still open may be behind the bus (a cancellation a
    // moment ago): it is read again once the copy has taken in what the bus holds.
    const first = await new OrderCopies(this.db).find(orderId);
    if (!first || first.status === 'created') await this.catchUp();
    for (;;) {
      const order = await new OrderCopies(this.db).find(orderId);
      if (!order) throw new NotFoundError();
      if (order.userId !== userId) throw new NotAuthorizedError();
      if (order.status === 'cancelled') throw new BadRequestError(CANCELLED);
      if (order.status === 'complete') throw new BadRequestError(ALREADY_PAID);
      // Its expiry may not have been processed yet: no new attempt starts after it (a charge
      // would only be refunded), though one already under way is seen through.
      const expired = order.expiresAt !== null && this.now() >= order.expiresAt.getTime();

      const mine = expired
        ? undefined
        : ((await this.ledger.startFirst(order, token)) ?? (await this.ledger.startNext(order.id, token)));
      if (mine) return this.answer(await this.attempt(mine));

      // An attempt left pending by an instance that died: finish it first, with its own card.
      const abandoned = await this.ledger.takeOver(order.id);
      if (abandoned) {
        const outcome = await this.attempt(abandoned);
        if (outcome.kind === 'charged') return this.answer(outcome);
        continue;
      }

      const current = await this.ledger.find(order.id);
      if (current?.status === 'succeeded') throw new BadRequestError(ALREADY_PAID);
      if (current?.status === 'refunding' || current?.status === 'refunded') throw new BadRequestError(CANCELLED);
      if (current?.status === 'pending') await this.waitWhileInFlight(current, deadline);
      else if (expired) throw new BadRequestError(EXPIRED);
    }
  }

  /**
   * Watches an attempt another request (or instance) is making until it is settled, or its
   * lease runs out, reading that row alone; 409 once `deadline` has passed.
   */
  private async waitWhileInFlight(attempt: PaymentRow, deadline: number): Promise<void> {
    for (;;) {
      if (Date.now() >= deadline) throw new PaymentInProgressError();
      await sleep(this.pollMs);
      const row = await this.ledger.find(attempt.orderId);
      if (row?.status !== 'pending' || row.attempt !== attempt.attempt) return;
      if (row.claimedUntil.getTime() <= Date.now()) return;
    }
  }

  /** The user's payments, of one order when given. */
  async listFor(userId: string, orderId?: string): Promise<Payment[]> {
    return (await this.ledger.listFor(userId, orderId)).map(toPayment);
  }

  /**
   * Sends a leased attempt to the provider and records what became of it. A provider that
   * cannot say leaves the attempt pending for the sweep, which sends the same request again.
   */
  async attempt(payment: PaymentRow): Promise<AttemptOutcome> {
    let result;
    try {
      result = await this.provider.charge({
        idempotencyKey: chargeKey(payment),
        amountCents: payment.amountCents,
        currency: payment.currency,
        token: payment.token,
        orderId: payment.orderId,
      });
    } catch (error) {
      this.logger.warn({ err: error, orderId: payment.orderId, attempt: payment.attempt }, 'charge outcome unknown');
      await this.ledger
        .release(payment, this.retryMs)
        .catch((releaseError: unknown) => this.logger.warn({ err: releaseError }, 'cannot release a payment'));
      throw new ProviderUnavailableError({ cause: error });
    }

    if (result.outcome !== 'succeeded') {
      await this.ledger.markDeclined(payment);
      this.logger.info({ orderId: payment.orderId, attempt: payment.attempt, reason: result.reason }, 'charge refused');
      if (result.outcome === 'refused') return { kind: 'refused', reason: result.reason };
      return { kind: result.outcome };
    }
    const recorded =
      (await this.ledger.markCharged(payment, result.chargeId)) ?? (await this.ledger.find(payment.orderId))!;
    this.logger.info({ orderId: payment.orderId, chargeId: result.chargeId, status: recorded.status }, 'charged');
    if (recorded.status === 'refunding') this.onRefundDue();
    return { kind: 'charged', payment: recorded };
  }

  /** Gives a charge of a cancelled order back and records it with payment:refunded. */
  async refund(payment: PaymentRow): Promise<void> {
    let refundId: string | null;
    try {
      ({ refundId } = await this.provider.refund({
        idempotencyKey: refundKey(payment),
        chargeId: payment.chargeId!,
        amountCents: payment.amountCents,
      }));
    } catch (error) {
      await this.ledger.release(payment, this.retryMs);
      throw error;
    }
    if (await this.ledger.markRefunded(payment, refundId)) {
      this.logger.info({ orderId: payment.orderId, chargeId: payment.chargeId, refundId }, 'refunded');
    }
  }

  private answer(outcome: AttemptOutcome): Payment {
    if (outcome.kind === 'declined') throw new PaymentDeclinedError();
    if (outcome.kind === 'invalid-token') throw new BadRequestError('Token is not a card that can be charged', 'token');
    if (outcome.kind === 'refused')
      throw new BadRequestError(`The payment provider refused this payment: ${outcome.reason}`);
    // Charged, but the order was cancelled meanwhile (it expired): the charge is being refunded.
    if (outcome.payment.status !== 'succeeded') throw new BadRequestError(CANCELLED);
    return toPayment(outcome.payment);
  }
}
