import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '@ticketing/common/db';
import { testProviderCharges, testProviderRefunds, type PaymentsSchema } from '../db/schema';
import {
  PaymentProviderError,
  type ChargeRequest,
  type ChargeResult,
  type PaymentProvider,
  type RefundRequest,
} from './payment-provider';
import { testCardBehaviour } from './test-tokens';

function providerId(prefix: string): string {
  return `${prefix}_test_${randomBytes(12).toString('base64url')}`;
}

/**
 * The built-in provider, used when no Stripe key is configured: it answers Stripe's test
 * cards as Stripe's test mode does and keeps its ledger in the payments database, so a
 * request repeated with the same idempotency key gets the first answer — across restarts
 * and replicas — and never a second charge. No money moves.
 */
export class TestPaymentProvider implements PaymentProvider {
  readonly name = 'test';

  constructor(private readonly db: Db<PaymentsSchema>) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const behaviour = testCardBehaviour(request.token);
    // As at Stripe, an unknown card is refused before anything is recorded.
    if (!behaviour) return { outcome: 'invalid-token', reason: `No such token: '${request.token}'` };
    const outcome = behaviour.outcome === 'succeeds' ? 'succeeded' : 'declined';
    const [made] = await this.db
      .insert(testProviderCharges)
      .values({
        idempotencyKey: request.idempotencyKey,
        chargeId: providerId('ch'),
        outcome,
        amountCents: request.amountCents,
        currency: request.currency,
        token: request.token,
        orderId: request.orderId,
      })
      .onConflictDoNothing({ target: testProviderCharges.idempotencyKey })
      .returning();
    const charge = made ?? (await this.findCharge(request.idempotencyKey));
    if (
      charge.amountCents !== request.amountCents ||
      charge.currency !== request.currency ||
      charge.token !== request.token
    ) {
      // Stripe answers 400 idempotency_error: the key was used for a different request.
      throw new PaymentProviderError(`idempotency key ${request.idempotencyKey} was used with other parameters`);
    }
    if (charge.outcome === 'succeeded') return { outcome: 'succeeded', chargeId: charge.chargeId };
    return { outcome: 'declined', reason: behaviour.outcome === 'declined' ? behaviour.code : 'generic_decline' };
  }

  async refund(request: RefundRequest): Promise<{ refundId: string | null }> {
    const [charge] = await this.db
      .select()
      .from(testProviderCharges)
      .where(eq(testProviderCharges.chargeId, request.chargeId));
    if (charge?.outcome !== 'succeeded') throw new PaymentProviderError(`no charge ${request.chargeId} to refund`);
    await this.db
      .insert(testProviderRefunds)
      .values({
        idempotencyKey: request.idempotencyKey,
        refundId: providerId('re'),
        chargeId: request.chargeId,
        amountCents: request.amountCents,
      })
      .onConflictDoNothing();
    // One refund per charge: a repeated request, or another key for the same charge, finds the first.
    const [refund] = await this.db
      .select()
      .from(testProviderRefunds)
      .where(eq(testProviderRefunds.chargeId, request.chargeId));
    if (!refund)
      throw new PaymentProviderError(`idempotency key ${request.idempotencyKey} was used for another charge`);
    return { refundId: refund.refundId };
  }

  private async findCharge(idempotencyKey: string) {
    const [charge] = await this.db
      .select()
      .from(testProviderCharges)
      .where(eq(testProviderCharges.idempotencyKey, idempotencyKey));
    if (!charge) throw new PaymentProviderError(`charge ${idempotencyKey} vanished`);
    return charge;
  }
}
