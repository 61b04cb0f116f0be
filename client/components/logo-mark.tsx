/** The ticket-stub mark beside the product name; decorative, so hidden from screen readers. */
export function LogoMark({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="#4338ca" />
      <path
        d="M8 11a2 2 0 0 1 2-2h12a2 2 0 0 1 2 2v2.2a2.8 2.8 0 0 0 0 5.6V21a2 2 0 0 1-2 2H10a2 2 0 0 1-2-2v-2.2a2.8 2.8 0 0 0 0-5.6Z"
        fill="#fff"
      />
      <path d="M18.5 10v12" stroke="#4338ca" strokeWidth="1.4" strokeDasharray="1.6 1.6" />
    </svg>
  );
}
