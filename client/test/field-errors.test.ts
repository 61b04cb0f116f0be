import { placeErrors } from '../lib/api/field-errors';

const FIELDS = ['email', 'password'] as const;

describe('placeErrors', () => {
  it('puts each field error beside its field and the rest above the form', () => {
    const placed = placeErrors(
      [{ message: 'Email must be valid', field: 'email' }, { message: 'Email in use' }],
      FIELDS,
    );
    expect(placed).toEqual({ fields: { email: 'Email must be valid' }, form: ['Email in use'] });
  });

  it('puts an error for a field the form does not show above the form', () => {
    const placed = placeErrors([{ message: 'limit must be 1-100', field: 'limit' }], FIELDS);
    expect(placed).toEqual({ fields: {}, form: ['limit must be 1-100'] });
  });

  it('joins two errors for the same field', () => {
    const placed = placeErrors(
      [
        { message: 'Password is too short.', field: 'password' },
        { message: 'Password is too common.', field: 'password' },
      ],
      FIELDS,
    );
    expect(placed.fields.password).toBe('Password is too short. Password is too common.');
  });

  it('places nothing when there are no errors', () => {
    expect(placeErrors([], FIELDS)).toEqual({ fields: {}, form: [] });
  });
});
