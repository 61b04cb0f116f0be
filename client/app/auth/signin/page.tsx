import type { Metadata } from 'next';
import Link from 'next/link';
import { AuthForm } from '../../../components/auth-form';
import { FormCard } from '../../../components/form-card';

export const metadata: Metadata = { title: 'Sign in' };

export default function SignInPage() {
  return (
    <FormCard
      title="Welcome back"
      subtitle="Sign in to sell and manage your tickets."
      footer={
        <>
          New to Ticketing? <Link href="/auth/signup">Create an account</Link>
        </>
      }
    >
      <AuthForm
        endpoint="/api/users/signin"
        submitLabel="Sign in"
        pendingLabel="Signing in…"
        passwordAutoComplete="current-password"
      />
    </FormCard>
  );
}
