/** The queue group of payments' listeners: their durable consumers are `payments-service-<subject>`. */
export const QUEUE_GROUP = 'payments-service';
