import { eq } from 'drizzle-orm';
import { isUniqueViolation, type Db } from '@ticketing/common/db';
import { users, type AuthSchema } from './schema';

/** A stored account. */
export interface UserRecord {
  id: string;
  email: string;
  passwordHash: string;
}

/** Raised when an email is already registered (including a sign-up that lost a race). */
export class EmailTakenError extends Error {
  constructor(options?: ErrorOptions) {
    super('Email in use', options);
    this.name = 'EmailTakenError';
  }
}

/** Reads and writes accounts; emails are expected already normalized. */
export class UserRepository {
  constructor(private readonly db: Db<AuthSchema>) {}

  async findByEmail(email: string): Promise<UserRecord | undefined> {
    const [row] = await this.db
      .select({ id: users.id, email: users.email, passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.email, email))
      .limit(1);
    return row;
  }

  async insert(email: string, passwordHash: string): Promise<UserRecord> {
    try {
      const [row] = await this.db
        .insert(users)
        .values({ email, passwordHash })
        .returning({ id: users.id, email: users.email, passwordHash: users.passwordHash });
      return row!;
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError({ cause: error });
      throw error;
    }
  }
}
