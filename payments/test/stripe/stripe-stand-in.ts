import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testCardBehaviour } from '../../src/providers/test-tokens';

/** One request as the stand-in received it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  idempotencyKey?: string;
  authorization?: string;
  stripeVersion?: string;
  replayed: boolean;
}

interface Stored {
  method: string;
  path: string;
  params: string;
  status: number;
  body: unknown;
}

type Handler = (params: Record<string, string>) => { status: number; body: unknown };

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url')}`;
const now = () => Math.floor(Date.now() / 1000);

/**
 * A local stand-in for the part of Stripe's API the payments service uses — PaymentMethods
 * from card tokens, PaymentIntents created and confirmed at once, refunds — answering with
 * objects shaped as Stripe documents them, and keeping Stripe's documented idempotency
 * rules: a key replays its first answer (2xx, or a card error) with `Idempotent-Replayed`,
 * and a key reused with other parameters is refused with an `idempotency_error`. Requests
 * are form-encoded, as the SDK sends them. It never talks to Stripe.
 */
export class StripeStandIn {
  /** Every request, in order. */
  readonly received: ReceivedRequest[] = [];
  /** Charges made, by id. */
  readonly charges = new Map<string, { id: string; amount: number; paymentIntent: string; refunded: boolean }>();
  readonly refunds = new Map<string, { id: string; charge: string; amount: number }>();
  /** The stand-in's base URL, once started. */
  baseUrl = '';
  private readonly paymentMethods = new Map<string, string>();
  private readonly intents = new Map<string, Record<string, unknown>>();
  private readonly idempotent = new Map<string, Stored>();
  private readonly dropping = new Set<string>();
  private server?: Server;

  constructor(readonly apiKey = 'sk_test_standin0123456789') {}

  /** Listens on a free port of 127.0.0.1; resolves with its base URL. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  /** Carries out the next request to `path`, then cuts the connection before answering: an answer lost on the way. */
  dropNextAnswerTo(path: string): void {
    this.dropping.add(path);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** The requests to one path (e.g. `/v1/payment_intents`). */
  requestsTo(path: string): ReceivedRequest[] {
    return this.received.filter((r) => r.path === path);
  }

  private readonly routes: Record<string, Handler> = {
    'POST /v1/payment_methods': (p) => {
      const token = p['card[token]'] ?? '';
      if (p.type !== 'card' || !testCardBehaviour(token)) {
        return invalid('resource_missing', 'card[token]', `No such token: '${token}'`);
      }
      const pm = id('pm');
      this.paymentMethods.set(pm, token);
      return { status: 200, body: { id: pm, object: 'payment_method', type: 'card', created: now(), livemode: false } };
    },
    'POST /v1/payment_intents': (p) => {
      const amount = Number(p.amount);
      if (!Number.isInteger(amount) || amount < 50) return invalid('amount_too_small', 'amount', 'Amount too small');
      if (p.currency !== 'usd') return invalid('parameter_invalid_string', 'currency', 'Invalid currency');
      const method = p.payment_method ?? '';
      // PaymentMethods made here, or Stripe's test PaymentMethods (`pm_card_visa`, …).
      const card = this.paymentMethods.get(method) ?? (testCardBehaviour(method) ? method : undefined);
      if (!card) return invalid('resource_missing', 'payment_method', `No such PaymentMethod: '${method}'`);
      const intent: Record<string, unknown> = {
        id: id('pi'),
        object: 'payment_intent',
        amount,
        currency: p.currency,
        payment_method: method,
        metadata: metadataOf(p),
        created: now(),
        livemode: false,
        latest_charge: null,
        status: 'requires_confirmation',
      };
      this.intents.set(intent.id as string, intent);
      if (p.confirm !== 'true') return { status: 200, body: intent };
      const behaviour = testCardBehaviour(card)!;
      const charge = id('ch');
      intent.latest_charge = charge;
      if (behaviour.outcome === 'declined') {
        intent.status = 'requires_payment_method';
        return {
          status: 402,
          body: {
            error: {
              type: 'card_error',
              code: 'card_declined',
              decline_code: behaviour.code,
              message: 'Your card was declined.',
              charge,
              payment_intent: intent,
            },
          },
        };
      }
      intent.status = 'succeeded';
      this.charges.set(charge, { id: charge, amount, paymentIntent: intent.id as string, refunded: false });
      return { status: 200, body: intent };
    },
    'POST /v1/refunds': (p) => {
      const charge = this.charges.get(p.charge ?? '');
      if (!charge) return invalid('resource_missing', 'charge', `No such charge: '${p.charge}'`);
      if (charge.refunded)
        return invalid('charge_already_refunded', 'charge', `Charge ${charge.id} has already been refunded.`);
      const amount = p.amount ? Number(p.amount) : charge.amount;
      charge.refunded = true;
      const refund = { id: id('re'), charge: charge.id, amount };
      this.refunds.set(refund.id, refund);
      return {
        status: 200,
        body: {
          ...refund,
          object: 'refund',
          currency: 'usd',
          payment_intent: charge.paymentIntent,
          status: 'succeeded',
          metadata: metadataOf(p),
          created: now(),
        },
      };
    },
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += chunk;
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const params = Object.fromEntries(new URLSearchParams(text));
    const header = (name: string) => req.headers[name] as string | undefined;
    const record: ReceivedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      params,
      idempotencyKey: header('idempotency-key'),
      authorization: header('authorization'),
      stripeVersion: header('stripe-version'),
      replayed: false,
    };
    this.received.push(record);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (this.dropping.delete(record.path)) {
        req.socket.destroy();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req'), ...headers });
      res.end(JSON.stringify(body));
    };

    if (record.authorization !== `Bearer ${this.apiKey}`) {
      send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
      return;
    }
    const intentMatch = /^\/v1\/payment_intents\/([\w]+)$/.exec(url.pathname);
    if (record.method === 'GET' && intentMatch) {
      const intent = this.intents.get(intentMatch[1]!);
      if (intent) send(200, intent);
      else send(404, invalid('resource_missing', 'intent', 'No such payment_intent').body);
      return;
    }
    const handler = this.routes[`${record.method} ${url.pathname}`];
    if (!handler) {
      send(404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${url.pathname})` } });
      return;
    }
    const key = record.idempotencyKey;
    const canonical = JSON.stringify(Object.entries(params).sort());
    const stored = key ? this.idempotent.get(key) : undefined;
    if (stored) {
      if (stored.method !== record.method || stored.path !== record.path || stored.params !== canonical) {
        send(400, {
          error: {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          },
        });
        return;
      }
      record.replayed = true;
      send(stored.status, stored.body, { 'idempotent-replayed': 'true' });
      return;
    }
    const { status, body } = handler(params);
    // Stripe saves an answer once the endpoint has run: successes and card errors, not refused parameters.
    if (key && (status < 300 || status === 402)) {
      this.idempotent.set(key, { method: record.method, path: record.path, params: canonical, status, body });
    }
    send(status, body);
  }
}

function invalid(code: string, param: string, message: string) {
  return { status: 400, body: { error: { type: 'invalid_request_error', code, param, message } } };
}

function metadataOf(params: Record<string, string>): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    const match = /^metadata\[(.+)\]$/.exec(name);
    if (match) metadata[match[1]!] = value;
  }
  return metadata;
}
