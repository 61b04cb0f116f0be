import { natsWrapper } from '@ticketing/common/events';
import { connectNats, natsUrl } from './connection';
import { TicketCreatedListener } from './events/ticket-created-listener';
import { TicketUpdatedListener } from './events/ticket-updated-listener';

async function main() {
  await connectNats('listener');
  const listeners = [new TicketCreatedListener(natsWrapper.client), new TicketUpdatedListener(natsWrapper.client)];
  for (const listener of listeners) await listener.listen();
  console.log(
    `Listener connected to NATS at ${natsUrl}; waiting for ${listeners.map((l) => l.subject).join(', ')} ` +
      `(durables ${listeners.map((l) => l.durableName).join(', ')})`,
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
