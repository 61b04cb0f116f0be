import path from 'node:path';
import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  output: 'standalone',
  // The repo root, so the standalone bundle traces the workspace's hoisted node_modules.
  outputFileTracingRoot: path.join(__dirname, '..'),
  poweredByHeader: false,
  reactStrictMode: true,
  // `npm test` checks the client's types itself (tests included), beside its other checks.
  typescript: { ignoreBuildErrors: process.env.TICKETING_CLIENT_TYPES_CHECKED === '1' },
  // On every answer of the web app; the pages' Content-Security-Policy comes from proxy.ts (it
  // needs a nonce per request).
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
        ],
      },
    ];
  },
};

export default nextConfig;
