import type { Logger } from '@ticketing/common/service';
import type { AttemptThrottle } from '../throttle/attempt-throttle';
import type { AccountService } from '../users/account-service';

/** What the user routes need: the account logic, how to sign session tokens, the throttle, the log. */
export interface UserRouteDeps {
  accounts: AccountService;
  jwtKey: string;
  jwtExpiresInSeconds: number;
  throttle: AttemptThrottle;
  logger: Logger;
}
