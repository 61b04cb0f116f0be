import { randomUUID } from 'node:crypto';
import { natsWrapper } from '@ticketing/common/events';
import { connectNats, natsUrl } from './connection';
import { TicketCreatedPublisher } from './events/ticket-created-publisher';

async function main() {
  await connectNats('publisher');
  console.log(`Publisher connected to NATS at ${natsUrl}`);

  const data = { id: randomUUID(), version: 0, title: 'concert', price: 20, userId: randomUUID() };
  const seq = await new TicketCreatedPublisher(natsWrapper.client).publish(data);
  console.log(`Event #${seq} published: ticket:created ${JSON.stringify(data)}`);

  await natsWrapper.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
