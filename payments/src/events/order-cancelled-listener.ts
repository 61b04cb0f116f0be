import type { NatsConnection } from '@nats-io/transport-node';
import { handleOnce, type Database } from '@ticketing/common/db';
import { Listener, Subjects, type MessageContext, type OrderCancelledEvent } from '@ticketing/common/events';
import type { Logger } from '@ticketing/common/service';
import { applyOrderStatus } from '../db/order-copy';
import type { PaymentsSchema } from '../db/schema';
import { PaymentLedger } from '../payments/payment-ledger';
import { QUEUE_GROUP } from './queue-group';

/**
 * Marks the order cancelled in payments' copy. The compensation of a charge that succeeded
 * meanwhile (the order expired while it was being paid) starts here: in the same
 * transaction the payment is queued for its refund, which the sweep makes at once.
 */
export class OrderCancelledListener extends Listener<OrderCancelledEvent> {
  readonly subject = Subjects.OrderCancelled;
  readonly queueGroupName = QUEUE_GROUP;

  constructor(
    client: NatsConnection,
    private readonly database: Database<PaymentsSchema>,
    private readonly onRefundDue: () => void,
    logger?: Logger,
  ) {
    super(client, logger);
  }

  async onMessage(order: OrderCancelledEvent['data'], { msgId }: MessageContext): Promise<void> {
    let refundDue = false;
    await handleOnce(this.database.db, this.durableName, msgId, async (tx) => {
      refundDue = false;
      await applyOrderStatus(tx, order, 'cancelled', async () => {
        refundDue = await PaymentLedger.queueRefund(tx, order.id);
      });
    });
    if (refundDue) {
      this.logger.info({ orderId: order.id }, 'order cancelled after its payment: refunding');
      this.onRefundDue();
    }
  }
}
