import type { AccountService } from '../users/account-service';

/** What the user routes need: the account logic and how to sign session tokens. */
export interface UserRouteDeps {
  accounts: AccountService;
  jwtKey: string;
  jwtExpiresInSeconds: number;
}
