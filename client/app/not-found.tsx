import type { Metadata } from 'next';
import Link from 'next/link';
import { Notice } from '../components/notice';

export const metadata: Metadata = { title: 'Page not found' };

export default function NotFound() {
  return (
    <Notice
      eyebrow="404"
      title="We couldn't find that page"
      actions={
        <Link href="/" className="button button-primary">
          Browse tickets
        </Link>
      }
    >
      <p>The ticket may have been removed, or the link is mistyped.</p>
    </Notice>
  );
}
