import type { Subjects } from './subjects';

/** The shape every event contract follows: a subject and the JSON data sent under it. */
export interface Event {
  subject: Subjects;
  data: unknown;
}
