import { Stan } from '@ticketing/stan-compat';
import { Subjects } from './subjects';

interface Event {
  subject: Subjects;
  data: unknown;
}

/** The course's base publisher, unchanged but for the import: resolves once the event is stored. */
export abstract class Publisher<T extends Event> {
  abstract subject: T['subject'];
  private client: Stan;

  constructor(client: Stan) {
    this.client = client;
  }

  publish(data: T['data']): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.publish(this.subject, JSON.stringify(data), (err) => {
        if (err) {
          return reject(err);
        }
        console.log('Event published to subject', this.subject);
        resolve();
      });
    });
  }
}
