import type { ApiError } from './types';

/** Errors placed for a form: one message beside each known field, the rest above the form. */
export interface FormErrors<Field extends string> {
  fields: Partial<Record<Field, string>>;
  form: string[];
}

export function noFormErrors<Field extends string>(): FormErrors<Field> {
  return { fields: {}, form: [] };
}

/**
 * Splits the API's errors between the form's fields and the form as a whole. An error naming
 * a field the form does not show goes above the form, so no message is ever lost; a second
 * error for the same field joins the first.
 */
export function placeErrors<Field extends string>(errors: ApiError[], formFields: readonly Field[]): FormErrors<Field> {
  const placed = noFormErrors<Field>();
  for (const { message, field } of errors) {
    const known = formFields.find((f) => f === field);
    if (known === undefined) {
      placed.form.push(message);
    } else {
      const previous = placed.fields[known];
      placed.fields[known] = previous ? `${previous} ${message}` : message;
    }
  }
  return placed;
}
