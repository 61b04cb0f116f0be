import type { NatsConnection } from '@nats-io/transport-node';
import { InboxListener, type AfterCommit, type Database, type Db } from '@ticketing/common/db';
import { Subjects, type OrderCancelledEvent } from '@ticketing/common/events';
import type { Logger } from '@ticketing/common/service';
import { OrderCopies } from '../db/order-copy';
import type { PaymentsSchema } from '../db/schema';
import { PaymentLedger } from '../db/payment-ledger';
import { QUEUE_GROUP } from './queue-group';

/**
 * Marks the order cancelled in payments' copy. The compensation of a charge that succeeded
 * meanwhile (the order expired while it was being paid) starts here: in the same
 * transaction the payment is queued for its refund, which the sweep makes once it commits.
 */
export class OrderCancelledListener extends InboxListener<OrderCancelledEvent, PaymentsSchema> {
  readonly subject = Subjects.OrderCancelled;
  readonly queueGroupName = QUEUE_GROUP;

  constructor(
    client: NatsConnection,
    database: Database<PaymentsSchema>,
    private readonly onRefundDue: () => void,
    logger?: Logger,
  ) {
    super(client, database, logger);
  }

  async handle(order: OrderCancelledEvent['data'], tx: Db<PaymentsSchema>): Promise<void | AfterCommit> {
    let refundDue = false;
    await new OrderCopies(tx).applyStatus(order, 'cancelled', async () => {
      refundDue = await PaymentLedger.queueRefund(tx, order.id);
    });
    if (!refundDue) return;
    return () => {
      this.logger.info({ orderId: order.id }, 'order cancelled after its payment: refunding');
      this.onRefundDue();
    };
  }
}
