import type { Metadata } from 'next';
import { SignOut } from '../../../components/sign-out';

export const metadata: Metadata = { title: 'Signing out' };

export default function SignOutPage() {
  return <SignOut />;
}
