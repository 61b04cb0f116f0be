import { natsWrapper } from '@ticketing/common';
import { connectNats, natsUrl } from './connection';
import { TicketCreatedListener } from './events/ticket-created-listener';

async function main() {
  await connectNats('listener');
  const listener = new TicketCreatedListener(natsWrapper.client);
  await listener.listen();
  console.log(
    `Listener connected to NATS at ${natsUrl}; waiting for ${listener.subject} (durable ${listener.durableName})`,
  );

  const stop = async () => {
    await natsWrapper.close();
    console.log('Listener drained and closed');
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
