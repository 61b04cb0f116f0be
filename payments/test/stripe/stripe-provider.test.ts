import { randomUUID } from 'node:crypto';
import { StripePaymentProvider } from '../../src/providers/stripe-provider';
import { StripeStandIn } from './stripe-stand-in';

let standIn: StripeStandIn;
let provider: StripePaymentProvider;

beforeAll(async () => {
  standIn = new StripeStandIn();
  provider = new StripePaymentProvider({ secretKey: standIn.apiKey, apiUrl: await standIn.start() });
});

afterAll(async () => {
  await standIn.stop();
});

function chargeRequest(fields: { token?: string; amountCents?: number } = {}) {
  const orderId = randomUUID();
  return {
    idempotencyKey: `payment:${orderId}:1`,
    amountCents: fields.amountCents ?? 1999,
    currency: 'usd',
    token: fields.token ?? 'tok_visa',
    orderId,
  };
}

describe('the Stripe adapter, against a local stand-in of Stripe’s API', () => {
  it('charges: a PaymentMethod from the token, then one PaymentIntent confirmed with it, each with its key', async () => {
    const request = chargeRequest();
    const before = standIn.received.length;

    const result = await provider.charge(request);

    expect(result).toEqual({ outcome: 'succeeded', chargeId: expect.stringMatching(/^ch_/) });
    const [method, intent] = standIn.received.slice(before);
    expect(method).toMatchObject({
      method: 'POST',
      path: '/v1/payment_methods',
      params: { type: 'card', 'card[token]': 'tok_visa' },
      idempotencyKey: `${request.idempotencyKey}:payment-method`,
      authorization: `Bearer ${standIn.apiKey}`,
      stripeVersion: expect.stringMatching(/^\d{4}-\d\d-\d\d/),
    });
    expect(intent).toMatchObject({
      method: 'POST',
      path: '/v1/payment_intents',
      idempotencyKey: request.idempotencyKey,
      params: {
        amount: '1999',
        currency: 'usd',
        confirm: 'true',
        payment_method: expect.stringMatching(/^pm_/),
        'automatic_payment_methods[enabled]': 'true',
        'automatic_payment_methods[allow_redirects]': 'never',
        error_on_requires_action: 'true',
        'metadata[orderId]': request.orderId,
      },
    });
    expect(standIn.charges.get((result as { chargeId: string }).chargeId)).toMatchObject({ amount: 1999 });
  });

  it('uses a PaymentMethod from Stripe Elements (pm_…) as it is', async () => {
    const before = standIn.received.length;

    const result = await provider.charge(chargeRequest({ token: 'pm_card_visa' }));

    expect(result.outcome).toBe('succeeded');
    expect(standIn.received.slice(before).map((r) => r.path)).toEqual(['/v1/payment_intents']);
  });

  it('reports a declined card as declined, with its decline code, and charges nothing', async () => {
    const charges = standIn.charges.size;

    const result = await provider.charge(chargeRequest({ token: 'tok_chargeDeclinedInsufficientFunds' }));

    expect(result).toEqual({ outcome: 'declined', reason: 'insufficient_funds' });
    expect(standIn.charges.size).toBe(charges);
  });

  it('reports a token Stripe does not know as an invalid token', async () => {
    const result = await provider.charge(chargeRequest({ token: 'tok_nonsense' }));

    expect(result).toMatchObject({ outcome: 'invalid-token' });
  });

  it('reports an amount Stripe will not take as refused, and charges nothing', async () => {
    const charges = standIn.charges.size;

    const result = await provider.charge(chargeRequest({ amountCents: 20 }));

    expect(result).toMatchObject({ outcome: 'refused', reason: expect.stringContaining('Amount too small') });
    expect(standIn.charges.size).toBe(charges);
  });

  it('answers a repeated charge with the first answer: the same charge, made once', async () => {
    const request = chargeRequest();
    const charges = standIn.charges.size;

    const first = await provider.charge(request);
    const again = await provider.charge(request);

    expect(again).toEqual(first);
    expect(standIn.charges.size).toBe(charges + 1);
    expect(standIn.requestsTo('/v1/payment_intents').at(-1)).toMatchObject({
      idempotencyKey: request.idempotencyKey,
      replayed: true,
    });
  });

  it('repeats a charge whose answer was lost with the same key, and charges once', async () => {
    const request = chargeRequest();
    const charges = standIn.charges.size;
    const before = standIn.received.length;
    // The PaymentIntent is made and confirmed, but its answer is lost: the SDK retries with the same key.
    standIn.dropNextAnswerTo('/v1/payment_intents');
    const result = await provider.charge(request);

    expect(result.outcome).toBe('succeeded');
    expect(standIn.charges.size).toBe(charges + 1);
    const intents = standIn.received.slice(before).filter((r) => r.path === '/v1/payment_intents');
    expect(intents.map((r) => [r.idempotencyKey, r.replayed])).toEqual([
      [request.idempotencyKey, false],
      [request.idempotencyKey, true],
    ]);
  });

  it('refunds a charge once, however often it is asked with the same key', async () => {
    const request = chargeRequest({ amountCents: 2500 });
    const charged = await provider.charge(request);
    const chargeId = (charged as { chargeId: string }).chargeId;
    const refund = { idempotencyKey: `refund:${request.orderId}`, chargeId, amountCents: 2500 };

    const first = await provider.refund(refund);
    const again = await provider.refund(refund);

    expect(first.refundId).toMatch(/^re_/);
    expect(again).toEqual(first);
    expect([...standIn.refunds.values()].filter((r) => r.charge === chargeId)).toEqual([
      { id: first.refundId, charge: chargeId, amount: 2500 },
    ]);
    expect(standIn.requestsTo('/v1/refunds').at(-1)).toMatchObject({
      idempotencyKey: refund.idempotencyKey,
      params: { charge: chargeId, amount: '2500' },
      replayed: true,
    });
  });

  it('takes a charge refunded elsewhere (another key) as refunded', async () => {
    const request = chargeRequest();
    const { chargeId } = (await provider.charge(request)) as { chargeId: string };
    await provider.refund({ idempotencyKey: 'refund-from-the-dashboard', chargeId, amountCents: 1999 });

    expect(await provider.refund({ idempotencyKey: `refund:${request.orderId}`, chargeId, amountCents: 1999 })).toEqual(
      {
        refundId: null,
      },
    );
  });

  it('throws, never reports a decline, when Stripe refuses the request itself (a wrong key)', async () => {
    const misconfigured = new StripePaymentProvider({ secretKey: 'sk_test_wrong', apiUrl: standIn.baseUrl });

    await expect(misconfigured.charge(chargeRequest())).rejects.toThrow('Invalid API Key provided');
  });
});
