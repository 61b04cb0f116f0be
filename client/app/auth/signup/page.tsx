import type { Metadata } from 'next';
import Link from 'next/link';
import { AuthForm } from '../../../components/auth-form';
import { FormCard } from '../../../components/form-card';

export const metadata: Metadata = { title: 'Sign up' };

export default function SignUpPage() {
  return (
    <FormCard
      title="Create your account"
      subtitle="Sell tickets you can't use in under a minute."
      footer={
        <>
          Already have an account? <Link href="/auth/signin">Sign in</Link>
        </>
      }
    >
      <AuthForm
        endpoint="/api/users/signup"
        submitLabel="Sign up"
        pendingLabel="Creating your account…"
        passwordAutoComplete="new-password"
      />
    </FormCard>
  );
}
