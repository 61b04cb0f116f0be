import { hashPassword, verifyPassword } from './password';
import type { UserRepository } from '../db/user-repository';

/** The public face of an account. */
export interface Account {
  id: string;
  email: string;
}

/** Raised for an unknown email or a wrong password alike, so neither can be told apart. */
export class InvalidCredentialsError extends Error {
  constructor() {
    super('Invalid credentials');
    this.name = 'InvalidCredentialsError';
  }
}

/** Trims and lower-cases an email so lookups and the unique index ignore case and spaces. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Signing up and signing in, on plain values. */
export class AccountService {
  // Hashed once, lazily: unknown emails are checked against it so they cost what a real check costs.
  private dummyHash?: Promise<string>;

  constructor(private readonly users: UserRepository) {}

  async signUp(email: string, password: string): Promise<Account> {
    const user = await this.users.insert(normalizeEmail(email), await hashPassword(password));
    return { id: user.id, email: user.email };
  }

  async signIn(email: string, password: string): Promise<Account> {
    const user = await this.users.findByEmail(normalizeEmail(email));
    if (!user) {
      this.dummyHash ??= hashPassword('not-a-real-password');
      await verifyPassword(password, await this.dummyHash);
      throw new InvalidCredentialsError();
    }
    if (!(await verifyPassword(password, user.passwordHash))) throw new InvalidCredentialsError();
    return { id: user.id, email: user.email };
  }
}
