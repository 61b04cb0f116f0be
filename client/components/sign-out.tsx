import { Notice } from './notice';
import { SignOutButton } from './sign-out-button';

/**
 * The sign-out page asks first: opening it (a link, a prefetch, another site's redirect) must
 * not sign anyone out; pressing its button does.
 */
export function SignOut() {
  return (
    <Notice
      title="Sign out of Ticketing?"
      actions={<SignOutButton label="Sign out" className="button button-primary" />}
    >
      <p>You can sign back in at any time.</p>
    </Notice>
  );
}
